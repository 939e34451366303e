"""Rule R-OE-02 (Rhein-Lahn, Kundenprozess 4.1: "Mo. – Do. von 08:00-18:00 sowie Fr. von
08:00 – 14:00 Uhr telefonisch zu erreichen"): a ticket's callback time lies within the
site's phone hours; the 24-hour deadline itself stays as rule R-RU-01 says."""

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import Outcome, VisitState
from jobcenter.models import PhoneHours
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-OE-02")]
THURSDAY = date(2026, 3, 19)


@pytest.fixture
def phone_hours(site, jobcenter):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    for weekday in range(4):
        PhoneHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(18))
    PhoneHours.objects.create(standort=site, weekday=4, opens=time(8), closes=time(14))


def test_the_proposed_callback_is_the_last_phone_moment_before_the_deadline(check_in, phone_hours):
    # Thursday 15:00: the 24 hours end Friday 15:00, but Friday's phone hours end at 14:00.
    check_in("pap", settle=Outcome.TICKET, note="Rückruf 0202 123", now=at(15, day=THURSDAY))
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert "Rückruf in den Telefonzeiten bis Fr 20.03.2026 14:00" in ticket.description
    # The deadline itself stays at 24 hours.
    assert ticket.due_at == at(15, day=date(2026, 3, 20))
    deadline = Deadline.objects.get(aufgabe=ticket, kind=RuleKind.CALLBACK)
    assert deadline.due_at == at(15, day=date(2026, 3, 20))


def test_within_the_hours_the_deadline_itself_is_proposed(check_in, phone_hours):
    # Tuesday 24 March 09:00 → Wednesday 09:00, within 08:00–18:00.
    check_in("pap", settle=Outcome.TICKET, note="Rückruf", now=at(9, day=date(2026, 3, 24)))
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert "Rückruf in den Telefonzeiten bis Mi 25.03.2026 09:00" in ticket.description


def test_a_site_without_phone_hours_proposes_nothing(check_in, jobcenter):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    check_in("pap", settle=Outcome.TICKET, note="Rückruf", now=at(15, day=THURSDAY))
    assert "Rückruf in den Telefonzeiten" not in Aufgabe.objects.get().description


@pytest.fixture
def desk_client(login, staff, desks, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(15, day=THURSDAY))
    client = login(staff["ez"])
    client.post(reverse("frontdesk:desk_open"), {"desk": desks["s1"].pk})
    return client


def _finish(client, visit, catalogue, callback_at):
    return client.post(
        reverse("frontdesk:finish", args=[visit.pk]),
        {
            "finish-outcome": Outcome.TICKET,
            "finish-handled": [str(catalogue["pap"].pk)],
            "finish-note": "Bitte zurückrufen: 0202 123",
            "finish-callback_at": callback_at,
        },
    )


def test_a_callback_time_outside_the_phone_hours_is_refused_at_the_field(
    desk_client, check_in, catalogue, phone_hours
):
    visit = check_in("pap")
    desk_client.post(reverse("frontdesk:call_next"))
    # Friday 20 March 15:00: the phone service closes at 14:00 on Fridays.
    response = _finish(desk_client, visit, catalogue, "2026-03-20T15:00")
    assert response.status_code == 422
    form = response.context["finish_form"]
    assert form.errors["callback_at"] == [
        "Außerhalb der Telefonzeiten: Mo–Do 08:00–18:00, Fr 08:00–14:00"
    ]
    assert 'value="2026-03-20T15:00"' in response.content.decode()  # the input is kept
    visit.refresh_from_db()
    assert visit.state == VisitState.CALLED
    assert not Aufgabe.objects.filter(kind=Aufgabe.Kind.TICKET).exists()


def test_a_callback_time_on_a_holiday_is_refused(desk_client, check_in, catalogue, phone_hours):
    visit = check_in("pap")
    desk_client.post(reverse("frontdesk:call_next"))
    # Good Friday 3 April 2026 (NW) 10:00: a Friday's hours, but a holiday.
    response = _finish(desk_client, visit, catalogue, "2026-04-03T10:00")
    assert response.status_code == 422
    assert "callback_at" in response.context["finish_form"].errors


def test_a_callback_time_within_the_phone_hours_goes_on_the_ticket(
    desk_client, check_in, catalogue, phone_hours
):
    visit = check_in("pap")
    desk_client.post(reverse("frontdesk:call_next"))
    response = _finish(desk_client, visit, catalogue, "2026-03-23T10:00")
    assert response.status_code == 302
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert "Rückruf gewünscht: Mo 23.03.2026 10:00" in ticket.description
    # The 24-hour deadline is kept: Friday 15:00.
    assert ticket.due_at == at(15, day=date(2026, 3, 20))
