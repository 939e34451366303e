"""The IFK's and Leistung's worklists: contents, filter, sort, claim, and query bounds."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.services import antrag_transition
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import deadline_open
from routing.services import aufgabe_claim, aufgabe_create, vermerk_route
from routing.worklist import _SOURCES, Row, Source, build_worklist, register_source
from tests.factories import person, register

pytestmark = pytest.mark.django_db

URL = reverse("routing:worklist")


def tomorrow_at_nine():
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9)))


def customer(staff, teams, last, born=date(1985, 3, 27)):
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Kim", last, born=born, is_head=True)],
    )


def fill(staff, teams, last):
    """One of everything for the IFK `ifk`: returns the case."""
    antrag = customer(staff, teams, last)
    kunde = antrag.applicant
    antrag_transition(
        actor=staff["ez"],
        antrag_id=antrag.pk,
        name="book_first_consultation",
        expected_state=None,
        at=tomorrow_at_nine(),
        ifk=staff["ifk"],
    )
    today = timezone.localdate()
    vermerk_route(author=staff["ez"], kunde=kunde, information_type=_type("umzug"), known_on=today)
    vermerk_route(
        author=staff["ez"], kunde=kunde, information_type=_type("krankengeld"), known_on=today
    )
    deadline_open(
        jobcenter=staff["ez"].jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=timezone.now() - timedelta(days=170),
        team=teams["ue25"],
        owner_user=staff["ifk"],
        kunde=kunde,
    )
    ticket = aufgabe_create(
        created_by=staff["empfang"],
        postfach=teams["ue25"].postfach,
        kunde=kunde,
        title=f"Rückruf {last}",
    )
    deadline = deadline_open(
        jobcenter=staff["ez"].jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=timezone.now() - timedelta(days=3),
        team=teams["ue25"],
        aufgabe=ticket,
    )
    Deadline.objects.filter(pk=deadline.pk).update(warn_at=timezone.now() - timedelta(hours=1))
    return antrag


def _type(code):
    from routing.models import InformationType

    return InformationType.objects.prefetch_related("rules").get(code=code)


@pytest.fixture
def profile(jobcenter):
    apply_preset(jobcenter=jobcenter, name="demo")
    return jobcenter


@pytest.mark.parametrize(
    "who, status",
    [
        ("ifk", 200),
        ("leistung", 200),
        ("ez", 403),
        ("teamleitung", 403),
        ("hotline", 403),
        ("admin", 403),
    ],
)
def test_worklist_is_for_integration_and_leistung(login, staff, who, status):
    assert login(staff[who]).get(URL).status_code == status


def test_ifk_worklist_has_everything_on_one_page(login, staff, teams, profile):
    antrag = fill(staff, teams, "Becker")
    response = login(staff["ifk"]).get(URL)
    # One row for the customer, carrying all its reasons.
    assert len(response.context["rows"]) == 1
    rows = [x for r in response.context["rows"] for x in (r, *r.also)]
    categories = {r.category for r in rows}
    assert categories == {"neukunde", "erstgespraech", "postfach", "kontakt", "frist"}
    by = {(r.category, r.title.split(":")[0]) for r in rows}
    assert ("neukunde", "Neuer Kunde zugeordnet") in by
    assert any(r.category == "erstgespraech" and r.kunde == antrag.applicant for r in rows)
    mailbox = [r for r in rows if r.category == "postfach"]
    # The team's note (Umzug), the personal one (Krankengeld), the ticket with its callback.
    assert sorted(r.title.split(" –")[0] for r in mailbox) == [
        "Krankengeldbezug",
        "Rückruf Becker",
        "Umzug",
    ]
    contact = next(r for r in rows if r.category == "kontakt")
    assert contact.level == "warning"
    alert = next(r for r in rows if r.category == "frist")
    assert alert.title == "Rückruf auf ein Ticket"
    page = response.content.decode()
    assert "Becker, Kim" in page and "Übernehmen" in page


def test_others_claims_and_other_teams_stay_out(login, staff, teams, profile, kunde, types):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    integration = next(a for a in routed.aufgaben if a.postfach == teams["ue25"].postfach)
    aufgabe_claim(actor=staff["ifk2"], aufgabe_id=integration.pk)
    assert not [r for r in build_worklist(staff["ifk"]) if r.category == "postfach"]
    assert [r.aufgabe for r in build_worklist(staff["ifk2"]) if r.category == "postfach"] == [
        integration
    ]
    # The pages say the same: the item is on the claimer's worklist, not on the colleague's.
    link = reverse("routing:item", args=[integration.pk])
    assert link in login(staff["ifk2"]).get(URL).content.decode()
    assert link not in login(staff["ifk"]).get(URL).content.decode()


def test_filter_and_sort(login, staff, teams, profile):
    fill(staff, teams, "Zander")
    fill(staff, teams, "Albers")
    client = login(staff["ifk"])
    rows = client.get(URL, {"art": "postfach"}).context["rows"]
    assert {r.category for r in rows} == {"postfach"}
    rows = client.get(URL, {"q": "zander"}).context["rows"]
    assert rows and all(r.kunde.last_name == "Zander" for r in rows)
    rows = client.get(URL, {"sortierung": "kunde"}).context["rows"]
    names = [r.kunde_name for r in rows]
    assert names == sorted(names, key=str.casefold)
    rows = client.get(URL, {"sortierung": "kunde", "richtung": "ab"}).context["rows"]
    assert rows[0].kunde.last_name == "Zander"
    rows = client.get(URL, {"sortierung": "faellig"}).context["rows"]
    dues = [r.due_at for r in rows if r.due_at]
    assert dues == sorted(dues)
    # Headers are links (keyboard-usable) and say how the table is sorted.
    page = client.get(URL, {"sortierung": "kunde"}).content.decode()
    assert 'aria-sort="ascending"' in page and "sortierung=kunde&amp;richtung=ab" in page
    # Unknown values fall back instead of failing.
    assert client.get(URL, {"art": "x", "sortierung": "y"}).status_code == 200


def test_claim_from_the_worklist(login, staff, teams, profile, kunde, types):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    integration = next(a for a in routed.aufgaben if a.postfach == teams["ue25"].postfach)
    client = login(staff["ifk"])
    response = client.post(
        reverse("routing:item_claim", args=[integration.pk]),
        {"row": "worklist", "next": URL},
        headers={"HX-Request": "true"},
    )
    row = response.content.decode()
    assert f'id="row-aufgabe-{integration.pk}"' in row and "von Ihnen übernommen" in row
    assert f'id="act-aufgabe-{integration.pk}"' in row
    integration.refresh_from_db()
    assert integration.claimed_by == staff["ifk"]


def test_leistung_worklist_cases_by_state_and_due_and_team_notes(login, staff, teams, profile):
    antrag = customer(staff, teams, "Lange")
    other = register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        persons=[person("Fremd", "Team", is_head=True)],
    )
    vermerk_route(
        author=staff["ez"],
        kunde=antrag.applicant,
        information_type=_type("umzug"),
        known_on=timezone.localdate(),
    )
    client = login(staff["leistung"])
    response = client.get(URL)
    rows = response.context["rows"]
    cases = [r for r in rows if r.category == "fall"]
    assert [r.kunde for r in cases] == [antrag.applicant]
    assert cases[0].due_at == antrag.deadlines.order_by("due_at").first().due_at
    assert cases[0].state == "erfasst"
    assert any(r.category == "postfach" and r.title.startswith("Umzug") for r in rows)
    assert other.applicant not in [r.kunde for r in rows]
    page = response.content.decode()
    assert "Eingangsprüfung offen (1)" in page  # the state filter with its count
    assert client.get(URL, {"status": "bearbeitungsreif"}).context["rows"] == []


def test_other_apps_can_add_a_source(login, staff):
    def appointments(user, now):
        return [
            Row(
                key="termin-1",
                category="termin",
                category_label="Termin",
                title="Folgegespräch",
                url="/",
                received_at=now,
            )
        ]

    # The app registers a "termin" source of its own: put it back afterwards.
    registered = _SOURCES.get("termin")
    register_source(Source("termin", "Termin", {"integration"}, appointments))
    try:
        rows = login(staff["ifk"]).get(URL).context["rows"]
        assert [r.title for r in rows] == ["Folgegespräch"]
    finally:
        _SOURCES.pop("termin")
        if registered is not None:
            register_source(registered)


@pytest.mark.parametrize("who", ["ifk", "leistung"])
def test_query_count_does_not_grow_with_rows(
    login, staff, teams, profile, who, django_assert_max_num_queries
):
    fill(staff, teams, "Erst")
    client = login(staff[who])
    client.get(URL)
    with django_assert_max_num_queries(60) as few:
        first = client.get(URL)
    n_first = len(first.context["rows"])
    for i in range(8):
        fill(staff, teams, f"Weitere{i}")
    with django_assert_max_num_queries(len(few)):
        more = client.get(URL)
    assert len(more.context["rows"]) > n_first * 5
    # The htmx partial as well.
    with django_assert_max_num_queries(len(few)):
        client.get(URL, {"sortierung": "kunde"}, headers={"HX-Request": "true"})


def test_worklist_filter_text_stays_out_of_history_and_is_encoded(login, staff):
    response = login(staff["ifk"]).get(URL, {"q": "Müller & Söhne"})
    # A name typed into the filter must not land in the browser history (Sozialdaten).
    assert "hx-push-url" not in response.content.decode()
    # The sort links carry the filter safely encoded.
    assert "q=M%C3%BCller+%26+S%C3%B6hne" in response.context["columns"][0]["query"]
