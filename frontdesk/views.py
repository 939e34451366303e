from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Window, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from intake.selectors import SearchKind
from jobcenter.errors import add_to_form
from jobcenter.exports import FORMATS as EXPORT_FORMATS
from jobcenter.exports import Column, Sheet, export_sheets_response
from jobcenter.models import Team, User
from jobcenter.paging import pager
from jobcenter.services import audit_read, audit_read_refresh, audit_record
from jobcenter.views import permission_required

from . import charts, stats, versions
from .access import (
    desks_visible_to,
    display_for_token,
    get_visit_for_user,
    standorte_visible_to,
    visits_visible_to,
)
from .errors import FrontdeskError, QueueEmpty
from .forms import (
    CancelForm,
    CheckInForm,
    CustomerLookupForm,
    DeskChoiceForm,
    FinishForm,
    IdentifyForm,
    NoteForm,
    PassOnForm,
    ReasonForm,
    ReportForm,
    SiteForm,
    chosen_from,
    find_kunden,
)
from .models import (
    OPEN_VISIT_STATES,
    Concern,
    Desk,
    Display,
    Outcome,
    Visit,
    VisitEvent,
    VisitState,
)
from .selectors import (
    appointment_for_checkin,
    appointments_for_checkin,
    concern_frequency,
    desk_is_stale,
    desk_of,
    ticket_team_for,
    waiting_for_desk,
)
from .services.calling import (
    no_show_refusal,
    visit_call,
    visit_call_next,
    visit_no_show,
    visit_park,
    visit_recall,
    visit_requeue,
)
from .services.checkin import CheckIn, visit_check_in
from .services.desks import desk_close, desk_default, desk_open, desk_seen
from .services.displays import display_guidance
from .services.outcomes import visit_finish, visit_pass_on
from .services.reception import visit_cancel, visit_come_back, visit_identify
from .waiting import expected_wait

SESSION_SITE = "frontdesk_standort"
SESSION_DESK = "frontdesk_desk"
QUEUE_ROWS = 50


def _site(request: HttpRequest, standorte, requested=None):
    """The site the person works at: asked for, remembered, their own (Dienstort), their
    team's, or the first."""
    for pk in (requested, request.session.get(SESSION_SITE), request.user.standort_id):
        if pk and str(pk).isdigit():
            site = standorte.filter(pk=pk).first()
            if site is not None:
                return site
    team_site = request.user.teams.filter(standort__isnull=False).values("standort").first()
    if team_site:
        site = standorte.filter(pk=team_site["standort"]).first()
        if site is not None:
            return site
    return standorte.first()


def _served_teams(user):
    return (
        Team.objects.filter(
            jobcenter_id=user.jobcenter_id, desks__active=True, desks__standort__isnull=False
        )
        .distinct()
        .order_by("name")
    )


# --- reception ---------------------------------------------------------------------------


def _today_context(request, standort, *, full: bool) -> dict:
    """The reception's "Heute" list: who is in the house at this site today.

    Refreshed every few seconds (htmx poll): the interpreter flag it shows is the customer's,
    so the customers are audited once each, not on every poll.
    """
    today = timezone.localdate()
    open_visits = (
        visits_visible_to(request.user)
        .filter(standort=standort, day=today, state__in=OPEN_VISIT_STATES)
        .select_related("team", "desk", "kunde")
        .prefetch_related(stats.prefetch_concerns())
        .order_by("-priority", "queued_at", "pk")
    )
    shown = list(open_visits[:QUEUE_ROWS])
    audit_read_refresh(
        actor=request.user,
        target=standort,
        summary=_("Empfang: Liste „Heute“ angezeigt"),
        subject_ids=[v.kunde_id for v in shown],
        key=f"reception:{standort.pk}",
        full=full and any(v.kunde_id for v in shown),
    )
    return {
        "standort": standort,
        "open_visits": shown,
        "open_count": open_visits.count() if len(shown) == QUEUE_ROWS else len(shown),
        "done_today": visits_visible_to(request.user)
        .filter(standort=standort, day=today)
        .exclude(state__in=OPEN_VISIT_STATES)
        .count(),
        "now": timezone.now(),
    }


def _checkin_context(request, form, standort, **extra) -> dict:
    today = timezone.localdate()
    results = form.results if form.is_bound else None
    if results:
        _audit_lookup(request, results)
    return {
        "form": form,
        **_today_context(request, standort, full=True),
        "results": results,
        "search": form.search if form.is_bound else None,
        "appointments": appointments_for_checkin([k.pk for k in results or []], today, standort),
        "selected_kunde": form.data.get("kunde") if form.is_bound else None,
        "with_appointment": form.is_bound and bool(form.data.get("with_appointment")),
        "has_errors": form.is_bound and bool(form.errors),
        "error_forms": [form],
        **extra,
    }


@permission_required("frontdesk.receive_visitors")
def checkin(request: HttpRequest) -> HttpResponse:
    """Check a walk-in customer in: who, which concerns, priority; a number per site."""
    user = request.user
    # The site comes with what a check-in needs of it (Jobcenter, queue settings).
    standorte = standorte_visible_to(user).select_related("jobcenter", "frontdesk_settings")
    kwargs = {"user": user, "standorte": standorte, "served_teams": _served_teams(user)}
    if request.method == "POST":
        # The form finds the site; the concerns' order by frequency matters only if the
        # page is shown again (below).
        form = CheckInForm(request.POST, **kwargs)
        action = request.POST.get("action", "wait")
        settle = {"settle": Outcome.RESOLVED, "ticket": Outcome.TICKET}.get(action, "")
        if form.is_valid():
            c = form.cleaned_data
            kunde = c["kunde"]
            appointment = appointment_for_checkin(kunde, timezone.localdate(), c["standort"])
            use_appointment = c["with_appointment"] or (not c["concerns"] and not settle)
            if c["with_appointment"] and appointment is None:
                form.add_error(
                    "with_appointment", _("Für diese Person ist heute kein Termin eingetragen.")
                )
            elif settle == Outcome.TICKET and not c["note"].strip():
                form.add_error(
                    "note",
                    _("Für das Ticket bitte notieren, worum es geht und die Rückrufnummer."),
                )
            else:
                try:
                    visit = visit_check_in(
                        actor=user,
                        data=CheckIn(
                            standort=c["standort"],
                            concerns=list(c["concerns"]),
                            kunde=kunde,
                            priority_reason=c["priority_reason"],
                            priority_note=c["priority_note"],
                            team=c["team"],
                            appointment=appointment if use_appointment else None,
                            settle=settle,
                            note=c["note"],
                            information_types=chosen_from(form),
                            concerns_current=True,  # the form's catalogue, read just now
                        ),
                    )
                except FrontdeskError as error:
                    add_to_form(form, error)
                else:
                    if request.session.get(SESSION_SITE) != visit.standort_id:
                        request.session[SESSION_SITE] = visit.standort_id
                    return redirect(f"{reverse('frontdesk:checkin')}?neu={visit.pk}")
        standort = form.cleaned_data.get("standort") or _site(
            request, standorte, request.POST.get("standort")
        )
        if standort is None:
            return render(request, "frontdesk/no_site.html")
        form.order_by_frequency(concern_frequency(standort))
        form.add_all_type_fields()
        return render(
            request, "frontdesk/checkin.html", _checkin_context(request, form, standort), status=422
        )
    standort = _site(request, standorte, request.GET.get("standort"))
    if standort is None:
        return render(request, "frontdesk/no_site.html")
    form = CheckInForm(
        initial={"standort": standort}, frequency=concern_frequency(standort), **kwargs
    )
    new = request.GET.get("neu", "")
    last = (
        visits_visible_to(user)
        .select_related("team", "appointment__caseworker")
        .filter(pk=new)
        .first()
        if new.isdigit()
        else None
    )
    return render(
        request, "frontdesk/checkin.html", _checkin_context(request, form, standort, last=last)
    )


@permission_required("frontdesk.receive_visitors")
def checkin_today(request: HttpRequest) -> HttpResponse:
    """The "Heute" list of the reception (polled by htmx every few seconds)."""
    standorte = standorte_visible_to(request.user)
    if not standorte.exists():
        return HttpResponse(status=204)
    standort = _site(request, standorte, request.GET.get("standort"))
    return render(
        request,
        "frontdesk/partials/reception_today.html",
        _today_context(request, standort, full=request.headers.get("X-Poll") != "1"),
    )


def _audit_lookup(request, results) -> None:
    audit_read(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Empfang: Kundensuche, Treffer angezeigt"),
        subject_ids=[k.pk for k in results],
    )


@permission_required("frontdesk.receive_visitors")
def checkin_lookup(request: HttpRequest) -> HttpResponse:
    """The customers matching what the reception typed so far (htmx)."""
    form = CustomerLookupForm(request.GET)
    search = results = None
    hint = ""
    if form.is_valid():
        search = find_kunden(
            request.user, form.cleaned_data["q"], form.cleaned_data["date_of_birth"]
        )
        results = search.kunden if search.searched else None
        if results:
            _audit_lookup(request, results)
        hint = search.message
        if not hint and search.kind == SearchKind.NAME and search.identifies is None and results:
            # One match by the name alone: shown to choose, never chosen for the reception.
            hint = _("Nur nach dem Namen gefunden: bitte das Geburtsdatum prüfen oder angeben.")
    else:
        # Say what is missing instead of showing nothing (e.g. a date not yet readable).
        hint = " ".join(str(m) for errors in form.errors.values() for m in errors)
    identified = search.identifies if search is not None else None
    standort = _site(request, standorte_visible_to(request.user), request.GET.get("standort"))
    return render(
        request,
        "frontdesk/partials/checkin_results.html",
        {
            "results": results,
            "search": search,
            "hint": hint,
            "appointments": appointments_for_checkin(
                [k.pk for k in results or []], timezone.localdate(), standort
            ),
            "selected_kunde": str(identified.pk) if identified else None,
            # The customer is identified and has an appointment today: checking in against
            # it is the default.
            "with_appointment": True,
        },
    )


@permission_required("frontdesk.see_visits")
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    audit_read(
        actor=request.user,
        target=visit,
        summary=_("Besuch eingesehen"),
        subject_ids=[visit.kunde_id],
    )
    return render(request, "frontdesk/visit_detail.html", _visit_context(request, visit))


def _visit_context(request, visit: Visit, **extra) -> dict:
    return {
        "visit": visit,
        "concerns": visit.visit_concerns.select_related("concern__concern_class"),
        "events": visit.events.select_related("actor", "desk", "team"),
        "identify_form": IdentifyForm(user=request.user, prefix="identify"),
        "cancel_form": CancelForm(prefix="cancel"),
        **extra,
    }


@permission_required("frontdesk.see_visits")
def visit_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable waiting ticket: number and site, no name."""
    visit = get_visit_for_user(request.user, pk)
    if not visit.number:  # settled at the reception: there is no waiting number to print
        raise Http404
    return render(request, "frontdesk/ticket.html", {"visit": visit, "wait": expected_wait(visit)})


def _back(request: HttpRequest, visit: Visit) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("frontdesk:visit_detail", pk=visit.pk)


@require_POST
@permission_required("frontdesk.see_visits")
def visit_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    form = CancelForm(request.POST, prefix="cancel")
    form.is_valid()
    try:
        visit = visit_cancel(
            actor=request.user, visit_id=visit.pk, note=form.cleaned_data.get("note", "")
        )
    except FrontdeskError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(number)s ist abgemeldet.") % {"number": visit.number})
    return _back(request, visit)


@require_POST
@permission_required("frontdesk.see_visits")
def visit_come_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    try:
        visit = visit_come_back(actor=request.user, visit_id=visit.pk)
    except FrontdeskError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(number)s ist zurück und wartet wieder an ihrem Platz.") % {"number": visit.number},
        )
    return _back(request, visit)


@require_POST
@permission_required("frontdesk.see_visits")
def visit_identify_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    form = IdentifyForm(request.POST, user=request.user, prefix="identify")
    if form.is_valid():
        try:
            visit_identify(actor=request.user, visit_id=visit.pk, kunde=form.kunde)
        except FrontdeskError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Kundin / Kunde zugeordnet."))
            return redirect("frontdesk:visit_detail", pk=visit.pk)
    visit.refresh_from_db()
    return render(
        request,
        "frontdesk/visit_detail.html",
        _visit_context(request, visit, identify_form=form),
        status=422,
    )


# --- the desk ------------------------------------------------------------------------------


def _current_and_parked(request, desk: Desk, today) -> tuple[Visit | None, list[Visit]]:
    """Who is called here and who is parked at the site, in one query."""
    rows = list(
        visits_visible_to(request.user)
        .filter(
            Q(desk=desk, state=VisitState.CALLED)
            | Q(standort_id=desk.standort_id, day=today, state=VisitState.PARKED)
        )
        .select_related(
            "kunde__bedarfsgemeinschaft", "team", "assigned_to", "standort__frontdesk_settings"
        )
        # Whether the called visit has notes at all: most have none, and then the page
        # reads no events.
        .annotate(
            has_notes=Exists(VisitEvent.objects.filter(visit=OuterRef("pk")).exclude(note=""))
        )
        .order_by("queued_at", "pk")
    )
    current = next((v for v in rows if v.state == VisitState.CALLED), None)
    if current is not None and current.jobcenter_id == request.user.jobcenter_id:
        current.jobcenter = request.user.jobcenter  # read with the desk (desk_of)
    return current, [v for v in rows if v.state == VisitState.PARKED]


def _desk_teams(desk: Desk) -> list[Team]:
    """The Jobcenter's teams by name, each with `here`: this desk serves it (one query for
    the page's heading and both forms)."""
    served = Desk.teams.through.objects.filter(desk_id=desk.pk, team_id=OuterRef("pk"))
    return list(
        Team.objects.filter(jobcenter_id=desk.standort.jobcenter_id)
        .annotate(here=Exists(served))
        .order_by("name")
    )


def _queue_context(request, desk: Desk, *, prefetch: bool = True, now=None) -> dict:
    # The version first, then the list: a write in between makes the ETag older than the
    # list (the next poll fetches again), never newer (a stale list kept for good).
    now = now or timezone.now()
    etag = versions.desk_etag(
        desk_id=desk.pk,
        user_id=request.user.pk,
        value=getattr(desk, "site_version", None) or versions.current(desk.standort_id),
        minute=versions.minute_of(now),
    )
    today = timezone.localdate(now)
    queue = waiting_for_desk(desk, request.user, today)
    # How many wait in all, in the same query as the first rows (a window over the queue).
    queue = queue.select_related("kunde", "team").annotate(
        waiting_total=Window(expression=Count("pk"))
    )
    if prefetch:
        queue = queue.prefetch_related(stats.prefetch_concerns())
    shown = list(queue[:QUEUE_ROWS])
    # The rows' links without a URL lookup per row (the list is polled every 5 s).
    link = reverse("frontdesk:call_visit", args=[0])
    head, tail = link[: link.rindex("/0/") + 1], link[link.rindex("/0/") + 2 :]
    for v in shown:
        v.call_url = f"{head}{v.pk}{tail}"
    return {
        "desk": desk,
        "queue": shown,
        "queue_count": shown[0].waiting_total if shown else 0,
        # Minutes waited count from the start of this minute: every render in one minute
        # is the same list, which is what one ETag stands for.
        "now": versions.minute_start(now),
        "queue_etag": etag,
    }


def _desk_context(request, desk: Desk, **forms) -> dict:
    today = timezone.localdate()
    current, parked = _current_and_parked(request, desk, today)
    all_teams = _desk_teams(desk)
    context = {
        **_queue_context(request, desk, prefetch=False),
        "current": current,
        "teams": [t for t in all_teams if t.here],
        "parked": parked,
    }
    # The concerns of everyone on the page in one query.
    shown = [v for v in [current, *context["queue"], *context["parked"]] if v is not None]
    prefetch_related_objects(shown, stats.prefetch_concerns())
    if current is not None:
        visit_concerns = list(current.visit_concerns.all())
        concerns = [vc.concern for vc in visit_concerns]
        # Both forms and the ticket's team come from the Jobcenter's teams: read once.
        teams = all_teams
        ticket_team = ticket_team_for(current, concerns, teams)
        context.update(
            {
                "visit_concerns": visit_concerns,
                "no_show_refusal": no_show_refusal(current),
                "may_open_kunde": current.kunde is not None
                and request.user.has_perm("intake.open_kunde", current.kunde),
                "notes": current.events.exclude(note="").select_related("actor", "desk")
                if current.has_notes
                else [],
                "finish_form": forms.get("finish_form")
                or FinishForm(
                    visit=current,
                    visit_concerns=visit_concerns,
                    jobcenter=current.jobcenter_id,
                    prefix="finish",
                    initial={"ticket_team": ticket_team},
                    teams=teams,
                ),
                "pass_on_form": forms.get("pass_on_form")
                or PassOnForm(jobcenter=current.jobcenter_id, prefix="pass", teams=teams),
                "park_form": NoteForm(prefix="park"),
                "open_finish": "finish_form" in forms,
                "open_pass_on": "pass_on_form" in forms,
            }
        )
    return context


@permission_required("frontdesk.use_desk")
def desk(request: HttpRequest) -> HttpResponse:
    """The desk: who is called here now, who waits, who is parked (rule R-WS-01)."""
    my_desk = desk_of(request.user, with_version=True)
    if my_desk is None:
        return _desk_choice(request)
    # The page header names the Jobcenter: it came with the desk (same Jobcenter, desk_of).
    request.user.jobcenter = my_desk.standort.jobcenter
    desk_seen(my_desk)
    context = _desk_context(request, my_desk)
    shown = [v.kunde_id for v in [context["current"], *context["queue"], *context["parked"]] if v]
    audit_read_refresh(
        actor=request.user,
        target=my_desk,
        summary=_("Aufrufplatz eingesehen"),
        subject_ids=shown,
        key=f"desk:{my_desk.pk}",
        full=True,
    )
    return render(request, "frontdesk/desk.html", context)


def _desk_choice(request: HttpRequest, form=None, status=200) -> HttpResponse:
    desks = (
        desks_visible_to(request.user)
        .select_related("standort", "occupied_by")
        .prefetch_related("teams")
        .order_by("standort__name", "position", "name")
    )
    now = timezone.now()
    if form is None:
        remembered = request.session.get(SESSION_DESK)
        default = desk_default(desks, remembered=remembered, user=request.user, now=now)
        form = DeskChoiceForm(desks=desks, initial={"desk": default})
        errors = []
    else:
        errors = [form]
    return render(
        request,
        "frontdesk/desk_choice.html",
        {
            "form": form,
            "desks": [(d, d.occupied_by_id and not desk_is_stale(d, now)) for d in desks],
            "has_errors": bool(errors and form.errors),
            "error_forms": errors,
        },
        status=status,
    )


def _shared_queue_key(request, desk: Desk, value: int, now) -> str:
    """The cache key of the rendered desk list that every desk with the same list shares.

    What the list shows follows from the site, its version, the minute, the desk's teams and
    the language - and from the person only if customers with an appointment wait for them
    (`waiting_for_desk`): then the key names the person, otherwise the desks of a site that
    serve the same teams share one rendering (issue 13: a change of the queue reloads every
    desk's list at once). One query: the desk's teams, each with that question."""
    mine = Visit.objects.waiting().filter(
        standort_id=desk.standort_id, day=timezone.localdate(now), assigned_to=request.user
    )
    rows = list(
        Desk.teams.through.objects.filter(desk_id=desk.pk)
        .annotate(mine=Exists(mine))
        .order_by("team_id")
        .values_list("team_id", "mine")
    )
    teams = ".".join(str(team_id) for team_id, _mine in rows)
    person = request.user.pk if any(m for _team, m in rows) else 0
    minute = versions.minute_of(now)
    return f"fd-desk-list:{desk.standort_id}:{value}:{minute}:{teams}:{person}:{get_language()}"


@permission_required("frontdesk.use_desk")
def desk_queue(request: HttpRequest) -> HttpResponse:
    """The waiting list of the desk (polled by htmx every few seconds)."""
    my_desk = desk_of(request.user, with_version=True)
    if my_desk is None:
        return HttpResponse(status=204)
    desk_seen(my_desk)
    now = timezone.now()
    # The version first (see _queue_context): the list shared under it is at least as new.
    value = getattr(my_desk, "site_version", None) or versions.current(my_desk.standort_id)
    my_desk.site_version = value  # read once
    etag = versions.desk_etag(
        desk_id=my_desk.pk, user_id=request.user.pk, value=value, minute=versions.minute_of(now)
    )
    key = _shared_queue_key(request, my_desk, value, now)
    shared = cache.get(key)
    if shared is None:
        context = _queue_context(request, my_desk, now=now)
        html = render(request, "frontdesk/partials/desk_queue.html", context).content
        shared = (html, [v.kunde_id for v in context["queue"]])
        cache.set(key, shared, 2 * versions.MINUTE)
    html, kunde_ids = shared
    # Polled every few seconds: only customers who joined the list since are audited.
    audit_read_refresh(
        actor=request.user,
        target=my_desk,
        summary=_("Aufrufplatz: Warteliste aktualisiert"),
        subject_ids=kunde_ids,
        key=f"desk:{my_desk.pk}",
        full=False,
    )
    response = HttpResponse(html)
    # An unchanged list is answered 304 by frontdesk.polling, before this view.
    response["ETag"] = etag
    return response


@require_POST
@permission_required("frontdesk.use_desk")
def desk_open_view(request: HttpRequest) -> HttpResponse:
    desks = desks_visible_to(request.user)
    form = DeskChoiceForm(request.POST, desks=desks)
    if form.is_valid():
        try:
            opened = desk_open(actor=request.user, desk_id=form.cleaned_data["desk"].pk)
        except FrontdeskError as error:
            add_to_form(form, error)
        else:
            request.session[SESSION_DESK] = opened.pk
            request.session[SESSION_SITE] = opened.standort_id
            messages.success(
                request, _("%(desk)s ist geöffnet.") % {"desk": f"{opened.standort} – {opened}"}
            )
            return redirect("frontdesk:desk")
    return _desk_choice(request, form, status=422)


@require_POST
@permission_required("frontdesk.use_desk")
def desk_close_view(request: HttpRequest) -> HttpResponse:
    my_desk = desk_of(request.user)
    if my_desk is not None:
        try:
            desk_close(actor=request.user, desk_id=my_desk.pk)
        except FrontdeskError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(desk)s ist geschlossen.") % {"desk": my_desk})
    return redirect("frontdesk:desk")


def _my_desk_or_redirect(request):
    my_desk = desk_of(request.user)
    if my_desk is None:
        messages.error(request, _("Sie haben keinen Schalter geöffnet. Bitte zuerst einen wählen."))
    return my_desk


@require_POST
@permission_required("frontdesk.use_desk")
def call_next(request: HttpRequest) -> HttpResponse:
    my_desk = _my_desk_or_redirect(request)
    if my_desk is not None:
        try:
            visit = visit_call_next(actor=request.user, desk_id=my_desk.pk)
        except QueueEmpty as error:
            messages.info(request, error.message)
        except FrontdeskError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(number)s ist an %(desk)s aufgerufen.")
                % {"number": visit.number, "desk": my_desk},
            )
    return redirect("frontdesk:desk")


@permission_required("frontdesk.use_desk")
def call_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Call one customer out of turn; the reason is required."""
    visit = get_visit_for_user(request.user, pk)
    my_desk = _my_desk_or_redirect(request)
    if my_desk is None:
        return redirect("frontdesk:desk")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_call(
                actor=request.user,
                desk_id=my_desk.pk,
                visit_id=visit.pk,
                reason=form.cleaned_data["reason"],
            )
        except FrontdeskError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(number)s ist an %(desk)s aufgerufen.")
                % {"number": visit.number, "desk": my_desk},
            )
        return redirect("frontdesk:desk")
    return render(
        request,
        "frontdesk/call_visit.html",
        {
            "visit": visit,
            "concerns": visit.visit_concerns.select_related("concern"),
            "form": form,
            "desk": my_desk,
            "has_errors": form.is_bound and bool(form.errors),
            "error_forms": [form],
        },
        status=422 if form.is_bound else 200,
    )


_STEPS = {
    "erneut": (visit_recall, gettext_lazy("%(number)s ist erneut aufgerufen.")),
    "nicht-erschienen": (
        visit_no_show,
        gettext_lazy("%(number)s ist als nicht erschienen erfasst."),
    ),
    "zurueckstellen": (visit_requeue, gettext_lazy("%(number)s wartet wieder an ihrem Platz.")),
    "parken": (visit_park, gettext_lazy("%(number)s ist geparkt und behält ihren Platz.")),
}


@require_POST
@permission_required("frontdesk.use_desk")
def visit_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in _STEPS:
        raise Http404
    visit = get_visit_for_user(request.user, pk)
    my_desk = _my_desk_or_redirect(request)
    if my_desk is None:
        return redirect("frontdesk:desk")
    service, done = _STEPS[step]
    kwargs = {}
    if step == "parken":
        form = NoteForm(request.POST, prefix="park")
        kwargs["note"] = form.cleaned_data["note"] if form.is_valid() else ""
    calls_before = visit.call_count
    try:
        visit = service(actor=request.user, desk_id=my_desk.pk, visit_id=visit.pk, **kwargs)
    except FrontdeskError as error:
        messages.error(request, error.message)
    else:
        if step == "erneut" and visit.call_count == calls_before:
            done = _("%(number)s wurde eben erst aufgerufen; das zählt nicht als neuer Aufruf.")
        messages.success(request, done % {"number": visit.number})
    return redirect("frontdesk:desk")


@require_POST
@permission_required("frontdesk.use_desk")
def visit_pass_on_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    my_desk = _my_desk_or_redirect(request)
    if my_desk is None:
        return redirect("frontdesk:desk")
    form = PassOnForm(request.POST, jobcenter=visit.jobcenter_id, prefix="pass")
    if form.is_valid():
        try:
            visit = visit_pass_on(
                actor=request.user,
                desk_id=my_desk.pk,
                visit_id=visit.pk,
                team=form.cleaned_data["team"],
                note=form.cleaned_data["note"],
            )
        except FrontdeskError as error:
            messages.error(request, error.message)
        else:
            if visit.state == VisitState.WAITING:
                text = _("%(number)s wartet jetzt auf %(team)s.")
            else:
                text = _("%(number)s ist persönlich an %(team)s weitergeleitet.")
            messages.success(
                request, text % {"number": visit.number, "team": form.cleaned_data["team"]}
            )
        return redirect("frontdesk:desk")
    return _desk_with_errors(request, my_desk, form, pass_on_form=form)


def _desk_with_errors(request: HttpRequest, desk, form, **forms) -> HttpResponse:
    """The desk page again, with the failed step's form, its errors and the input kept."""
    return render(
        request,
        "frontdesk/desk.html",
        {**_desk_context(request, desk, **forms), "has_errors": True, "error_forms": [form]},
        status=422,
    )


@require_POST
@permission_required("frontdesk.use_desk")
def visit_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    my_desk = _my_desk_or_redirect(request)
    if my_desk is None:
        return redirect("frontdesk:desk")
    visit_concerns = list(visit.visit_concerns.select_related("concern__concern_class"))

    def finish_form(**kwargs):
        return FinishForm(
            request.POST,
            visit=visit,
            visit_concerns=visit_concerns,
            jobcenter=visit.jobcenter_id,
            prefix="finish",
            **kwargs,
        )

    def shown_again(error=None):
        # The form again with the whole catalogue to choose from, its errors, the input kept.
        again = finish_form()
        again.is_valid()
        if error is not None:
            add_to_form(again, error)
        return _desk_with_errors(request, my_desk, again, finish_form=again)

    # Validated against the concerns ticked, not the whole catalogue (issue 13).
    form = finish_form(ticked_only=True)
    if form.is_valid():
        c = form.cleaned_data
        try:
            visit = visit_finish(
                actor=request.user,
                desk_id=my_desk.pk,
                visit_id=visit.pk,
                outcome=c["outcome"],
                handled=[int(pk) for pk in c["handled"]],
                extra=list(c["extra"]),
                note=c["note"],
                ticket_team=c["ticket_team"],
                information_types=chosen_from(form),
                callback_at=c["callback_at"],
            )
        except FrontdeskError as error:
            if error.field:
                # At the field, with the input kept (rule R-OE-02: the callback time).
                return shown_again(error)
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(number)s ist abgeschlossen: %(outcome)s.")
                % {"number": visit.number, "outcome": visit.get_outcome_display()},
            )
        return redirect("frontdesk:desk")
    if visit.state != VisitState.CALLED or visit.desk_id != my_desk.pk:
        messages.error(
            request, _("%(number)s ist nicht an Ihrem Schalter aufgerufen.") % {"number": visit}
        )
        return redirect("frontdesk:desk")
    return shown_again()


# --- the team lead ------------------------------------------------------------------------


@permission_required("frontdesk.view_queue_live")
def live(request: HttpRequest) -> HttpResponse:
    """Waiting now per concern, longest wait, desks open, arrivals and served per hour."""
    standorte = standorte_visible_to(request.user)
    standort = _site(request, standorte, request.GET.get("standort"))
    if standort is None:
        return render(request, "frontdesk/no_site.html")
    figures = stats.live_figures(standort)
    context = {
        "form": SiteForm(initial={"standort": standort}, standorte=standorte),
        "standort": standort,
        "figures": figures,
        "charts": {"per_hour_today": charts.per_hour_today(figures)},
        "now": timezone.now(),
    }
    template = "frontdesk/partials/live.html" if request.htmx else "frontdesk/live.html"
    return render(request, template, context)


@permission_required("frontdesk.view_queue_live")
def live_waiting(request: HttpRequest) -> HttpResponse:
    """The visits behind the live view's "wartend" counts: waiting now at the site, for one
    concern or all (stats.waiting_visits, the same rows stats.live_figures counts). Numbers,
    concerns and times only, no names: the visit's page is one click further."""
    standorte = standorte_visible_to(request.user)
    standort = _site(request, standorte, request.GET.get("standort"))
    if standort is None:
        return render(request, "frontdesk/no_site.html")
    concern = request.GET.get("anliegen", "")
    concern_id = int(concern) if concern.isdigit() else None
    visits = stats.waiting_visits(standort, concern_id=concern_id)
    concern_obj = next((c for v in visits for c in v.concerns if c.pk == concern_id), None)
    return render(
        request,
        "frontdesk/live_waiting.html",
        {"standort": standort, "visits": visits, "concern": concern_obj, "now": timezone.now()},
    )


def _report_form(request):
    standorte = standorte_visible_to(request.user)
    allowed = request.user.has_perm("frontdesk.see_employee_figures")
    if "start" in request.GET:
        data = request.GET
    else:
        # Last week and this week so far, at the person's site.
        today = timezone.localdate()
        site = _site(request, standorte)
        data = {
            "standort": site.pk if site else "",
            "start": (today - timedelta(days=today.weekday() + 7)).isoformat(),
            "end": today.isoformat(),
        }
    return ReportForm(data, standorte=standorte, may_see_employees=allowed), allowed


@permission_required("frontdesk.view_queue_report")
def report(request: HttpRequest) -> HttpResponse:
    """Waiting and processing times per day, concern and queue; load per half-day."""
    form, allowed = _report_form(request)
    result = None
    if form.is_valid():
        c = form.cleaned_data
        per_employee = allowed and c.get("je_mitarbeiter", False)
        result = stats.report(c["standort"], c["start"], c["end"], per_employee=per_employee)
        if per_employee:
            _audit_employee_figures(request, c, "angezeigt")
    export_query = urlencode(
        {k: v for k, v in form.data.items() if k in ("standort", "start", "end", "je_mitarbeiter")}
    )
    if result:
        _add_drill_queries(result)
    return render(
        request,
        "frontdesk/report.html",
        {
            "form": form,
            "report": result,
            "charts": result
            and {
                "times_per_day": charts.times_per_day(result),
                "load_per_half_day": charts.load_per_half_day(result),
            },
            "may_see_employees": allowed,
            "export_query": export_query,
            "has_errors": bool(form.errors),
            "error_forms": [form],
        },
        status=422 if form.errors else 200,
    )


def _add_drill_queries(result: stats.Report) -> None:
    """Each row's filter for the list behind its counts (report_list): the report's site
    and period, and the row's day, concern, queue or half-day."""
    base = {
        "standort": result.standort.pk,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
    }
    result.total.drill = urlencode(base)
    result.total.drill_label = result.total.label
    for row in result.per_day:
        row.drill = urlencode(base | {"tag": row.label})
        row.drill_label = date.fromisoformat(row.label).strftime("%d.%m.%Y")
    for row in result.per_concern:
        row.drill = urlencode(base | {"anliegen": row.extra["concern_id"]})
        row.drill_label = row.label
    for row in result.per_queue:
        row.drill = urlencode(base | {"team": row.extra["team_id"]})
        row.drill_label = row.label
    for half in result.per_half_day:
        half.drill = urlencode(
            base | {"wochentag": half.weekday, "vormittag": "1" if half.morning else "0"}
        )
    for row in result.per_employee or []:
        row.drill = urlencode(base | {"mitarbeiter": row.extra["user_id"]})
        row.drill_label = row.label


REPORT_LIST_PAGE_SIZE = 50


def _int_param(request, name: str, low: int = 0, high: int | None = None) -> int | None:
    raw = request.GET.get(name, "")
    if not raw.isdigit():
        return None
    value = int(raw)
    if value < low or (high is not None and value > high):
        return None
    return value


@permission_required("frontdesk.view_queue_report")
def report_list(request: HttpRequest) -> HttpResponse:
    """The visits or contacts behind one count of the report (stats.report_items): filtered
    by period, day, concern, queue (team), half-day and what was counted, paginated.
    Numbers, concerns and times only, no names (as the waiting list): the visit's page is
    one click further."""
    form, allowed = _report_form(request)
    measure = request.GET.get("zahl", "besuche")
    if measure not in stats.REPORT_MEASURES or not form.is_valid():
        return render(
            request,
            "frontdesk/report_list.html",
            {"form": form, "invalid": True, "has_errors": True, "error_forms": [form]},
            status=422,
        )
    c = form.cleaned_data
    day = None
    if request.GET.get("tag"):
        try:
            day = date.fromisoformat(request.GET["tag"])
        except ValueError:
            day = None
    concern_id = _int_param(request, "anliegen", low=1)
    team_id = _int_param(request, "team", low=1)
    weekday = _int_param(request, "wochentag", high=6)
    morning_raw = request.GET.get("vormittag")
    morning = {"1": True, "0": False}.get(morning_raw or "")
    employee_id = _int_param(request, "mitarbeiter", low=1)
    employee = None
    if employee_id is not None:
        # Per employee only with the explicit right, as on the report, and audited.
        if not allowed:
            raise PermissionDenied
        employee = User.objects.filter(pk=employee_id, jobcenter=request.user.jobcenter).first()
        if employee is None:
            raise Http404
        _audit_employee_figures(
            request, c, f"als Liste geöffnet (Mitarbeiter/in Nr. {employee.pk})"
        )
    items = stats.report_items(
        c["standort"],
        c["start"],
        c["end"],
        measure=measure,
        day=day,
        concern_id=concern_id,
        team_id=team_id,
        weekday=weekday,
        morning=morning,
        served_by_id=employee_id,
    )
    page = Paginator(items, REPORT_LIST_PAGE_SIZE).get_page(request.GET.get("seite"))
    concern = (
        Concern.objects.filter(pk=concern_id, jobcenter=request.user.jobcenter).first()
        if concern_id
        else None
    )
    team = (
        Team.objects.filter(pk=team_id, jobcenter=request.user.jobcenter).first()
        if team_id
        else None
    )
    params = {
        "standort": c["standort"].pk,
        "start": c["start"].isoformat(),
        "end": c["end"].isoformat(),
        "zahl": measure,
        "tag": day.isoformat() if day else "",
        "anliegen": concern_id or "",
        "team": team_id or "",
        "wochentag": "" if weekday is None else weekday,
        "vormittag": morning_raw if morning is not None else "",
        "mitarbeiter": employee_id or "",
    }
    return render(
        request,
        "frontdesk/report_list.html",
        {
            "form": form,
            "standort": c["standort"],
            "start": c["start"],
            "end": c["end"],
            "measure": measure,
            "measure_label": stats.REPORT_MEASURES[measure],
            "measures": stats.REPORT_MEASURES,
            "visits_listed": measure in stats.VISIT_MEASURES,
            "count": len(items),
            "page": page,
            "pager": pager(page, params, page_key="seite"),
            "day": day,
            "concern": concern,
            "team": team,
            "employee": employee,
            "weekday": weekday,
            "morning": morning,
            "back_query": urlencode({k: params[k] for k in ("standort", "start", "end")}),
        },
    )


def _audit_employee_figures(request, cleaned, how: str) -> None:
    audit_record(
        actor=request.user,
        action="view",
        target=cleaned["standort"],
        summary=f"Auswertung je Mitarbeiter/in {how}: {cleaned['start']}–{cleaned['end']}",
    )


def _report_sheets(result: stats.Report) -> list[Sheet]:
    """The report's tables as the screen shows them; every row names its site and period
    (or day), so a row copied out of the file still says what it counts."""
    site = Column(_("Standort"), lambda row: result.standort.name)
    period = [
        Column(_("von"), lambda row: result.start, "date"),
        Column(_("bis"), lambda row: result.end, "date"),
    ]
    figures = [
        Column(_("Besuche"), lambda row: row.visits, "int"),
        Column(_("Kundenkontakte"), lambda row: row.durations.contacts, "int"),
        Column(_("bedient"), lambda row: row.durations.served, "int"),
        Column(_("nicht erschienen"), lambda row: row.durations.no_shows, "int"),
        Column(_("Ø Wartezeit (Min.)"), lambda row: row.durations.avg_wait, "duration"),
        Column(_("max. Wartezeit (Min.)"), lambda row: row.durations.max_wait, "duration"),
        Column(
            _("Ø Bearbeitungszeit (Min.)"), lambda row: row.durations.avg_processing, "duration"
        ),
        Column(
            _("max. Bearbeitungszeit (Min.)"), lambda row: row.durations.max_processing, "duration"
        ),
    ]

    def day(row: stats.Row):
        # The total row keeps its label ("Gesamt") in the date column.
        try:
            return date.fromisoformat(row.label)
        except ValueError:
            return row.label

    def label(row: stats.Row) -> str:
        return row.label

    sheets = [
        Sheet(
            _("Je Tag"),
            [site, Column(_("Tag"), day, "date"), *figures],
            [*result.per_day, result.total],
        ),
        Sheet(
            _("Je Anliegen"),
            [
                site,
                *period,
                Column(_("Anliegen"), label),
                Column(_("Klasse"), lambda row: row.extra["class"]),
                Column(_("Ziel-Wartezeit (Min.)"), lambda row: row.extra["target"], "int"),
                *figures,
            ],
            result.per_concern,
        ),
        Sheet(
            _("Je Warteschlange"),
            [site, *period, Column(_("Warteschlange"), label), *figures],
            result.per_queue,
        ),
        Sheet(
            _("Auslastung"),
            [
                site,
                *period,
                Column(_("Wochentag"), lambda h: stats.weekday_label(h.weekday)),
                Column(
                    _("Tageshälfte"), lambda h: _("Vormittag") if h.morning else _("Nachmittag")
                ),
                Column(_("Ankünfte"), lambda h: h.arrivals, "int"),
                Column(_("Anzahl Tage"), lambda h: h.days, "int"),
                Column(_("Ø Ankünfte je Tag"), lambda h: h.per_day, "decimal", digits=1),
                Column(_("Ø Wartezeit (Min.)"), lambda h: h.durations.avg_wait, "duration"),
            ],
            result.per_half_day,
        ),
    ]
    if result.per_employee is not None:
        sheets.append(
            Sheet(
                _("Je Mitarbeiter_in"),
                [site, *period, Column(_("Mitarbeiter/in"), label), *figures],
                result.per_employee,
            )
        )
    return sheets


@permission_required("frontdesk.view_queue_report")
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    form, allowed = _report_form(request)
    if not form.is_valid():
        messages.error(request, _("Bitte Zeitraum und Standort prüfen."))
        return redirect("frontdesk:report")
    c = form.cleaned_data
    # Per-employee figures leave the system only with the right to see them, when asked.
    per_employee = allowed and c.get("je_mitarbeiter", False)
    result = stats.report(c["standort"], c["start"], c["end"], per_employee=per_employee)
    if per_employee:
        _audit_employee_figures(request, c, "exportiert")
    return export_sheets_response(
        _report_sheets(result),
        filename=f"warteschlange-{c['start']:%Y%m%d}-{c['end']:%Y%m%d}",
        fmt=fmt,
    )


# --- the waiting-room display ---------------------------------------------------------------


def _display(token: str) -> Display | None:
    display = display_for_token(token)
    if display is not None:
        now = timezone.now()
        if display.last_seen_at is None or display.last_seen_at < now - timedelta(minutes=1):
            Display.objects.filter(pk=display.pk).update(last_seen_at=now)
    return display


@login_not_required
@never_cache
def display(request: HttpRequest, token: str) -> HttpResponse:
    """The full-screen page for the waiting room: numbers and desks, never names."""
    screen = _display(token)
    if screen is None:
        return render(request, "frontdesk/display_invalid.html", status=404)
    now = timezone.now()
    etag = _display_etag(screen, now)
    return render(
        request,
        "frontdesk/display.html",
        {
            "display": screen,
            "etag": etag,
            "state": stats.display_state(screen.standort, now),
            "guidance": display_guidance(screen.standort.jobcenter),
            "data_url": reverse("frontdesk:display_data", args=[token]),
        },
    )


def _display_etag(screen: Display, now) -> str:
    return versions.display_etag(
        display_id=screen.pk,
        value=versions.current(screen.standort_id),
        minute=versions.minute_of(now),
    )


@login_not_required
@never_cache
def display_data(request: HttpRequest, token: str) -> JsonResponse:
    """The display's state; an unchanged one is answered 304 by frontdesk.polling."""
    screen = _display(token)
    if screen is None:
        return JsonResponse({"error": _("Diese Anzeige ist nicht freigeschaltet.")}, status=404)
    now = timezone.now()
    value = versions.current(screen.standort_id)  # before the state: see _queue_context
    minute = versions.minute_of(now)
    # The displays of a site show the same state for one version and minute (what their
    # ETag stands for): computed once, the other screens take it from the cache.
    key = f"fd-display-state:{screen.standort_id}:{value}:{minute}:{get_language()}"
    state = cache.get(key)
    if state is None:
        state = stats.display_state(screen.standort, now)
        cache.set(key, state, 2 * versions.MINUTE)
    response = JsonResponse(state)
    response["ETag"] = versions.display_etag(display_id=screen.pk, value=value, minute=minute)
    return response
