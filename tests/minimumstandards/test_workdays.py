"""Tests for minimumstandards.workdays: the conventions of rule R-ZT-01 ("Counting time").

Pure Python, no database. Expected holiday dates are taken from the official Land
calendars (Easter 2025: 20 April, 2026: 5 April, 2027: 28 March), not from the package.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from minimumstandards.workdays import (
    BERLIN,
    END_OF_DAY,
    MAX_YEAR,
    MIN_YEAR,
    DueExplanation,
    SkippedDay,
    Window,
    WorkingDayCalendar,
    berlin_wall_time,
    end_of_day,
    event_day,
    format_due,
    get_calendar,
    parse_window,
)

D = date
NW = WorkingDayCalendar("NW")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# --------------------------------------------------------------------------------------------
# Official holiday lists
# --------------------------------------------------------------------------------------------

COMMON_2026 = {
    D(2026, 1, 1): "Neujahr",
    D(2026, 4, 3): "Karfreitag",
    D(2026, 4, 6): "Ostermontag",
    D(2026, 5, 1): "Erster Mai",
    D(2026, 5, 14): "Christi Himmelfahrt",
    D(2026, 5, 25): "Pfingstmontag",
    D(2026, 10, 3): "Tag der Deutschen Einheit",
    D(2026, 12, 25): "Erster Weihnachtstag",
    D(2026, 12, 26): "Zweiter Weihnachtstag",
}
FRONLEICHNAM_2026 = {D(2026, 6, 4): "Fronleichnam"}
ALLERHEILIGEN_2026 = {D(2026, 11, 1): "Allerheiligen"}
REFORMATIONSTAG_2026 = {D(2026, 10, 31): "Reformationstag"}

OFFICIAL_HOLIDAYS = [
    ("NW", False, 2026, COMMON_2026 | FRONLEICHNAM_2026 | ALLERHEILIGEN_2026),
    # Frauentag falls on a Sunday in 2026.
    ("BE", False, 2026, COMMON_2026 | {D(2026, 3, 8): "Frauentag"}),
    ("SN", False, 2026, COMMON_2026 | REFORMATIONSTAG_2026 | {D(2026, 11, 18): "Buß- und Bettag"}),
    (
        "SN",
        True,
        2026,
        COMMON_2026
        | FRONLEICHNAM_2026
        | REFORMATIONSTAG_2026
        | {D(2026, 11, 18): "Buß- und Bettag"},
    ),
    (
        "BB",
        False,
        2026,
        COMMON_2026
        | REFORMATIONSTAG_2026
        | {D(2026, 4, 5): "Ostersonntag", D(2026, 5, 24): "Pfingstsonntag"},
    ),
    ("TH", False, 2026, COMMON_2026 | REFORMATIONSTAG_2026 | {D(2026, 9, 20): "Weltkindertag"}),
    (
        "TH",
        True,
        2026,
        COMMON_2026 | FRONLEICHNAM_2026 | REFORMATIONSTAG_2026 | {D(2026, 9, 20): "Weltkindertag"},
    ),
    (
        "BY",
        False,
        2026,
        COMMON_2026
        | FRONLEICHNAM_2026
        | ALLERHEILIGEN_2026
        | {D(2026, 1, 6): "Heilige Drei Könige"},
    ),
    (
        "BY",
        True,
        2026,
        COMMON_2026
        | FRONLEICHNAM_2026
        | ALLERHEILIGEN_2026
        | {D(2026, 1, 6): "Heilige Drei Könige", D(2026, 8, 15): "Mariä Himmelfahrt"},
    ),
    ("HH", False, 2026, COMMON_2026 | REFORMATIONSTAG_2026),
    # NW has no catholic category: the opt-in changes nothing.
    ("NW", True, 2026, COMMON_2026 | FRONLEICHNAM_2026 | ALLERHEILIGEN_2026),
    (
        "NW",
        False,
        2027,
        {
            D(2027, 1, 1): "Neujahr",
            D(2027, 3, 26): "Karfreitag",
            D(2027, 3, 29): "Ostermontag",
            D(2027, 5, 1): "Erster Mai",
            D(2027, 5, 6): "Christi Himmelfahrt",
            D(2027, 5, 17): "Pfingstmontag",
            D(2027, 5, 27): "Fronleichnam",
            D(2027, 10, 3): "Tag der Deutschen Einheit",
            D(2027, 11, 1): "Allerheiligen",
            D(2027, 12, 25): "Erster Weihnachtstag",
            D(2027, 12, 26): "Zweiter Weihnachtstag",
        },
    ),
]


@pytest.mark.parametrize(
    ("land", "catholic", "year", "expected"),
    OFFICIAL_HOLIDAYS,
    ids=[f"{land}-{year}{'-kath' if c else ''}" for land, c, year, _ in OFFICIAL_HOLIDAYS],
)
def test_public_holidays_match_official_lists(land, catholic, year, expected):
    cal = WorkingDayCalendar(land, include_catholic=catholic)
    assert cal.public_holidays(year) == expected
    for day, name in expected.items():
        assert not cal.is_working_day(day)
        # The holiday name wins even when the holiday falls on a weekend.
        assert cal.non_working_reason(day) == f"Feiertag: {name}"


@pytest.mark.parametrize(
    ("land", "day", "is_holiday"),
    [
        # Reformationstag: HH, HB, NI, SH since 2018 (plus the eastern Länder).
        ("HH", D(2025, 10, 31), True),
        ("HB", D(2025, 10, 31), True),
        ("NI", D(2025, 10, 31), True),
        ("SH", D(2025, 10, 31), True),
        ("MV", D(2025, 10, 31), True),
        ("NW", D(2025, 10, 31), False),
        ("BY", D(2025, 10, 31), False),
        # Buß- und Bettag only in Saxony (Wednesday 19 November 2025).
        ("SN", D(2025, 11, 19), True),
        ("ST", D(2025, 11, 19), False),
        # Frauentag: BE since 2019, MV since 2023 (Monday 8 March 2027).
        ("BE", D(2027, 3, 8), True),
        ("MV", D(2027, 3, 8), True),
        ("NW", D(2027, 3, 8), False),
        # Mariä Himmelfahrt is a public holiday in Saarland (Friday 15 August 2025) ...
        ("SL", D(2025, 8, 15), True),
        # ... but in Bavaria only with the catholic opt-in.
        ("BY", D(2025, 8, 15), False),
        # Heilige Drei Könige: BW, BY, ST (Tuesday 6 January 2026).
        ("BW", D(2026, 1, 6), True),
        ("ST", D(2026, 1, 6), True),
        ("HE", D(2026, 1, 6), False),
        # Fronleichnam: BW, BY, HE, NW, RP, SL; not in the north.
        ("HE", D(2026, 6, 4), True),
        ("RP", D(2026, 6, 4), True),
        ("SL", D(2026, 6, 4), True),
        ("NI", D(2026, 6, 4), False),
        # One-off: 80th anniversary of the end of WWII, Berlin only (Thursday 8 May 2025).
        ("BE", D(2025, 5, 8), True),
        ("BB", D(2025, 5, 8), False),
    ],
)
def test_land_specific_holidays(land, day, is_holiday):
    cal = WorkingDayCalendar(land)
    assert cal.is_working_day(day) is not is_holiday
    reason = cal.non_working_reason(day)
    assert (reason is not None and reason.startswith("Feiertag: ")) is is_holiday


def test_bavaria_catholic_opt_in_makes_assumption_day_a_holiday():
    assert WorkingDayCalendar("BY", include_catholic=True).non_working_reason(D(2025, 8, 15)) == (
        "Feiertag: Mariä Himmelfahrt"
    )


# --------------------------------------------------------------------------------------------
# Working days and their reasons
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (D(2026, 4, 1), None),  # Wednesday
        (D(2026, 4, 3), "Feiertag: Karfreitag"),
        (D(2026, 4, 4), "Samstag"),
        (D(2026, 4, 5), "Sonntag"),  # Ostersonntag is not a holiday in NW
        (D(2026, 12, 24), "Schließtag des Jobcenters (24.12.)"),
        (D(2026, 12, 31), "Schließtag des Jobcenters (31.12.)"),
        (D(2026, 10, 3), "Feiertag: Tag der Deutschen Einheit"),  # a Saturday
        (D(2027, 12, 24), "Schließtag des Jobcenters (24.12.)"),  # a Friday
        (D(2028, 12, 24), "Sonntag"),  # a closing day on a Sunday is just a Sunday
    ],
)
def test_non_working_reason(day, reason):
    assert NW.non_working_reason(day) == reason
    assert NW.is_working_day(day) is (reason is None)


# --------------------------------------------------------------------------------------------
# The worked examples of rule R-ZT-01 (domain brief §8), exactly
# --------------------------------------------------------------------------------------------


def test_example_24h_over_easter():
    due = NW.due_24h(berlin(2026, 4, 2, 10, 30))
    assert due == berlin(2026, 4, 7, 10, 30)
    assert format_due(due) == "2026-04-07T10:30:00+02:00"


def test_example_postal_application_9_at_over_christmas():
    due = NW.due_working_days(D(2026, 12, 16), 9)
    assert due == datetime.combine(D(2027, 1, 4), END_OF_DAY, tzinfo=BERLIN)
    assert format_due(due) == "2027-01-04T23:59:59+01:00"


def test_example_explanation_lists_counted_and_skipped_days():
    explanation = NW.explain(D(2026, 12, 16), "9AT")
    assert explanation == DueExplanation(
        event_day=D(2026, 12, 16),
        window=Window("AT", 9),
        due=end_of_day(D(2027, 1, 4)),
        counted_days=(
            D(2026, 12, 17),
            D(2026, 12, 18),
            D(2026, 12, 21),
            D(2026, 12, 22),
            D(2026, 12, 23),
            D(2026, 12, 28),
            D(2026, 12, 29),
            D(2026, 12, 30),
            D(2027, 1, 4),
        ),
        skipped_days=(
            SkippedDay(D(2026, 12, 19), "Samstag"),
            SkippedDay(D(2026, 12, 20), "Sonntag"),
            SkippedDay(D(2026, 12, 24), "Schließtag des Jobcenters (24.12.)"),
            SkippedDay(D(2026, 12, 25), "Feiertag: Erster Weihnachtstag"),
            SkippedDay(D(2026, 12, 26), "Feiertag: Zweiter Weihnachtstag"),
            SkippedDay(D(2026, 12, 27), "Sonntag"),
            SkippedDay(D(2026, 12, 31), "Schließtag des Jobcenters (31.12.)"),
            SkippedDay(D(2027, 1, 1), "Feiertag: Neujahr"),
            SkippedDay(D(2027, 1, 2), "Samstag"),
            SkippedDay(D(2027, 1, 3), "Sonntag"),
        ),
    )


def test_explain_24h_and_calendar_days():
    e24 = NW.explain(berlin(2026, 4, 2, 10, 30), "24h")
    assert e24.due == berlin(2026, 4, 7, 10, 30)
    assert e24.counted_days == (D(2026, 4, 7),)
    assert [s.day for s in e24.skipped_days] == [D(2026, 4, d) for d in (3, 4, 5, 6)]
    assert e24.skipped_days[0].reason == "Feiertag: Karfreitag"

    ekt = NW.explain(D(2026, 12, 30), Window("KT", 3))
    assert ekt.counted_days == (D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2))
    assert ekt.skipped_days == ()
    assert ekt.due == end_of_day(D(2027, 1, 2))


# --------------------------------------------------------------------------------------------
# add_working_days: the start day never counts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 4, 1), 1, D(2026, 4, 2)),  # ordinary Wednesday -> Thursday
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Easter
        (D(2026, 4, 3), 1, D(2026, 4, 7)),  # start on Good Friday: not counted
        (D(2026, 4, 4), 1, D(2026, 4, 7)),  # start on Saturday: not counted
        (D(2026, 4, 5), 1, D(2026, 4, 7)),  # start on Sunday
        (D(2026, 4, 6), 1, D(2026, 4, 7)),  # start on Easter Monday
        (D(2026, 12, 19), 1, D(2026, 12, 21)),  # Saturday -> Monday
        (D(2026, 12, 23), 1, D(2026, 12, 28)),  # 24.-27.12. closed
        (D(2026, 12, 30), 1, D(2027, 1, 4)),  # year end: 31.12., 1.1., weekend
        (D(2027, 12, 23), 1, D(2027, 12, 27)),  # 24.12.2027 is a Friday closing day
        (D(2027, 12, 30), 1, D(2028, 1, 3)),  # 31.12.2027 Friday closing, 1.1.2028 Saturday
        (D(2026, 1, 1), 5, D(2026, 1, 8)),
        (D(2026, 12, 16), 9, D(2027, 1, 4)),
        (D(2026, 1, 1), 251, D(2026, 12, 30)),  # the last of NW 2026's 251 working days
        (D(2026, 12, 31), 252, D(2027, 12, 30)),  # the last of NW 2027's 252 working days
        (D(2026, 12, 28), 255, D(2028, 1, 3)),  # 2 + 252 + 1: spans two year ends
    ],
)
def test_add_working_days(start, n, expected):
    assert NW.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 261 weekdays; minus 8 holidays on weekdays (3.10., 1.11., 26.12. fall on weekends)
        # minus the closing days 24.12. (Thu) and 31.12. (Thu).
        (2026, 261 - 8 - 2),
        # 261 weekdays; minus 7 holidays on weekdays (1.5., 3.10., 25./26.12. on weekends)
        # minus the closing days 24.12. (Fri) and 31.12. (Fri).
        (2027, 261 - 7 - 2),
    ],
)
def test_working_days_per_year_nw(year, expected):
    assert NW.working_days_between(D(year - 1, 12, 31), D(year, 12, 31)) == expected


@pytest.mark.parametrize("start", [D(2026, 4, 4), D(2026, 4, 1), D(2026, 12, 24)])
def test_zero_working_days_is_the_identity(start):
    # N=0 returns the start day itself, even if it is not a working day.
    assert NW.add_working_days(start, 0) == start
    assert NW.due_working_days(start, 0) == end_of_day(start)


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="negativ"):
        NW.add_working_days(D(2026, 4, 1), -1)
    with pytest.raises(ValueError, match="negativ"):
        NW.due_calendar_days(D(2026, 4, 1), -1)
    with pytest.raises(TypeError):
        NW.add_working_days(D(2026, 4, 1), True)


# --------------------------------------------------------------------------------------------
# working_days_between
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 12, 16), D(2027, 1, 4), 9),
        (D(2027, 1, 4), D(2026, 12, 16), -9),  # antisymmetric
        (D(2026, 4, 1), D(2026, 4, 1), 0),
        (D(2026, 4, 3), D(2026, 4, 6), 0),  # Good Friday to Easter Monday
        (D(2026, 4, 2), D(2026, 4, 7), 1),  # a excluded, b included
        (D(2026, 4, 1), D(2026, 4, 2), 1),
        (D(2026, 4, 2), D(2026, 4, 2) - timedelta(days=1), -1),
        (D(2025, 6, 1), D(2028, 6, 1), None),  # several years: checked by brute force
    ],
)
def test_working_days_between(a, b, expected):
    if expected is None:
        lo, hi = min(a, b), max(a, b)
        expected = sum(
            NW.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1)
        )
    assert NW.working_days_between(a, b) == expected


# --------------------------------------------------------------------------------------------
# Cross-check against a naive implementation built directly on the holidays package
# --------------------------------------------------------------------------------------------


def _naive_is_working_day(land: str, catholic: bool, d: date) -> bool:
    cats = ("public", "catholic") if catholic else ("public",)
    hol = holidays.country_holidays("DE", subdiv=land, years=d.year, categories=cats)
    return d.weekday() < 5 and d not in hol and (d.month, d.day) not in ((12, 24), (12, 31))


@pytest.mark.parametrize(("land", "catholic"), [("NW", False), ("SN", True), ("BE", False)])
def test_against_naive_day_by_day_counting(land, catholic):
    cal = WorkingDayCalendar(land, include_catholic=catholic)
    rng = random.Random(f"{land}{catholic}")  # deterministic
    for _ in range(150):
        start = D(2025, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        n = rng.randrange(0, 45)
        day, left = start, n
        while left:
            day += timedelta(days=1)
            left -= _naive_is_working_day(land, catholic, day)
        assert cal.add_working_days(start, n) == day, (start, n)
        assert cal.working_days_between(start, day) == n


# --------------------------------------------------------------------------------------------
# Time zones and DST
# --------------------------------------------------------------------------------------------


def test_24h_across_spring_forward_keeps_wall_time():
    # Friday 27.03.2026 10:30 CET; clocks go forward on Sunday 29.03.
    event = berlin(2026, 3, 27, 10, 30)
    due = NW.due_24h(event)
    assert format_due(due) == "2026-03-30T10:30:00+02:00"
    # Wall time, not +72 h of UTC. (Subtract in UTC: Python subtracts same-tzinfo datetimes
    # by wall time.)
    assert due.astimezone(UTC) - event.astimezone(UTC) == timedelta(hours=71)


def test_24h_across_fall_back_keeps_wall_time():
    # Friday 23.10.2026 10:30 CEST; clocks go back on Sunday 25.10.
    event = berlin(2026, 10, 23, 10, 30)
    due = NW.due_24h(event)
    assert format_due(due) == "2026-10-26T10:30:00+01:00"
    assert due.astimezone(UTC) - event.astimezone(UTC) == timedelta(hours=73)


def test_24h_event_in_the_repeated_hour_of_fall_back():
    # 02:30 exists twice on 25.10.2026; the second one (fold=1) is CET, 01:30 UTC.
    event = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert event.astimezone(BERLIN).utcoffset() == timedelta(hours=1)
    assert format_due(NW.due_24h(event)) == "2026-10-26T02:30:00+01:00"


def test_working_day_due_across_dst_ends_at_local_midnight():
    assert format_due(NW.due_working_days(D(2026, 3, 27), 1)) == "2026-03-30T23:59:59+02:00"
    assert format_due(NW.due_working_days(D(2026, 10, 23), 1)) == "2026-10-26T23:59:59+01:00"


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        # 02:30 does not exist on 29.03.2026: shifted forward by the gap.
        (D(2026, 3, 29), time(2, 30), "2026-03-29T03:30:00+02:00"),
        # 02:30 exists twice on 25.10.2026: the first (earlier) occurrence is used.
        (D(2026, 10, 25), time(2, 30), "2026-10-25T02:30:00+02:00"),
        (D(2026, 10, 25), time(2, 30, fold=1), "2026-10-25T02:30:00+02:00"),
        (D(2026, 3, 29), time(1, 59), "2026-03-29T01:59:00+01:00"),
        (D(2026, 3, 29), time(3, 0), "2026-03-29T03:00:00+02:00"),
    ],
)
def test_berlin_wall_time_dst_rules(day, clock, expected):
    assert berlin_wall_time(day, clock).isoformat() == expected


def test_event_day_is_taken_in_berlin_not_utc():
    # 22:30 UTC on 1 April is already 00:30 on 2 April in Berlin.
    event = datetime(2026, 4, 1, 22, 30, tzinfo=UTC)
    assert event_day(event) == D(2026, 4, 2)
    assert NW.due_24h(event) == berlin(2026, 4, 7, 0, 30)
    # 21:59:59 UTC is still 1 April (23:59:59 CEST): the 2 April counts.
    assert NW.due_working_days(datetime(2026, 4, 1, 21, 59, 59, tzinfo=UTC), 1) == end_of_day(
        D(2026, 4, 2)
    )


def test_end_of_day_representation():
    due = end_of_day(D(2027, 1, 4))
    assert due.date() == D(2027, 1, 4)  # stays on the due day
    assert due.time() == time(23, 59, 59, 999999)
    assert due + timedelta(microseconds=1) == berlin(2027, 1, 5)
    assert format_due(due.astimezone(UTC)) == "2027-01-04T23:59:59+01:00"


def test_naive_and_wrongly_typed_moments_are_rejected():
    with pytest.raises(ValueError, match="ohne Zeitzone"):
        NW.due_24h(datetime(2026, 4, 2, 10, 30))
    with pytest.raises(ValueError, match="ohne Zeitzone"):
        NW.due_working_days(datetime(2026, 4, 2, 10, 30), 1)
    with pytest.raises(TypeError):
        NW.due_24h(D(2026, 4, 2))  # 24 h needs a clock time
    with pytest.raises(TypeError):
        NW.is_working_day(berlin(2026, 4, 2))  # a datetime is not a day


# --------------------------------------------------------------------------------------------
# Calendar days
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "n", "expected_day"),
    [
        (D(2026, 1, 31), 30, D(2026, 3, 2)),  # across February (28 days)
        (D(2028, 1, 31), 30, D(2028, 3, 1)),  # leap year
        (D(2028, 2, 28), 1, D(2028, 2, 29)),
        (D(2026, 12, 16), 30, D(2027, 1, 15)),  # across the year end
        (D(2026, 12, 31), 1, D(2027, 1, 1)),  # holidays do not matter
        (D(2026, 1, 1), 180, D(2026, 6, 30)),
        (D(2026, 3, 2), 28, D(2026, 3, 30)),  # 4 weeks, across DST
        (D(2026, 4, 4), 0, D(2026, 4, 4)),  # N=0: end of the event day
        (berlin(2026, 4, 2, 10, 30), 24, D(2026, 4, 26)),
    ],
)
def test_due_calendar_days(event, n, expected_day):
    assert NW.due_calendar_days(event, n) == end_of_day(expected_day)


# --------------------------------------------------------------------------------------------
# Closing days of the Jobcenter
# --------------------------------------------------------------------------------------------


def test_extra_closing_day():
    # Brückentag after Fronleichnam 2026 (Friday 5 June).
    cal = WorkingDayCalendar("NW", extra_closing_days=frozenset({D(2026, 6, 5)}))
    assert cal.non_working_reason(D(2026, 6, 5)) == "Schließtag des Jobcenters (05.06.)"
    assert cal.add_working_days(D(2026, 6, 3), 1) == D(2026, 6, 8)
    assert NW.add_working_days(D(2026, 6, 3), 1) == D(2026, 6, 5)


@pytest.mark.parametrize(
    ("removed", "expected_due_day"),
    [
        (frozenset(), D(2027, 1, 4)),
        (frozenset({D(2026, 12, 31)}), D(2026, 12, 31)),
        (frozenset({D(2026, 12, 24), D(2026, 12, 31)}), D(2026, 12, 30)),
    ],
)
def test_removed_default_closing_days(removed, expected_due_day):
    cal = WorkingDayCalendar("NW", removed_closing_days=removed)
    assert cal.due_working_days(D(2026, 12, 16), 9) == end_of_day(expected_due_day)
    for day in removed:
        assert cal.is_working_day(day)
    # Removing a closing day applies to that year only.
    assert not cal.is_working_day(D(2027, 12, 24))


def test_closing_day_configuration_errors():
    with pytest.raises(ValueError, match="Standard-Schließtage"):
        WorkingDayCalendar("NW", removed_closing_days=frozenset({D(2026, 12, 23)}))
    with pytest.raises(ValueError, match="zugleich"):
        WorkingDayCalendar(
            "NW",
            extra_closing_days=frozenset({D(2026, 12, 24)}),
            removed_closing_days=frozenset({D(2026, 12, 24)}),
        )
    with pytest.raises(TypeError):
        WorkingDayCalendar("NW", extra_closing_days=frozenset({berlin(2026, 6, 5)}))


def test_unknown_land_and_years_out_of_range():
    with pytest.raises(ValueError, match="Bundesland"):
        WorkingDayCalendar("XX")
    with pytest.raises(ValueError, match="Bundesland"):
        WorkingDayCalendar("Augsburg")  # a subdivision in the package, but not a Land
    with pytest.raises(ValueError, match="nur für die Jahre"):
        NW.is_working_day(D(MIN_YEAR - 1, 6, 1))
    with pytest.raises(ValueError, match="nur für die Jahre"):
        NW.add_working_days(D(MAX_YEAR, 12, 20), 30)


def test_calendar_is_immutable_hashable_and_normalised():
    a = WorkingDayCalendar("nw", extra_closing_days={D(2026, 6, 5)})  # type: ignore[arg-type]
    b = WorkingDayCalendar("NW", extra_closing_days=frozenset({D(2026, 6, 5)}))
    assert a == b and hash(a) == hash(b)
    assert a.land == "NW" and isinstance(a.extra_closing_days, frozenset)
    assert a != NW
    with pytest.raises(AttributeError):
        a.land = "BY"  # type: ignore[misc]
    assert get_calendar("NW") is get_calendar("NW")
    assert get_calendar("NW") == NW


# --------------------------------------------------------------------------------------------
# Windows: parser and dispatcher
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("24h", Window("24h", 24)),
        ("24H", Window("24h", 24)),
        ("24 h", Window("24h", 24)),
        ("9AT", Window("AT", 9)),
        (" 9 at ", Window("AT", 9)),
        ("30KT", Window("KT", 30)),
        ("180kt", Window("KT", 180)),
    ],
)
def test_parse_window(text, window):
    assert parse_window(text) == window
    assert parse_window(str(window)) == window  # str() round-trips


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ungültige Fristangabe"),
        ("AT", "Ungültige Fristangabe"),
        ("9", "Ungültige Fristangabe"),
        ("9 Tage", "Ungültige Fristangabe"),
        ("9ATX", "Ungültige Fristangabe"),
        ("-1AT", "Ungültige Fristangabe"),
        ("9.5AT", "Ungültige Fristangabe"),
        ("٩AT", "Ungültige Fristangabe"),  # non-ASCII digit
        ("0AT", "mindestens 1 Tag"),
        ("0KT", "mindestens 1 Tag"),
        ("48h", "nur '24h'"),
        ("1h", "nur '24h'"),
    ],
)
def test_parse_window_rejects_malformed_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_window(text)


def test_parse_window_rejects_non_text():
    with pytest.raises(TypeError):
        parse_window(9)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "n"), [("AT", 0), ("24h", 48), ("WT", 3)])
def test_window_validates_direct_construction(kind, n):
    with pytest.raises(ValueError):
        Window(kind, n)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("24h", "2026-04-07T10:30:00+02:00"),
        ("1AT", "2026-04-07T23:59:59+02:00"),
        (Window("AT", 3), "2026-04-09T23:59:59+02:00"),
        ("1KT", "2026-04-03T23:59:59+02:00"),
    ],
)
def test_due_dispatches_on_window(window, expected):
    assert format_due(NW.due(berlin(2026, 4, 2, 10, 30), window)) == expected
