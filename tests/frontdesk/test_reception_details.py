"""Issue 12, the reception's details: the Kd.-Nr. as typed, a name without a date of birth,
the most frequent concerns first, settling without a number, the expected waiting time on
the Wartemarke, the interpreter flag in the queues, the "Heute" list refreshing itself."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from frontdesk import stats
from frontdesk.models import Contact, Outcome, SiteSettings, Visit, VisitState
from frontdesk.selectors import concern_frequency
from frontdesk.services.calling import visit_call_next
from frontdesk.services.desks import desk_seen
from frontdesk.services.outcomes import visit_finish
from frontdesk.waiting import WaitEstimate, expected_wait
from intake.models import Kunde
from jobcenter.models import AuditEvent
from tests.factories import person, register

from .conftest import at

pytestmark = pytest.mark.django_db

POLL = {"HX-Request": "true", "X-Poll": "1"}


def post_checkin(client, site, concerns, **fields):
    data = {"standort": site.pk, "concerns": [c.pk for c in concerns], "priority_reason": ""}
    data.update(fields)
    return client.post(reverse("frontdesk:checkin"), data)


@pytest.fixture
def erika(staff, teams):
    """Erika Mustermann, born 27.03.1985, Kd.-Nr. 962D000151 (written "962D 000151" on
    letters)."""
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True, kundennummer="962D000151")],
    )
    return antrag.applicant


# --- the Kd.-Nr. as typed ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["962D 000151", "962d000151", " 962 d 000151 ", "962D-000151"])
def test_kundennummer_with_spaces_and_case_is_found_at_check_in(
    login, staff, site, desks, catalogue, erika, typed
):
    response = post_checkin(login(staff["empfang"]), site, [catalogue["unterlagen"]], q=typed)
    assert response.status_code == 302
    assert Visit.objects.get().kunde == erika


def test_kundennummer_with_a_space_is_found_by_the_lookup(login, staff, site, erika):
    page = (
        login(staff["empfang"])
        .get(reverse("frontdesk:checkin_lookup"), {"q": "962D 000151"}, headers=POLL)
        .content.decode()
    )
    assert "Mustermann, Erika" in page
    assert f'value="{erika.pk}" id="kunde-{erika.pk}" checked' in page


def test_kundennummer_with_a_space_assigns_an_unknown_visit(
    login, staff, site, desks, check_in, erika
):
    visit = check_in("unterlagen")
    response = login(staff["empfang"]).post(
        reverse("frontdesk:visit_identify", args=[visit.pk]),
        {"identify-kundennummer": "962d 000151"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.kunde == erika


# --- a name without a date of birth --------------------------------------------------------


def test_a_name_alone_shows_the_matches_and_asks_for_the_birth_date(
    login, staff, teams, site, erika
):
    register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Max", "Mustermann", is_head=True)],
    )
    page = (
        login(staff["empfang"])
        .get(reverse("frontdesk:checkin_lookup"), {"q": "Mustermann"}, headers=POLL)
        .content.decode()
    )
    assert "2 Treffer" in page
    assert "Mustermann, Erika – 27.03.1985" in page
    assert "Mustermann, Max" in page
    assert "Bitte Geburtsdatum angeben, um unter 2 Treffern zu wählen." in page
    # Need-to-know: the reception sees who it is, not the case.
    assert "BG" not in page and "Antrag" not in page


def test_a_single_name_match_is_shown_but_not_chosen(login, staff, site, erika):
    page = (
        login(staff["empfang"])
        .get(reverse("frontdesk:checkin_lookup"), {"q": "Mustermann"}, headers=POLL)
        .content.decode()
    )
    assert "Mustermann, Erika – 27.03.1985" in page
    assert f'id="kunde-{erika.pk}" checked' not in page
    assert "Nur nach dem Namen gefunden: bitte das Geburtsdatum prüfen oder angeben." in page


def test_a_name_nobody_has_says_so(login, staff, site, erika):
    page = (
        login(staff["empfang"])
        .get(reverse("frontdesk:checkin_lookup"), {"q": "Zyxwert"}, headers=POLL)
        .content.decode()
    )
    assert "Keine Kundin und kein Kunde gefunden" in page


def test_an_unreadable_birth_date_says_what_is_missing(login, staff, site, erika):
    page = (
        login(staff["empfang"])
        .get(
            reverse("frontdesk:checkin_lookup"),
            {"q": "Mustermann", "date_of_birth": "27.13.1985"},
            headers=POLL,
        )
        .content.decode()
    )
    assert "Geburtsdatum" in page and "TT.MM.JJJJ" in page


def test_a_name_alone_at_check_in_shows_the_matches_to_choose(
    login, staff, site, desks, catalogue, erika
):
    response = post_checkin(login(staff["empfang"]), site, [catalogue["sachstand"]], q="Mustermann")
    page = response.content.decode()
    assert response.status_code == 422
    assert "Mustermann, Erika – 27.03.1985" in page
    assert f'id="kunde-{erika.pk}"' in page


def test_a_check_in_shown_again_offers_the_whole_catalogue(login, staff, site, desks, catalogue):
    # The submitted check-in is checked against the concerns ticked only (issue 13); shown
    # again, every concern is there to tick, and a ticked one taken out of the catalogue is
    # refused.
    gone = catalogue["unterlagen"]
    gone.active = False
    gone.save()
    response = post_checkin(login(staff["empfang"]), site, [catalogue["sachstand"], gone])
    assert response.status_code == 422
    page = response.content.decode()
    assert "aus dem Katalog genommen" in page
    offered = [c for c in catalogue.values() if c.active]
    assert len(offered) > 5
    for concern in offered:
        assert f'value="{concern.pk}"' in page
    assert not Visit.objects.exists()


# --- the most frequent concerns first -----------------------------------------------------


def _positions(page: str, concerns) -> list[int]:
    return [page.index(f'value="{c.pk}"') for c in concerns]


def test_concern_frequency_counts_this_site_over_90_days(
    site, other_site, desks, catalogue, check_in
):
    now = at(9)
    for _ in range(3):
        check_in("sachstand", now=now - timedelta(days=1))
    check_in("kopien", now=now - timedelta(days=89))
    check_in("kopien", "sachstand", now=now)
    check_in("vordrucke", now=now - timedelta(days=90))  # one day too old
    check_in("vordrucke", standort=other_site, settle=Outcome.RESOLVED, now=now)  # elsewhere
    assert concern_frequency(site, now.date()) == {
        catalogue["sachstand"].pk: 4,
        catalogue["kopien"].pk: 2,
    }


def test_the_most_frequent_concerns_come_first(login, staff, site, desks, catalogue, check_in):
    for _ in range(3):
        check_in("kopien")
    check_in("vordrucke")
    page = login(staff["empfang"]).get(reverse("frontdesk:checkin")).content.decode()
    kopien, vordrucke, unterlagen = _positions(
        page, [catalogue["kopien"], catalogue["vordrucke"], catalogue["unterlagen"]]
    )
    assert kopien < vordrucke < unterlagen


def test_without_history_the_catalogue_order_stays(login, staff, site, desks, catalogue):
    page = login(staff["empfang"]).get(reverse("frontdesk:checkin")).content.decode()
    in_catalogue = sorted(
        catalogue.values(), key=lambda c: (c.concern_class.position, c.position, c.name)
    )
    shown = [c for c in in_catalogue if c.active and f'value="{c.pk}"' in page]
    assert _positions(page, shown) == sorted(_positions(page, shown))


# --- settling at the reception: no waiting number ------------------------------------------


def test_settling_at_the_reception_draws_no_number(login, staff, site, desks, catalogue):
    client = login(staff["empfang"])
    response = post_checkin(client, site, [catalogue["vordrucke"]], action="settle")
    settled = Visit.objects.get()
    assert (settled.number, settled.state, settled.settled_at_reception) == (
        "",
        VisitState.DONE,
        True,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Ohne Wartenummer: abschließend geklärt" in page
    assert reverse("frontdesk:ticket", args=[settled.pk]) not in page
    assert client.get(reverse("frontdesk:ticket", args=[settled.pk])).status_code == 404
    # The next one who waits gets the first number of the day.
    post_checkin(client, site, [catalogue["unterlagen"]])
    assert Visit.objects.get(state=VisitState.WAITING).number == "A001"
    # A ticket settled at the reception: no number either.
    post_checkin(client, site, [catalogue["pap"]], action="ticket", note="Tel. 0202 1")
    assert Visit.objects.get(outcome=Outcome.TICKET).number == ""
    # Both still count: two visits done today.
    assert "2 Besuche abgeschlossen." in client.get(reverse("frontdesk:checkin")).content.decode()


def test_settled_visits_count_in_the_report(login, staff, site, desks, check_in):
    check_in("vordrucke", settle=Outcome.RESOLVED)
    check_in("vordrucke", settle=Outcome.RESOLVED)
    assert Visit.objects.filter(number="").count() == 2
    today = Visit.objects.first().day
    result = stats.report(site, today, today)
    assert (result.total.visits, result.settled_at_reception) == (2, 2)


# --- the expected waiting time on the Wartemarke -------------------------------------------


def test_the_wait_uses_the_default_until_someone_is_served(site, desks, staff, check_in):
    desks["s1"].occupied_by = staff["ez"]
    desks["s1"].last_seen_at = at(9)
    desks["s1"].save()
    for minute in range(3):
        check_in("unterlagen", now=at(9, minute))
    fourth = check_in("unterlagen", now=at(9, 5))
    # 3 ahead × the default of 10 minutes, one desk open.
    assert expected_wait(fourth, now=at(9, 6)) == WaitEstimate(ahead=3, minutes=30)
    assert expected_wait(fourth, now=at(9, 6)).text == (
        "voraussichtliche Wartezeit: etwa 30 Minuten"
    )
    SiteSettings.objects.create(standort=site, default_service_minutes=4)
    site.refresh_from_db()
    fourth.refresh_from_db()
    # 3 × 4 = 12 minutes: "etwa 10 Minuten", never "12".
    assert expected_wait(fourth, now=at(9, 6)).text == (
        "voraussichtliche Wartezeit: etwa 10 Minuten"
    )


def test_the_wait_uses_todays_average_and_the_open_desks(site, desks, staff, check_in, open_desk):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    served = [check_in("unterlagen", now=at(8, m)) for m in (0, 1)]
    # Served in 4 and 6 minutes: the queue's average today is 5 minutes.
    for start, visit, took in zip((at(8, 10), at(8, 20)), served, (4, 6), strict=True):
        visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=start)
        visit_finish(
            actor=staff["ez"],
            desk_id=desks["s1"].pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
            now=start + timedelta(minutes=took),
        )
    assert sorted(
        (c.ended_at - c.called_at).seconds // 60 for c in Contact.objects.filter(visit__in=served)
    ) == [4, 6]
    waiting = [check_in("unterlagen", now=at(9, m)) for m in range(4)]
    last = waiting[-1]
    # 3 ahead × 5 minutes.
    assert expected_wait(last, now=at(9, 5)).text == "voraussichtliche Wartezeit: etwa 15 Minuten"
    # A second desk open for the same queue halves it: 7.5 minutes, "etwa 10 Minuten"
    # (rounded to 5: 7.5 → 10 under round-half-even of 1.5 → 2).
    open_desk(staff["teamleitung"], desks["s2"], now=at(9))
    desk_seen(desks["s1"], now=at(9))
    assert expected_wait(last, now=at(9, 5)).minutes == 10
    # The first in line: no figure.
    assert expected_wait(waiting[0], now=at(9, 5)).text == (
        "voraussichtliche Wartezeit: wenige Minuten"
    )


def test_long_waits_are_stated_without_false_precision():
    assert WaitEstimate(ahead=9, minutes=75).text == (
        "voraussichtliche Wartezeit: etwa 1 Stunde 15 Minuten"
    )
    assert WaitEstimate(ahead=12, minutes=120).text == "voraussichtliche Wartezeit: etwa 2 Stunden"
    assert WaitEstimate(ahead=40, minutes=400).text == (
        "voraussichtliche Wartezeit: mehr als 3 Stunden"
    )


def test_the_ticket_shows_the_expected_wait(login, staff, site, desks, check_in, frozen_at):
    for minute in range(3):
        check_in("unterlagen", now=at(9, minute))
    frozen_at(9, 10)
    fourth = check_in("unterlagen")
    page = login(staff["empfang"]).get(reverse("frontdesk:ticket", args=[fourth.pk]))
    text = re.sub(r"\s+", " ", page.content.decode())
    # 3 ahead × the default 10 minutes, no desk open (counted as one).
    assert "voraussichtliche Wartezeit: etwa 30 Minuten" in text
    assert "Mustermann" not in text  # the ticket carries no name


# --- the interpreter flag in the queues ---------------------------------------------------


@pytest.fixture
def needs_interpreter(erika):
    Kunde.objects.filter(pk=erika.pk).update(needs_interpreter=True)
    erika.refresh_from_db()
    return erika


def test_the_interpreter_flag_shows_as_text_at_the_reception(
    login, staff, site, desks, check_in, needs_interpreter
):
    check_in("unterlagen", kunde=needs_interpreter)
    check_in("unterlagen")
    page = login(staff["empfang"]).get(reverse("frontdesk:checkin")).content.decode()
    assert page.count("Dolmetscher nötig") == 1


def test_the_interpreter_flag_shows_as_text_at_the_desk(
    login, staff, site, desks, check_in, open_desk, needs_interpreter
):
    open_desk(staff["ez"], desks["s1"])
    check_in("unterlagen", kunde=needs_interpreter)
    client = login(staff["ez"])
    page = client.get(reverse("frontdesk:desk_queue"), headers=POLL).content.decode()
    assert "Dolmetscher nötig" in page


# --- the "Heute" list refreshes itself ---------------------------------------------------


def test_the_today_list_refreshes_and_audits_each_customer_once(
    login, staff, site, desks, check_in, erika
):
    client = login(staff["empfang"])
    page = client.get(reverse("frontdesk:checkin")).content.decode()
    assert reverse("frontdesk:checkin_today") in page
    assert 'hx-trigger="every 15s"' in page
    url = reverse("frontdesk:checkin_today")
    first = check_in("unterlagen", kunde=erika)
    audits = AuditEvent.objects.filter(summary__contains="Heute")
    before = audits.count()
    partial = client.get(url, {"standort": site.pk}, headers=POLL).content.decode()
    assert "<html" not in partial
    assert first.number in partial
    for _ in range(3):
        client.get(url, {"standort": site.pk}, headers=POLL)
    # Erika was new once: one audit row, not one per poll.
    assert audits.count() == before + 1
    assert audits.filter(subject_id=erika.pk).count() == 1


def test_the_today_list_needs_the_reception_role(login, staff, site):
    response = login(staff["leistung"]).get(reverse("frontdesk:checkin_today"))
    assert response.status_code in (403, 404)
