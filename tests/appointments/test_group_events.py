"""Group events for new customers at every site at least every 14 days (rule R-GV-01)."""

from datetime import date, datetime, timedelta

import pytest

from appointments.errors import AppointmentError
from appointments.models import GroupEvent
from appointments.selectors import group_event_coverage
from appointments.services.group_events import group_events_create_series
from minimumstandards.workdays import BERLIN

from .conftest import at

pytestmark = pytest.mark.django_db


def event(site, host, day, **kwargs):
    return GroupEvent.objects.create(
        jobcenter=site.jobcenter,
        standort=site,
        starts_at=at(day, 10),
        ends_at=at(day, 12),
        capacity=10,
        host=host,
        created_by=host,
        **kwargs,
    )


def test_series_every_14_days_moves_off_holidays(clock, people, site):
    events = group_events_create_series(
        actor=people["teamleitung"],
        standort=site,
        host=people["ifk"],
        first_start=datetime(2026, 4, 3, 10, 0, tzinfo=BERLIN),
        duration_minutes=120,
        capacity=12,
        count=3,
    )
    # Fri 3 April is Good Friday and Mon 6 April Easter Monday: the first moves to Tue
    # 7 April, the next follow 14 days on from there.
    assert [e.starts_at for e in events] == [
        at(date(2026, 4, 7), 10),
        at(date(2026, 4, 21), 10),
        at(date(2026, 5, 5), 10),
    ]
    assert all(e.ends_at - e.starts_at == timedelta(hours=2) and e.capacity == 12 for e in events)


def test_series_refuses_gaps_over_14_days_and_the_past(clock, people, site):
    common = dict(
        actor=people["teamleitung"],
        standort=site,
        host=people["ifk"],
        duration_minutes=120,
        capacity=12,
        count=2,
    )
    with pytest.raises(AppointmentError, match="mindestens alle 14 Tage"):
        group_events_create_series(first_start=at(date(2026, 3, 24), 10), every_days=21, **common)
    with pytest.raises(AppointmentError, match="in der Zukunft"):
        group_events_create_series(first_start=at(date(2026, 3, 20), 10), **common)
    assert not GroupEvent.objects.exists()


def test_warning_when_the_next_event_is_missing(clock, people, site):
    # Last event 10 days ago: the next one is due within 4 days.
    event(site, people["ifk"], date(2026, 3, 13), status=GroupEvent.EventStatus.DURCHGEFUEHRT)
    [coverage] = group_event_coverage(jobcenter=site.jobcenter)
    assert coverage.missing and not coverage.overdue
    assert coverage.needed_by == date(2026, 3, 27)
    # Planned too late (after the 14 days): still missing.
    event(site, people["ifk"], date(2026, 3, 31))
    assert group_event_coverage(jobcenter=site.jobcenter)[0].missing
    # In time: covered.
    event(site, people["ifk"], date(2026, 3, 26))
    [coverage] = group_event_coverage(jobcenter=site.jobcenter)
    assert not coverage.missing
    assert coverage.next_at == at(date(2026, 3, 26), 10)


def test_overdue_when_the_last_event_is_older_than_14_days(clock, people, site):
    event(site, people["ifk"], date(2026, 3, 2), status=GroupEvent.EventStatus.DURCHGEFUEHRT)
    [coverage] = group_event_coverage(jobcenter=site.jobcenter)
    assert coverage.overdue and coverage.needed_by == date(2026, 3, 16)
