"""Slot generation: weekdays, holidays and closing days, absences, opening hours, DST."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from appointments.errors import AppointmentError
from appointments.models import Absence, Appointment, Kind, Status
from appointments.services.calendars import window_create
from appointments.slots import CalendarData, SlotError, check_slot, free_slots
from minimumstandards.models import ClosingDay
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN

from .conftest import MONDAY, at, release

pytestmark = pytest.mark.django_db


def slots_of(user, kind=Kind.ERSTGESPRAECH, *, days=21, after=MONDAY):
    until = after + timedelta(days=days)
    data = CalendarData.load([user.pk], after, until)
    return free_slots(
        data,
        calendar_for(user.jobcenter),
        caseworker_id=user.pk,
        kind=kind,
        after=after,
        until=until,
    )


@pytest.mark.rule("R-TE-01")
def test_released_weekdays_only_and_holidays_skipped(clock, staff, site):
    release(staff["ifk"], site)
    days = [s.local_start.date() for s in slots_of(staff["ifk"], days=18)]
    assert days == [
        date(2026, 3, 23),  # Mo
        date(2026, 3, 24),  # Di
        date(2026, 3, 26),  # Do (no Wednesday window)
        date(2026, 3, 27),  # Fr
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 2),
        # 3 April Good Friday, 6 April Easter Monday (NW holidays)
        date(2026, 4, 7),
        date(2026, 4, 9),
    ]
    assert all(s.local_start.time() == time(9) for s in slots_of(staff["ifk"]))


def test_jobcenter_closing_day_has_no_slots(clock, staff, site):
    release(staff["ifk"], site)
    ClosingDay.objects.create(
        jobcenter=staff["ifk"].jobcenter, day=date(2026, 3, 26), reason="Betriebsausflug"
    )
    days = {s.local_start.date() for s in slots_of(staff["ifk"], days=7)}
    assert date(2026, 3, 26) not in days
    assert date(2026, 3, 27) in days


def test_window_validity_period(clock, staff, site):
    release(staff["ifk"], site, valid_from=date(2026, 3, 30), valid_until=date(2026, 3, 31))
    assert [s.local_start.date() for s in slots_of(staff["ifk"])] == [
        date(2026, 3, 30),
        date(2026, 3, 31),
    ]


@pytest.mark.rule("R-TE-01")
def test_absence_blocks_only_overlapping_slots(clock, staff, site):
    release(staff["ifk"], site, kind=Kind.FOLGEGESPRAECH, starts=time(9), ends=time(12))
    Absence.objects.create(
        caseworker=staff["ifk"],
        starts_at=at(date(2026, 3, 23), 9, 30),
        ends_at=at(date(2026, 3, 23), 10, 0),
        reason="Teamsitzung",
        created_by=staff["ifk"],
    )
    monday = [s.local_start.time() for s in slots_of(staff["ifk"], Kind.FOLGEGESPRAECH, days=1)]
    # 45-minute grid 09:00, 09:45, 10:30, 11:15; 09:00 and 09:45 touch the absence.
    assert monday == [time(10, 30), time(11, 15)]


@pytest.mark.rule("R-TE-01")
def test_a_whole_week_of_leave(clock, staff, site):
    release(staff["ifk"], site)
    Absence.objects.create(
        caseworker=staff["ifk"],
        starts_at=at(date(2026, 3, 23), 0),
        ends_at=at(date(2026, 3, 28), 0),
        reason="Urlaub",
        created_by=staff["ifk"],
    )
    assert slots_of(staff["ifk"])[0].local_start.date() == date(2026, 3, 30)


@pytest.mark.rule("R-TE-03")
def test_daylight_saving_time_keeps_wall_time_and_real_length(clock, staff, site):
    release(staff["ifk"], site, kind=Kind.FOLGEGESPRAECH, starts=time(9), ends=time(11))
    slots = slots_of(staff["ifk"], Kind.FOLGEGESPRAECH, days=8)
    friday = [s for s in slots if s.local_start.date() == date(2026, 3, 27)]
    monday = [s for s in slots if s.local_start.date() == date(2026, 3, 30)]
    # 09:00 Berlin is 08:00 UTC before the change (CET) and 07:00 UTC after it (CEST).
    assert friday[0].starts_at.astimezone(UTC).time() == time(8)
    assert monday[0].starts_at.astimezone(UTC).time() == time(7)
    assert [s.local_start.time() for s in monday] == [time(9), time(9, 45)]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)
    assert monday[0].local_start.utcoffset() == timedelta(hours=2)


def test_window_on_the_sunday_of_the_clock_change_yields_nothing(clock, staff, site):
    release(staff["ifk"], site, days=[6], starts=time(1), ends=time(4), outside_opening_hours=True)
    assert slots_of(staff["ifk"], days=14) == []


@pytest.mark.rule("R-OE-01")
def test_opening_hours_bound_windows_unless_released_outside_them(clock, staff, site):
    release(staff["ifk"], site, days=[0], starts=time(13), ends=time(14))
    assert slots_of(staff["ifk"], days=7) == []
    release(
        staff["ifk2"], site, days=[0], starts=time(13), ends=time(14), outside_opening_hours=True
    )
    assert len(slots_of(staff["ifk2"], days=7)) == 1
    # Thursday afternoon is open at this site (14–17).
    release(staff["ifk"], site, days=[3], starts=time(14), ends=time(15))
    assert [s.local_start for s in slots_of(staff["ifk"], days=7)] == [at(date(2026, 3, 26), 14)]


@pytest.mark.rule("R-OE-01")
def test_window_outside_opening_hours_is_refused_with_a_reason(clock, staff, site):
    with pytest.raises(AppointmentError, match="außerhalb der Öffnungszeiten"):
        window_create(
            actor=staff["ifk"],
            caseworker=staff["ifk"],
            kind=Kind.ERSTGESPRAECH,
            weekday=2,
            starts=time(9),
            ends=time(10),
            standort=site,
            valid_from=date(2026, 3, 23),
        )


def test_overlapping_windows_are_refused(clock, staff, site):
    release(staff["ifk"], site, days=[0])
    with pytest.raises(AppointmentError, match="überschneidet sich"):
        window_create(
            actor=staff["ifk"],
            caseworker=staff["ifk"],
            kind=Kind.FOLGEGESPRAECH,
            weekday=0,
            starts=time(9, 30),
            ends=time(11),
            standort=site,
            valid_from=date(2026, 3, 23),
        )


def test_a_window_shorter_than_a_slot_is_refused(clock, staff, site):
    with pytest.raises(AppointmentError, match="kürzer als ein Termin"):
        window_create(
            actor=staff["ifk"],
            caseworker=staff["ifk"],
            kind=Kind.ERSTGESPRAECH,
            weekday=0,
            starts=time(9),
            ends=time(9, 45),
            standort=site,
            valid_from=date(2026, 3, 23),
        )


def test_another_ifk_may_not_release_my_windows(clock, staff, site):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        window_create(
            actor=staff["ifk2"],
            caseworker=staff["ifk"],
            kind=Kind.ERSTGESPRAECH,
            weekday=0,
            starts=time(9),
            ends=time(10),
            standort=site,
            valid_from=date(2026, 3, 23),
        )


def test_booked_slot_is_taken_and_a_cancelled_one_free_again(clock, staff, site, antrag):
    release(staff["ifk"], site)
    appointment = Appointment.objects.create(
        jobcenter=staff["ifk"].jobcenter,
        kunde=antrag.applicant,
        caseworker=staff["ifk"],
        kind=Kind.ERSTGESPRAECH,
        starts_at=at(date(2026, 3, 23), 9),
        ends_at=at(date(2026, 3, 23), 10),
        invitation_occasion="erst",
        booked_by=staff["ez"],
    )
    assert slots_of(staff["ifk"], days=1) == []
    appointment.status = Status.ABGESAGT_KUNDE
    appointment.save()
    assert len(slots_of(staff["ifk"], days=1)) == 1


@pytest.mark.parametrize(
    "when, message",
    [
        (datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN), "in der Vergangenheit"),
        (datetime(2026, 4, 3, 9, 0, tzinfo=BERLIN), "kein Arbeitstag (Feiertag: Karfreitag)"),
        (
            datetime(2026, 3, 25, 9, 0, tzinfo=BERLIN),
            "kein Zeitfenster für Erstgespräch freigegeben",
        ),
        (
            datetime(2026, 3, 24, 9, 30, tzinfo=BERLIN),
            "kein Zeitfenster für Erstgespräch freigegeben",
        ),
        (datetime(2026, 3, 26, 9, 0, tzinfo=BERLIN), "abwesend (Fortbildung)"),
    ],
)
def test_check_slot_says_why_not(clock, staff, site, when, message):
    release(staff["ifk"], site)
    Absence.objects.create(
        caseworker=staff["ifk"],
        starts_at=at(date(2026, 3, 26), 0),
        ends_at=at(date(2026, 3, 27), 0),
        reason="Fortbildung",
        created_by=staff["ifk"],
    )
    data = CalendarData.load([staff["ifk"].pk], when - timedelta(days=1), when + timedelta(days=1))
    with pytest.raises(SlotError, match=re.escape(message)):
        check_slot(
            data,
            calendar_for(staff["ifk"].jobcenter),
            caseworker=staff["ifk"],
            kind=Kind.ERSTGESPRAECH,
            starts_at=when,
            now=clock.now,
        )
