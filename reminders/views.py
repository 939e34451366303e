"""Staff record a consent given or withdrawn, and the language of the messages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.access import get_kunde_for_user

from .errors import ConsentError
from .models import Channel
from .services import consent_set, message_language_set, offered_languages


def _back(kunde) -> HttpResponse:
    return redirect(reverse("intake:customer_detail", args=[kunde.pk]) + "#h-erinnerungen")


@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_user(request.user, pk)
    if not request.user.has_perm("reminders.change_consent", kunde):
        raise PermissionDenied
    channel, action = request.POST.get("channel"), request.POST.get("action")
    if channel not in Channel.values or action not in ("give", "withdraw"):
        return HttpResponseBadRequest(_("Bitte Weg und Änderung wählen."))
    try:
        changed = consent_set(
            actor=request.user,  # type: ignore[arg-type]  # logged in: permission checked
            kunde=kunde,
            channel=channel,
            give=action == "give",
        )
    except ConsentError as error:
        messages.error(request, str(error))
    else:
        label = Channel(channel).label
        if not changed:
            messages.info(request, _("Keine Änderung: die Einwilligung war schon so."))
        elif action == "give":
            messages.success(request, _("Einwilligung per %(c)s erfasst.") % {"c": label})
        else:
            messages.success(request, _("Einwilligung per %(c)s widerrufen.") % {"c": label})
    return _back(kunde)


@require_POST
def language(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_user(request.user, pk)
    if not request.user.has_perm("reminders.change_consent", kunde):
        raise PermissionDenied
    code = request.POST.get("language", "")
    if code not in offered_languages(kunde.jobcenter):
        return HttpResponseBadRequest(_("Diese Sprache bietet das Jobcenter nicht an."))
    if message_language_set(actor=request.user, kunde=kunde, language=code):  # type: ignore[arg-type]
        messages.success(request, _("Sprache der Erinnerungen gespeichert."))
    else:
        messages.info(request, _("Keine Änderung: die Sprache war schon so."))
    return _back(kunde)
