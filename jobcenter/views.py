from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .roles import Role


def role_required(*roles: str) -> Callable:
    """Refuse (403) anyone whose role is not among `roles`; login is enforced globally."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_role(*roles) or request.user.jobcenter_id is None:
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the place of their daily work."""
    user = request.user
    if user.has_role(Role.EINGANGSZONE, Role.HOTLINE) and user.jobcenter_id:
        target = "intake:new" if user.role == Role.EINGANGSZONE else "intake:service_centre"
        return redirect(target)
    if user.has_role(Role.LEISTUNG, Role.INTEGRATION, Role.TEAMLEITUNG) and user.jobcenter_id:
        return redirect("intake:case_list")
    if user.has_role(Role.EMPFANG) and user.jobcenter_id:
        return redirect("intake:customer_search")
    if user.is_superuser or user.has_role(Role.ADMINISTRATION):
        return redirect(reverse("admin:index"))
    return render(request, "home.html")


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
