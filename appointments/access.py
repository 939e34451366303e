"""Permission-scoped loaders of appointments, group events and calendars (who may do what:
`appointments.rules`).

An object the user may not see is indistinguishable from one that does not exist (404).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobcenter.models import User
from jobcenter.predicates import is_eingangszone, is_integration, is_teamleitung, user_team_ids
from jobcenter.roles import Role

from .models import Appointment, GroupEvent


def appointments_visible_to(user) -> QuerySet[Appointment]:
    if not user.is_authenticated or user.jobcenter_id is None:
        return Appointment.objects.none()
    qs = Appointment.objects.filter(jobcenter_id=user.jobcenter_id)
    if is_eingangszone(user):
        return qs
    if is_teamleitung(user):
        # The lead sees the appointments of the IFKs of their teams, not the whole Jobcenter.
        return qs.filter(caseworker_id__in=team_members(user))
    if is_integration(user):
        return qs.filter(Q(caseworker=user) | Q(kunde__ifk=user))
    return Appointment.objects.none()


def team_members(user) -> QuerySet[User]:
    """The pks of the members of the user's teams, as a subquery (no duplicate rows)."""
    return User.objects.filter(
        jobcenter_id=user.jobcenter_id, teams__in=user_team_ids(user)
    ).values("pk")


def get_appointment_for_user(user, pk: int) -> Appointment:
    return get_object_or_404(
        appointments_visible_to(user).select_related(
            "kunde", "antrag__bedarfsgemeinschaft", "caseworker", "standort", "group_event"
        ),
        pk=pk,
    )


def group_events_visible_to(user) -> QuerySet[GroupEvent]:
    if not user.has_perm("appointments.use_calendar"):
        return GroupEvent.objects.none()
    return GroupEvent.objects.filter(jobcenter_id=user.jobcenter_id)


def get_group_event_for_user(user, pk: int) -> GroupEvent:
    return get_object_or_404(
        group_events_visible_to(user).select_related("standort", "host"), pk=pk
    )


def caseworkers_visible_to(user) -> QuerySet[User]:
    """Whose calendar the user may open: the EZ every IFK (to book), a lead those of their
    teams, an IFK their own."""
    if not user.is_authenticated or user.jobcenter_id is None:
        return User.objects.none()
    ifks = User.objects.filter(
        jobcenter_id=user.jobcenter_id, role=Role.INTEGRATION, is_active=True
    )
    if is_eingangszone(user):
        return ifks
    if is_teamleitung(user):
        return ifks.filter(teams__in=user_team_ids(user)).distinct()
    if is_integration(user):
        return ifks.filter(pk=user.pk)
    return User.objects.none()


def get_caseworker_for_user(user, pk: int) -> User:
    return get_object_or_404(caseworkers_visible_to(user), pk=pk)


def eg_caseworker(antrag, pk) -> User | None:
    """The caseworker a first-consultation slot names: a user of the case's Jobcenter (the
    service checks that it is an active IFK and the slot is free)."""
    return User.objects.filter(pk=pk, jobcenter_id=antrag.jobcenter_id).first()
