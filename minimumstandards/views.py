import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from jobcenter.roles import Role
from jobcenter.services import audit_read, audit_read_refresh
from jobcenter.views import role_required

from . import dashboard as figures
from .access import PAUSE_ROLES, deadlines_visible_to, get_deadline_for_user
from .forms import PauseForm
from .models import RuleKind
from .services import DeadlineError, calendar_for, deadline_pause, deadline_resume
from .workdays import BERLIN, format_due


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


@role_required(Role.TEAMLEITUNG)
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _dashboard_context(request)
    _audit_dashboard(request, context, full=True)
    return render(request, "minimumstandards/dashboard.html", context)


@role_required(Role.TEAMLEITUNG)
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The self-updating part of the dashboard (polled by htmx): audited only when it
    names a customer not shown to this person since the page was loaded."""
    context = _dashboard_context(request)
    _audit_dashboard(request, context, full=False)
    return render(request, "minimumstandards/partials/dashboard_live.html", context)


EXPORT_COLUMNS = [
    gettext_lazy("Regel"),
    gettext_lazy("BG-Nummer"),
    gettext_lazy("Kd.-Nr."),
    gettext_lazy("Fristbeginn"),
    gettext_lazy("fällig"),
    gettext_lazy("Stand"),
    gettext_lazy("zuständig"),
]


def _export_rows(request: HttpRequest, shown: list[int]):
    """The rows of the export; the customer of each row is added to `shown`."""
    now = timezone.now()
    qs = (
        deadlines_visible_to(request.user)
        .open()
        .select_related(
            "antrag__applicant", "antrag__bedarfsgemeinschaft", "owner_postfach", "team"
        )
        .order_by("due_at")
    )
    for d in qs.iterator(chunk_size=2000):
        state = (
            _("überschritten")
            if d.due_at <= now
            else _("droht abzulaufen")
            if d.warn_at <= now
            else _("im Plan")
        )
        if d.antrag_id:
            shown.append(d.antrag.applicant_id)
        # Team level and data-minimal: numbers identify the case, no names leave the system.
        yield [
            d.get_kind_display(),
            d.antrag.bedarfsgemeinschaft.number if d.antrag else "",
            d.antrag.applicant.kundennummer if d.antrag else "",
            format_due(d.started_at),
            format_due(d.due_at),
            state,
            str(d.team or d.owner_postfach or ""),
        ]


@role_required(Role.TEAMLEITUNG)
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    stamp = timezone.localtime(timezone.now(), BERLIN).strftime("%Y%m%d-%H%M")
    shown: list[int] = []
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="fristen-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM.
        writer = csv.writer(response, delimiter=";")
        writer.writerow([str(c) for c in EXPORT_COLUMNS])
        writer.writerows(_export_rows(request, shown))
        _audit_export(request, shown, "CSV")
        return response
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Offene Fristen"))
        sheet.append([str(c) for c in EXPORT_COLUMNS])
        for row in _export_rows(request, shown):
            sheet.append(row)
        _audit_export(request, shown, "Excel")
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="fristen-{stamp}.xlsx"'
        workbook.save(response)
        return response
    return render(request, "404.html", status=404)


def _audit_export(request: HttpRequest, shown: list[int], fmt: str) -> None:
    audit_read(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Offene Fristen exportiert (%(fmt)s)") % {"fmt": fmt},
        subject_ids=shown,
    )


@require_POST
@role_required(*PAUSE_ROLES)
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
@role_required(*PAUSE_ROLES)
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
