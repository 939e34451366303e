"""Counting time for deadlines: working days, due moments, the "Fristenrechner".

This module is the executable form of rule R-ZT-01 (docs/rules.en.md#r-zt-01, "Counting time"):

* **Arbeitstag (AT)**: Monday to Friday, except the public holidays of the Jobcenter's
  Bundesland and the Jobcenter's own closing days (24 and 31 December by default; a
  Jobcenter can add days or remove a default one).
* **N AT**: due at the end of the N-th working day after the day of the event; the day of
  the event never counts, whether or not it is a working day.
* **24 h**: due at the same Berlin wall-clock time on the next working day.
* **N KT** (calendar days; weeks and months are expressed as days by the caller): due at
  the end of the N-th calendar day after the day of the event.

Representation of "24:00" (end of a day): ``23:59:59.999999`` Europe/Berlin on that day
(:data:`END_OF_DAY`). Unlike ``00:00`` of the following day it keeps ``due.date()`` equal to
the due day, and "breached" is simply ``now > due``. PostgreSQL stores microseconds, so the
value survives a UTC round trip unchanged. For display use :func:`format_due`, which prints
seconds precision with the Berlin offset (``2027-01-04T23:59:59+01:00``).

Pure Python on purpose (stdlib, ``holidays``, ``zoneinfo``): it must not import Django so
that models, management commands and Celery tasks can all use it.

Performance: the ``holidays`` package is consulted once per (Land, catholic opt-in, year)
(:func:`_holiday_names`, process-wide cache). Each calendar then keeps, per year, a sorted
tuple of working-day ordinals, so ``add_working_days`` is a ``bisect`` plus an index
(O(log n)), and ``is_working_day`` a frozenset membership test.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Final, Literal, NamedTuple
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import CATHOLIC, PUBLIC

__all__ = [
    "BERLIN",
    "END_OF_DAY",
    "LAENDER",
    "MAX_YEAR",
    "MIN_YEAR",
    "DueExplanation",
    "SkippedDay",
    "Window",
    "WindowKind",
    "WorkingDayCalendar",
    "berlin_wall_time",
    "end_of_day",
    "event_day",
    "format_due",
    "get_calendar",
    "parse_window",
    "to_berlin",
]

BERLIN: Final = ZoneInfo("Europe/Berlin")

#: Clock time used for "24:00" of a day (see module docstring).
END_OF_DAY: Final = time(23, 59, 59, 999999)

#: Bundesland codes as used by the ``holidays`` package (ISO 3166-2:DE without "DE-").
#: The package also knows the city "Augsburg" as a subdivision; that is not a Land.
LAENDER: Final = frozenset(
    {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}
)

#: (month, day) of the closing days every Jobcenter has unless it removes them.
DEFAULT_CLOSING_DAYS: Final = ((12, 24), (12, 31))

# The package only knows German holidays for these years (it starts after reunification and
# returns *nothing* outside its range). Silently treating an unknown year as holiday-free
# would produce wrong deadlines, so we refuse instead.
MIN_YEAR: Final[int] = holidays.Germany.start_year
MAX_YEAR: Final[int] = getattr(holidays.Germany, "end_year", 2100)

_WEEKEND_REASON: Final = {5: "Samstag", 6: "Sonntag"}


# --------------------------------------------------------------------------------------------
# Moments and days
# --------------------------------------------------------------------------------------------


def to_berlin(moment: datetime) -> datetime:
    """Convert an aware datetime to Europe/Berlin.

    Naive datetimes are rejected: we store UTC and cannot guess what a naive value means.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"datetime erwartet, nicht {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Zeitpunkt ohne Zeitzone: {moment.isoformat()}")
    return moment.astimezone(BERLIN)


def event_day(event: datetime | date) -> date:
    """The calendar day (in Berlin) on which an event happened.

    An aware datetime is converted to Berlin first (a UTC 22:30 can already be tomorrow in
    Berlin); a plain ``date`` is taken as is.
    """
    if isinstance(event, datetime):  # must come first: datetime is a subclass of date
        return to_berlin(event).date()
    if isinstance(event, date):
        return event
    raise TypeError(f"date oder datetime erwartet, nicht {type(event).__name__}")


def end_of_day(day: date) -> datetime:
    """End ("24:00") of ``day`` in Berlin, represented as 23:59:59.999999 (see module doc)."""
    _require_plain_date(day)
    # 23:59:59 always exists and is unambiguous in Berlin (DST switches at 02:00/03:00).
    return datetime.combine(day, END_OF_DAY, tzinfo=BERLIN)


def berlin_wall_time(day: date, clock: time) -> datetime:
    """The instant at which Berlin clocks show ``clock`` on ``day``.

    DST rules (documented choices):

    * A wall time that does not exist (02:30 on the spring-forward Sunday) is shifted
      forward by the length of the gap: 02:30 -> 03:30 CEST. This is zoneinfo's ``fold=0``
      interpretation (offset before the transition), normalised through UTC.
    * A wall time that exists twice (02:30 on the fall-back Sunday) resolves to the first
      occurrence (CEST, +02:00), i.e. the earlier instant; for a deadline, earlier is the
      conservative choice.

    With Monday-to-Friday working days these cases cannot arise for ``due_24h`` (European
    DST changes happen on Sundays), but the rule is fixed here so it never depends on luck.
    """
    _require_plain_date(day)
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=BERLIN).astimezone(UTC).astimezone(BERLIN)


def format_due(moment: datetime) -> str:
    """Format a due moment for display/logs: Berlin time, seconds precision, with offset.

    ``end_of_day(date(2027, 1, 4))`` -> ``"2027-01-04T23:59:59+01:00"`` (microseconds are
    truncated, never rounded up into the next day).
    """
    return to_berlin(moment).isoformat(timespec="seconds")


def _require_plain_date(d: date) -> None:
    # A datetime *is* a date; accepting one here would silently use its naive date part
    # (e.g. the UTC date), which is the classic off-by-one-day bug. Use event_day() instead.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"date erwartet, nicht {type(d).__name__} (Zeitpunkte: event_day())")


def _require_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"Anzahl Tage muss eine ganze Zahl sein, nicht {type(n).__name__}")
    if n < 0:
        raise ValueError(f"Anzahl Tage darf nicht negativ sein: {n}")


# --------------------------------------------------------------------------------------------
# Deadline windows ("24h", "9AT", "30KT")
# --------------------------------------------------------------------------------------------

WindowKind = Literal["24h", "AT", "KT"]

_WINDOW_RE: Final = re.compile(r"\s*(\d+)\s*(h|AT|KT)\s*", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class Window:
    """A deadline window as written in rules: ``24h``, ``<n>AT`` or ``<n>KT``.

    For kind ``"24h"``, ``n`` is always 24: the rule means "same clock time on the next
    working day", not a duration, so other hour counts are not representable.
    ``n`` is at least 1 (a zero-length rule is a configuration error; the calendar
    functions themselves accept n=0, see ``add_working_days``).
    """

    kind: WindowKind
    n: int

    def __post_init__(self) -> None:
        if self.kind not in ("24h", "AT", "KT"):
            raise ValueError(f"Unbekannte Fristart {self.kind!r} (erlaubt: 24h, AT, KT)")
        if isinstance(self.n, bool) or not isinstance(self.n, int):
            raise TypeError(f"Fristlänge muss eine ganze Zahl sein, nicht {type(self.n).__name__}")
        if self.kind == "24h" and self.n != 24:
            raise ValueError("Eine Stundenfrist gibt es nur als '24h'")
        if self.n < 1:
            raise ValueError(f"Fristlänge muss mindestens 1 sein, nicht {self.n}")

    def __str__(self) -> str:
        return "24h" if self.kind == "24h" else f"{self.n}{self.kind}"


def parse_window(text: str) -> Window:
    """Parse ``"24h"``, ``"9AT"``, ``"30KT"`` (case-insensitive, blanks allowed: ``"9 at"``).

    Raises ``ValueError`` with a German message for anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"Fristangabe muss ein Text sein, nicht {type(text).__name__}")
    match = _WINDOW_RE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"Ungültige Fristangabe {text!r}: erwartet '24h', '<Zahl>AT' (Arbeitstage) "
            "oder '<Zahl>KT' (Kalendertage), z. B. '9AT'"
        )
    n = int(match.group(1))
    unit = match.group(2).upper()
    if unit == "H":
        if n != 24:
            raise ValueError(
                f"Ungültige Fristangabe {text!r}: als Stundenfrist ist nur '24h' vorgesehen"
            )
        return Window("24h", 24)
    if n < 1:
        raise ValueError(
            f"Ungültige Fristangabe {text!r}: die Frist muss mindestens 1 Tag betragen"
        )
    return Window("AT" if unit == "AT" else "KT", n)


# --------------------------------------------------------------------------------------------
# Explanation ("Fristenrechner")
# --------------------------------------------------------------------------------------------


class SkippedDay(NamedTuple):
    day: date
    reason: str  # German, e.g. "Samstag", "Feiertag: Karfreitag"


@dataclass(frozen=True, slots=True)
class DueExplanation:
    """How a due moment was reached.

    ``counted_days`` are the days that were counted (working days for AT and 24h, every day
    for KT), ``skipped_days`` the non-working days between the event day (exclusive) and the
    due day (exclusive) with their reason. The event day itself is never counted.
    """

    event_day: date
    window: Window
    due: datetime
    counted_days: tuple[date, ...]
    skipped_days: tuple[SkippedDay, ...]


# --------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------


@cache  # bounded: 16 Länder x 2 x (MAX_YEAR - MIN_YEAR + 1)
def _holiday_names(land: str, include_catholic: bool, year: int) -> Mapping[int, str]:
    """Public holidays (ordinal -> German name) for one Land and year; the only place that
    touches the ``holidays`` package. Several holidays on one day are joined with "; "
    by the package (e.g. 1 May 2008: "Christi Himmelfahrt; Erster Mai")."""
    categories = (PUBLIC, CATHOLIC) if include_catholic else (PUBLIC,)
    found = holidays.country_holidays(
        "DE", subdiv=land, years=year, categories=categories, language="de"
    )
    return MappingProxyType({d.toordinal(): name for d, name in found.items()})


@dataclass(frozen=True, slots=True)
class _Year:
    working: tuple[int, ...]  # sorted ordinals of the year's working days, for bisect
    working_set: frozenset[int]  # same, for O(1) membership
    reasons: Mapping[int, str]  # ordinal -> reason, for every non-working day of the year


@dataclass(frozen=True, slots=True)
class WorkingDayCalendar:
    """Working days of one Jobcenter: its Land's holidays plus its own closing days.

    Immutable and hashable (usable as a cache key). ``include_catholic`` opts into the
    ``holidays`` package's CATHOLIC category: Mariä Himmelfahrt in Bavaria, Fronleichnam in
    the catholic municipalities of Saxony and Thuringia. ``extra_closing_days`` are added
    to, ``removed_closing_days`` removed from, the default closing days 24.12. and 31.12.

    Non-working reasons use one text per day with the precedence
    holiday > weekend > closing day (a closing day on a weekend is not news; a holiday on a
    Saturday still deserves its name in the Fristenrechner).
    """

    land: str
    include_catholic: bool = False
    extra_closing_days: frozenset[date] = frozenset()
    removed_closing_days: frozenset[date] = frozenset()
    # Per-instance cache, excluded from eq/hash/repr. Filling it is idempotent, so a race
    # between threads only duplicates work.
    _years: dict[int, _Year] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        land = self.land.upper() if isinstance(self.land, str) else self.land
        if land not in LAENDER:
            raise ValueError(
                f"Unbekanntes Bundesland {self.land!r}; erlaubt: {', '.join(sorted(LAENDER))}"
            )
        if not isinstance(self.include_catholic, bool):
            raise TypeError("include_catholic muss True oder False sein")
        extra = _frozen_dates(self.extra_closing_days, "extra_closing_days")
        removed = _frozen_dates(self.removed_closing_days, "removed_closing_days")
        not_default = sorted(d for d in removed if (d.month, d.day) not in DEFAULT_CLOSING_DAYS)
        if not_default:
            raise ValueError(
                "Nur Standard-Schließtage (24.12., 31.12.) können entfernt werden, nicht: "
                + ", ".join(f"{d:%d.%m.%Y}" for d in not_default)
            )
        both = sorted(extra & removed)
        if both:
            raise ValueError(
                "Tage sind zugleich als zusätzlicher und als entfernter Schließtag angegeben: "
                + ", ".join(f"{d:%d.%m.%Y}" for d in both)
            )
        # Normalise so that equal configurations compare and hash equal.
        object.__setattr__(self, "land", land)
        object.__setattr__(self, "extra_closing_days", extra)
        object.__setattr__(self, "removed_closing_days", removed)

    # -- per-year data -------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        data = self._years.get(year)
        if data is None:
            data = self._years[year] = self._build_year(year)
        return data

    def _build_year(self, year: int) -> _Year:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(
                f"Feiertage sind nur für die Jahre {MIN_YEAR} bis {MAX_YEAR} bekannt, nicht {year}"
            )
        names = _holiday_names(self.land, self.include_catholic, year)
        closing = {date(year, m, d) for m, d in DEFAULT_CLOSING_DAYS} - self.removed_closing_days
        closing |= {d for d in self.extra_closing_days if d.year == year}
        closing_ordinals = {d.toordinal() for d in closing}

        reasons: dict[int, str] = {}
        working: list[int] = []
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        weekday = date(year, 1, 1).weekday()
        for ordinal in range(first, last + 1):
            if ordinal in names:
                reasons[ordinal] = f"Feiertag: {names[ordinal]}"
            elif weekday >= 5:
                reasons[ordinal] = _WEEKEND_REASON[weekday]
            elif ordinal in closing_ordinals:
                reasons[ordinal] = f"Schließtag des Jobcenters ({date.fromordinal(ordinal):%d.%m.})"
            else:
                working.append(ordinal)
            weekday = (weekday + 1) % 7
        return _Year(tuple(working), frozenset(working), MappingProxyType(reasons))

    # -- days ----------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day (AT) of this Jobcenter."""
        _require_plain_date(d)
        return d.toordinal() in self._year(d.year).working_set

    def non_working_reason(self, d: date) -> str | None:
        """German reason why ``d`` is not a working day, or ``None`` if it is one.

        E.g. "Samstag", "Sonntag", "Feiertag: Karfreitag", "Schließtag des Jobcenters (24.12.)".
        """
        _require_plain_date(d)
        return self._year(d.year).reasons.get(d.toordinal())

    def public_holidays(self, year: int) -> dict[date, str]:
        """The Land's public holidays in ``year`` (date -> German name), weekends included."""
        self._year(year)  # validates the year range
        names = _holiday_names(self.land, self.include_catholic, year)
        return {date.fromordinal(o): name for o, name in sorted(names.items())}

    def add_working_days(self, start: date, n: int) -> date:
        """The N-th working day after ``start``; ``start`` itself never counts.

        ``n == 0`` returns ``start`` unchanged, even if it is not a working day (the
        identity; "within 0 AT" therefore means "by the end of the event day").
        ``n < 0`` raises ``ValueError``.
        """
        _require_plain_date(start)
        _require_count(n)
        if n == 0:
            return start
        year = start.year
        data = self._year(year)
        # Index (within this year's working days) of the answer: the first working day
        # strictly after start is at bisect_right; the n-th is n - 1 further on.
        index = bisect_right(data.working, start.toordinal()) + n - 1
        while index >= len(data.working):
            index -= len(data.working)
            year += 1
            data = self._year(year)
        return date.fromordinal(data.working[index])

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days d with ``a < d <= b``.

        ``a == b`` gives 0; ``b < a`` gives the negated count for ``b < d <= a``
        (antisymmetric). For ``n >= 1``: ``working_days_between(a, add_working_days(a, n)) == n``.
        """
        _require_plain_date(a)
        _require_plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        a_ord, b_ord = a.toordinal(), b.toordinal()
        if a.year == b.year:
            working = self._year(a.year).working
            return bisect_right(working, b_ord) - bisect_right(working, a_ord)
        first = self._year(a.year).working
        total = len(first) - bisect_right(first, a_ord)
        for year in range(a.year + 1, b.year):
            total += len(self._year(year).working)
        return total + bisect_right(self._year(b.year).working, b_ord)

    # -- due moments (aware datetimes in Europe/Berlin) --------------------------------------

    def due_working_days(self, event: datetime | date, n: int) -> datetime:
        """End of the N-th working day after the day of ``event`` ("within N AT")."""
        return end_of_day(self.add_working_days(event_day(event), n))

    def due_24h(self, event: datetime) -> datetime:
        """Same Berlin wall-clock time on the next working day after the event's day.

        Wall time, not "+24 h of UTC": Friday 27.03.2026 10:30+01:00 is due Monday
        30.03.2026 10:30+02:00 (71 real hours). Needs a clock time, so a ``date`` is refused.
        Non-existent/ambiguous wall times: see :func:`berlin_wall_time`.
        """
        if not isinstance(event, datetime):
            raise TypeError("Eine 24-Stunden-Frist braucht einen Zeitpunkt (datetime), kein Datum")
        local = to_berlin(event)
        return berlin_wall_time(self.add_working_days(local.date(), 1), local.time())

    def due_calendar_days(self, event: datetime | date, n: int) -> datetime:
        """End of the N-th calendar day after the day of ``event`` ("within N days").

        Holidays and closing days are irrelevant; ``n == 0`` means the end of the event day.
        """
        _require_count(n)
        return end_of_day(event_day(event) + timedelta(days=n))

    def due(self, event: datetime | date, window: Window | str) -> datetime:
        """Due moment of ``event`` for a window (a :class:`Window` or its text, e.g. "9AT")."""
        if isinstance(window, str):
            window = parse_window(window)
        if window.kind == "AT":
            return self.due_working_days(event, window.n)
        if window.kind == "KT":
            return self.due_calendar_days(event, window.n)
        return self.due_24h(event)  # type: ignore[arg-type]  # due_24h checks it

    def explain(self, event: datetime | date, window: Window | str) -> DueExplanation:
        """The due moment plus the counted and skipped days, for the Fristenrechner."""
        if isinstance(window, str):
            window = parse_window(window)
        due = self.due(event, window)
        start = event_day(event)
        days = [start + timedelta(days=i) for i in range(1, (due.date() - start).days + 1)]
        if window.kind == "KT":
            return DueExplanation(start, window, due, tuple(days), ())
        counted: list[date] = []
        skipped: list[SkippedDay] = []
        for d in days:
            reason = self.non_working_reason(d)
            if reason is None:
                counted.append(d)
            else:
                skipped.append(SkippedDay(d, reason))
        return DueExplanation(start, window, due, tuple(counted), tuple(skipped))


def _frozen_dates(values: Iterable[date], name: str) -> frozenset[date]:
    result = frozenset(values)
    for d in result:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"{name} darf nur date-Werte enthalten, nicht {d!r}")
    return result


@lru_cache(maxsize=256)
def get_calendar(
    land: str,
    include_catholic: bool = False,
    extra_closing_days: frozenset[date] = frozenset(),
    removed_closing_days: frozenset[date] = frozenset(),
) -> WorkingDayCalendar:
    """Shared calendar per configuration, so its per-year tables are built once per process
    rather than once per request. Arguments must be hashable (pass frozensets)."""
    return WorkingDayCalendar(land, include_catholic, extra_closing_days, removed_closing_days)
