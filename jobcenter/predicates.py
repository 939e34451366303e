"""The building blocks of every permission: who a user is, composed once.

Each app names what may be done in its own `rules.py` (django-rules autodiscovers them),
composing the predicates here: a role, the user's Jobcenter, their teams, the object's
owner. Views ask `permission_required` / `request.user.has_perm`, services ask
`require_perm`, templates ask `{% has_perm %}`: the one answer, wherever it is asked.

No role tuple stands anywhere else: where a page needs "who works at a desk", it asks the
permission that says so (`frontdesk.use_desk`), not a list of roles.
"""

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied

from .roles import Role


def _with_role(role: str):
    @rules.predicate(name=f"is_{role}")
    def has_the_role(user) -> bool:
        return bool(
            getattr(user, "is_active", False)
            and getattr(user, "jobcenter_id", None) is not None
            and getattr(user, "role", None) == role
        )

    return has_the_role


# One predicate per role; each also requires an active account of a Jobcenter (an
# account without one does no work in any Jobcenter).
is_empfang = _with_role(Role.EMPFANG)
is_eingangszone = _with_role(Role.EINGANGSZONE)
is_leistung = _with_role(Role.LEISTUNG)
is_integration = _with_role(Role.INTEGRATION)
is_hotline = _with_role(Role.HOTLINE)
is_teamleitung = _with_role(Role.TEAMLEITUNG)
is_administration = _with_role(Role.ADMINISTRATION)
is_datenschutz = _with_role(Role.DATENSCHUTZ)

# Every staff role of the front office that works with customers (not the administration).
is_staff_member = (
    is_empfang | is_eingangszone | is_leistung | is_integration | is_hotline | is_teamleitung
)


@rules.predicate
def of_the_same_jobcenter(user, obj) -> bool:
    """The object belongs to the user's Jobcenter (anything else does not exist for them)."""
    if obj is None:
        return False
    jobcenter_id = getattr(obj, "jobcenter_id", None)
    return jobcenter_id is not None and jobcenter_id == getattr(user, "jobcenter_id", None)


def user_team_ids(user) -> frozenset[int]:
    """The pks of the user's teams, read once per request."""
    cached = getattr(user, "_team_ids", None)
    if cached is None:
        cached = (
            frozenset(user.teams.values_list("pk", flat=True))
            if getattr(user, "pk", None)
            else frozenset()
        )
        user._team_ids = cached
    return cached


def led_team_ids(user) -> frozenset[int]:
    """The pks of the teams the user leads (a team lead's own teams besides)."""
    cached = getattr(user, "_led_team_ids", None)
    if cached is None:
        cached = (
            frozenset(user.led_teams.values_list("pk", flat=True))
            if getattr(user, "pk", None) and user.role == Role.TEAMLEITUNG
            else frozenset()
        )
        user._led_team_ids = cached
    return cached


def require_perm(user, perm: str, obj=None, *, message: str | None = None) -> None:
    """The services' check: refuse (PermissionDenied) what the permission does not allow."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or "")


def perms_of(user, perms: Iterable[str], obj=None) -> dict[str, bool]:
    """Several answers for one object, keyed by the permission's short name
    ("intake.open_kunde" → "open_kunde"), for a view's context."""
    return {perm.split(".", 1)[1]: user.has_perm(perm, obj) for perm in perms}
