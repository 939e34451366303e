from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobcenter.services import audit_read
from jobcenter.views import permission_required

from . import services
from .access import get_kunde_for_officer, search_kunden
from .forms import EraseForm, LegalHoldForm, LiftHoldForm, PersonSearchForm
from .models import LegalHold
from .registry import entries
from .retention import policy_of


@permission_required("privacy.use")
def search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = search_kunden(request.user, form.cleaned_data["q"])
        audit_read(
            actor=request.user,
            target=request.user.jobcenter,
            summary="Datenschutz: Personensuche",
            subject_ids=[k.pk for k in results],
        )
    return render(request, "privacy/search.html", {"form": form, "results": results})


def _person_page(request, kunde, *, hold_form=None, erase_form=None, status=200):
    audit_read(
        actor=request.user,
        target=kunde,
        summary="Datenschutz: Übersicht der gespeicherten Daten",
        subject_ids=[kunde.pk],
    )
    sections = [
        (entry.model._meta.verbose_name_plural, entry.rows_of(kunde).count()) for entry in entries()
    ]
    bound = [form for form in (hold_form, erase_form) if form is not None and form.is_bound]
    context = {
        "error_forms": bound,
        "has_errors": any(form.errors for form in bound),
        "kunde": kunde,
        "sections": sections,
        "holds": LegalHold.objects.filter(kunde=kunde).select_related("set_by", "lifted_by"),
        "hold_form": hold_form or LegalHoldForm(),
        "erase_form": erase_form or EraseForm(),
        "policy": policy_of(kunde.jobcenter),
        "anonymised": hasattr(kunde, "anonymisation"),
    }
    return render(request, "privacy/person.html", context, status=status)


@permission_required("privacy.use")
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, get_kunde_for_officer(request.user, pk))


def _export(request, pk: int, fmt: str) -> HttpResponse:
    kunde = get_kunde_for_officer(request.user, pk)
    body = services.person_export(actor=request.user, kunde=kunde, fmt=fmt)
    content_type = "application/pdf" if fmt == "pdf" else "application/json; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="auskunft-{kunde.kundennummer}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("privacy.use")
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "pdf")


@permission_required("privacy.use")
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "json")


@require_POST
@permission_required("privacy.use")
def hold_set(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_officer(request.user, pk)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _person_page(request, kunde, hold_form=form, status=422)
    services.legal_hold_set(actor=request.user, kunde=kunde, reason=form.cleaned_data["reason"])
    messages.success(request, _("Sperrvermerk gesetzt: bis zur Aufhebung wird nichts gelöscht."))
    return redirect("privacy:person", pk=kunde.pk)


@require_POST
@permission_required("privacy.use")
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_officer(request.user, pk)
    form = LiftHoldForm(request.POST)
    hold = None
    if form.is_valid():
        hold = LegalHold.objects.filter(kunde=kunde, pk=form.cleaned_data["hold"]).first()
    if hold is None:
        messages.error(request, _("Diesen Sperrvermerk gibt es nicht."))
        return redirect("privacy:person", pk=kunde.pk)
    services.legal_hold_lift(actor=request.user, hold=hold)
    messages.success(request, _("Sperrvermerk aufgehoben."))
    return redirect("privacy:person", pk=kunde.pk)


@require_POST
@permission_required("privacy.use")
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_officer(request.user, pk)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            services.kunde_erase(
                actor=request.user,
                kunde=kunde,
                grounds=form.cleaned_data["grounds"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Person und ihre Daten wurden gelöscht."))
            return redirect("privacy:search")
    return _person_page(request, kunde, erase_form=form, status=422)
