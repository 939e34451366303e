"""Permission-scoped loaders for mailboxes and their items.

A mailbox belongs to a team: its members see and work it, and so does the team's lead.
An item of another team is indistinguishable from one that does not exist (404). Who works
mailboxes at all, and one item, is named in `routing.rules`.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobcenter.models import Postfach
from jobcenter.predicates import led_team_ids, user_team_ids

from .models import Aufgabe


def mailbox_team_ids(user) -> frozenset[int]:
    """Teams whose mailbox the user works: their own teams, and the teams a lead leads."""
    cached = getattr(user, "_mailbox_team_ids", None)
    if cached is not None:
        return cached
    user._mailbox_team_ids = user_team_ids(user) | led_team_ids(user)
    return user._mailbox_team_ids


def postfaecher_visible_to(user) -> QuerySet[Postfach]:
    if not user.has_perm("routing.use_mailboxes"):
        return Postfach.objects.none()
    return Postfach.objects.filter(
        team__jobcenter_id=user.jobcenter_id, team__in=mailbox_team_ids(user)
    )


def aufgaben_visible_to(user) -> QuerySet[Aufgabe]:
    if not user.has_perm("routing.use_mailboxes"):
        return Aufgabe.objects.none()
    return Aufgabe.objects.filter(
        Q(assignee=user)
        | Q(
            postfach__team__jobcenter_id=user.jobcenter_id,
            postfach__team__in=mailbox_team_ids(user),
        )
    )


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
