"""The hotline's callback tickets (issue 12; rules R-RU-01, R-OE-02): a Rückrufbitte or a
Sachstandsanfrage, in the mailbox of the team that calls back, with the 24-hour clock the
reception's tickets have, inside the site's phone hours; a caller not on file is taken by
name and number and identified later, audited."""

from datetime import date, datetime, time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from jobcenter.hours import BERLIN
from jobcenter.models import AuditEvent, PhoneHours, Standort
from jobcenter.phone import phone_number_problem
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe, AufgabeEvent, HotlineTicket
from routing.services import RoutingError, hotline_ticket_create, hotline_ticket_identify
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-RU-01", "R-OE-02")]

THURSDAY = date(2026, 3, 19)
FRIDAY = date(2026, 3, 20)


def at(hour, minute=0, day=THURSDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def site(jobcenter, teams):
    """Rhein-Lahn's phone hours (Mo–Do 08–18, Fr 08–14) at the site of every team."""
    standort = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    for weekday in range(4):
        PhoneHours.objects.create(
            standort=standort, weekday=weekday, opens=time(8), closes=time(18)
        )
    PhoneHours.objects.create(standort=standort, weekday=4, opens=time(8), closes=time(14))
    for team in teams.values():
        team.standort = standort
        team.save(update_fields=["standort"])
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    return standort


def take(staff, **kwargs):
    data = {
        "author": staff["hotline"],
        "kind": HotlineTicket.Kind.RUECKRUFBITTE,
        "kunde": None,
        "caller_name": "Jana Neumann",
        "callback_number": "0202 123456",
        "concern": "Frage zum Bescheid vom März",
        "reachable": "telefonzeiten",
        "now": at(15),
    }
    data.update(kwargs)
    return hotline_ticket_create(**data)


# --- the clock -------------------------------------------------------------------------------


def test_the_ticket_has_the_receptions_24_hour_clock(staff, teams, site):
    ticket = take(staff)
    aufgabe = ticket.aufgabe
    assert aufgabe.kind == Aufgabe.Kind.TICKET
    # Thursday 15:00 + 24 hours: Friday 15:00, the deadline as at the reception.
    assert aufgabe.due_at == at(15, day=FRIDAY)
    deadline = Deadline.objects.get(aufgabe=aufgabe, kind=RuleKind.CALLBACK)
    assert deadline.due_at == at(15, day=FRIDAY)
    assert deadline.team == teams["ez"]
    # Friday's phone hours end at 14:00: the latest callback that keeps the deadline.
    assert "Rückruf in den Telefonzeiten bis Fr 20.03.2026 14:00" in aufgabe.description


def test_over_the_weekend_the_clock_counts_working_days(staff, site):
    ticket = take(staff, now=at(10, day=FRIDAY))
    # Friday 10:00 → Monday 10:00 (24 hours count working days, rule R-ZT-01).
    assert ticket.aufgabe.due_at == at(10, day=date(2026, 3, 23))


def test_done_stops_the_clock(staff, site):
    from routing.services import aufgabe_done

    ticket = take(staff)
    aufgabe_done(actor=staff["ez"], aufgabe_id=ticket.aufgabe_id, note="zurückgerufen")
    deadline = Deadline.objects.get(aufgabe=ticket.aufgabe)
    assert deadline.status != Deadline.Status.OPEN


# --- phone hours -------------------------------------------------------------------------------


def test_a_window_inside_the_phone_hours_is_kept(staff, site):
    ticket = take(
        staff,
        reachable="zeitraum",
        reachable_from=at(10, day=FRIDAY),
        reachable_until=at(12, day=FRIDAY),
    )
    assert ticket.reachable_from == at(10, day=FRIDAY)
    assert ticket.reachable_until == at(12, day=FRIDAY)
    assert "Erreichbar: Fr 20.03.2026 10:00–12:00 Uhr" in ticket.aufgabe.description


def test_a_window_outside_the_phone_hours_is_refused(staff, site):
    # Friday 15:00–16:00: the phone service closes at 14:00 on Fridays.
    with pytest.raises(RoutingError) as error:
        take(
            staff,
            reachable="zeitraum",
            reachable_from=at(15, day=FRIDAY),
            reachable_until=at(16, day=FRIDAY),
        )
    assert error.value.message == "Außerhalb der Telefonzeiten: Mo–Do 08:00–18:00, Fr 08:00–14:00"
    assert error.value.field == "reachable_from"
    assert not Aufgabe.objects.exists()


def test_a_window_across_the_closing_time_is_refused(staff, site):
    with pytest.raises(RoutingError):
        take(
            staff,
            reachable="zeitraum",
            reachable_from=at(13, day=FRIDAY),
            reachable_until=at(15, day=FRIDAY),
        )


def test_a_window_on_a_holiday_is_refused(staff, site):
    good_friday = date(2026, 4, 3)  # NW holiday, a Friday with phone hours otherwise
    with pytest.raises(RoutingError):
        take(
            staff,
            reachable="zeitraum",
            reachable_from=at(9, day=good_friday),
            reachable_until=at(10, day=good_friday),
        )


def test_a_window_in_the_past_is_refused(staff, site):
    with pytest.raises(RoutingError) as error:
        take(staff, reachable="zeitraum", reachable_from=at(9), reachable_until=at(10))
    assert "Vergangenheit" in error.value.message


def test_a_rueckrufbitte_needs_to_say_when_the_caller_can_be_reached(staff, site):
    with pytest.raises(RoutingError) as error:
        take(staff, reachable="")
    assert "reachable" in error.value.errors
    # A Sachstandsanfrage may leave it: the phone hours apply.
    ticket = take(staff, kind=HotlineTicket.Kind.SACHSTANDSANFRAGE, reachable="")
    assert "Erreichbar: jederzeit in den Telefonzeiten" in ticket.aufgabe.description
    assert ticket.aufgabe.title == "Sachstandsanfrage: Frage zum Bescheid vom März"


@pytest.mark.parametrize(
    "number",
    [
        "0202 123456",
        "0202/123456",
        "(0202) 12 34 56",
        "0171-1234567",
        "+49 171 1234567",
        "0049 202 123456",
        "+49 (0)171 1234567",
        "+48 512 345 678",
    ],
)
def test_german_number_formats_are_accepted(number):
    assert phone_number_problem(number) == ""


@pytest.mark.parametrize("number", ["123456", "0202", "0202 12a456", "+49 0", "", "00 12"])
def test_numbers_one_cannot_call_back_are_refused(number):
    assert phone_number_problem(number) != ""


def test_the_number_is_kept_as_entered(staff, site):
    ticket = take(staff, callback_number=" +49 (0)171 123 45 67 ")
    assert ticket.callback_number == "+49 (0)171 123 45 67"


def test_a_bad_number_is_refused_at_its_field(staff, site):
    with pytest.raises(RoutingError) as error:
        take(staff, callback_number="123456")
    assert "Vorwahl" in error.value.errors["callback_number"]


# --- who gets it ---------------------------------------------------------------------------------


def test_an_unknown_caller_goes_to_the_eingangszone_by_name_and_number(staff, teams, site):
    ticket = take(staff)
    aufgabe = ticket.aufgabe
    assert aufgabe.kunde is None
    assert aufgabe.postfach == teams["ez"].postfach
    assert ticket.caller_name == "Jana Neumann"
    assert "Anrufer/in: Jana Neumann (nicht im Bestand" in aufgabe.description


def test_an_unknown_caller_needs_a_name(staff, site):
    with pytest.raises(RoutingError) as error:
        take(staff, caller_name="  ")
    assert "caller_name" in error.value.errors


def test_a_known_customer_goes_to_the_leistung_team_of_the_bg(staff, teams, kunde, site):
    ticket = take(staff, kunde=kunde, caller_name="", area="leistung")
    assert ticket.aufgabe.postfach == teams["leistung"].postfach
    assert ticket.aufgabe.kunde == kunde


def test_integration_goes_to_the_customers_integration_team(staff, teams, kunde, site):
    ticket = take(staff, kunde=kunde, caller_name="", area="integration")
    assert ticket.aufgabe.postfach == teams["ue25"].postfach


def test_only_the_hotline_takes_tickets(staff, site):
    with pytest.raises(RoutingError):
        take(staff, author=staff["ez"])


def test_a_customer_of_another_jobcenter_is_refused(staff, site, outsider):
    from tests.factories import register

    other = register(
        actor=outsider, leistung_team=TeamFactory(jobcenter=outsider.jobcenter)
    ).applicant
    with pytest.raises(RoutingError):
        take(staff, kunde=other, caller_name="")


# --- identity completed later ------------------------------------------------------------------


def test_the_identity_is_completed_on_the_ticket_and_audited(staff, kunde, site):
    ticket = take(staff)
    hotline_ticket_identify(actor=staff["ez"], aufgabe_id=ticket.aufgabe_id, kunde=kunde)
    ticket.refresh_from_db()
    ticket.aufgabe.refresh_from_db()
    assert ticket.aufgabe.kunde == kunde
    assert ticket.identified_by == staff["ez"] and ticket.identified_at is not None
    assert ticket.aufgabe.events.filter(action=AufgabeEvent.Action.IDENTIFIED).exists()
    audit = AuditEvent.objects.get(
        target_type=ContentType.objects.get_for_model(Aufgabe),
        target_id=ticket.aufgabe_id,
        action=AuditEvent.Action.CHANGE,
    )
    assert audit.actor == staff["ez"]
    assert audit.subject_id == kunde.pk
    assert audit.changes["kunde"] == [None, kunde.pk]


def test_the_identity_is_completed_once(staff, kunde, site):
    ticket = take(staff)
    hotline_ticket_identify(actor=staff["ez"], aufgabe_id=ticket.aufgabe_id, kunde=kunde)
    with pytest.raises(RoutingError):
        hotline_ticket_identify(actor=staff["ez"], aufgabe_id=ticket.aufgabe_id, kunde=kunde)


def test_only_the_team_completes_the_identity(staff, kunde, site):
    ticket = take(staff)  # in the Eingangszone's mailbox
    with pytest.raises(RoutingError):
        hotline_ticket_identify(actor=staff["leistung"], aufgabe_id=ticket.aufgabe_id, kunde=kunde)
    assert not Aufgabe.objects.get(pk=ticket.aufgabe_id).kunde_id


def test_a_customer_of_another_jobcenter_cannot_be_linked(staff, site, outsider):
    from tests.factories import register

    other = register(
        actor=outsider, leistung_team=TeamFactory(jobcenter=outsider.jobcenter)
    ).applicant
    ticket = take(staff)
    with pytest.raises(RoutingError):
        hotline_ticket_identify(actor=staff["ez"], aufgabe_id=ticket.aufgabe_id, kunde=other)


# --- another Jobcenter sees nothing ---------------------------------------------------------------


def test_another_jobcenter_cannot_see_the_ticket(client, staff, site, outsider):
    ticket = take(staff)
    outsider_lead = UserFactory(
        username="outsider-lead",
        jobcenter=outsider.jobcenter,
        role="teamleitung",
        teams=[TeamFactory(jobcenter=outsider.jobcenter, kind="eingangszone")],
    )
    for user in (outsider, outsider_lead):
        client.force_login(user)
        assert client.get(reverse("routing:item", args=[ticket.aufgabe_id])).status_code == 404
        response = client.post(reverse("routing:item_identify", args=[ticket.aufgabe_id]))
        assert response.status_code == 404
    assert not Aufgabe.objects.get(pk=ticket.aufgabe_id).kunde_id
