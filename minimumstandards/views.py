from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobcenter.exports import FORMATS as EXPORT_FORMATS
from jobcenter.exports import XLSX_TYPE as EXPORT_XLSX_TYPE
from jobcenter.exports import Column, export_response
from jobcenter.models import Team
from jobcenter.predicates import led_team_ids, user_team_ids
from jobcenter.services import audit_read, audit_read_refresh, audit_record
from jobcenter.views import permission_required

from . import charts, monthly
from . import dashboard as figures
from .access import deadlines_visible_to, get_deadline_for_user
from .forms import MonthlyReportForm, PauseForm
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
    rates = [
        (labels[kind], months) for kind, months in figures.on_time_rates(deadlines, today).items()
    ]
    return {
        "counts": figures.counts_per_rule(deadlines, now),
        "urgent": [
            (d, figures.time_left_label(figures.time_left(calendar, d, today))) for d in urgent
        ],
        "rates": rates,
        "charts": {
            "on_time_rates": charts.on_time_rate_per_month(rates),
            "breaches_per_week": charts.breaches_per_week(deadlines, today, now),
        },
        "now": now,
    }


def _report_teams(request: HttpRequest):
    """The teams whose monthly report this team lead may download: those they lead or
    belong to, in their Jobcenter."""
    ids = user_team_ids(request.user) | led_team_ids(request.user)
    return Team.objects.filter(jobcenter_id=request.user.jobcenter_id, pk__in=ids).order_by("name")


def _monthly_form(request: HttpRequest, data=None) -> MonthlyReportForm:
    return MonthlyReportForm(
        data, teams=_report_teams(request), today=timezone.localdate(), prefix="mb"
    )


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
    context["monthly_form"] = _monthly_form(request)
    return render(request, "minimumstandards/dashboard.html", context)


@permission_required("minimumstandards.view_dashboard")
def monthly_report_download(request: HttpRequest) -> HttpResponse:
    """A past month's minimum-standards report of one of the lead's teams, as PDF or Excel:
    the same files the monthly mail carries."""
    form = _monthly_form(request, request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("minimumstandards:dashboard")
    team, month = form.cleaned_data["team"], form.cleaned_data["monat"]
    fmt = form.cleaned_data["format"] or "pdf"
    report = monthly.team_month(team, month)
    if fmt == "pdf":
        response = HttpResponse(monthly.report_pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(monthly.report_xlsx(report), content_type=EXPORT_XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{monthly.filename(report)}.{fmt}"'
    audit_record(
        actor=request.user,
        action="view",
        target=team,
        summary=_("Monatsbericht Mindeststandards %(month)s heruntergeladen (%(fmt)s)")
        % {"month": f"{month:%m/%Y}", "fmt": "PDF" if fmt == "pdf" else "Excel"},
    )
    return response


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
