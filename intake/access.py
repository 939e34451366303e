"""Permission-scoped loaders: views get customers and cases only through these.

An object the user may not see is indistinguishable from one that does not exist (404).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from jobcenter.predicates import is_integration, is_leistung, user_team_ids

from .models import Antrag, Kunde


def antraege_visible_to(user) -> QuerySet[Antrag]:
    if not user.is_authenticated or user.jobcenter_id is None:
        return Antrag.objects.none()
    qs = Antrag.objects.filter(jobcenter_id=user.jobcenter_id)
    if user.has_perm("intake.see_every_antrag"):
        return qs
    if is_leistung(user):
        return qs.filter(bedarfsgemeinschaft__leistung_team__in=user_team_ids(user))
    if is_integration(user):
        return qs.filter(Q(applicant__ifk=user) | Q(eg_with=user))
    return Antrag.objects.none()


def case_teams_of(user) -> frozenset[int] | None:
    """The Leistung teams whose cases `antraege_visible_to` gives the user (those of the
    teams' households), or None if the user sees cases by another rule (every case, an
    IFK's own). The deadlines of a case carry that team (`Deadline.case_team`)."""
    if not user.is_authenticated or user.jobcenter_id is None:
        return None
    if user.has_perm("intake.see_every_antrag") or not is_leistung(user):
        return None
    return user_team_ids(user)


def kunden_visible_to(user) -> QuerySet[Kunde]:
    if not user.is_authenticated or user.jobcenter_id is None:
        return Kunde.objects.none()
    qs = Kunde.objects.filter(jobcenter_id=user.jobcenter_id)
    if user.has_perm("intake.find_every_kunde"):
        return qs
    if is_leistung(user):
        return qs.filter(bedarfsgemeinschaft__leistung_team__in=user_team_ids(user))
    if is_integration(user):
        return qs.filter(ifk__teams__in=user_team_ids(user)).distinct()
    return Kunde.objects.none()


def get_antrag_for_user(user, pk: int) -> Antrag:
    return get_object_or_404(
        antraege_visible_to(user).select_related(
            "jobcenter",
            "applicant__ifk",
            "bedarfsgemeinschaft__leistung_team",
            "eg_with",
            "id_checked_by",
        ),
        pk=pk,
    )


def get_kunde_for_user(user, pk: int) -> Kunde:
    return get_object_or_404(
        kunden_visible_to(user).select_related("bedarfsgemeinschaft", "ifk"), pk=pk
    )
