"""Beratungsaktivität and qualified consultations per IFK and week (rule R-KP-01).

Both are computed in a fixed number of queries whatever the number of customers: the
database groups, Python only averages a handful of rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import BooleanField, Case, Count, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncWeek

from minimumstandards.workdays import BERLIN

from .models import ContactProfile, GroupEvent, Kind, Status

# Goals of rule R-KP-01: average days since the last qualified contact.
GOALS = {"gesamt": 110, "ue25": 120, "u25": 90}
# Rule R-KP-01: qualified consultations per full-time IFK and week; a group event counts 3 (rule R-GV-01).
WEEKLY_TARGET = 25
GROUP_EVENT_WEIGHT = 3


@dataclass(frozen=True)
class Average:
    key: str
    count: int
    days: float | None
    goal: int

    @property
    def met(self) -> bool | None:
        return None if self.days is None else self.days <= self.goal


def _u25_born_after(today: date) -> date:
    """Born after this day: under 25 today (the 25th birthday completes the year)."""
    try:
        return today.replace(year=today.year - 25)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 25, day=28)


def beratungsaktivitaet(profiles, today: date) -> list[Average]:
    """Average days since the last qualified contact, overall, Ü25 and U25.

    A customer not yet consulted here counts from the day their care began (`since`).
    """
    rows = (
        profiles.filter(active=True)
        .annotate(
            anchor=Coalesce(TruncDate("last_qualified_contact_at", tzinfo=BERLIN), "since"),
            u25=Case(
                When(kunde__date_of_birth__gt=_u25_born_after(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
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


def consultations_per_week(appointments, group_events, caseworkers, weeks: list[date]):
    """Per caseworker and week: (individual, group events, total with the weight)."""
    first = datetime.combine(weeks[0], datetime.min.time(), tzinfo=BERLIN)
    last = datetime.combine(weeks[-1] + timedelta(days=7), datetime.min.time(), tzinfo=BERLIN)
    ids = [c.pk for c in caseworkers]
    counts: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    individual = (
        appointments.filter(
            caseworker_id__in=ids,
            status=Status.DURCHGEFUEHRT,
            qualified=True,
            kind__in=[Kind.ERSTGESPRAECH, Kind.FOLGEGESPRAECH],
            starts_at__gte=first,
            starts_at__lt=last,
        )
        .annotate(week=TruncWeek("starts_at", tzinfo=BERLIN))
        .values("caseworker_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in individual:
        counts[(row["caseworker_id"], _as_date(row["week"]))][0] += row["n"]
    events = (
        group_events.filter(
            host_id__in=ids,
            status=GroupEvent.EventStatus.DURCHGEFUEHRT,
            starts_at__gte=first,
            starts_at__lt=last,
        )
        .annotate(week=TruncWeek("starts_at", tzinfo=BERLIN))
        .values("host_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in events:
        counts[(row["host_id"], _as_date(row["week"]))][1] += row["n"]
    table = []
    for caseworker in caseworkers:
        cells = []
        for week in weeks:
            single, group = counts.get((caseworker.pk, week), (0, 0))
            total = single + GROUP_EVENT_WEIGHT * group
            cells.append({"week": week, "single": single, "group": group, "total": total})
        table.append((caseworker, cells))
    return table


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value


def profiles_of(caseworker_ids) -> "ContactProfile":
    return ContactProfile.objects.filter(kunde__ifk_id__in=caseworker_ids)
