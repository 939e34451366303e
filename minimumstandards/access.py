"""Permission-scoped loaders for deadlines: team level, as the dashboards are."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from intake.models import user_team_ids
from jobcenter.roles import Role

from .models import Deadline

WORKING_ROLES = (Role.LEISTUNG, Role.INTEGRATION, Role.TEAMLEITUNG, Role.EINGANGSZONE)
# Who may stop a clock: the desks that own deadlines, not the Eingangszone that sees them.
PAUSE_ROLES = (Role.LEISTUNG, Role.INTEGRATION, Role.TEAMLEITUNG)


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    if not user.is_authenticated or user.jobcenter_id is None or not user.has_role(*WORKING_ROLES):
        return Deadline.objects.none()
    return Deadline.objects.filter(jobcenter_id=user.jobcenter_id).filter(
        Q(team__in=user_team_ids(user)) | Q(owner_user=user)
    )


def get_deadline_for_user(user, pk: int) -> Deadline:
    return get_object_or_404(
        deadlines_visible_to(user).select_related("rule", "jobcenter", "antrag"), pk=pk
    )
