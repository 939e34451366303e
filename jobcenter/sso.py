"""Single sign-on: who the directory says a person is, and what that gives them here.

- `apply_directory_groups` maps the directory's groups to role, Jobcenter and teams through
  the administration's table (`DirectoryGroupMapping`), at every login; a person none of
  whose groups is mapped is refused (and loses role and teams).
- `DirectoryLDAPBackend` (django-auth-ldap) and `DirectoryOIDCBackend`
  (mozilla-django-oidc) log in through the directory; `LocalPasswordBackend` is the local
  password, which with single sign-on on only opens break-glass accounts (audited).
- Logout ends the provider's session too (RP-initiated logout, `provider_logout_url`).

Why a login was refused is left on the request (`refuse`) and shown by the login page in
German. Log lines carry user ids only, never names.
"""

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import DirectoryGroupMapping, User
from .services import audit_record

logger = logging.getLogger(__name__)

REFUSAL_ATTR = "_sso_refusal"


def refusal_messages() -> dict[str, str]:
    return {
        "no_group": _(
            "Ihr Dienstkonto ist im Verzeichnisdienst keiner Gruppe zugeordnet, die Zugang zu "
            "dieser Anwendung gibt. Bitte wenden Sie sich an die Administration Ihres "
            "Jobcenters."
        ),
        "several_jobcenters": _(
            "Ihre Gruppen im Verzeichnisdienst sind mehreren Jobcentern zugeordnet. Bitte "
            "wenden Sie sich an die Administration, damit die Zuordnung eindeutig wird."
        ),
        "no_role": _(
            "Ihre Gruppen im Verzeichnisdienst geben Teams, aber keine Rolle. Bitte wenden "
            "Sie sich an die Administration Ihres Jobcenters."
        ),
        "local_only": _(
            "Dieses Konto ist ein Notfallzugang und meldet sich nur mit dem Passwort dieser "
            "Anwendung an."
        ),
        "break_glass_only": _(
            "Die Anmeldung mit einem Passwort dieser Anwendung ist nur für Notfallzugänge "
            "möglich. Bitte melden Sie sich mit Ihrem Dienstkonto an."
        ),
        "directory_unreachable": _(
            "Der Verzeichnisdienst ist gerade nicht erreichbar oder hat die Anfrage "
            "abgelehnt. Bitte versuchen Sie es in einigen Minuten noch einmal. Dauert die "
            "Störung an, meldet sich die Administration mit dem Notfallzugang an."
        ),
        "provider_failed": _(
            "Die Anmeldung über das Dienstkonto ist nicht gelungen. Bitte versuchen Sie es "
            "noch einmal."
        ),
        "inactive": _("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration."),
    }


def refuse(request: HttpRequest | None, code: str) -> None:
    """Remember why the login was refused; the login page shows it."""
    if request is not None:
        setattr(request, REFUSAL_ATTR, code)


def refusal_of(request: HttpRequest | None) -> str | None:
    code = getattr(request, REFUSAL_ATTR, None)
    return refusal_messages().get(code) if code else None


class DirectoryAccessRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def matching_mappings(groups: Iterable[str]) -> list[DirectoryGroupMapping]:
    """The mappings of these groups (names, DNs or claim values; case does not count)."""
    wanted = {g.strip().lower() for g in groups if g and g.strip()}
    if not wanted:
        return []
    return list(
        DirectoryGroupMapping.objects.annotate(group_lower=Lower("group"))
        .filter(group_lower__in=wanted)
        .prefetch_related("teams")
        .order_by("position", "pk")
    )


def apply_directory_groups(user: User, groups: Iterable[str], *, source: str) -> User:
    """Give `user` (saved) the role, Jobcenter and teams their directory groups map to.

    Refused (DirectoryAccessRefused) when no group is mapped, the groups point to more than
    one Jobcenter, or none gives a role; a refused person keeps no role and no team here.
    """
    mappings = matching_mappings(groups)
    jobcenters = {m.jobcenter_id for m in mappings}
    roles = [m.role for m in mappings if m.role]
    code = None
    if not mappings:
        code = "no_group"
    elif len(jobcenters) > 1:
        code = "several_jobcenters"
    elif not roles:
        code = "no_role"
    user.directory_source = source
    if code is not None:
        with transaction.atomic():
            user.role = ""
            user.save()
            user.teams.clear()
        raise DirectoryAccessRefused(code)
    with transaction.atomic():
        before = (user.jobcenter_id, user.role, sorted(user.teams.values_list("pk", flat=True)))
        user.jobcenter_id = jobcenters.pop()
        user.role = roles[0]  # mappings come by Vorrang: the smallest number wins
        user.save()
        team_ids = sorted({t.pk for m in mappings for t in m.teams.all()})
        user.teams.set(team_ids)
        after = (user.jobcenter_id, user.role, team_ids)
        if before != after:
            audit_record(
                actor=user,
                action="change",
                target=user,
                summary="Rolle und Teams aus dem Verzeichnisdienst übernommen",
                changes={"fields": ["jobcenter", "role", "teams"]},
                jobcenter_id=user.jobcenter_id,
            )
    return user


def _is_break_glass(username: str | None) -> bool:
    if not username:
        return False
    model = get_user_model()
    return model.objects.filter(username__iexact=username.strip(), break_glass=True).exists()


def audit_break_glass_login(user: User) -> None:
    """Every break-glass login leaves an audit row and a log line (the id, no name)."""
    audit_record(
        actor=user,
        action="login",
        target=user,
        summary="Anmeldung mit Notfallzugang (lokales Passwort)",
        jobcenter_id=user.jobcenter_id,
    )
    logger.warning("break-glass login user_id=%s", user.pk)


class LocalPasswordBackend(ModelBackend):
    """The application's own password: everyone without single sign-on; with it, only
    break-glass accounts (audited at each login)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if settings.SSO_ENABLED and not user.break_glass:
            refuse(request, "break_glass_only")
            return None
        if user.break_glass:
            audit_break_glass_login(user)
        return user


# --- LDAP / Active Directory ----------------------------------------------------------------


class DirectoryLDAPBackend(LDAPBackend):
    """django-auth-ldap, with the directory's groups mapped by the administration's table."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if _is_break_glass(username):
            return None  # break-glass accounts are local: LocalPasswordBackend decides
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        request = ldap_user._request
        if not user.is_active:
            refuse(request, "inactive")
            return None
        groups = [*ldap_user.group_dns, *ldap_user.group_names]
        try:
            return apply_directory_groups(user, groups, source=User.DirectorySource.LDAP)
        except DirectoryAccessRefused as refused:
            logger.info("directory login refused (%s) user_id=%s", refused.code, user.pk)
            refuse(request, refused.code)
            return None


def _ldap_error(sender, context, user, request, exception, **kwargs) -> None:
    """The directory could not be asked (down, or the service account's bind refused)."""
    logger.warning("LDAP error during %s: %s", context, type(exception).__name__)
    refuse(request, "directory_unreachable")


# --- OpenID Connect -------------------------------------------------------------------------


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc: the user name from OIDC_USERNAME_CLAIM, groups from
    OIDC_GROUPS_CLAIM, mapped by the administration's table at every login."""

    def _username(self, claims) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()

    def verify_claims(self, claims) -> bool:
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username__iexact=self._username(claims))

    def create_user(self, claims):
        user = self.UserModel(username=self._username(claims))
        user.set_unusable_password()
        return self._apply(user, claims)

    def update_user(self, user, claims):
        return self._apply(user, claims)

    def _apply(self, user, claims):
        request = self.request
        if user.pk and user.break_glass:
            refuse(request, "local_only")
            return None
        if user.pk and not user.is_active:
            refuse(request, "inactive")
            return None
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.email = str(claims.get("email") or user.email)[:254]
        user.save()
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        try:
            return apply_directory_groups(
                user, [str(g) for g in groups], source=User.DirectorySource.OIDC
            )
        except DirectoryAccessRefused as refused:
            logger.info("directory login refused (%s) user_id=%s", refused.code, user.pk)
            refuse(request, refused.code)
            return None


class OIDCStartView(OIDCAuthenticationRequestView):
    """The login page's button: off (404) unless OpenID Connect is configured."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. A refusal is shown on the login page in German."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def failure_url(self):
        return reverse("login")

    def login_failure(self):
        message = refusal_of(self.request) or refusal_messages()["provider_failed"]
        messages.error(self.request, message)
        return super().login_failure()


def provider_logout_url(request: HttpRequest, id_token: str | None) -> str | None:
    """The provider's end_session_endpoint with the id token and the way back to us."""
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not (settings.OIDC_ENABLED and endpoint):
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
