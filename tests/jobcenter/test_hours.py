"""Phone hours of a site (rule R-OE-02, Rhein-Lahn 4.1: "Mo. – Do. von 08:00-18:00 sowie
Fr. von 08:00 – 14:00 Uhr telefonisch zu erreichen"), worked out by hand."""

from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.hours import WeeklySchedule, format_status, phone_board
from jobcenter.models import PhoneHours, Standort
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-OE-02")]


@pytest.fixture
def standort(jobcenter):
    site = Standort.objects.create(jobcenter=jobcenter, name="Bad Ems")
    for weekday in range(4):
        PhoneHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(18))
    PhoneHours.objects.create(standort=site, weekday=4, opens=time(8), closes=time(14))
    return site


def at(*args):
    return datetime(*args, tzinfo=BERLIN)


def test_friday_afternoon_is_closed_until_monday_morning(jobcenter, standort):
    schedule = WeeklySchedule.phone_hours_of(standort, calendar_for(jobcenter).is_working_day)
    # Friday 20 March 2026, 14:30: Friday's hours ended at 14:00.
    friday = at(2026, 3, 20, 14, 30)
    status = schedule.status(friday)
    assert status.open is False
    assert status.next_opening == at(2026, 3, 23, 8, 0)
    assert format_status(status, friday) == "Telefonservice geschlossen, wieder ab Mo 08:00"


def test_open_on_a_weekday_until_the_end_of_the_span(jobcenter, standort):
    schedule = WeeklySchedule.phone_hours_of(standort, calendar_for(jobcenter).is_working_day)
    tuesday = at(2026, 3, 24, 17, 15)
    status = schedule.status(tuesday)
    assert status.open is True and status.until == at(2026, 3, 24, 18, 0)
    assert format_status(status, tuesday) == "Telefonservice jetzt geöffnet bis 18:00"
    assert schedule.is_within(at(2026, 3, 24, 18, 0)) is True
    assert schedule.is_within(at(2026, 3, 24, 18, 1)) is False
    assert schedule.is_within(at(2026, 3, 24, 7, 59)) is False
    assert schedule.summary() == "Mo–Do 08:00–18:00, Fr 08:00–14:00"


def test_holidays_of_the_jobcenter_calendar_are_closed(jobcenter, standort):
    # NW: Good Friday 3 April and Easter Monday 6 April 2026.
    schedule = WeeklySchedule.phone_hours_of(standort, calendar_for(jobcenter).is_working_day)
    thursday_evening = at(2026, 4, 2, 18, 30)
    assert schedule.status(thursday_evening).next_opening == at(2026, 4, 7, 8, 0)
    assert schedule.is_within(at(2026, 4, 3, 10, 0)) is False
    assert format_status(schedule.status(thursday_evening), thursday_evening) == (
        "Telefonservice geschlossen, wieder ab Di 08:00"
    )
    # Without a calendar the holiday is an ordinary Friday.
    assert WeeklySchedule.phone_hours_of(standort).is_within(at(2026, 4, 3, 10, 0)) is True


def test_latest_moment_within_the_hours_before_a_deadline(jobcenter, standort):
    schedule = WeeklySchedule.phone_hours_of(standort, calendar_for(jobcenter).is_working_day)
    # Ticket Thursday 19 March 15:00, 24 h deadline Friday 15:00: Friday closes at 14:00.
    thursday = at(2026, 3, 19, 15, 0)
    assert schedule.latest_before(at(2026, 3, 20, 15, 0), thursday) == at(2026, 3, 20, 14, 0)
    # Deadline within the hours: the deadline itself.
    assert schedule.latest_before(at(2026, 3, 24, 11, 0), thursday) == at(2026, 3, 24, 11, 0)
    # Nothing between the two moments: none.
    assert schedule.latest_before(at(2026, 3, 20, 16, 0), at(2026, 3, 20, 15, 0)) is None


def test_the_board_lists_each_site_with_today_and_the_status(jobcenter, standort):
    empty = Standort.objects.create(jobcenter=jobcenter, name="Diez")
    now = at(2026, 3, 20, 9, 0)  # Friday
    board = phone_board([standort, empty], now, calendar_for(jobcenter).is_working_day)
    assert board[0]["today"] == "08:00–14:00"
    assert board[0]["status_text"] == "Telefonservice jetzt geöffnet bis 14:00"
    assert board[1]["configured"] is False


def test_the_hotline_sees_the_phone_hours_on_its_start_and_ticket_pages(
    jobcenter, standort, staff, login, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 20, 14, 30))  # Friday
    client = login(staff["hotline"])
    for name in ("intake:service_centre", "routing:vermerk_new"):
        page = client.get(reverse(name)).content.decode()
        assert "Telefonzeiten heute" in page, name
        assert "Bad Ems" in page and "08:00–14:00" in page
        assert "Telefonservice geschlossen, wieder ab Mo 08:00" in page
        assert "Mo–Do 08:00–18:00, Fr 08:00–14:00" in page
