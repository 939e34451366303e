from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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

from . import charts, monthly, selectors, tally
from . import dashboard as figures
from .access import deadlines_visible_parts, deadlines_visible_to, get_deadline_for_user
from .forms import DeadlineListForm, ForecastForm, MonthlyReportForm, PauseForm
from .listing import deadline_page
from .models import TIME_POINT_KINDS, RuleKind
from .services import DeadlineError, calendar_for, deadline_pause, deadline_resume
from .workdays import BERLIN


def _team_choice(request: HttpRequest) -> tuple[str, list]:
    """The team the lead narrowed the dashboard to (`?team=`), and the teams to choose from."""
    teams = list(Team.objects.filter(pk__in=user_team_ids(request.user)).order_by("name"))
    team = request.GET.get("team", "")
    if team not in {str(t.pk) for t in teams}:
        team = ""
    return team, teams


def _dashboard_context(request: HttpRequest, *, full: bool = True) -> dict:
    """The dashboard's figures; `full=False` (the polled live part) only those it shows:
    the counts and the most urgent, not the on-time rates and the charts."""
    team, teams = _team_choice(request)
    deadlines = deadlines_visible_to(request.user)
    if team:
        deadlines = deadlines.filter(team_id=int(team))
    now = timezone.now()
    today = timezone.localdate()
    calendar = calendar_for(request.user.jobcenter)
    parts = deadlines_visible_parts(request.user)
    if team:
        parts = [p.filter(team_id=int(team)) for p in parts]
    urgent = figures.most_urgent(deadlines, parts=parts)
    labels = dict(RuleKind.choices)
    scope = tally.scope_for(request.user, team)
    counts = figures.counts_per_rule(deadlines, now, team=team, scope=scope)
    rates = [
        (labels[kind], kind, months)
        for kind, months in (
            figures.on_time_rates(deadlines, today, scope=scope).items() if full else ()
        )
    ]
    return {
        "counts": [c for c in counts if not c.is_time_point],
        "time_points": [c for c in counts if c.is_time_point],
        "urgent": [
            (d, figures.deadline_time_left(calendar, d, today), _tone(d, now)) for d in urgent
        ],
        "rates": [
            (
                label,
                [
                    (
                        m,
                        selectors.list_url(
                            kind=kind, team=team, state="fristgerecht", period=_month(m.month)
                        ),
                        selectors.list_url(
                            kind=kind, team=team, state="verspaetet", period=_month(m.month)
                        ),
                    )
                    for m in months
                ],
            )
            for label, kind, months in rates
        ],
        "charts": {
            "on_time_rates": charts.on_time_rate_per_month(
                [(label, months) for label, _kind, months in rates]
            ),
            "breaches_per_week": (
                charts.breaches_per_week(deadlines, today, now, scope=scope) if full else None
            ),
        },
        "now": now,
        "team": team,
        "teams": teams,
        "team_query": urlencode({"team": team}) if team else "",
        "at_risk_url": selectors.list_url(team=team, state="gefaehrdet"),
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


def _tone(deadline, now) -> str:
    """The badge of a deadline's time left; none for a Versagung (rule R-FR-02)."""
    if deadline.kind in TIME_POINT_KINDS:
        return "info" if deadline.due_at <= now else ""
    if deadline.due_at <= now:
        return "danger"
    return "warning" if deadline.warn_at <= now else ""


def _month(first) -> selectors.Period:
    return selectors.Period.parse(first.strftime("%Y-%m"))


def _subject_of(deadline) -> int | None:
    # The list names the applicant of the case, else the customer the deadline is about.
    return deadline.antrag.applicant_id if deadline.antrag_id else deadline.kunde_id


def _audit_dashboard(request: HttpRequest, context: dict, *, full: bool) -> None:
    audit_read_refresh(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Fristen-Übersicht eingesehen"),
        subject_ids=[_subject_of(d) for d, _label, _t in context["urgent"]],
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
    context = _dashboard_context(request, full=False)
    _audit_dashboard(request, context, full=False)
    return render(request, "minimumstandards/partials/dashboard_live.html", context)


@permission_required("minimumstandards.view_deadlines")
def deadline_list(request: HttpRequest) -> HttpResponse:
    """The deadlines behind a count: filtered by rule, team, state and period, paginated."""
    user = request.user
    teams = list(Team.objects.filter(pk__in=user_team_ids(user)).order_by("name"))
    form = DeadlineListForm(request.GET or {"zustand": "offen"}, teams=teams)
    now = timezone.now()
    today = timezone.localdate()
    context = {"form": form, "now": now, "page": None, "rows": []}
    if form.is_valid():
        data = form.cleaned_data
        chosen = selectors.ListFilter(
            kind=data["regel"],
            team=data["team"],
            state=data["zustand"] or "offen",
            period=data["zeitraum"],
        )
        page = deadline_page(chosen, user, now, request.GET.get("seite"))
        calendar = calendar_for(user.jobcenter)
        rows = [
            {
                "deadline": d,
                "person": _person_of(d),
                "bg": _bg_of(d),
                "state": selectors.state_label(d, now),
                "left": figures.deadline_time_left(calendar, d, today)
                if d.status == d.Status.OPEN
                else "",
                "url": _case_url(d),
            }
            for d in page.object_list
        ]
        team_names = {str(t.pk): t.name for t in teams} | {"ohne": _("ohne Team")}
        context |= {
            "page": page,
            "rows": rows,
            "filter": chosen,
            "query": chosen.query(),
            "state_label": selectors.STATES[chosen.state],
            "kind_label": dict(RuleKind.choices).get(chosen.kind, ""),
            "team_label": team_names.get(chosen.team, ""),
            "back_query": urlencode({"team": chosen.team})
            if chosen.team and chosen.team != "ohne"
            else "",
        }
        audit_read(
            actor=user,
            target=user.jobcenter,
            summary=_("Fristenliste eingesehen"),
            subject_ids=[r["person"].pk for r in rows if r["person"] is not None],
        )
    return render(request, "minimumstandards/deadline_list.html", context)


def _case_url(deadline) -> str:
    if deadline.antrag_id:
        return reverse("intake:case_detail", args=[deadline.antrag_id])
    person = _person_of(deadline)
    return reverse("intake:customer_detail", args=[person.pk]) if person is not None else ""


@permission_required("minimumstandards.view_dashboard")
def forecast(request: HttpRequest) -> HttpResponse:
    """The breach forecast: what breaches on each of the next working days, and the hours."""
    form = ForecastForm(request.GET)
    days = form.cleaned_data["tage"] if form.is_valid() else selectors.FORECAST_DAYS
    team, teams = _team_choice(request)
    deadlines = deadlines_visible_to(request.user)
    if team:
        deadlines = deadlines.filter(team_id=int(team))
    result = selectors.breach_forecast(
        deadlines,
        calendar=calendar_for(request.user.jobcenter),
        now=timezone.now(),
        n=days,
        scope=tally.scope_for(request.user, team),
    )
    return render(
        request,
        "minimumstandards/forecast.html",
        {"form": form, "forecast": result, "days": days, "team": team, "teams": teams},
    )


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
