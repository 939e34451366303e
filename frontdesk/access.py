"""Permission-scoped loaders: views get visits, desks and sites only through these.

Everything of another Jobcenter is indistinguishable from what does not exist (404).
"""

import hmac

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from intake.access import kunden_visible_to
from jobcenter.models import Standort, Team
from jobcenter.predicates import user_team_ids
from jobcenter.services import secret_hash as sha256_hex

from .models import Desk, Display, Kiosk, Visit, display_token_prefix


def _jobcenter_id(user) -> int | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.jobcenter_id


def standorte_visible_to(user) -> QuerySet[Standort]:
    jobcenter_id = _jobcenter_id(user)
    if jobcenter_id is None or not user.has_perm("frontdesk.see_visits"):
        return Standort.objects.none()
    return Standort.objects.filter(jobcenter_id=jobcenter_id).order_by("name")


def visits_visible_to(user) -> QuerySet[Visit]:
    """The reception sees every visit of its Jobcenter; a desk of Leistung or Integration
    the visits it handles (its teams' queues, the queues of the desk it has open, its own
    appointments and calls) and those of customers it may open anyway (need to know:
    the same rule as the customer record, `intake.access.kunden_visible_to`)."""
    jobcenter_id = _jobcenter_id(user)
    if jobcenter_id is None or not user.has_perm("frontdesk.see_visits"):
        return Visit.objects.none()
    qs = Visit.objects.filter(jobcenter_id=jobcenter_id)
    if user.has_perm("frontdesk.receive_visitors"):
        return qs
    return qs.filter(
        Q(kunde__in=kunden_visible_to(user).values("pk"))
        | Q(team__in=user_team_ids(user))
        | Q(team__in=Team.objects.filter(desks__occupied_by=user).values("pk"))
        | Q(desk__occupied_by=user)
        | Q(assigned_to=user)
        | Q(served_by=user)
    )


def desks_visible_to(user) -> QuerySet[Desk]:
    jobcenter_id = _jobcenter_id(user)
    if jobcenter_id is None or not user.has_perm("frontdesk.use_desk"):
        return Desk.objects.none()
    return Desk.objects.filter(standort__jobcenter_id=jobcenter_id, active=True)


def get_visit_for_user(user, pk: int) -> Visit:
    return get_object_or_404(
        visits_visible_to(user).select_related(
            "standort", "team", "kunde", "desk", "assigned_to", "served_by"
        ),
        pk=pk,
    )


def display_for_token(token: str) -> Display | None:
    """The active display with this key; the key is its only credential (no login). Found
    by its clear prefix, then the stored SHA-256 hash is compared in constant time."""
    if not token or len(token) > 64:
        return None
    display = (
        Display.objects.filter(token_prefix=display_token_prefix(token), active=True)
        .select_related("standort")
        .first()
    )
    if display is None or not display.token_hash:
        return None
    if not hmac.compare_digest(display.token_hash, sha256_hex(token)):
        return None
    return display


def kiosk_for_token(token: str) -> Kiosk | None:
    """The active kiosk with this key, found and compared as a display's (no login)."""
    if not token or len(token) > 64:
        return None
    kiosk = (
        Kiosk.objects.filter(token_prefix=display_token_prefix(token), active=True)
        .select_related("standort__jobcenter", "account")
        .first()
    )
    if kiosk is None or not kiosk.token_hash:
        return None
    if not hmac.compare_digest(kiosk.token_hash, sha256_hex(token)):
        return None
    return kiosk
