"""The team lead's deadline figures: read-only, team level, a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from .models import Deadline, RuleKind
from .workdays import BERLIN, WorkingDayCalendar

MONTHS = 6


@dataclass(frozen=True)
class RuleCounts:
    kind: str
    label: str
    open: int
    warning: int
    breached: int
    paused: int = 0


def counts_per_rule(deadlines: QuerySet[Deadline], now: datetime) -> list[RuleCounts]:
    # Counted by the clock, not by the scan's flags: the dashboard is right between scans.
    # Rule R-ZT-01: against the original due moment, a paused clock included (a pause never
    # hides a breach); the paused ones are counted besides.
    rows = (
        deadlines.open()
        .values("kind")
        .annotate(
            n_open=Count("id"),
            n_warning=Count("id", filter=Q(warn_at__lte=now, due_at__gt=now)),
            n_breached=Count("id", filter=Q(due_at__lte=now)),
            n_paused=Count("id", filter=Q(paused_at__isnull=False)),
        )
    )
    by_kind = {row["kind"]: row for row in rows}
    return [
        RuleCounts(
            kind=kind,
            label=str(label),
            open=by_kind.get(kind, {}).get("n_open", 0),
            warning=by_kind.get(kind, {}).get("n_warning", 0),
            breached=by_kind.get(kind, {}).get("n_breached", 0),
            paused=by_kind.get(kind, {}).get("n_paused", 0),
        )
        for kind, label in RuleKind.choices
        if kind in by_kind
    ]


def most_urgent(deadlines: QuerySet[Deadline], limit: int = 20) -> list[Deadline]:
    return list(
        deadlines.open()
        .select_related(
            "antrag__applicant",
            "antrag__bedarfsgemeinschaft",
            "kunde",
            "aufgabe",
            "owner_user",
            "owner_postfach",
        )
        .order_by("due_at")[:limit]
    )


def time_left(calendar: WorkingDayCalendar, deadline: Deadline, today: date) -> int:
    """Working days from today to the due day: 0 = due today, negative = overdue."""
    due_day = timezone.localtime(deadline.due_at, BERLIN).date()
    return calendar.working_days_between(today, due_day)


def time_left_label(days: int) -> str:
    if days < 0:
        return ngettext(
            "seit %(n)d Arbeitstag überfällig", "seit %(n)d Arbeitstagen überfällig", -days
        ) % {"n": -days}
    if days == 0:
        return gettext("heute fällig")
    return ngettext("noch %(n)d Arbeitstag", "noch %(n)d Arbeitstage", days) % {"n": days}


@dataclass(frozen=True)
class MonthRate:
    month: date
    met: int
    late: int

    @property
    def total(self) -> int:
        return self.met + self.late

    @property
    def rate(self) -> float | None:
        return self.met / self.total if self.total else None


def on_time_rates(
    deadlines: QuerySet[Deadline], today: date, months: int = MONTHS
) -> dict[str, list[MonthRate]]:
    """Per rule and month of completion: met on time vs late (the MDS fulfilment rate)."""
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    month_list = [first]
    while len(month_list) < months:
        m = month_list[-1]
        month_list.append(date(m.year + (m.month == 12), m.month % 12 + 1, 1))
    start = datetime(first.year, first.month, 1, tzinfo=BERLIN)
    rows = (
        deadlines.filter(
            status__in=[Deadline.Status.MET, Deadline.Status.LATE], completed_at__gte=start
        )
        .annotate(month=TruncMonth("completed_at", tzinfo=BERLIN))
        .values("kind", "month")
        .annotate(
            met=Count("id", filter=Q(status=Deadline.Status.MET)),
            late=Count("id", filter=Q(status=Deadline.Status.LATE)),
        )
    )
    found: dict[tuple[str, date], tuple[int, int]] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        found[(row["kind"], month)] = (row["met"], row["late"])
    kinds = sorted({kind for kind, _ in found}, key=lambda k: RuleKind.values.index(k))
    return {
        kind: [MonthRate(m, *found.get((kind, m), (0, 0))) for m in month_list] for kind in kinds
    }
