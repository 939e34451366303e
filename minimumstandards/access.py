"""Permission-scoped loaders for deadlines: team level, as the dashboards are.

Who sees deadlines at all, and who may stop one, is named in `minimumstandards.rules`.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobcenter.predicates import user_team_ids

from .models import Deadline


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
