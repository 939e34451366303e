"""The silent alarm's endpoints: raise, the region every staff page polls, take over, end."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jobcenter.views import permission_required

from .errors import FrontdeskError
from .models import StaffAlarm
from .services.alarm import (
    active_alarms,
    alarm_acknowledge,
    alarm_end,
    alarm_raise,
    alarm_version,
)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return redirect(target)


def _region(request: HttpRequest, *, error: str = "") -> HttpResponse:
    context = {
        "alarms": active_alarms(request.user),
        "alarm_version": alarm_version(request.user),
        "alarm_error": error,
    }
    return render(request, "frontdesk/partials/alarm_region.html", context)


@require_POST
@permission_required("frontdesk.raise_alarm")
def alarm_raise_view(request: HttpRequest) -> HttpResponse:
    try:
        alarm_raise(actor=request.user)
    except FrontdeskError as exc:
        if request.htmx:
            return _region(request, error=exc.message)
        messages.error(request, exc.message)
        return _back(request)
    if request.htmx:
        return _region(request)
    # Discreet on purpose: whoever stands in front of the screen must not see an alarm.
    messages.info(request, _("Gesendet."))
    return _back(request)


@require_GET
@permission_required("frontdesk.raise_alarm")
def alarm_region_view(request: HttpRequest) -> HttpResponse:
    """Polled by every staff page: 204 while nothing changed (one query), else the region."""
    if request.GET.get("v") == alarm_version(request.user):
        return HttpResponse(status=204)
    return _region(request)


def _colleague_step(request: HttpRequest, pk: int, step) -> HttpResponse:
    # Another site's alarm does not exist for this person.
    get_object_or_404(StaffAlarm, pk=pk, standort_id=request.user.standort_id or -1)
    try:
        step(actor=request.user, pk=pk)
    except FrontdeskError as exc:
        messages.error(request, exc.message)
    return _region(request) if request.htmx else _back(request)


@require_POST
@permission_required("frontdesk.raise_alarm")
def alarm_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _colleague_step(request, pk, alarm_acknowledge)


@require_POST
@permission_required("frontdesk.raise_alarm")
def alarm_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _colleague_step(request, pk, alarm_end)
