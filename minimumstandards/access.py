"""Permission-scoped loaders for deadlines: team level, as the dashboards are.

Who sees deadlines at all, and who may stop one, is named in `minimumstandards.rules`.
"""

from django.db.models import Count, Func, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from jobcenter.predicates import user_team_ids

from .models import Deadline, DeadlineAlert


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    if not user.has_perm("minimumstandards.view_deadlines"):
        return Deadline.objects.none()
    return Deadline.objects.filter(jobcenter_id=user.jobcenter_id).filter(
        Q(team__in=user_team_ids(user)) | Q(owner_user=user)
    )


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
    alerts stop counting in the same transaction. Read-only, one query.
    """
    if not user.has_perm("minimumstandards.view_deadlines"):
        return 0
    counted = DeadlineAlert.objects.filter(closed_at__isnull=True, first=True)
    teams = sorted(user_team_ids(user))
    own = counted.filter(owner_user=user).exclude(team__in=teams)
    if not teams:
        return own.count()
    # Two counts in one statement: the team's, and the user's own in other teams (or none).
    return counted.filter(team__in=teams).aggregate(
        n=Count("pk") + Subquery(own.values(o=Func("pk", function="COUNT")))
    )["n"]
