"""The customer's page behind the link and QR code on the letter: `/t/<token>/` (issue 16).

No login and no session beyond the CSRF cookie of its forms. It shows the appointment only
(date, time, place, the caseworker's surname, what to bring) and offers: "Ich komme",
another of the caseworker's free dates, or cancelling; an invitation with
Rechtsfolgenbelehrung is cancelled or moved only on request, with a reason the caseworker
reviews. A tampered or expired link, or an appointment that is over, gets a German page
with 404 / 410. The page is never indexed and sends no referrer to other sites; each opening and each
action is audited (without an actor), and an address that tries many bad links is held off.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jobcenter import throttle
from jobcenter.http import client_address
from minimumstandards.workdays import BERLIN

from . import invitations
from .customer_codes import LinkRefused, appointment_id_from_token
from .errors import AppointmentError
from .forms import parse_slot, slot_label, slot_value
from .models import Appointment, CustomerRequest, Form, Kind
from .services import customer_link
from .services.customer_link import LinkGone

logger = logging.getLogger(__name__)

# Opening the page: this many times a minute per address and per appointment at most.
HITS_PER_MINUTE = 30
STEPS = ("verlegen", "absagen", "anfrage")


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Never a referrer to another site (the address holds the token); "no-referrer" would make
    # the browser send "Origin: null" with the page's own forms, which the CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _refused(
    request, reason: str, appointment: Appointment | None = None, status: int | None = None
) -> HttpResponse:
    status = status or (404 if reason == "invalid" else 410)
    context = {"reason": reason, "appointment": appointment}
    if appointment is not None:
        context["jobcenter"] = appointment.jobcenter
        if reason == "cancelled_by_customer":
            context.update(_cancelled_context(appointment))
    return _headers(render(request, "appointments/customer/refused.html", context, status=status))


def _too_many(request) -> HttpResponse:
    response = render(request, "appointments/customer/refused.html", {"reason": "busy"}, status=429)
    response["Retry-After"] = str(throttle.retry_after(60))
    return _headers(response)


def _cancelled_context(appointment: Appointment) -> dict:
    """What happens after the customer cancelled: who calls, and by when for an EG."""
    eg = appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id
    rebook = customer_link.rebook_due(appointment, timezone.localdate()) if eg else None
    return {"rebook_by": rebook}


def _moment(moment: datetime) -> str:
    local = timezone.localtime(moment, BERLIN)
    return date_format(local, "l, d. F Y")


def _facts(appointment: Appointment) -> dict:
    local = timezone.localtime(appointment.starts_at, BERLIN)
    end = timezone.localtime(appointment.ends_at, BERLIN)
    surname = appointment.caseworker.last_name
    return {
        "day": _moment(appointment.starts_at),
        "time": _("%(start)s bis %(end)s Uhr") % {"start": f"{local:%H:%M}", "end": f"{end:%H:%M}"},
        "kind": appointment.get_kind_display(),
        "with": (_("Ihre Ansprechperson: %(name)s") % {"name": surname})
        if surname
        else _("Ihre Ansprechperson"),
        "place": invitations.place_sentence(appointment),
        "in_person": appointment.form in (Form.PERSOENLICH, Form.WALK_AND_TALK),
        "bring": invitations.bring_along(appointment),
    }


def _context(request, token: str, appointment: Appointment, step: str = "", **extra) -> dict:
    context = {
        "token": token,
        "appointment": appointment,
        "jobcenter": appointment.jobcenter,
        "facts": _facts(appointment),
        "step": step,
        "pending": customer_link.open_request(appointment),
        "may_move": appointment.kind != Kind.GRUPPE,
        "wishes": CustomerRequest.Wish.choices,
        **extra,
    }
    if step == "verlegen" and not appointment.with_rfb and "slots" not in context:
        context["slots"] = [
            (slot_value(s), slot_label(s)) for s in customer_link.offered_slots(appointment)
        ]
    return context


def _page(request, context: dict, status: int = 200) -> HttpResponse:
    return _headers(render(request, "appointments/customer/page.html", context, status=status))


@login_not_required
@never_cache
def customer_link_page(request: HttpRequest, link_token: str) -> HttpResponse:
    token = link_token
    address = client_address(request) or "unknown"
    window = settings.LOGIN_FAILURE_WINDOW
    failures = f"customer-link-failures:{address}"
    if throttle.count(failures, window=window) >= settings.LOGIN_FAILURES_PER_ADDRESS:
        return _too_many(request)
    if throttle.hit(f"customer-link:{address}", window=60) > HITS_PER_MINUTE:
        return _too_many(request)
    try:
        appointment = customer_link.appointment_for_link(token)
    except LinkGone as gone:
        appointment = Appointment.objects.select_related("jobcenter", "antrag").get(
            pk=appointment_id_from_token(token)
        )
        return _refused(request, gone.reason, appointment)
    except LinkRefused as refused:
        throttle.hit(failures, window=window)
        logger.info("customer link refused: %s", refused.reason)
        return _refused(request, refused.reason)
    if throttle.hit(f"customer-link-appointment:{appointment.pk}", window=60) > HITS_PER_MINUTE:
        return _too_many(request)
    if request.method == "POST":
        return _act(request, token, appointment)
    step = request.GET.get("schritt", "")
    step = step if step in STEPS else ""
    customer_link.audit_opened(appointment)
    done = request.GET.get("erledigt", "")
    return _page(request, _context(request, token, appointment, step, done=done))


def _act(request: HttpRequest, token: str, appointment: Appointment) -> HttpResponse:
    action = request.POST.get("aktion", "")
    try:
        if action == "bestaetigen":
            customer_link.confirm(appointment.pk)
            return redirect(f"{request.path}?erledigt=bestaetigt")
        if action == "absagen":
            customer_link.cancel(appointment.pk)
            appointment.refresh_from_db()
            # The answer to the customer's own action: what happens next (a later visit: 410).
            return _refused(request, "cancelled_by_customer", appointment, status=200)
        if action == "verlegen":
            try:
                _, starts_at = parse_slot(request.POST.get("slot", ""))
            except Exception:
                raise AppointmentError(
                    _("Bitte wählen Sie einen der angebotenen Termine."), field="slot"
                ) from None
            customer_link.move(appointment.pk, starts_at=starts_at)
            return redirect(f"{request.path}?erledigt=verlegt")
        if action == "anfrage":
            customer_link.request(
                appointment.pk,
                wish=request.POST.get("wunsch", ""),
                reason=request.POST.get("grund", ""),
            )
            return redirect(f"{request.path}?erledigt=anfrage")
    except LinkGone as gone:
        appointment.refresh_from_db()
        return _refused(request, gone.reason, appointment)
    except AppointmentError as error:
        step = {"absagen": "absagen", "verlegen": "verlegen"}.get(action, "anfrage")
        if appointment.with_rfb and action == "absagen":
            step = "anfrage"
        context = _context(
            request,
            token,
            appointment,
            step,
            error=str(error),
            error_field=error.field or "",
            reason=request.POST.get("grund", ""),
            wish=request.POST.get("wunsch", ""),
        )
        return _page(request, context, status=422)
    return redirect(request.path)
