"""A customer who comes for an appointment (rule R-EM-01, issue 12): the reception's lookup
offers the appointment as the default, the check-in records the arrival on it, the IFK
sees "ist da" at once, reception is told where to send the customer, and a second
check-in for the same appointment is refused."""

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.models import Appointment, Kind, Status
from appointments.worklist import appointment_rows
from frontdesk.errors import FrontdeskError
from frontdesk.models import Outcome, Visit, VisitState
from frontdesk.selectors import appointment_for_checkin
from jobcenter.models import AuditEvent
from routing.models import Aufgabe
from tests.factories import person, register

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-EM-01")]


@pytest.fixture
def ifk(staff):
    """The caseworker, with the room the reception sends customers to."""
    user = staff["ifk"]
    user.first_name, user.last_name, user.room = "Anna", "Schmidt", "Raum 2.14, 2. OG"
    user.save()
    return user


@pytest.fixture
def kunde(staff, teams):
    return register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant


def book(kunde, caseworker, moment, *, standort=None, status=Status.GEBUCHT):
    """Test set-up: a follow-up consultation (the booking service refuses past times)."""
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


# --- the lookup offers it ---------------------------------------------------------------------


def test_lookup_offers_todays_appointment_at_this_site_with_the_room(kunde, ifk, site, other_site):
    book(kunde, ifk, at(9), status=Status.ABGESAGT_KUNDE)  # cancelled: not offered
    book(kunde, ifk, at(9, 30), standort=other_site)  # elsewhere: not offered here
    book(kunde, ifk, at(10) + timedelta(days=1))  # tomorrow
    termin = book(kunde, ifk, at(10, 30), standort=site)

    found = appointment_for_checkin(kunde, at(8).date(), site)

    assert (found.pk, found.at, found.label, found.with_user) == (
        termin.pk,
        at(10, 30),
        "Folgegespräch",
        ifk,
    )
    assert (found.room, found.arrived_at) == ("Raum 2.14, 2. OG", None)


# --- checking in against it -------------------------------------------------------------------


def test_check_in_records_the_arrival_and_sends_the_customer_to_the_appointment(
    check_in, kunde, ifk, site, staff
):
    termin = book(kunde, ifk, at(10, 30), standort=site)
    offered = appointment_for_checkin(kunde, at(10).date(), site)

    visit = check_in(kunde=kunde, appointment=offered, now=at(10, 5))

    termin.refresh_from_db()
    assert (termin.arrived_at, termin.arrived_by) == (at(10, 5), staff["empfang"])
    # No desk here serves Integration: sent straight to the appointment, not "weitergeleitet".
    assert (visit.state, visit.outcome, visit.appointment) == (
        VisitState.DONE,
        Outcome.TO_APPOINTMENT,
        termin,
    )
    assert AuditEvent.objects.filter(
        target_id=termin.pk, summary="Zum Termin eingetroffen um 10:05 Uhr"
    ).exists()
    task = Aufgabe.objects.get(assignee=ifk)
    assert "Folgegespräch um 10:30 eingetroffen" in task.title


def test_a_second_check_in_for_the_same_appointment_is_refused_with_the_first_time(
    check_in, kunde, ifk, site
):
    book(kunde, ifk, at(10, 30), standort=site)
    check_in(
        kunde=kunde, appointment=appointment_for_checkin(kunde, at(10).date(), site), now=at(10, 5)
    )
    again = appointment_for_checkin(kunde, at(10).date(), site)
    assert again.arrived_at == at(10, 5)  # the lookup knows

    with pytest.raises(FrontdeskError) as refused:
        check_in(kunde=kunde, appointment=again, now=at(10, 20))

    assert refused.value.message == (
        "Zu diesem Termin wurde die Person bereits um 10:05 Uhr angemeldet."
    )
    assert refused.value.field == "with_appointment"
    assert Visit.objects.count() == 1


def test_an_appointment_at_a_served_desk_waits_for_its_holder_and_is_marked_arrived(
    check_in, kunde, ifk, site, desks, teams
):
    desks["leistung"].teams.add(teams["ue25"])
    termin = book(kunde, ifk, at(10, 30), standort=site)

    visit = check_in(
        kunde=kunde, appointment=appointment_for_checkin(kunde, at(10).date(), site), now=at(10, 5)
    )

    assert (visit.state, visit.assigned_to, visit.appointment) == (
        VisitState.WAITING,
        ifk,
        termin,
    )
    termin.refresh_from_db()
    assert termin.arrived_at == at(10, 5)


def test_check_in_against_an_appointment_costs_a_bounded_number_of_queries(
    check_in, kunde, ifk, site, django_assert_max_num_queries
):
    book(kunde, ifk, at(10, 30), standort=site)
    offered = appointment_for_checkin(kunde, at(10).date(), site)
    with django_assert_max_num_queries(35):
        check_in(kunde=kunde, appointment=offered, now=at(10, 5))


# --- the IFK is told ---------------------------------------------------------------------------


def test_the_ifks_worklist_shows_the_arrival_first(check_in, kunde, ifk, site, staff, teams):
    later = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Max", "Später", is_head=True)],
    ).applicant
    book(later, ifk, at(9))  # due for its outcome, but nobody arrived for it
    book(kunde, ifk, at(10, 30), standort=site)
    check_in(
        kunde=kunde, appointment=appointment_for_checkin(kunde, at(10).date(), site), now=at(10, 5)
    )

    rows = appointment_rows(ifk, at(10, 10))

    assert [(r.kunde, r.level, r.level_label) for r in rows] == [
        (kunde, "danger", "ist da seit 10:05"),
        (later, "warning", "Ergebnis offen"),
    ]
    assert rows[0].title == "Folgegespräch um 10:30: ist da"


# --- the pages ---------------------------------------------------------------------------------


def test_reception_lookup_preselects_the_appointment_and_names_the_room(
    login, staff, kunde, ifk, site
):
    book(kunde, ifk, at(10, 30), standort=site)
    response = login(staff["empfang"]).get(
        reverse("frontdesk:checkin_lookup"),
        {"q": kunde.kundennummer, "standort": site.pk},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'name="with_appointment" id="id_with_appointment"' in page
    assert 'aria-describedby="id_with_appointment_hint" checked' in page
    assert "Zum Termin anmelden: Folgegespräch um 10:30 bei Anna Schmidt" in page
    assert "Bitte zu Anna Schmidt, Raum 2.14, 2. OG." in page


def test_reception_checks_in_by_default_against_the_appointment_then_refuses_a_second(
    login, staff, kunde, ifk, site, catalogue
):
    termin = book(kunde, ifk, at(0, 1) + timedelta(hours=23, minutes=58), standort=site)
    client = login(staff["empfang"])
    form = {"standort": site.pk, "kunde": kunde.pk, "with_appointment": "on", "action": "wait"}

    response = client.post(reverse("frontdesk:checkin"), form)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "zum Termin geschickt" in page
    assert "Bitte zu Anna Schmidt, Raum 2.14, 2. OG." in page
    assert "Termin um 23:59; die Ankunft steht schon bei Anna Schmidt." in page
    termin.refresh_from_db()
    assert termin.arrived_at is not None

    Appointment.objects.filter(pk=termin.pk).update(arrived_at=at(10, 5))
    response = client.post(reverse("frontdesk:checkin"), form)

    assert response.status_code == 422
    page = response.content.decode()
    assert "Zu diesem Termin wurde die Person bereits um 10:05 Uhr angemeldet." in page
    assert Visit.objects.count() == 1


def test_the_appointment_page_says_the_customer_is_here(check_in, login, kunde, ifk, site):
    termin = book(kunde, ifk, at(10, 30), standort=site)
    check_in(
        kunde=kunde, appointment=appointment_for_checkin(kunde, at(10).date(), site), now=at(10, 5)
    )

    page = login(ifk).get(reverse("appointments:detail", args=[termin.pk])).content.decode()
    assert "ist da seit 10:05" in page
    arrivals = login(ifk).get(reverse("appointments:arrivals")).content.decode()
    assert "ist da seit 10:05" in arrivals and "Mustermann, Erika" in arrivals
