"""Permission-scoped loaders and the rules who may do what with appointments.

An object the user may not see is indistinguishable from one that does not exist (404).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from intake.models import user_team_ids
from jobcenter.models import Team, User
from jobcenter.roles import Role

from .models import Appointment, GroupEvent, Kind

# Who works with calendars at all: the EZ books, Integration holds the appointments,
# the team lead organises (rule R-EG-03).
CALENDAR_ROLES = (Role.EINGANGSZONE, Role.INTEGRATION, Role.TEAMLEITUNG)
INTEGRATION_KINDS = (Team.Kind.INTEGRATION_U25, Team.Kind.INTEGRATION_UE25)


def appointments_visible_to(user) -> QuerySet[Appointment]:
    if not user.is_authenticated or user.jobcenter_id is None:
        return Appointment.objects.none()
    qs = Appointment.objects.filter(jobcenter_id=user.jobcenter_id)
    if user.has_role(Role.EINGANGSZONE):
        return qs
    if user.has_role(Role.TEAMLEITUNG):
        # The lead sees the appointments of the IFKs of their teams, not the whole Jobcenter.
        return qs.filter(caseworker_id__in=_team_members(user))
    if user.has_role(Role.INTEGRATION):
        return qs.filter(Q(caseworker=user) | Q(kunde__ifk=user))
    return Appointment.objects.none()


def _team_members(user) -> QuerySet[User]:
    """The pks of the members of the user's teams, as a subquery (no duplicate rows)."""
    return User.objects.filter(
        jobcenter_id=user.jobcenter_id, teams__in=user_team_ids(user)
    ).values("pk")


def leads_member(user, member_id: int | None) -> bool:
    """Whether `user` is a team lead and `member_id` is in one of the lead's teams."""
    if member_id is None or user.jobcenter_id is None or not user.has_role(Role.TEAMLEITUNG):
        return False
    return User.objects.filter(pk=member_id, pk__in=_team_members(user)).exists()


def get_appointment_for_user(user, pk: int) -> Appointment:
    return get_object_or_404(
        appointments_visible_to(user).select_related(
            "kunde", "antrag__bedarfsgemeinschaft", "caseworker", "standort", "group_event"
        ),
        pk=pk,
    )


def group_events_visible_to(user) -> QuerySet[GroupEvent]:
    if not user.is_authenticated or user.jobcenter_id is None or not user.has_role(*CALENDAR_ROLES):
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
    if user.has_role(Role.EINGANGSZONE):
        return ifks
    if user.has_role(Role.TEAMLEITUNG):
        return ifks.filter(teams__in=user_team_ids(user)).distinct()
    if user.has_role(Role.INTEGRATION):
        return ifks.filter(pk=user.pk)
    return User.objects.none()


def get_caseworker_for_user(user, pk: int) -> User:
    return get_object_or_404(caseworkers_visible_to(user), pk=pk)


def can_manage_calendar(user, caseworker) -> bool:
    """Release windows and enter absences: the IFK for themselves, the lead for the team."""
    if user.jobcenter_id is None or user.jobcenter_id != caseworker.jobcenter_id:
        return False
    if user.has_role(Role.INTEGRATION):
        return user.pk == caseworker.pk
    if user.has_role(Role.TEAMLEITUNG):
        return caseworkers_visible_to(user).filter(pk=caseworker.pk).exists()
    return False


def can_record_outcome(user, appointment: Appointment) -> bool:
    if user.jobcenter_id != appointment.jobcenter_id:
        return False
    if user.has_role(Role.TEAMLEITUNG):
        return leads_member(user, appointment.caseworker_id)
    return user.has_role(Role.INTEGRATION) and appointment.caseworker_id == user.pk


def can_cancel(user, appointment: Appointment) -> bool:
    if user.jobcenter_id != appointment.jobcenter_id:
        return False
    if user.has_role(Role.TEAMLEITUNG):
        return leads_member(user, appointment.caseworker_id)
    if user.has_role(Role.EINGANGSZONE):
        # The EZ takes the customer's call or visit and books the EG (rule R-EG-03).
        return appointment.kind in (Kind.ERSTGESPRAECH, Kind.GRUPPE)
    if user.has_role(Role.INTEGRATION):
        return user.pk in (appointment.caseworker_id, appointment.kunde.ifk_id)
    return False


def can_record_group_event(user, event: GroupEvent) -> bool:
    """Record attendance of a group event: its host, or the lead of the host's team."""
    if user.jobcenter_id is None or user.jobcenter_id != event.jobcenter_id:
        return False
    if user.is_active and user.pk == event.host_id:
        return True
    return leads_member(user, event.host_id)


def can_book_first_consultation(user, antrag) -> bool:
    return user.jobcenter_id == antrag.jobcenter_id and user.has_role(
        Role.EINGANGSZONE, Role.INTEGRATION, Role.TEAMLEITUNG
    )


def can_book_follow_up(user) -> bool:
    return user.has_role(Role.INTEGRATION, Role.TEAMLEITUNG) and user.jobcenter_id is not None


def can_manage_group_events(user) -> bool:
    return user.has_role(Role.INTEGRATION, Role.TEAMLEITUNG) and user.jobcenter_id is not None


def eg_caseworker(antrag, pk) -> User | None:
    """The caseworker a first-consultation slot names: a user of the case's Jobcenter (the
    service checks that it is an active IFK and the slot is free)."""
    return User.objects.filter(pk=pk, jobcenter_id=antrag.jobcenter_id).first()


def is_lead(user) -> bool:
    return user.has_role(Role.TEAMLEITUNG)
