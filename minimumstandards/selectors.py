"""Which deadlines a figure counts, and the list behind it: one place for the states.

Every count of the team lead's screens (the dashboard, its badge, the breach forecast) and
the filtered deadline list it links to ask `state_q`, so a count and its list cannot
disagree. The states are counted by the clock (due and warning moments against "now"), not
by the scan's stored flags: they are right between scans, and a change of how the scan
stores its flags does not touch them. Rule R-ZT-01: a paused clock counts against its
original due moment.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jobcenter.models import Team

from . import tally
from .models import TIME_POINT_KINDS, Deadline, DeadlineAlert, DeadlineRule, RuleKind
from .tally import TallyScope
from .workdays import BERLIN, WorkingDayCalendar, end_of_day, parse_window

# The states a list can be filtered by (`zustand=`), with the words the screens use.
STATES: dict[str, str] = {
    "offen": _("offen"),
    "laeuft": _("noch nicht fällig"),
    "droht": _("droht abzulaufen"),
    "ueberschritten": _("überschritten"),
    "gefaehrdet": _("gefährdet oder überschritten"),
    "gemeldet": _("gefährdet oder überschritten (Stand der letzten Prüfung)"),
    "angehalten": _("angehalten"),
    "moeglich": _("Versagung möglich"),
    "fristgerecht": _("fristgerecht erfüllt"),
    "verspaetet": _("verspätet erfüllt"),
}
# Completed states: their period (`zeitraum=`) is the day of completion, not the due day.
DONE_STATES = frozenset({"fristgerecht", "verspaetet"})


def state_q(state: str, now: datetime) -> Q:
    """The deadlines in `state` at `now`: the one definition of the screens' states."""
    is_open = Q(status=Deadline.Status.OPEN)
    if state == "offen":
        return is_open
    if state == "laeuft":
        return is_open & Q(due_at__gt=now)
    # A Versagung is not "at risk" or "breached": from its moment it may be issued
    # (rule R-FR-02, state "moeglich").
    if state == "droht":
        return is_open & Q(warn_at__lte=now, due_at__gt=now) & ~Q(kind__in=TIME_POINT_KINDS)
    if state == "ueberschritten":
        return is_open & Q(due_at__lte=now) & ~Q(kind__in=TIME_POINT_KINDS)
    if state == "moeglich":
        return is_open & Q(due_at__lte=now, kind__in=TIME_POINT_KINDS)
    if state == "gefaehrdet":
        # The badge "Fristen gefährdet": at risk or breached; a Versagung that may now be
        # issued is no deadline at risk (rule R-FR-02).
        return is_open & Q(warn_at__lte=now) & ~Q(kind__in=TIME_POINT_KINDS)
    if state == "gemeldet":
        # Exactly what the badge counts (access.deadlines_at_risk_count): the deadlines the
        # scan (or a service behind it) flagged, by their alerts.
        flagged = DeadlineAlert.objects.filter(
            deadline=OuterRef("pk"), closed_at__isnull=True, first=True
        )
        return is_open & Q(Exists(flagged))
    if state == "angehalten":
        return is_open & Q(paused_at__isnull=False)
    if state == "fristgerecht":
        return Q(status=Deadline.Status.MET)
    if state == "verspaetet":
        return Q(status=Deadline.Status.LATE)
    raise ValueError(state)


def state_label(deadline: Deadline, now: datetime) -> str:
    """What one open deadline is now, as the list names it."""
    if deadline.status == Deadline.Status.MET:
        return str(STATES["fristgerecht"])
    if deadline.status == Deadline.Status.LATE:
        return str(STATES["verspaetet"])
    if deadline.kind in TIME_POINT_KINDS:
        return str(_("Versagung möglich")) if deadline.due_at <= now else str(_("läuft"))
    if deadline.due_at <= now:
        return str(STATES["ueberschritten"])
    if deadline.warn_at <= now:
        return str(STATES["droht"])
    return str(_("im Plan"))


def counts_by_rule(
    deadlines: QuerySet[Deadline], now: datetime, *, scope: TallyScope | None = None
) -> dict[str, dict[str, int]]:
    """Per rule kind the open, at-risk, breached and paused counts.

    Without `scope`: one grouped query over `deadlines`, the direct count. With `scope` (the
    same deadlines as tally.TallyScope, tally.scope_for): the teams' counts from the tally,
    two small queries whatever the number of deadlines, and the owner's own deadlines
    outside the teams counted directly (issue 13; why, in minimumstandards/tally.py).
    """
    if scope is not None:
        result = tally.counts_by_rule(scope, now)
        extra = scope.extra()
        if extra is not None:
            for kind, counts in counts_by_rule(extra, now).items():
                into = result.setdefault(kind, dict.fromkeys(counts, 0))
                for state, n in counts.items():
                    into[state] += n
        return result
    rows = (
        deadlines.filter(state_q("offen", now))
        .values("kind")
        .annotate(
            offen=Count("id"),
            laeuft=Count("id", filter=state_q("laeuft", now)),
            droht=Count("id", filter=state_q("droht", now)),
            ueberschritten=Count("id", filter=state_q("ueberschritten", now)),
            angehalten=Count("id", filter=state_q("angehalten", now)),
            moeglich=Count("id", filter=state_q("moeglich", now)),
        )
        .order_by()
    )
    return {row.pop("kind"): row for row in rows}


@dataclass(frozen=True)
class Period:
    """A range of days (`zeitraum=`): "2026-06", "2026-06-05" or "2026-06-01..2026-06-05"."""

    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> "Period":
        text = text.strip()
        if ".." in text:
            a, b = text.split("..", 1)
            first, last = date.fromisoformat(a), date.fromisoformat(b)
        elif len(text) == 7:
            first = date.fromisoformat(text + "-01")
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:
            first = last = date.fromisoformat(text)
        if last < first:
            raise ValueError(text)
        return cls(first, last)

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, datetime.min.time(), tzinfo=BERLIN)
        return start, end_of_day(self.last)


@dataclass(frozen=True)
class ListFilter:
    """The filters of the deadline list; each empty one filters nothing."""

    kind: str = ""
    team: str = ""  # a team's pk, or "ohne" for deadlines of no team
    state: str = "offen"
    period: Period | None = None

    def apply(self, deadlines: QuerySet[Deadline], now: datetime) -> QuerySet[Deadline]:
        qs = deadlines.filter(state_q(self.state, now))
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.team == "ohne":
            qs = qs.filter(team__isnull=True)
        elif self.team:
            qs = qs.filter(team_id=int(self.team))
        if self.period is not None:
            start, end = self.period.bounds()
            moment = "completed_at" if self.state in DONE_STATES else "due_at"
            qs = qs.filter(**{f"{moment}__gte": start, f"{moment}__lte": end})
        return qs

    def query(self) -> str:
        params = {
            "regel": self.kind,
            "team": self.team,
            "zustand": self.state,
            "zeitraum": str(self.period) if self.period else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def url(self) -> str:
        return f"{reverse('minimumstandards:deadline_list')}?{self.query()}"


def list_url(**kwargs) -> str:
    return ListFilter(**kwargs).url()


def counts_in_calendar_days(deadline: Deadline) -> bool:
    """A rule of calendar days (KT) counts its time left in calendar days (rule R-ZT-01)."""
    window = deadline.window or deadline.rule.window
    return parse_window(window).kind == "KT"


def days_left(calendar: WorkingDayCalendar, deadline: Deadline, today: date) -> tuple[int, bool]:
    """Days from today to the due day (0 = today, negative = overdue) and whether they are
    calendar days; otherwise working days."""
    due_day = deadline.due_at.astimezone(BERLIN).date()
    if counts_in_calendar_days(deadline):
        return (due_day - today).days, True
    return calendar.working_days_between(today, due_day), False


# ------------------------------------------------------------------------------------------
# The breach forecast
# ------------------------------------------------------------------------------------------

FORECAST_DAYS = 10
FORECAST_MAX_DAYS = 30


@dataclass
class ForecastRow:
    team_id: int | None
    kind: str
    label: str
    cells: list[int]
    paused: int = 0
    minutes: int = 0
    links: list[str] = field(default_factory=list)
    # The backlog beside the coming breaches: open and already past due now.
    overdue: int = 0
    overdue_link: str = ""

    @property
    def total(self) -> int:
        return sum(self.cells)

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass
class ForecastTeam:
    team_id: int | None
    name: str
    rows: list[ForecastRow]
    day_minutes: list[int]

    @property
    def day_hours(self) -> list[float]:
        return [m / 60 for m in self.day_minutes]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def hours(self) -> float:
        return sum(self.day_minutes) / 60

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.rows)


@dataclass
class Forecast:
    days: list[date]
    teams: list[ForecastTeam]


def forecast_days(calendar: WorkingDayCalendar, today: date, n: int) -> list[date]:
    """The next n working days, today first if it is one."""
    first = today if calendar.is_working_day(today) else calendar.add_working_days(today, 1)
    return [first] + [calendar.add_working_days(first, i) for i in range(1, n)]


def breach_forecast(
    deadlines: QuerySet[Deadline],
    *,
    calendar: WorkingDayCalendar,
    now: datetime,
    n: int = FORECAST_DAYS,
    scope: TallyScope | None = None,
) -> Forecast:
    """Per team and rule: the open deadlines that breach on each of the next n working days
    if nothing is done, and the caseworker hours that would prevent it.

    A deadline belongs to the last working day on or before its due day, the last day to
    act on it: one due on a Saturday, a holiday or a closing day to the working day before
    (a deadline falling due before the first day of the horizon to that day). Rule R-ZT-01:
    a paused clock counts against its original due moment, so it breaches in the figures
    too; it is counted and shown as "davon angehalten", but not in the hours, since it waits
    for the customer, not for work. A Versagung is no deadline to meet (rule R-FR-02).

    Without `scope`: two grouped queries over `deadlines` (per team, rule and due day; the
    breached per team and rule). With `scope` (the same deadlines as tally.TallyScope): the
    teams' from the tally's daily buckets and the few due today up to now, the owner's own
    outside the teams directly: the cost follows the days, not the deadlines (at 30 working
    days the window holds nearly all of a team's 90,000 open deadlines on the bench seed).
    Python only sorts the few groups into days.
    """
    today = now.astimezone(BERLIN).date()
    days = forecast_days(calendar, today, n)
    after_last = calendar.add_working_days(days[-1], 1) - timedelta(days=1)
    horizon_end = end_of_day(after_last)
    if scope is not None:
        groups, breached = tally.forecast_groups(scope, now, after_last)
        extra = scope.extra()
        if extra is not None:
            more, more_breached = _forecast_counts(extra, now, horizon_end)
            groups += more
            breached += more_breached
    else:
        groups, breached = _forecast_counts(deadlines, now, horizon_end)
    efforts = dict(
        (rule.pk, rule.effort)
        for rule in DeadlineRule.objects.filter(pk__in={g["rule_id"] for g in groups}).only(
            "pk", "kind", "effort_minutes"
        )
    )
    team_ids = {g["team_id"] for g in groups} | {b["team_id"] for b in breached}
    names = dict(Team.objects.filter(pk__in=team_ids - {None}).values_list("pk", "name"))
    labels = dict(RuleKind.choices)
    rows: dict[tuple[int | None, str], ForecastRow] = {}
    day_minutes: dict[int | None, list[int]] = {t: [0] * n for t in team_ids}
    for g in groups:
        key = (g["team_id"], g["kind"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = ForecastRow(g["team_id"], g["kind"], str(labels[g["kind"]]), [0] * n)
        index = max(bisect_right(days, _as_date(g["day"])) - 1, 0)
        row.cells[index] += g["n"]
        row.paused += g["paused"]
        minutes = (g["n"] - g["paused"]) * efforts.get(g["rule_id"], 0)
        row.minutes += minutes
        day_minutes[g["team_id"]][index] += minutes
    for b in breached:
        key = (b["team_id"], b["kind"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = ForecastRow(b["team_id"], b["kind"], str(labels[b["kind"]]), [0] * n)
        row.overdue += b["n"]
    # The list behind each cell: the days that fall to it, from today for the first.
    ranges = [
        Period(
            today if i == 0 else day, (days[i + 1] - timedelta(days=1)) if i + 1 < n else after_last
        )
        for i, day in enumerate(days)
    ]
    order = list(RuleKind.values)
    teams = []
    for team_id in sorted(team_ids, key=lambda t: (t is None, names.get(t, ""))):
        team_rows = sorted(
            (r for r in rows.values() if r.team_id == team_id), key=lambda r: order.index(r.kind)
        )
        team_key = "ohne" if team_id is None else str(team_id)
        for row in team_rows:
            row.overdue_link = list_url(kind=row.kind, team=team_key, state="ueberschritten")
            row.links = [
                list_url(kind=row.kind, team=team_key, state="laeuft", period=period)
                for period in ranges
            ]
        teams.append(
            ForecastTeam(
                team_id,
                names.get(team_id, str(_("ohne Team"))),
                team_rows,
                day_minutes[team_id],
            )
        )
    return Forecast(days=days, teams=teams)


def _forecast_counts(
    deadlines: QuerySet[Deadline], now: datetime, horizon_end: datetime
) -> tuple[list[dict], list[dict]]:
    """The forecast's direct counts: per team, rule and due day the running deadlines due up
    to `horizon_end`; per team and rule kind the breached (state "ueberschritten", as the
    deadline list counts it)."""
    groups = list(
        deadlines.filter(state_q("laeuft", now), due_at__lte=horizon_end)
        .exclude(kind__in=TIME_POINT_KINDS)
        .annotate(day=TruncDate("due_at", tzinfo=BERLIN))
        .values("team_id", "kind", "rule_id", "day")
        .annotate(n=Count("id"), paused=Count("id", filter=Q(paused_at__isnull=False)))
        .order_by()
    )
    breached = list(
        deadlines.filter(state_q("ueberschritten", now))
        .values("team_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return groups, breached


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    return value
