"""Mailboxes: who sees what, claim, done, follow-up, re-route, forward; the lead's overview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import deadline_open
from routing.models import Aufgabe, AufgabeEvent
from routing.services import (
    RoutingError,
    aufgabe_claim,
    aufgabe_create,
    aufgabe_done,
    aufgabe_follow_up,
    aufgabe_forward,
    aufgabe_reroute,
    vermerk_route,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"routing:{name}", args=args)


@pytest.fixture
def note(staff, kunde, types):
    return vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )


@pytest.fixture
def item(note, teams):
    """The delivery in Team leistung's mailbox."""
    return note.vermerk.deliveries.get(postfach=teams["leistung"].postfach)


def audited(aufgabe, step):
    return AuditEvent.objects.filter(target_id=aufgabe.pk, changes__step=step).exists()


# --- who sees what -------------------------------------------------------------------------------


def test_members_see_their_mailbox_others_get_404(login, staff, teams, item, outsider):
    mailbox = url("mailbox", teams["leistung"].postfach.pk)
    assert item.title in login(staff["leistung"]).get(mailbox).content.decode()
    assert login(staff["teamleitung"]).get(mailbox).status_code == 200  # member and lead
    for who in ("leistung_b", "ifk", "ez", "hotline"):
        assert login(staff[who]).get(mailbox).status_code == 404, who
    assert login(outsider).get(mailbox).status_code == 404
    assert login(staff["admin"]).get(mailbox).status_code == 403


def test_item_pages_are_scoped(login, staff, item, outsider):
    for name in ("item",):
        assert login(staff["leistung"]).get(url(name, item.pk)).status_code == 200
        assert login(staff["leistung_b"]).get(url(name, item.pk)).status_code == 404
        assert login(outsider).get(url(name, item.pk)).status_code == 404


@pytest.mark.parametrize(
    "step",
    ["item_claim", "item_done", "item_follow_up", "item_reroute", "item_forward", "item_release"],
)
def test_another_team_cannot_act(login, staff, item, outsider, step):
    for user in (staff["leistung_b"], staff["ifk"], outsider):
        assert login(user).post(url(step, item.pk), {"done-note": "x"}).status_code == 404
    item.refresh_from_db()
    assert item.claimed_by is None and item.is_open


def test_service_checks_permission_too(staff, item):
    with pytest.raises(RoutingError):
        aufgabe_claim(actor=staff["leistung_b"], aufgabe_id=item.pk)


def test_personal_items_are_seen_only_by_their_person(login, staff, kunde, types):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["ueberschuldung"],
        known_on=timezone.localdate(),
    )
    (personal,) = routed.aufgaben
    assert personal.assignee == staff["ifk"]
    assert personal.title in login(staff["ifk"]).get(url("personal")).content.decode()
    assert login(staff["ifk2"]).get(url("item", personal.pk)).status_code == 404


# --- the steps -----------------------------------------------------------------------------------


def test_claim_is_audited_and_a_second_claim_is_refused(login, staff, item):
    response = login(staff["leistung"]).post(url("item_claim", item.pk))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.claimed_by == staff["leistung"] and item.claimed_at
    assert audited(item, "claimed")
    assert item.events.filter(action="claimed", actor=staff["leistung"]).exists()
    with pytest.raises(RoutingError) as error:
        aufgabe_claim(actor=staff["teamleitung"], aufgabe_id=item.pk)
    assert "Bereits übernommen von" in error.value.message


def test_claim_from_the_list_with_htmx_returns_the_row(login, staff, teams, item):
    client = login(staff["leistung"])
    response = client.post(
        url("item_claim", item.pk),
        {"row": "mailbox", "next": "/postfaecher/"},
        headers={"HX-Request": "true"},
    )
    row = response.content.decode()
    assert row.lstrip().startswith("<tr") and f'id="item-{item.pk}"' in row
    assert "übernommen von" in row and "Übernommen:" in row
    assert f'id="item-{item.pk}-act"' in row  # focus stays on the row's action


def test_claimed_item_cannot_be_worked_by_a_colleague_but_by_the_lead(login, staff, teams, item):
    colleague = UserFactory(
        username="leistung_2",
        jobcenter=staff["leistung"].jobcenter,
        role=Role.LEISTUNG,
        teams=[teams["leistung"]],
    )
    aufgabe_claim(actor=staff["leistung"], aufgabe_id=item.pk)
    later = timezone.localdate() + timedelta(days=3)
    events = item.events.count()
    # A colleague of the same team sees the item, but every step of theirs is refused ...
    client = login(colleague)
    assert client.get(url("item", item.pk)).status_code == 200
    done = client.post(url("item_done", item.pk), {"done-note": "Erledigt"})
    assert done.status_code == 422 and "übernommen" in done.content.decode()
    parked = client.post(url("item_follow_up", item.pk), {"wv-on": later.isoformat()})
    assert parked.status_code == 422 and "übernommen" in parked.content.decode()
    client.post(url("item_release", item.pk))
    for step in (
        lambda: aufgabe_done(actor=colleague, aufgabe_id=item.pk, note="Erledigt"),
        lambda: aufgabe_follow_up(actor=colleague, aufgabe_id=item.pk, on=later),
        lambda: aufgabe_reroute(
            actor=colleague,
            aufgabe_id=item.pk,
            postfach=teams["leistung_b"].postfach,
            reason="falsches Team",
        ),
    ):
        with pytest.raises(RoutingError, match="übernommen"):
            step()
    # ... and the item is as the claimer left it.
    item.refresh_from_db()
    assert item.claimed_by == staff["leistung"] and item.is_open
    assert item.follow_up_on is None and item.postfach == teams["leistung"].postfach
    assert item.events.count() == events
    # The team lead may step in.
    aufgabe_follow_up(actor=staff["teamleitung"], aufgabe_id=item.pk, on=later)
    item.refresh_from_db()
    assert item.follow_up_on == later and item.claimed_by == staff["leistung"]


def test_done_needs_what_was_done_and_closes_the_callback_clock(login, staff, teams, kunde):
    apply_preset(jobcenter=staff["ez"].jobcenter, name="demo")
    # The front desk's ticket: a call back within 24 h (rule R-RU-01), its deadline on the ticket.
    ticket = aufgabe_create(
        created_by=staff["empfang"],
        postfach=teams["leistung"].postfach,
        kunde=kunde,
        title="Rückruf: Frage zum Bescheid",
        due_at=timezone.now() + timedelta(days=1),
    )
    deadline_open(
        jobcenter=staff["ez"].jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=timezone.now(),
        team=teams["leistung"],
        aufgabe=ticket,
    )
    client = login(staff["leistung"])
    page = client.get(url("mailbox", teams["leistung"].postfach.pk)).content.decode()
    assert "Rückruf auf ein Ticket bis" in page
    response = client.post(url("item_done", ticket.pk), {"done-note": ""})
    assert response.status_code == 422
    assert "Bitte kurz festhalten, was getan wurde." in response.content.decode()
    response = client.post(url("item_done", ticket.pk), {"done-note": "Zurückgerufen, erklärt"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Aufgabe.Status.DONE and ticket.done_note == "Zurückgerufen, erklärt"
    assert ticket.done_by == staff["leistung"]
    deadline = Deadline.objects.get(aufgabe=ticket)
    assert deadline.status == Deadline.Status.MET and deadline.completed_at
    assert audited(ticket, "done")
    # Done is done.
    with pytest.raises(RoutingError):
        aufgabe_done(actor=staff["leistung"], aufgabe_id=ticket.pk, note="nochmal")


def test_follow_up_parks_the_item_and_past_ones_stand_out(login, staff, teams, item):
    client = login(staff["leistung"])
    mailbox = url("mailbox", teams["leistung"].postfach.pk)
    bad = client.post(url("item_follow_up", item.pk), {"wv-on": timezone.localdate().isoformat()})
    assert bad.status_code == 422
    assert "Die Wiedervorlage muss nach dem heutigen Tag liegen." in bad.content.decode()
    later = timezone.localdate() + timedelta(days=5)
    done = client.post(url("item_follow_up", item.pk), {"wv-on": later.isoformat()}, follow=True)
    assert "Wiedervorlage am" in done.content.decode()  # back in the mailbox, with the message
    item.refresh_from_db()
    assert item.follow_up_on == later and audited(item, "follow_up")
    assert item.title not in client.get(mailbox).content.decode()
    assert item.title in client.get(mailbox, {"ansicht": "wiedervorlage"}).content.decode()
    # Once the date has passed, it is back and stands out.
    Aufgabe.objects.filter(pk=item.pk).update(follow_up_on=timezone.localdate() - timedelta(days=1))
    page = client.get(mailbox).content.decode()
    assert "Wiedervorlage überschritten" in page and "routing-attention" in page


def test_unclaimed_urgent_items_stand_out_and_come_first(login, staff, teams, kunde, types):
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["tod"],
        known_on=timezone.localdate(),
        urgent=True,
        event_date=timezone.localdate(),
    )
    page = (
        login(staff["leistung"]).get(url("mailbox", teams["leistung"].postfach.pk)).content.decode()
    )
    assert page.index("Tod einer") < page.index("Umzug")
    assert "dringend, nicht übernommen" in page and "routing-standout" in page
    newest = (
        login(staff["leistung"])
        .get(url("mailbox", teams["leistung"].postfach.pk), {"sortierung": "neu"})
        .content.decode()
    )
    assert newest.index("Tod einer") < newest.index("Umzug")


def test_reroute_needs_a_reason_moves_the_item_and_counts_against_the_rule(
    login, staff, teams, item
):
    client = login(staff["leistung"])
    target = teams["leistung_b"].postfach
    bad = client.post(url("item_reroute", item.pk), {"um-postfach": target.pk, "um-reason": ""})
    assert bad.status_code == 422
    assert "Bitte begründen" in bad.content.decode()
    same = client.post(
        url("item_reroute", item.pk),
        {"um-postfach": teams["leistung"].postfach.pk, "um-reason": "x"},
    )
    assert same.status_code == 422  # the current mailbox is not offered
    ok = client.post(
        url("item_reroute", item.pk), {"um-postfach": target.pk, "um-reason": "BG gehört zu Team B"}
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.postfach == target and item.claimed_by is None
    event = item.events.get(action="rerouted")
    assert event.note == "BG gehört zu Team B" and event.rule == item.rule
    assert audited(item, "rerouted")
    # The old team no longer sees it, the new one does.
    assert client.get(url("item", item.pk)).status_code == 404
    assert login(staff["leistung_b"]).get(url("item", item.pk)).status_code == 200
    # The rules page shows the rule that misrouted.
    page = login(staff["teamleitung"]).get(url("rules")).content.decode()
    assert "kern-badge--warning" in page


def test_reroute_refuses_a_mailbox_of_another_jobcenter(staff, item, outsider):
    from tests.factories import TeamFactory

    foreign = TeamFactory(jobcenter=outsider.jobcenter).postfach
    with pytest.raises(RoutingError):
        aufgabe_reroute(actor=staff["leistung"], aufgabe_id=item.pk, postfach=foreign, reason="x")


def test_forward_leistung_to_integration_and_back(login, staff, teams, kunde):
    # A front-desk task that reached Leistung only (rule R-IA-02: Leistung forwards to Integration).
    task = aufgabe_create(
        created_by=staff["empfang"],
        postfach=teams["leistung"].postfach,
        kunde=kunde,
        title="Arbeitsvertrag abgegeben",
    )
    client = login(staff["leistung"])
    assert "Weiterleiten an Postfach Team ue25" in client.get(url("item", task.pk)).content.decode()
    response = client.post(url("item_forward", task.pk), {"wl-note": "bitte Vermittlung prüfen"})
    assert response.status_code == 302
    copy = Aufgabe.objects.get(postfach=teams["ue25"].postfach)
    assert "bitte Vermittlung prüfen" in copy.description
    assert copy.events.get().action == AufgabeEvent.Action.FORWARDED
    with pytest.raises(RoutingError):  # not twice
        aufgabe_forward(actor=staff["leistung"], aufgabe_id=task.pk)
    # Integration forwards urgent ones to Leistung at once, flagged for a call (rule R-IA-02).
    urgent = aufgabe_create(
        created_by=staff["ifk"],
        postfach=teams["ue25"].postfach,
        kunde=kunde,
        title="Arbeitsaufnahme telefonisch gemeldet",
        urgent=True,
    )
    back = aufgabe_forward(actor=staff["ifk"], aufgabe_id=urgent.pk)
    assert back.postfach == teams["leistung"].postfach and back.call_requested


# --- the lead's overview and query bounds ------------------------------------------------------


def test_lead_sees_counts_and_ages_per_mailbox(login, staff, teams, kunde, types):
    for _ in range(3):
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=types["umzug"],
            known_on=timezone.localdate(),
        )
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["tod"],
        known_on=timezone.localdate(),
        urgent=True,
        event_date=timezone.localdate(),
    )
    leistung = Aufgabe.objects.filter(postfach=teams["leistung"].postfach)
    urgent = leistung.get(urgent=True)
    Aufgabe.objects.filter(pk=urgent.pk).update(created_at=timezone.now() - timedelta(days=4))
    aufgabe_claim(actor=staff["leistung"], aufgabe_id=leistung.filter(urgent=False).first().pk)
    response = login(staff["teamleitung"]).get(url("mailboxes"))
    overview = {p.name: p for p in response.context["overview"]}
    box = overview["Postfach Team leistung"]
    assert (box.n_open, box.n_unclaimed, box.n_urgent_unclaimed) == (4, 3, 1)
    assert (box.n_older_1d, box.n_older_3d) == (1, 1)
    assert box.oldest < timezone.now() - timedelta(days=3)
    assert "Anzahl und Alter" in response.content.decode()
    # A member of another team does not see Team leistung's box.
    other = login(staff["leistung_b"]).get(url("mailboxes")).context["overview"]
    assert [p.name for p in other] == ["Postfach Team leistung_b"]


def test_mailbox_list_query_count_does_not_grow(
    login, staff, teams, kunde, types, django_assert_max_num_queries
):
    client = login(staff["leistung"])
    mailbox = url("mailbox", teams["leistung"].postfach.pk)
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    client.get(mailbox)
    with django_assert_max_num_queries(50) as few:
        client.get(mailbox)
    for _ in range(15):
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=types["tod"],
            known_on=timezone.localdate(),
            event_date=timezone.localdate(),
            urgent=True,
        )
    with django_assert_max_num_queries(len(few)):
        page = client.get(mailbox).content.decode()
    assert page.count("<tr class") == 17  # header excluded: 16 items + 0
    with django_assert_max_num_queries(len(few)):
        client.get(url("mailboxes"))
