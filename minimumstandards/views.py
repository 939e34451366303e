from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobcenter.exports import FORMATS as EXPORT_FORMATS
from jobcenter.exports import Column, export_response
from jobcenter.services import audit_read, audit_read_refresh
from jobcenter.views import permission_required

from . import dashboard as figures
from .access import deadlines_visible_to, get_deadline_for_user
from .forms import PauseForm
from .models import RuleKind
from .services import DeadlineError, calendar_for, deadline_pause, deadline_resume
from .workdays import BERLIN


def _dashboard_context(request: HttpRequest) -> dict:
    deadlines = deadlines_visible_to(request.user)
    now = timezone.now()
    today = timezone.localdate()
    calendar = calendar_for(request.user.jobcenter)
    urgent = figures.most_urgent(deadlines)
    labels = dict(RuleKind.choices)
    return {
        "counts": figures.counts_per_rule(deadlines, now),
        "urgent": [
            (d, figures.time_left_label(figures.time_left(calendar, d, today))) for d in urgent
        ],
        "rates": [
            (labels[kind], months)
            for kind, months in figures.on_time_rates(deadlines, today).items()
        ],
        "now": now,
    }


def _subject_of(deadline) -> int | None:
    # The list names the applicant of the case, else the customer the deadline is about.
    return deadline.antrag.applicant_id if deadline.antrag_id else deadline.kunde_id


def _audit_dashboard(request: HttpRequest, context: dict, *, full: bool) -> None:
    audit_read_refresh(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Fristen-Übersicht eingesehen"),
        subject_ids=[_subject_of(d) for d, _label in context["urgent"]],
        key="deadline-dashboard",
        full=full,
    )


@permission_required("minimumstandards.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _dashboard_context(request)
    _audit_dashboard(request, context, full=True)
    return render(request, "minimumstandards/dashboard.html", context)


@permission_required("minimumstandards.view_dashboard")
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The self-updating part of the dashboard (polled by htmx): audited only when it
    names a customer not shown to this person since the page was loaded."""
    context = _dashboard_context(request)
    _audit_dashboard(request, context, full=False)
    return render(request, "minimumstandards/partials/dashboard_live.html", context)


def _person_of(deadline):
    """The customer a deadline is about: the case's applicant, else the customer of the
    deadline (contact density) or of its ticket (callback); None for an anonymous ticket."""
    if deadline.antrag_id:
        return deadline.antrag.applicant
    if deadline.kunde_id:
        return deadline.kunde
    return deadline.aufgabe.kunde if deadline.aufgabe_id else None


def _bg_of(deadline) -> str:
    if deadline.antrag_id:
        return deadline.antrag.bedarfsgemeinschaft.number
    person = _person_of(deadline)
    bg = person.bedarfsgemeinschaft if person is not None else None
    return bg.number if bg is not None else ""


def _state_of(deadline, now) -> str:
    if deadline.due_at <= now:
        return _("überschritten")
    if deadline.warn_at <= now:
        return _("droht abzulaufen")
    return _("im Plan")


def _export_columns(now) -> list[Column]:
    # Team level and data-minimal: numbers identify the case, no names leave the system.
    return [
        Column(_("Regel"), lambda d: d.get_kind_display()),
        Column(_("BG-Nummer"), _bg_of),
        Column(_("Kd.-Nr."), lambda d: getattr(_person_of(d), "kundennummer", "")),
        # A callback ticket of a visitor who gave no name has only its own number.
        Column(_("Aufgabe-Nr."), lambda d: d.aufgabe_id, "int"),
        Column(_("Fristbeginn"), lambda d: d.started_at, "datetime"),
        Column(_("fällig"), lambda d: d.due_at, "datetime"),
        Column(_("Stand"), lambda d: _state_of(d, now)),
        Column(_("zuständig"), lambda d: str(d.team or d.owner_postfach or "")),
    ]


def _export_deadlines(request: HttpRequest) -> list:
    return list(
        deadlines_visible_to(request.user)
        .open()
        .select_related(
            "antrag__applicant",
            "antrag__bedarfsgemeinschaft",
            "kunde__bedarfsgemeinschaft",
            "aufgabe__kunde__bedarfsgemeinschaft",
            "owner_postfach",
            "team",
        )
        .order_by("due_at")
    )


@permission_required("minimumstandards.view_dashboard")
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        return render(request, "404.html", status=404)
    now = timezone.now()
    stamp = timezone.localtime(now, BERLIN).strftime("%Y%m%d-%H%M")
    deadlines = _export_deadlines(request)
    response = export_response(
        deadlines,
        _export_columns(now),
        filename=f"fristen-{stamp}",
        fmt=fmt,
        title=_("Offene Fristen"),
    )
    # Every customer whose number leaves the system is on the read trail.
    shown = [p.pk for p in map(_person_of, deadlines) if p is not None]
    _audit_export(request, shown, "CSV" if fmt == "csv" else "Excel")
    return response


def _audit_export(request: HttpRequest, shown: list[int], fmt: str) -> None:
    audit_read(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Offene Fristen exportiert (%(fmt)s)") % {"fmt": fmt},
        subject_ids=shown,
    )


@require_POST
@permission_required("minimumstandards.pause_deadline")
def deadline_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_deadline_for_user(request.user, pk)
    form = PauseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(deadline)
    try:
        deadline_pause(
            actor=request.user, deadline_id=deadline.pk, reason=form.cleaned_data["reason"]
        )
    except DeadlineError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Die Frist ist angehalten."))
    return _back(deadline)


@require_POST
@permission_required("minimumstandards.pause_deadline")
def deadline_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_deadline_for_user(request.user, pk)
    try:
        deadline = deadline_resume(actor=request.user, deadline_id=deadline.pk)
    except DeadlineError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Die Frist läuft wieder; neu fällig: %(due)s")
            % {"due": timezone.localtime(deadline.due_at, BERLIN).strftime("%d.%m.%Y %H:%M")},
        )
    return _back(deadline)


def _back(deadline) -> HttpResponse:
    if deadline.antrag_id:
        return redirect("intake:case_detail", pk=deadline.antrag_id)
    return redirect("minimumstandards:dashboard")
