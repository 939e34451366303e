"""The self check-in kiosk (issue 16): the same records as the reception's check-in, codes
refused with a clear message, a kiosk only for its own site, and the expected wait."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.customer_codes import checkin_code, customer_link_url
from appointments.models import Appointment, Kind, Status
from frontdesk.models import Contact, Kiosk, Outcome, Visit, VisitEvent, VisitState
from frontdesk.selectors import appointment_for_checkin
from frontdesk.services.calling import visit_call_next
from frontdesk.services.desks import desk_seen
from frontdesk.services.kiosk import (
    KioskRefused,
    kiosk_check_in_appointment,
    kiosk_check_in_walk_in,
    kiosk_create,
)
from frontdesk.services.outcomes import visit_finish
from frontdesk.waiting import WaitEstimate, estimate, expected_wait, service_minutes
from jobcenter.models import AuditEvent, Jobcenter, Standort
from routing.models import Aufgabe
from tests.factories import person, register

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(site):
    kiosk, token = kiosk_create(standort=site, name="Eingang")
    kiosk.token = token
    return kiosk


@pytest.fixture
def ifk(staff):
    user = staff["ifk"]
    user.first_name, user.last_name, user.room = "Anna", "Schmidt", "Raum 2.14, 2. OG"
    user.save()
    return user


def customer(staff, teams, last="Mustermann"):
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Erika", last, is_head=True)],
    ).applicant


def book(kunde, caseworker, moment, *, standort=None, status=Status.GEBUCHT):
    return Appointment.objects.create(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        caseworker=caseworker,
        kind=Kind.FOLGEGESPRAECH,
        standort=standort,
        starts_at=moment,
        ends_at=moment + timedelta(minutes=45),
        invitation_occasion="folge",
        status=status,
        booked_by=caseworker,
    )


def records(visit: Visit) -> tuple:
    """What the reception, the desk and the caseworker see of a check-in (not who or when)."""
    visit.refresh_from_db()
    termin = visit.appointment
    return (
        visit.state,
        visit.outcome,
        visit.team_id,
        visit.assigned_to_id,
        visit.priority,
        bool(visit.number),
        [vc.concern.code for vc in visit.visit_concerns.order_by("position")],
        list(Contact.objects.filter(visit=visit).values_list("team_id", "outcome", "at_reception")),
        list(
            VisitEvent.objects.filter(visit=visit).order_by("pk").values_list("action", flat=True)
        ),
        termin.arrived_at is not None if termin else None,
        AuditEvent.objects.filter(target_id=termin.pk, summary__startswith="Zum Termin").count()
        if termin
        else None,
    )


# --- the same records as the reception's check-in ----------------------------------------


@pytest.mark.parametrize("served", [False, True])
def test_appointment_check_in_equals_the_receptions(
    served, kiosk, check_in, staff, teams, ifk, site, desks, catalogue
):
    if served:  # a desk here serves the caseworker's team: the customer waits for her
        desks["leistung"].teams.add(teams["ue25"])
    at_reception, at_kiosk = customer(staff, teams), customer(staff, teams, "Musterfrau")
    book(at_reception, ifk, at(10, 30), standort=site)
    termin = book(at_kiosk, ifk, at(11, 30), standort=site)

    by_reception = check_in(
        kunde=at_reception,
        appointment=appointment_for_checkin(at_reception, at(10).date(), site),
        now=at(10, 5),
    )
    by_kiosk = kiosk_check_in_appointment(kiosk=kiosk, code=checkin_code(termin), now=at(10, 6))

    assert records(by_kiosk) == records(by_reception)
    assert records(by_kiosk)[0] == (VisitState.WAITING if served else VisitState.DONE)
    assert (by_kiosk.kunde, by_kiosk.checked_in_by) == (at_kiosk, kiosk.account)
    termin.refresh_from_db()
    assert (termin.arrived_at, termin.arrived_by) == (at(10, 6), kiosk.account)
    if not served:  # the caseworker gets the same task as from the reception
        titles = sorted(t.title for t in Aufgabe.objects.filter(assignee=ifk))
        assert len(titles) == 2
        assert "Folgegespräch um 10:30 eingetroffen" in titles[0]
        assert "Folgegespräch um 11:30 eingetroffen" in titles[1]


def test_a_scanned_customer_link_checks_in_as_the_code_does(kiosk, staff, teams, ifk, site):
    termin = book(customer(staff, teams), ifk, at(10, 30), standort=site)
    visit = kiosk_check_in_appointment(
        kiosk=kiosk, code=customer_link_url(termin) + "\n", now=at(10)
    )
    assert visit.appointment == termin


def test_walk_in_check_in_equals_the_receptions(kiosk, check_in, catalogue, site, desks):
    by_reception = check_in("unterlagen", now=at(9))
    by_kiosk = kiosk_check_in_walk_in(
        kiosk=kiosk, concern_id=catalogue["unterlagen"].pk, now=at(9, 1)
    )
    assert records(by_kiosk) == records(by_reception)
    # The next number of the same day and site: the reception's own counter.
    assert (by_reception.number, by_kiosk.number) == ("A001", "A002")
    assert by_kiosk.kunde is None and by_kiosk.state == VisitState.WAITING


def test_a_concern_the_kiosk_does_not_offer_is_refused(kiosk, catalogue, desks):
    with pytest.raises(KioskRefused) as refused:
        kiosk_check_in_walk_in(kiosk=kiosk, concern_id=catalogue["widerspruch"].pk, now=at(9))
    assert refused.value.reason == "reception"
    assert not Visit.objects.exists()


# --- codes refused -----------------------------------------------------------------------


def test_wrong_foreign_yesterdays_and_cancelled_codes_are_refused(
    kiosk, staff, teams, ifk, site, other_site
):
    kunde = customer(staff, teams)
    yesterday = book(kunde, ifk, at(10) - timedelta(days=1), standort=site)
    elsewhere = book(kunde, ifk, at(11), standort=other_site)
    cancelled = book(kunde, ifk, at(12), standort=site, status=Status.ABGESAGT_KUNDE)
    today = book(kunde, ifk, at(13), standort=site)
    good = checkin_code(today)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)

    def reason(code):
        with pytest.raises(KioskRefused) as refused:
            kiosk_check_in_appointment(kiosk=kiosk, code=code, now=at(9))
        return refused.value.reason

    assert reason(wrong) == "unknown"
    assert reason("") == "unknown"
    assert reason("12") == "unknown"
    assert reason(checkin_code(yesterday)) == "not_here"
    assert reason(checkin_code(elsewhere)) == "not_here"
    assert reason(checkin_code(cancelled)) == "not_here"
    assert not Visit.objects.exists()
    kiosk_check_in_appointment(kiosk=kiosk, code=good, now=at(9))
    assert reason(good) == "already"


def test_another_jobcenters_appointment_is_not_for_this_kiosk(kiosk, staff, teams, ifk, site):
    other = Jobcenter.objects.create(name="Jobcenter Anderswo", slug="anderswo")
    termin = book(customer(staff, teams), ifk, at(10), standort=site)
    Appointment.objects.filter(pk=termin.pk).update(jobcenter=other)
    with pytest.raises(KioskRefused) as refused:
        kiosk_check_in_appointment(kiosk=kiosk, code=checkin_code(termin), now=at(9))
    assert refused.value.reason == "not_here"


def test_the_page_says_why_in_the_customers_language(client, kiosk, staff, teams, ifk, site):
    url = reverse("frontdesk:kiosk_code", args=[kiosk.token])
    page = client.post(url, {"code": "1234-56789", "sprache": "ar"})
    html = page.content.decode()
    assert page.status_code == 422
    assert '<html lang="ar" dir="rtl"' in html
    assert "هذا الرمز غير معروف" in html
    page = client.post(url, {"code": "1234-56789", "sprache": "de"})
    assert "Diesen Code kennen wir nicht." in page.content.decode()


def test_another_sites_kiosk_cannot_check_in_here(client, staff, teams, ifk, site, other_site):
    theirs, _token = kiosk_create(standort=other_site, name="Eingang Süd")
    termin = book(customer(staff, teams), ifk, at(10), standort=site)
    with pytest.raises(KioskRefused) as refused:
        kiosk_check_in_appointment(kiosk=theirs, code=checkin_code(termin), now=at(9))
    assert refused.value.reason == "not_here"
    termin.refresh_from_db()
    assert termin.arrived_at is None


def test_a_wrong_or_disabled_key_shows_nothing(client, kiosk):
    assert client.get(reverse("frontdesk:kiosk", args=[kiosk.token + "x"])).status_code == 404
    Kiosk.objects.filter(pk=kiosk.pk).update(active=False)
    assert client.get(reverse("frontdesk:kiosk", args=[kiosk.token])).status_code == 404


def test_the_kiosk_account_cannot_log_in(client, kiosk):
    assert not kiosk.account.has_usable_password()
    assert kiosk.account.jobcenter_id == kiosk.standort.jobcenter_id


def test_the_walk_in_ticket_shows_number_concern_and_wait_and_no_name(
    client, kiosk, catalogue, site, desks, check_in, frozen_at
):
    frozen_at(9, 10)
    for minute in range(2):
        check_in("unterlagen", now=at(9, minute))
    page = client.post(
        reverse("frontdesk:kiosk_walk_in", args=[kiosk.token]),
        {"concern": catalogue["unterlagen"].pk, "sprache": "de"},
    )
    text = re.sub(r"\s+", " ", page.content.decode())
    assert page.status_code == 200
    assert "A003" in text and "Unterlagen abgeben" in text
    # 2 ahead × the default 10 minutes, no desk open (counted as one): 20.
    assert "ca. 20 Minuten" in text
    assert "data-autoprint" in text
    assert Visit.objects.get(number="A003").checked_in_by == kiosk.account


# --- the expected wait, hand-computed ----------------------------------------------------


def test_estimate_arithmetic():
    assert estimate(0, 12, 1) == WaitEstimate(ahead=0, minutes=0)
    assert estimate(0, 12, 1).short == "Sie sind gleich dran"
    # 3 × 5 ÷ 1 = 15.
    assert estimate(3, 5, 1).short == "ca. 15 Minuten"
    # 3 × 5 ÷ 2 = 7.5 → 10 (steps of 5; 1.5 rounds to 2).
    assert estimate(3, 5, 2).minutes == 10
    # 1 × 2 ÷ 1 = 2: never "0" for someone ahead, at least 5.
    assert estimate(1, 2, 1).short == "ca. 5 Minuten"
    # No desk open: counted as one. 4 × 10 = 40.
    assert estimate(4, 10, 0).minutes == 40
    # 40 × 10 = 400 minutes.
    assert estimate(40, 10, 1).short == "mehr als 3 Stunden"


def test_service_time_is_the_median_of_todays_finished_contacts(
    site, desks, staff, check_in, open_desk, teams
):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    served = [check_in("unterlagen", now=at(8, m)) for m in (0, 1, 2)]
    # Served in 4, 6 and 32 minutes: the median is 6 (the mean, 14, would be misled by one).
    start = at(8, 10)
    for visit, took in zip(served, (4, 6, 32), strict=True):
        visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=start)
        visit_finish(
            actor=staff["ez"],
            desk_id=desks["s1"].pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
            now=start + timedelta(minutes=took),
        )
        start += timedelta(minutes=took + 1)
    assert service_minutes(site, teams["ez"].pk, at(9).date(), now=at(9, 30)) == 6
    waiting = [check_in("unterlagen", now=at(9, 30 + m)) for m in range(4)]
    # 3 ahead × 6 minutes ÷ 1 desk = 18 → "ca. 20 Minuten".
    desk_seen(desks["s1"], now=at(9, 34))
    assert expected_wait(waiting[-1], now=at(9, 35)).short == "ca. 20 Minuten"
    assert expected_wait(waiting[0], now=at(9, 35)).short == "Sie sind gleich dran"


def test_no_history_uses_the_sites_default(site, teams):
    assert service_minutes(site, teams["ez"].pk, at(9).date(), now=at(9)) == 10
    assert Standort.objects.filter(pk=site.pk).exists()
