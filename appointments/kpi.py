"""Beratungsaktivität and qualified consultations per IFK and week (rule R-KP-01).

Both are computed in a fixed number of queries whatever the number of customers: the
database groups, Python only averages a handful of rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncWeek

from jobcenter.numbers import round_half_up
from minimumstandards.workdays import BERLIN

from .models import ContactProfile, GroupEvent, Kind, Status

# Goals of rule R-KP-01: average days since the last qualified contact.
GOALS = {"gesamt": 110, "ue25": 120, "u25": 90}
# Rule R-KP-01: qualified consultations per full-time IFK and week; a group event counts 3 (rule R-GV-01).
WEEKLY_TARGET = 25
GROUP_EVENT_WEIGHT = 3
WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Average:
    key: str
    count: int
    days: float | None
    goal: int

    @property
    def met(self) -> bool | None:
        return None if self.days is None else self.days <= self.goal

    @property
    def rating(self) -> "Rating | None":
        return rate(self.days, self.goal, higher_is_better=False)


def _u25_born_after(today: date) -> date:
    """Born after this day: under 25 today (the 25th birthday completes the year)."""
    try:
        return today.replace(year=today.year - 25)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 25, day=28)


def _annotated_profiles(profiles, today: date, anchor: str = "anchor"):
    return profiles.filter(active=True).annotate(
        **{anchor: Coalesce(TruncDate("last_qualified_contact_at", tzinfo=BERLIN), "since")},
        u25=Case(
            When(kunde__date_of_birth__gt=_u25_born_after(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def profiles_behind_average(profiles, today: date, key: str):
    """The customers an Average of `beratungsaktivitaet` counts (key gesamt, ue25, u25),
    longest without a qualified contact first; each with `counted_from`, the day counted
    from (the model's own `anchor` is a property)."""
    rows = _annotated_profiles(profiles, today, anchor="counted_from")
    if key == "u25":
        rows = rows.filter(u25=True)
    elif key == "ue25":
        rows = rows.filter(u25=False)
    return rows.select_related("kunde__ifk").order_by("counted_from", "pk")


def beratungsaktivitaet(profiles, today: date) -> list[Average]:
    """Average days since the last qualified contact, overall, Ü25 and U25.

    A customer not yet consulted here counts from the day their care began (`since`).
    """
    rows = (
        _annotated_profiles(profiles, today)
        .values("anchor", "u25")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sums: dict[str, list[int]] = {"gesamt": [0, 0], "ue25": [0, 0], "u25": [0, 0]}
    for row in rows:
        days = (today - row["anchor"]).days * row["n"]
        for key in ("gesamt", "u25" if row["u25"] else "ue25"):
            sums[key][0] += days
            sums[key][1] += row["n"]
    return [
        Average(key, n, (total / n) if n else None, GOALS[key]) for key, (total, n) in sums.items()
    ]


def week_starts(today: date, weeks: int) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=i) for i in reversed(range(weeks))]


def weekly_target(
    weekly_hours: Decimal | None, full_time_hours: Decimal, working_days: int = 5
) -> Decimal:
    """The weekly target of one IFK, rounded half up to one decimal (rule R-KP-01).

    25 for a full-time week; part time pro rata to the hours (19.5 of 39 hours: 12.5); a week
    with public holidays or closing days pro rata to its working days (four of five: 20).
    Empty hours mean full time. Personal absences do not lower it: the seed calls the 25 an
    orientation value that outside factors influence, and the team lead weighs them.
    """
    hours = Decimal(full_time_hours) if weekly_hours is None else Decimal(weekly_hours)
    share = min(hours / Decimal(full_time_hours), Decimal(1))
    value = WEEKLY_TARGET * share * Decimal(working_days) / WORKING_DAYS_PER_WEEK
    return round_half_up(value, 1)


def working_days_in_week(calendar, monday: date) -> int:
    return sum(calendar.is_working_day(monday + timedelta(days=i)) for i in range(7))


def _week_bounds(monday: date, weeks: int = 1) -> tuple[datetime, datetime]:
    first = datetime.combine(monday, datetime.min.time(), tzinfo=BERLIN)
    last = datetime.combine(monday + timedelta(days=7 * weeks), datetime.min.time(), tzinfo=BERLIN)
    return first, last


def _qualified_held(appointments, caseworker_ids):
    """The qualified individual consultations held (Erst- and Folgegespräche): what the
    consultation counts count."""
    return appointments.filter(
        caseworker_id__in=caseworker_ids,
        status=Status.DURCHGEFUEHRT,
        qualified=True,
        kind__in=[Kind.ERSTGESPRAECH, Kind.FOLGEGESPRAECH],
    )


def _held_events(group_events, caseworker_ids):
    return group_events.filter(
        host_id__in=caseworker_ids, status=GroupEvent.EventStatus.DURCHGEFUEHRT
    )


def consultations_in_week(appointments, group_events, caseworker_ids, monday: date):
    """The appointments and group events behind one week's count of consultations_per_week
    (the total counts each event GROUP_EVENT_WEIGHT times)."""
    first, last = _week_bounds(monday)
    held = _qualified_held(appointments, caseworker_ids).filter(
        starts_at__gte=first, starts_at__lt=last
    )
    events = _held_events(group_events, caseworker_ids).filter(
        starts_at__gte=first, starts_at__lt=last
    )
    return held, events


def _month_q(first: date) -> Q:
    return Q(
        starts_at__gte=_berlin_midnight(first),
        starts_at__lt=_berlin_midnight(_next_month(first)),
    )


# Since the start of the placement period: customers still in placement (active profile),
# consultations from the day their care began.
PERIOD_Q = Q(kunde__contact_profile__active=True, day__gte=F("kunde__contact_profile__since"))


def consultations_behind_activity(appointments, caseworker_ids, *, month: date | None = None):
    """The consultations an Activity counts: held in `month` (its first day), or, without
    a month, since the start of the placement period."""
    held = _qualified_held(appointments, caseworker_ids).annotate(
        day=TruncDate("starts_at", tzinfo=BERLIN)
    )
    return held.filter(_month_q(month) if month else PERIOD_Q)


def consultations_per_week(
    appointments, group_events, caseworkers, weeks: list[date], *, calendar=None, full_time_hours=39
):
    """Per caseworker and week: individual consultations, group events, the total with the
    weight and the week's target (pro rata to the hours and, with a calendar, to the
    working days)."""
    first, last = _week_bounds(weeks[0], len(weeks))
    ids = [c.pk for c in caseworkers]
    counts: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    individual = (
        _qualified_held(appointments, ids)
        .filter(starts_at__gte=first, starts_at__lt=last)
        .annotate(week=TruncWeek("starts_at", tzinfo=BERLIN))
        .values("caseworker_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in individual:
        counts[(row["caseworker_id"], _as_date(row["week"]))][0] += row["n"]
    events = (
        _held_events(group_events, ids)
        .filter(starts_at__gte=first, starts_at__lt=last)
        .annotate(week=TruncWeek("starts_at", tzinfo=BERLIN))
        .values("host_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in events:
        counts[(row["host_id"], _as_date(row["week"]))][1] += row["n"]
    days = {
        week: working_days_in_week(calendar, week) if calendar else WORKING_DAYS_PER_WEEK
        for week in weeks
    }
    table = []
    for caseworker in caseworkers:
        cells = []
        for week in weeks:
            single, group = counts.get((caseworker.pk, week), (0, 0))
            total = single + GROUP_EVENT_WEIGHT * group
            target = weekly_target(caseworker.weekly_hours, full_time_hours, days[week])
            cells.append(
                {
                    "week": week,
                    "single": single,
                    "group": group,
                    "total": total,
                    "target": target,
                    "rating": rate(total, target, higher_is_better=True),
                }
            )
        table.append((caseworker, cells))
    return table


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _berlin_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)


@dataclass(frozen=True)
class Activity:
    """Qualified consultations of one IFK (rule R-KP-01, DW 2): in each reporting month
    and since the start of the placement period of their customers."""

    caseworker: object
    months: tuple[int, ...]
    period: int


def consultations_by_month_and_period(appointments, caseworkers, months: list[date]):
    """Per caseworker: qualified individual consultations held in each month (Europe/Berlin:
    23:30 on 31 October counts for October), and those held since the start of the
    placement period of customers still registered for placement (their contact profile is
    active; the period starts on its `since` day)."""
    ids = [c.pk for c in caseworkers]
    held = _qualified_held(appointments, ids).annotate(day=TruncDate("starts_at", tzinfo=BERLIN))
    aggregates = {f"m{i}": Count("pk", filter=_month_q(first)) for i, first in enumerate(months)}
    aggregates["period"] = Count("pk", filter=PERIOD_Q)
    rows = {
        row["caseworker_id"]: row
        for row in held.values("caseworker_id").annotate(**aggregates).order_by()
    }
    result = []
    for caseworker in caseworkers:
        row = rows.get(caseworker.pk, {})
        result.append(
            Activity(
                caseworker,
                tuple(row.get(f"m{i}", 0) for i in range(len(months))),
                row.get("period", 0),
            )
        )
    return result


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value


def profiles_of(caseworker_ids) -> "ContactProfile":
    return ContactProfile.objects.filter(kunde__ifk_id__in=caseworker_ids)


@dataclass(frozen=True)
class Rating:
    """A figure against its target: green, amber or red, always with its words and icon
    (WCAG 1.4.1: never colour alone)."""

    tone: str  # "success", "warning", "danger": the KERN badge and icon
    text: str


# Amber: missed by at most this share of the target (10 %: 99 days against a goal of 90,
# 22.5 consultations against 25).
AMBER_SHARE = Decimal("0.1")


def rate(value, target, *, higher_is_better: bool) -> Rating | None:
    """Green when the target is met, amber when missed by at most 10 % of it, else red."""
    from django.utils.translation import gettext as _

    if value is None or target is None:
        return None
    value, target = Decimal(str(value)), Decimal(str(target))
    margin = target * AMBER_SHARE
    if higher_is_better:
        met, close = value >= target, value >= target - margin
    else:
        met, close = value <= target, value <= target + margin
    if met:
        return Rating("success", _("Ziel erreicht"))
    if close:
        return Rating("warning", _("Ziel knapp verfehlt"))
    return Rating("danger", _("Ziel verfehlt"))
