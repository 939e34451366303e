"""The team lead's deadline figures: read-only, team level, a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext, ngettext

from . import tally
from .models import TIME_POINT_KINDS, Deadline, RuleKind
from .selectors import counts_by_rule, days_left, list_url
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
    running: int = 0
    team: str = ""

    @property
    def is_time_point(self) -> bool:
        """A Versagung: its due moment is when it may be issued, no deadline to meet."""
        return self.kind in TIME_POINT_KINDS

    def link(self, state: str) -> str:
        """The list behind one of the counts."""
        return list_url(kind=self.kind, team=self.team, state=state)


def counts_per_rule(
    deadlines: QuerySet[Deadline], now: datetime, team: str = "", *, scope=None
) -> list[RuleCounts]:
    # Counted by the clock, not by the scan's flags: the dashboard is right between scans.
    # Rule R-ZT-01: against the original due moment, a paused clock included (a pause never
    # hides a breach); the paused ones are counted besides. The states: selectors.state_q.
    # `scope` (tally.scope_for, the same deadlines): summed from the tally (issue 13).
    by_kind = counts_by_rule(deadlines, now, scope=scope)
    return [
        RuleCounts(
            kind=kind,
            label=str(label),
            open=by_kind[kind]["offen"],
            warning=by_kind[kind]["droht"],
            # For a Versagung: how many may now be issued (rule R-FR-02).
            breached=by_kind[kind]["moeglich" if kind in TIME_POINT_KINDS else "ueberschritten"],
            paused=by_kind[kind]["angehalten"],
            running=by_kind[kind]["laeuft"],
            team=team,
        )
        for kind, label in RuleKind.choices
        if kind in by_kind
    ]


RELATED = ("rule", "kunde", "aufgabe", "owner_user", "owner_postfach")


def _with_related(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """What a row of the most urgent shows. The case with its applicant and household in a
    second query: one join of all nine tables cost PostgreSQL 7-8 ms of planning alone for
    20 rows on the bench seed (under load), six and three tables 1.2 + 0.3 ms."""
    from intake.models import Antrag

    case = Antrag.objects.select_related("applicant", "bedarfsgemeinschaft")
    return deadlines.select_related(*RELATED).prefetch_related(Prefetch("antrag", queryset=case))


def most_urgent(
    deadlines: QuerySet[Deadline], limit: int = 20, *, parts: list | None = None
) -> list[Deadline]:
    """The `limit` open deadlines due first.

    `parts` (access.deadlines_visible_parts, narrowed like `deadlines`) are read each in due
    order from its own index and only the first `limit` of each: one ORDER BY over the
    "team IN (…) OR owner" of `deadlines` sorts every open deadline of the teams (152,000
    rows at a large Jobcenter). Then the rows by id, joined, in the order found.
    """
    if parts is None:
        return list(_with_related(deadlines.open()).order_by("due_at", "pk")[:limit])
    found = sorted(
        {
            row
            for part in parts
            for row in part.open().order_by("due_at", "pk").values_list("due_at", "pk")[:limit]
        }
    )[:limit]
    # By id, unordered (an ORDER BY due_at with a LIMIT here tempts the planner to walk the
    # due index instead), then in the order found.
    rows = _with_related(Deadline.objects.all()).in_bulk([pk for _d, pk in found])
    return [rows[pk] for _d, pk in found if pk in rows]


def time_left(calendar: WorkingDayCalendar, deadline: Deadline, today: date) -> int:
    """Days from today to the due day: 0 = due today, negative = overdue; working days, or
    calendar days for a rule of calendar days (rule R-ZT-01)."""
    return days_left(calendar, deadline, today)[0]


def time_left_label(days: int, calendar_days: bool = False, time_point: bool = False) -> str:
    if time_point:
        # Rule R-FR-02: from its moment the Versagung may be issued; nothing is overdue.
        if days < 0:
            return ngettext(
                "Versagung seit %(n)d Tag möglich", "Versagung seit %(n)d Tagen möglich", -days
            ) % {"n": -days}
        if days == 0:
            return gettext("Versagung ab heute möglich")
        return ngettext(
            "Versagung in %(n)d Tag möglich", "Versagung in %(n)d Tagen möglich", days
        ) % {"n": days}
    if calendar_days:
        if days < 0:
            return ngettext(
                "seit %(n)d Kalendertag überfällig", "seit %(n)d Kalendertagen überfällig", -days
            ) % {"n": -days}
        if days == 0:
            return gettext("heute fällig")
        return ngettext("noch %(n)d Kalendertag", "noch %(n)d Kalendertage", days) % {"n": days}
    if days < 0:
        return ngettext(
            "seit %(n)d Arbeitstag überfällig", "seit %(n)d Arbeitstagen überfällig", -days
        ) % {"n": -days}
    if days == 0:
        return gettext("heute fällig")
    return ngettext("noch %(n)d Arbeitstag", "noch %(n)d Arbeitstage", days) % {"n": days}


def deadline_time_left(calendar: WorkingDayCalendar, deadline: Deadline, today: date) -> str:
    """The time left of one deadline, in the days its rule counts."""
    days, calendar_days = days_left(calendar, deadline, today)
    return time_left_label(days, calendar_days, deadline.kind in TIME_POINT_KINDS)


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
    deadlines: QuerySet[Deadline], today: date, months: int = MONTHS, *, scope=None
) -> dict[str, list[MonthRate]]:
    """Per rule and month of completion: met on time vs late (the MDS fulfilment rate).

    With `scope` (tally.scope_for, the same deadlines): the teams' from the tally's daily
    buckets, the owner's own outside the teams directly (issue 13)."""
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    month_list = [first]
    while len(month_list) < months:
        m = month_list[-1]
        month_list.append(date(m.year + (m.month == 12), m.month % 12 + 1, 1))
    found: dict[tuple[str, date], tuple[int, int]] = {}
    if scope is not None:
        for key, (met, late) in tally.completed_per_month(scope, first).items():
            found[key] = (met, late)
        deadlines = scope.extra()
    if deadlines is not None:
        for key, (met, late) in _completed_per_month(deadlines, first).items():
            had = found.get(key, (0, 0))
            found[key] = (had[0] + met, had[1] + late)
    kinds = sorted({kind for kind, _ in found}, key=lambda k: RuleKind.values.index(k))
    return {
        kind: [MonthRate(m, *found.get((kind, m), (0, 0))) for m in month_list] for kind in kinds
    }


def _completed_per_month(
    deadlines: QuerySet[Deadline], first: date
) -> dict[tuple[str, date], tuple[int, int]]:
    start = datetime(first.year, first.month, 1, tzinfo=BERLIN)
    rows = (
        deadlines.filter(
            status__in=[Deadline.Status.MET, Deadline.Status.LATE], completed_at__gte=start
        )
        # A Versagung is not "met on time" (rule R-FR-02): it has no on-time rate.
        .exclude(kind__in=TIME_POINT_KINDS)
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
    return found
