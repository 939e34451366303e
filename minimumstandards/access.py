"""Permission-scoped loaders for deadlines: team level, as the dashboards are.

Who sees deadlines at all, and who may stop one, is named in `minimumstandards.rules`.
"""

from itertools import pairwise

from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobcenter.models import User
from jobcenter.predicates import user_team_ids

from .models import Deadline, DeadlineAlert


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    if not user.has_perm("minimumstandards.view_deadlines"):
        return Deadline.objects.none()
    return Deadline.objects.filter(jobcenter_id=user.jobcenter_id).filter(
        Q(team__in=user_team_ids(user)) | Q(owner_user=user)
    )


def deadlines_visible_parts(user) -> list[QuerySet[Deadline]]:
    """deadlines_visible_to as parts whose union it is: one per team, and the user's own.

    Each part has a plain condition an index answers in due order (team, status, due_at),
    so the first rows of a long list are read from each part without sorting all of them;
    the OR of deadlines_visible_to would make PostgreSQL sort every deadline of the teams.
    A deadline may be in two parts (the user's own in their team): callers merge by pk.
    """
    if not user.has_perm("minimumstandards.view_deadlines"):
        return []
    mine = Deadline.objects.filter(jobcenter_id=user.jobcenter_id)
    parts = [mine.filter(team_id=t) for t in sorted(user_team_ids(user))]
    return [*parts, mine.filter(owner_user=user)]


def deadline_list_parts(user) -> list[tuple[int | None, QuerySet[Deadline]]]:
    """deadlines_visible_to as disjoint parts: (team id, its deadlines) per team of the
    user, and (None, the user's own in none of those teams).

    Disjoint, so counts of the parts add up (the deadline list counts each part up to its
    cap). The user's own outside their teams are written as ranges of team ids around
    them (no team, below the first, between two, above the last): one range each of the
    index (owner, team), where "team NOT IN (…)" would read every deadline the user owns.
    """
    if not user.has_perm("minimumstandards.view_deadlines"):
        return []
    mine = Deadline.objects.filter(jobcenter_id=user.jobcenter_id)
    teams = sorted(user_team_ids(user))
    own = mine.filter(owner_user=user)
    if teams:
        outside = Q(team__isnull=True) | Q(team_id__lt=teams[0]) | Q(team_id__gt=teams[-1])
        for low, high in pairwise(teams):
            outside |= Q(team_id__gt=low, team_id__lt=high)
        own = own.filter(outside)
    return [*((t, mine.filter(team_id=t)) for t in teams), (None, own)]


def get_deadline_for_user(user, pk: int) -> Deadline:
    return get_object_or_404(
        deadlines_visible_to(user).select_related("rule", "jobcenter", "antrag"), pk=pk
    )


def deadlines_at_risk_count(user) -> int:
    """The badge: open deadlines of the user's teams, or their own, that are flagged.

    Counted from the alerts alone (the only record of a flag), each deadline by its first
    alert, over two small partial indexes, index-only: the cost follows the user's flagged
    deadlines, not the Jobcenter's deadlines. As fresh as the last scan; a service that
    opens or moves a deadline behind the scan flags it at once, and a closed deadline's
    alerts stop counting in the same transaction. One statement (it reads the user's teams
    itself), written out because it runs on every page: no ORM compiling per request.
    """
    if not user.has_perm("minimumstandards.view_deadlines"):
        return 0
    with connection.cursor() as cursor:
        sql = _AT_RISK_SQL_PG if connection.vendor == "postgresql" else _AT_RISK_SQL
        cursor.execute(sql, {"user": user.pk, "first": True})
        return cursor.fetchone()[0]


_ALERTS = DeadlineAlert._meta.db_table
_USER_TEAMS = f"SELECT team_id FROM {User.teams.through._meta.db_table} WHERE user_id = %(user)s"
_AT_RISK_SQL = f"""
SELECT (SELECT count(*) FROM {_ALERTS}
         WHERE closed_at IS NULL AND first = %(first)s AND team_id IN ({_USER_TEAMS}))
     + (SELECT count(*) FROM {_ALERTS}
         WHERE closed_at IS NULL AND first = %(first)s AND owner_user_id = %(user)s
           AND (team_id IS NULL OR team_id NOT IN ({_USER_TEAMS})))
"""
# PostgreSQL: the teams as one array, so the count is one index range per team (measured
# 2-3 times faster at 10,000 flagged deadlines than the join the IN (…) becomes).
_AT_RISK_SQL_PG = _AT_RISK_SQL.replace(
    f"team_id IN ({_USER_TEAMS})", f"team_id = ANY(ARRAY({_USER_TEAMS}))", 1
)
assert _AT_RISK_SQL_PG != _AT_RISK_SQL
