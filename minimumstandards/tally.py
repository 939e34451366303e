"""The team lead's figures from the tally (models.DeadlineTally), where the database keeps one.

Why a tally (issue 13, measured on the bench seed: 100,000 customers, 93,750 open deadlines
per team): every count of the dashboard ("offen", "angehalten", "laeuft", …) and the
forecast over 30 working days read nearly all of a team's open deadlines; counted from the
deadlines, even index-only on a covering index, that is one index entry per deadline
(90,000 for one team, 750,000 for a lead of eight) and tens of milliseconds, growing with
the Jobcenter. The buckets of DeadlineTally (team, rule, status, day, paused) are a few
hundred per team, whatever the number of deadlines, and the triggers keep them in the same
transaction as every write of a deadline. What depends on the time of day is counted from
the deadlines, but only over the small set near now, in the index (team, status, due_at):

- due before today: the buckets of the days before; due today up to now: the deadlines;
- "droht" (warning moment passed, due moment not yet): the deadlines due between now and
  now + the largest lead (due minus warning moment) of the open buckets from today on,
  which the triggers keep as an upper bound per bucket.

The states are those of selectors.state_q, which stays the one definition: the direct
counts (selectors.counts_by_rule without a scope) are what the tests compare these with.

A scope is what deadlines_visible_to shows as teams plus the user's own deadlines: the
teams are summed from the tally, the user's own outside those teams (few) are counted
directly. SQLite (the demo) keeps no tally: `scope_for` returns None there and the
figures count the deadlines directly.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from jobcenter.predicates import user_team_ids

from .models import TIME_POINT_KINDS, Deadline, DeadlineTally
from .workdays import BERLIN

OPEN = Deadline.Status.OPEN


@dataclass(frozen=True)
class TallyScope:
    """The deadlines of `team_ids` in `jobcenter_id`, and those of `owner_user_id` besides."""

    jobcenter_id: int
    team_ids: frozenset[int]
    owner_user_id: int | None = None

    def buckets(self) -> QuerySet[DeadlineTally]:
        return DeadlineTally.objects.filter(
            jobcenter_id=self.jobcenter_id, team_id__in=sorted(self.team_ids)
        )

    def near(self) -> QuerySet[Deadline]:
        """The teams' deadlines, for the counts over the few near now."""
        return Deadline.objects.filter(
            jobcenter_id=self.jobcenter_id, team_id__in=sorted(self.team_ids)
        )

    def extra(self) -> QuerySet[Deadline] | None:
        """The owner's deadlines outside the teams (of no team, or of another), or None."""
        if self.owner_user_id is None:
            return None
        return Deadline.objects.filter(
            jobcenter_id=self.jobcenter_id, owner_user_id=self.owner_user_id
        ).exclude(team_id__in=sorted(self.team_ids))


def tally_kept() -> bool:
    return connection.vendor == "postgresql"


def scope_for(user, team: str = "") -> TallyScope | None:
    """The scope of access.deadlines_visible_to(user), narrowed to `team` (one of the user's
    teams, as the views check) if given; None where no tally is kept or the user sees no
    deadlines (then the direct count of the empty set is as cheap)."""
    if not tally_kept() or not user.has_perm("minimumstandards.view_deadlines"):
        return None
    if team:
        # deadlines_visible_to(user).filter(team_id=team): the owner's ones are in the team.
        return TallyScope(user.jobcenter_id, frozenset({int(team)}))
    scope = TallyScope(user.jobcenter_id, user_team_ids(user), user.pk)
    # The user's own deadlines outside their teams are rare for a team lead: one look in
    # the owner index spares each figure its query for them.
    if not scope.extra().exists():
        scope = TallyScope(user.jobcenter_id, scope.team_ids)
    return scope


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)


def counts_by_rule(scope: TallyScope, now: datetime) -> dict[str, dict[str, int]]:
    """selectors.counts_by_rule of the scope's teams (without the owner's extra ones)."""
    today = now.astimezone(BERLIN).date()
    start = _start_of(today)
    totals: dict[str, dict[str, int]] = {}
    lead = None
    rows = (
        scope.buckets()
        .filter(status=OPEN)
        .values("kind")
        .annotate(
            offen=Sum("n"),
            angehalten=Sum("n", filter=Q(paused=True)),
            before=Sum("n", filter=Q(day__lt=today)),
            max_lead=Max("lead", filter=Q(day__gte=today)),
        )
        .order_by()
    )
    for row in rows:
        if row["max_lead"] is not None and (lead is None or row["max_lead"] > lead):
            lead = row["max_lead"]
        if row["offen"]:
            totals[row["kind"]] = {
                "offen": row["offen"],
                "angehalten": row["angehalten"] or 0,
                "before": row["before"] or 0,
            }
    if not totals:
        return {}
    # Near now, from the deadlines: due today up to now; at risk (due in (now, now + lead]).
    near = {}
    if lead is not None:
        near = {
            row["kind"]: row
            for row in scope.near()
            .filter(status=OPEN, due_at__gte=start, due_at__lte=now + max(lead, timedelta()))
            .values("kind")
            .annotate(
                today=Count("id", filter=Q(due_at__lte=now)),
                droht=Count("id", filter=Q(due_at__gt=now, warn_at__lte=now)),
            )
            .order_by()
        }
    result = {}
    for kind, t in totals.items():
        n = near.get(kind, {})
        due = t["before"] + n.get("today", 0)
        point = kind in TIME_POINT_KINDS
        result[kind] = {
            "offen": t["offen"],
            "laeuft": t["offen"] - due,
            "droht": 0 if point else n.get("droht", 0),
            "ueberschritten": 0 if point else due,
            "angehalten": t["angehalten"],
            "moeglich": due if point else 0,
        }
    return result


def forecast_groups(
    scope: TallyScope, now: datetime, last_day: date
) -> tuple[list[dict], list[dict]]:
    """selectors.breach_forecast's two readings of the scope's teams: per team, rule and due
    day the running deadlines due up to the end of `last_day` (with the paused ones), and
    per team and rule kind those breached now. Versagungen left out (rule R-FR-02)."""
    today = now.astimezone(BERLIN).date()
    rows = (
        scope.buckets()
        .filter(status=OPEN, day__lte=last_day)
        .exclude(kind__in=TIME_POINT_KINDS)
        .values("team_id", "kind", "rule_id", "day")
        .annotate(total=Sum("n"), total_paused=Sum("n", filter=Q(paused=True)))
        .order_by()
    )
    groups: dict[tuple, dict] = {}
    breached: dict[tuple, int] = defaultdict(int)
    for row in rows:
        if row["day"] < today:
            breached[(row["team_id"], row["kind"])] += row["total"]
        else:
            key = (row["team_id"], row["kind"], row["rule_id"], row["day"])
            groups[key] = {
                "team_id": row["team_id"],
                "kind": row["kind"],
                "rule_id": row["rule_id"],
                "day": row["day"],
                "n": row["total"],
                "paused": row["total_paused"] or 0,
            }
    # Due today up to now: breached, no longer in today's cell.
    passed = (
        scope.near()
        .filter(status=OPEN, due_at__gte=_start_of(today), due_at__lte=now)
        .exclude(kind__in=TIME_POINT_KINDS)
        .values("team_id", "kind", "rule_id")
        .annotate(n=Count("id"), paused=Count("id", filter=Q(paused_at__isnull=False)))
        .order_by()
    )
    for row in passed:
        breached[(row["team_id"], row["kind"])] += row["n"]
        group = groups.get((row["team_id"], row["kind"], row["rule_id"], today))
        if group is not None:
            group["n"] -= row["n"]
            group["paused"] -= row["paused"]
    return (
        [g for g in groups.values() if g["n"] > 0],
        [{"team_id": t, "kind": k, "n": n} for (t, k), n in breached.items() if n > 0],
    )


def completed_per_month(scope: TallyScope, first: date) -> dict[tuple[str, date], list[int]]:
    """dashboard.on_time_rates of the scope's teams: per rule kind and month of completion
    (from `first`, a first of a month) [met, late]; Versagungen left out (rule R-FR-02)."""
    found: dict[tuple[str, date], list[int]] = {}
    rows = (
        scope.buckets()
        .filter(status__in=[Deadline.Status.MET, Deadline.Status.LATE], day__gte=first)
        .exclude(kind__in=TIME_POINT_KINDS)
        .values("kind", "status", "day")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for row in rows:
        day = row["day"]
        counts = found.setdefault((row["kind"], date(day.year, day.month, 1)), [0, 0])
        counts[row["status"] == Deadline.Status.LATE] += row["total"]
    return found


def breaches_per_day(scope: TallyScope, first: date, now: datetime) -> dict[date, int]:
    """charts.breach_week_counts of the scope's teams, per due day from `first` up to now:
    the open ones past their due moment (the days before today from the tally, today's from
    the deadlines) and those met late (from the deadlines: the tally has them by their day
    of completion; a team's late ones of eight weeks are a few hundred, read by the index
    on (team, status, due moment))."""
    today = now.astimezone(BERLIN).date()
    per_day: dict[date, int] = defaultdict(int)
    rows = (
        scope.buckets()
        .filter(status=OPEN, day__gte=first, day__lt=today)
        .values("day")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for row in rows:
        per_day[row["day"]] += row["total"]
    # Two statements, each index-only on its partial index (an OR of both would be a
    # bitmap scan of the heap).
    for status, since in ((Deadline.Status.LATE, first), (OPEN, today)):
        rows = (
            scope.near()
            .filter(status=status, due_at__gte=_start_of(since), due_at__lte=now)
            .annotate(due_day=TruncDate("due_at", tzinfo=BERLIN))
            .values("due_day")
            .annotate(total=Count("id"))
            .order_by()
        )
        for row in rows:
            per_day[row["due_day"]] += row["total"]
    return per_day
