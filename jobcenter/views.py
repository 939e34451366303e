from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required as rules_permission_required

from . import sso, throttle
from .http import client_address
from .roles import Role
from .services import audit_record


def permission_required(perm: str, fn: Callable | None = None) -> Callable:
    """Refuse (403, templates/403.html) whom the permission (an app's rules.py) does not
    allow; login is enforced globally, so nobody reaches this anonymous."""
    return rules_permission_required(perm, fn=fn, raise_exception=True)


# Where each role starts the day: its own work (a start page, not a permission: each page
# asks its own). Leistung: its open cases by next due date; the IFK: "Heute" (the worklist);
# the team lead: the deadlines; the reception: the check-in.
HOME = {
    Role.EINGANGSZONE: "intake:new",
    Role.HOTLINE: "intake:service_centre",
    Role.LEISTUNG: "intake:case_list",
    Role.INTEGRATION: "routing:worklist",
    Role.TEAMLEITUNG: "minimumstandards:dashboard",
    Role.EMPFANG: "frontdesk:checkin",
    Role.DATENSCHUTZ: "privacy:search",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the place of their daily work."""
    user = request.user
    if user.is_active and user.jobcenter_id and user.role in HOME:
        return redirect(HOME[user.role])
    if user.has_perm("jobcenter.administer"):
        return redirect("admin:index")
    return render(request, "home.html")


class LoginForm(AuthenticationForm):
    """Django's login form; a refusal by the directory (no mapped group, directory down,
    a local password without break-glass) is named in German instead of "wrong password"."""

    def get_invalid_login_error(self):
        message = sso.refusal_of(self.request)
        if message:
            return ValidationError(message, code="directory_refused")
        return ValidationError(
            _(
                "Benutzername oder Passwort ist falsch. Nach mehreren Fehlversuchen wird die "
                "Anmeldung vorübergehend gesperrt."
            ),
            code="invalid_login",
        )


class LoginView(auth_views.LoginView):
    """Django's login, with failed attempts capped per client address across user names.

    axes locks one user name at one address; this stops guessing many user names from one
    place without letting anyone lock out a named colleague. With single sign-on the page
    offers the provider's button (OpenID Connect) and takes the directory's password (LDAP);
    the local password then opens break-glass accounts only.
    """

    redirect_authenticated_user = True
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            oidc_enabled=settings.OIDC_ENABLED,
            ldap_enabled=settings.LDAP_ENABLED,
            sso_login_label=settings.SSO_LOGIN_LABEL,
        )
        return context

    def _failure_key(self) -> str:
        return f"login-failures:{client_address(self.request) or 'unknown'}"

    def post(self, request, *args, **kwargs):
        window = settings.LOGIN_FAILURE_WINDOW
        if (
            throttle.count(self._failure_key(), window=window)
            >= settings.LOGIN_FAILURES_PER_ADDRESS
        ):
            response = render(request, "registration/locked_out.html", status=429)
            response["Retry-After"] = str(throttle.retry_after(window))
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.hit(self._failure_key(), window=settings.LOGIN_FAILURE_WINDOW)
        return super().form_invalid(form)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out here, and at the OpenID provider too when the session came from it."""
    id_token = request.session.get("oidc_id_token")
    came_from_provider = getattr(request.user, "directory_source", "") == "oidc"
    auth_logout(request)
    if came_from_provider:
        url = sso.provider_logout_url(request, id_token)
        if url:
            return HttpResponseRedirect(url)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Staff change their own password; the change is audited (never the password)."""

    template_name = "registration/passwort_aendern.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user,
            action="change",
            target=self.request.user,
            summary=str(_("Passwort geändert")),
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/passwort_geaendert.html"
