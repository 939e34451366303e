"""The self check-in kiosk (issue 16): no login, the key in the address is the credential.

Its pages are in the customer's chosen language (`?sprache=`, German by default), activated
for the request alone; the staff UI stays German. Every page is complete in itself: nothing
of a previous customer is kept (no session), and the page returns to the German start
after inactivity (static/frontdesk/kiosk.js).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache

from .access import kiosk_for_token
from .models import Kiosk, Visit
from .services.displays import RIGHT_TO_LEFT
from .services.kiosk import (
    KioskRefused,
    kiosk_check_in_appointment,
    kiosk_check_in_walk_in,
    kiosk_concerns,
    kiosk_label,
)
from .waiting import expected_wait

KIOSK_LANGUAGE_NAMES = dict(settings.KIOSK_LANGUAGES)


def _kiosk(token: str) -> Kiosk | None:
    kiosk = kiosk_for_token(token)
    if kiosk is not None:
        now = timezone.now()
        if kiosk.last_seen_at is None or kiosk.last_seen_at < now - timedelta(minutes=1):
            Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
    return kiosk


def offered_languages(kiosk: Kiosk) -> list[str]:
    """German, then those of the Jobcenter's chosen languages the kiosk speaks."""
    codes = ["de"]
    for code in kiosk.standort.jobcenter.display_languages.split(","):
        code = code.strip()
        if code in KIOSK_LANGUAGE_NAMES and code not in codes:
            codes.append(code)
    return codes


def _page(request: HttpRequest, kiosk: Kiosk, token: str, template: str, context: dict, status=200):
    offered = offered_languages(kiosk)
    lang = request.POST.get("sprache") or request.GET.get("sprache") or "de"
    if lang not in offered:
        lang = "de"
    with translation.override(lang):
        return render(
            request,
            template,
            {
                "kiosk": kiosk,
                "lang": lang,
                "dir": "rtl" if lang in RIGHT_TO_LEFT else "ltr",
                "languages": [
                    {
                        "code": c,
                        "name": KIOSK_LANGUAGE_NAMES[c],
                        "dir": "rtl" if c in RIGHT_TO_LEFT else "ltr",
                    }
                    for c in offered
                ],
                "start_url": reverse("frontdesk:kiosk", args=[token]),
                "code_url": reverse("frontdesk:kiosk_code", args=[token]),
                "walk_in_url": reverse("frontdesk:kiosk_walk_in", args=[token]),
                **context,
            },
            status=status,
        )


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "frontdesk/kiosk/invalid.html", status=404)


def _ticket(request, kiosk: Kiosk, token: str, visit: Visit) -> HttpResponse:
    visit = Visit.objects.select_related("appointment__caseworker", "standort").get(pk=visit.pk)
    appointment = visit.appointment
    return _page(
        request,
        kiosk,
        token,
        "frontdesk/kiosk/ticket.html",
        {
            "visit": visit,
            "label": kiosk_label(visit),
            "wait": expected_wait(visit),
            "appointment_time": (
                date_format(timezone.localtime(appointment.starts_at), "H:i") if appointment else ""
            ),
            "room": appointment.caseworker.room if appointment else "",
            "printed_at": date_format(timezone.localtime(visit.checked_in_at), "d.m.Y H:i"),
        },
    )


@login_not_required
@never_cache
def kiosk_start(request: HttpRequest, token: str) -> HttpResponse:
    kiosk = _kiosk(token)
    if kiosk is None:
        return _invalid(request)
    return _page(request, kiosk, token, "frontdesk/kiosk/start.html", {})


@login_not_required
@never_cache
def kiosk_code(request: HttpRequest, token: str) -> HttpResponse:
    """ "Ich habe einen Termin": the Termin-Code, typed or scanned."""
    kiosk = _kiosk(token)
    if kiosk is None:
        return _invalid(request)
    error = ""
    if request.method == "POST":
        try:
            visit = kiosk_check_in_appointment(kiosk=kiosk, code=request.POST.get("code", ""))
        except KioskRefused as refused:
            error = refused.reason
        else:
            return _ticket(request, kiosk, token, visit)
    return _page(
        request,
        kiosk,
        token,
        "frontdesk/kiosk/code.html",
        {"error": KioskRefused(error).message if error else "", "keys": "123456789"},
        status=422 if error else 200,
    )


@login_not_required
@never_cache
def kiosk_walk_in(request: HttpRequest, token: str) -> HttpResponse:
    """ "Ich habe ein Anliegen": a concern in plain words, then a number."""
    kiosk = _kiosk(token)
    if kiosk is None:
        return _invalid(request)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("concern", "")
        try:
            visit = kiosk_check_in_walk_in(kiosk=kiosk, concern_id=int(raw) if raw.isdigit() else 0)
        except KioskRefused as refused:
            error = refused.message
        else:
            return _ticket(request, kiosk, token, visit)
    return _page(
        request,
        kiosk,
        token,
        "frontdesk/kiosk/concerns.html",
        {"concerns": kiosk_concerns(kiosk), "error": error},
        status=422 if error else 200,
    )
