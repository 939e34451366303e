"""Permission-scoped loaders for mailboxes and their items.

A mailbox belongs to a team: its members see and work it, and so does the team's lead.
An item of another team is indistinguishable from one that does not exist (404).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from intake.models import user_team_ids
from jobcenter.models import Postfach
from jobcenter.roles import Role

from .models import Aufgabe

# Every desk writes notes and works its team's mailbox (rule R-IA-02).
DESK_ROLES = (
    Role.EMPFANG,
    Role.EINGANGSZONE,
    Role.LEISTUNG,
    Role.INTEGRATION,
    Role.HOTLINE,
    Role.TEAMLEITUNG,
)


def mailbox_team_ids(user) -> frozenset[int]:
    """Teams whose mailbox the user works: their own teams, and the teams a lead leads."""
    cached = getattr(user, "_mailbox_team_ids", None)
    if cached is not None:
        return cached
    ids = set(user_team_ids(user))
    if user.has_role(Role.TEAMLEITUNG):
        ids |= set(user.led_teams.values_list("pk", flat=True))
    user._mailbox_team_ids = frozenset(ids)
    return user._mailbox_team_ids


def postfaecher_visible_to(user) -> QuerySet[Postfach]:
    if not user.is_authenticated or user.jobcenter_id is None or not user.has_role(*DESK_ROLES):
        return Postfach.objects.none()
    return Postfach.objects.filter(
        team__jobcenter_id=user.jobcenter_id, team__in=mailbox_team_ids(user)
    )


def aufgaben_visible_to(user) -> QuerySet[Aufgabe]:
    if not user.is_authenticated or user.jobcenter_id is None or not user.has_role(*DESK_ROLES):
        return Aufgabe.objects.none()
    return Aufgabe.objects.filter(
        Q(assignee=user)
        | Q(
            postfach__team__jobcenter_id=user.jobcenter_id,
            postfach__team__in=mailbox_team_ids(user),
        )
    )


def may_work_on(user, aufgabe: Aufgabe) -> bool:
    """The same rule as `aufgaben_visible_to`, for one loaded item (services check it)."""
    if not user.is_authenticated or not user.has_role(*DESK_ROLES) or user.jobcenter_id is None:
        return False
    if aufgabe.assignee_id == user.pk:
        return True
    if aufgabe.postfach_id is None:
        return False
    team = aufgabe.postfach.team
    return team.jobcenter_id == user.jobcenter_id and team.pk in mailbox_team_ids(user)


def is_lead_of(user, aufgabe: Aufgabe) -> bool:
    """A team lead may act on any item of a mailbox they oversee, even one claimed."""
    return user.has_role(Role.TEAMLEITUNG) and may_work_on(user, aufgabe)


def get_postfach_for_user(user, pk: int) -> Postfach:
    return get_object_or_404(postfaecher_visible_to(user).select_related("team"), pk=pk)


def get_aufgabe_for_user(user, pk: int) -> Aufgabe:
    return get_object_or_404(
        aufgaben_visible_to(user).select_related(
            "postfach__team",
            "assignee",
            "kunde__bedarfsgemeinschaft",
            "vermerk__information_type",
            "vermerk__author",
            "claimed_by",
            "done_by",
            "created_by",
            "rule",
        ),
        pk=pk,
    )
