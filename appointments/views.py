"""Pages of the appointments app. Each view loads through `access`, validates a form,
calls one service (`appointments.services.<subject>`) and renders (or redirects); domain
errors become German messages."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from intake.access import get_antrag_for_user, get_kunde_for_user
from jobcenter.errors import add_to_form
from jobcenter.models import User
from jobcenter.paging import pager
from jobcenter.services import audit_read, audit_read_refresh, audit_record
from jobcenter.views import permission_required
from minimumstandards.models import FOLLOW_UP_KINDS, Deadline
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN

from . import access, charts, kpi, selectors
from .errors import AppointmentError
from .forms import (
    AbsenceForm,
    CancelForm,
    CertificateForm,
    ContactProfileForm,
    ContactRecordForm,
    EgBookForm,
    FollowUpBookForm,
    GroupInviteForm,
    GroupRecordForm,
    GroupSeriesForm,
    HeldForm,
    InvitationForm,
    KooperationsplanUpdateForm,
    MeasureForm,
    NoShowForm,
    ProposalFeedbackForm,
    ProposalForm,
    RestrictionForm,
    ReviewForm,
    SchoolForm,
    WindowForm,
    slot_label,
    slot_value,
)
from .ical import appointment_ical
from .invitations import follow_up_rfb_required
from .letters import invitation_pdf
from .models import (
    OCCUPYING,
    Absence,
    Appointment,
    AvailabilityRestriction,
    ContactProfile,
    GroupEvent,
    Kind,
    Kooperationsplan,
    MeasureParticipation,
    PlacementProposal,
    ReleasedWindow,
    SchoolRecord,
    Status,
)
from .services import (
    calendars,
    contact_density,
    first_consultation,
    follow_ups,
    group_events,
    kooperationsplan,
    nachhaltung,
    outcomes,
)
from .slots import CalendarData, free_slots
from .worklist import day_start


def _week_start(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("woche", ""))
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


# --- calendar and worklist ---------------------------------------------------------------


def _shown_kunden(context: dict) -> list[int]:
    """The customers a calendar or worklist context names (week, appointments, contacts)."""
    ids = [a.kunde_id for day in context.get("days", []) for a in day["appointments"]]
    for key in ("arrivals", "awaiting_outcome", "upcoming", "contacts_due"):
        ids += [row.kunde_id for row in context.get(key, [])]
    return ids


def _week_context(caseworker: User, monday: date) -> dict:
    now = timezone.now()
    calendar = calendar_for(caseworker.jobcenter)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=BERLIN)
    end = start + timedelta(days=7)
    data = CalendarData.load([caseworker.pk], start, end)
    appointments = list(
        Appointment.objects.filter(caseworker=caseworker, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[Status.ABGESAGT_JC, Status.ABGESAGT_KUNDE])
        .select_related("kunde", "group_event")
        .order_by("starts_at")
    )
    group_events = list(
        GroupEvent.objects.filter(host=caseworker, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=GroupEvent.EventStatus.ABGESAGT)
        .select_related("standort")
    )
    free = {
        kind: free_slots(
            data,
            calendar,
            caseworker_id=caseworker.pk,
            kind=kind,
            after=max(now, start),
            until=end,
        )
        for kind in (Kind.ERSTGESPRAECH, Kind.FOLGEGESPRAECH)
    }
    days = []
    for offset in range(5):
        day = monday + timedelta(days=offset)
        days.append(
            {
                "day": day,
                "closed": calendar.non_working_reason(day),
                "appointments": [
                    a for a in appointments if a.starts_at.astimezone(BERLIN).date() == day
                ]
                + [],
                "group_events": [
                    e for e in group_events if e.starts_at.astimezone(BERLIN).date() == day
                ],
                "absences": [
                    a
                    for a in data.absences.get(caseworker.pk, [])
                    if a.starts_at.astimezone(BERLIN).date()
                    <= day
                    <= a.ends_at.astimezone(BERLIN).date()
                ],
                "free_eg": [s for s in free[Kind.ERSTGESPRAECH] if s.local_start.date() == day],
                "free_follow_up": [
                    s for s in free[Kind.FOLGEGESPRAECH] if s.local_start.date() == day
                ],
            }
        )
    return {
        "caseworker": caseworker,
        "monday": monday,
        "friday": monday + timedelta(days=4),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "days": days,
        "today": timezone.localdate(),
    }


def _worklist_context(user: User) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    mine = Appointment.objects.filter(caseworker=user).select_related("kunde", "antrag")
    profiles = (
        ContactProfile.objects.filter(kunde__ifk=user, active=True)
        .select_related("kunde")
        .order_by("next_contact_due")
    )
    return {
        "awaiting_outcome": list(
            mine.filter(status=Status.GEBUCHT, starts_at__lte=now).order_by("starts_at")[:50]
        ),
        "upcoming": list(
            mine.filter(status=Status.GEBUCHT, starts_at__gt=now).order_by("starts_at")[:20]
        ),
        "contacts_due": list(
            profiles.filter(next_contact_due__lte=today + timedelta(days=14))[:50]
        ),
        "groups_to_record": list(
            GroupEvent.objects.filter(
                host=user, status=GroupEvent.EventStatus.GEPLANT, starts_at__lte=now
            ).select_related("standort")
        ),
        "today": today,
        "soon": today + timedelta(days=7),
        **_arrivals_context(user),
    }


@permission_required("appointments.use_calendar")
def calendar(request: HttpRequest) -> HttpResponse:
    user = request.user
    caseworkers = access.caseworkers_visible_to(user).order_by("last_name", "first_name")
    selected = None
    if request.GET.get("ifk"):
        try:
            selected = access.get_caseworker_for_user(user, int(request.GET["ifk"]))
        except ValueError:
            raise Http404 from None
    elif user.has_perm("appointments.hold_consultations"):
        selected = user
    monday = _week_start(request)
    context = {"caseworkers": caseworkers, "selected": selected, "monday": monday}
    if selected is not None:
        context.update(_week_context(selected, monday))
        context["may_manage"] = user.has_perm("appointments.manage_calendar", selected)
    if request.htmx and selected is not None:
        _audit_calendar(request, selected, context)
        return render(request, "appointments/partials/week.html", context)
    if user.has_perm("appointments.hold_consultations"):
        context.update(_worklist_context(user))
    if user.has_perm("appointments.see_group_coverage"):
        context["coverage"] = selectors.group_event_coverage(jobcenter=user.jobcenter)
    _audit_calendar(request, selected, context)
    return render(request, "appointments/calendar.html", context)


def _audit_calendar(request, selected, context) -> None:
    shown = _shown_kunden(context)
    if selected is None and not shown:
        return  # only the choice of a calendar: nobody's data
    audit_read(
        actor=request.user,
        target=selected or request.user,
        summary=_("Terminkalender eingesehen"),
        subject_ids=shown,
    )


@permission_required("appointments.hold_consultations")
def worklist_panel(request: HttpRequest) -> HttpResponse:
    """The IFK's appointments and due contacts as a partial (for other worklists to load)."""
    context = _worklist_context(request.user)
    audit_read(
        actor=request.user,
        target=request.user,
        summary=_("Termine und fällige Kontakte eingesehen"),
        subject_ids=_shown_kunden(context),
    )
    return render(request, "appointments/partials/worklist.html", context)


def _arrivals_context(user: User) -> dict:
    return {
        "arrivals": list(
            Appointment.objects.filter(
                caseworker=user,
                status=Status.GEBUCHT,
                arrived_at__gte=day_start(timezone.now()),
            )
            .select_related("kunde")
            .order_by("arrived_at")
        )
    }


@permission_required("appointments.hold_consultations")
def arrivals_panel(request: HttpRequest) -> HttpResponse:
    """Who has checked in at the reception for the IFK's appointments today (polled)."""
    context = _arrivals_context(request.user)
    audit_read_refresh(
        actor=request.user,
        target=request.user,
        summary=_("Eingetroffene Kundinnen und Kunden eingesehen"),
        subject_ids=[a.kunde_id for a in context["arrivals"]],
        key=f"arrivals:{request.user.pk}",
        full=False,
    )
    return render(request, "appointments/partials/arrivals.html", context)


# --- windows and absences ----------------------------------------------------------------


def _windows_context(request, caseworker, window_form=None, absence_form=None) -> dict:
    today = timezone.localdate()
    window_form = window_form or WindowForm(caseworker=caseworker, prefix="w")
    absence_form = absence_form or AbsenceForm(prefix="a")
    return {
        "caseworker": caseworker,
        "windows": ReleasedWindow.objects.filter(caseworker=caseworker)
        .exclude(valid_until__lt=today)
        .select_related("standort")
        .order_by("kind", "weekday", "starts"),
        "absences": Absence.objects.filter(
            caseworker=caseworker, ends_at__gte=timezone.now()
        ).order_by("starts_at"),
        "window_form": window_form,
        "absence_form": absence_form,
        "error_forms": [window_form, absence_form],
    }


def _managed_caseworker(request, pk: int) -> User:
    caseworker = access.get_caseworker_for_user(request.user, pk)
    if not request.user.has_perm("appointments.manage_calendar", caseworker):
        raise PermissionDenied
    return caseworker


@permission_required("appointments.manage_calendar")
def windows(request: HttpRequest, pk: int) -> HttpResponse:
    caseworker = _managed_caseworker(request, pk)
    return render(request, "appointments/windows.html", _windows_context(request, caseworker))


@require_POST
@permission_required("appointments.manage_calendar")
def window_add(request: HttpRequest, pk: int) -> HttpResponse:
    caseworker = _managed_caseworker(request, pk)
    form = WindowForm(request.POST, caseworker=caseworker, prefix="w")
    if form.is_valid():
        try:
            calendars.window_create(actor=request.user, caseworker=caseworker, **form.cleaned_data)
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Zeitfenster freigegeben."))
            return redirect("appointments:windows", pk=caseworker.pk)
    context = _windows_context(request, caseworker, window_form=form)
    context["has_errors"] = True
    return render(request, "appointments/windows.html", context, status=422)


@require_POST
@permission_required("appointments.manage_calendar")
def window_end(request: HttpRequest, pk: int, window_pk: int) -> HttpResponse:
    caseworker = _managed_caseworker(request, pk)
    window = ReleasedWindow.objects.filter(caseworker=caseworker, pk=window_pk).first()
    if window is None:
        raise Http404
    calendars.window_end(actor=request.user, window_id=window.pk)
    messages.success(request, _("Zeitfenster beendet. Gebuchte Termine bleiben bestehen."))
    return redirect("appointments:windows", pk=caseworker.pk)


@require_POST
@permission_required("appointments.manage_calendar")
def absence_add(request: HttpRequest, pk: int) -> HttpResponse:
    caseworker = _managed_caseworker(request, pk)
    form = AbsenceForm(request.POST, prefix="a")
    if form.is_valid():
        try:
            _absence, clashes = calendars.absence_create(
                actor=request.user, caseworker=caseworker, **form.cleaned_data
            )
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Abwesenheit eingetragen."))
            if clashes:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d gebuchter Termin liegt in der Abwesenheit: bitte absagen und "
                        "neu buchen (%(list)s).",
                        "%(n)d gebuchte Termine liegen in der Abwesenheit: bitte absagen und "
                        "neu buchen (%(list)s).",
                        len(clashes),
                    )
                    % {
                        "n": len(clashes),
                        "list": ", ".join(
                            f"{timezone.localtime(a.starts_at):%d.%m. %H:%M}" for a in clashes
                        ),
                    },
                )
            return redirect("appointments:windows", pk=caseworker.pk)
    context = _windows_context(request, caseworker, absence_form=form)
    context["has_errors"] = True
    return render(request, "appointments/windows.html", context, status=422)


@require_POST
@permission_required("appointments.manage_calendar")
def absence_delete(request: HttpRequest, pk: int, absence_pk: int) -> HttpResponse:
    caseworker = _managed_caseworker(request, pk)
    absence = Absence.objects.filter(caseworker=caseworker, pk=absence_pk).first()
    if absence is None:
        raise Http404
    calendars.absence_delete(actor=request.user, absence_id=absence.pk)
    messages.success(request, _("Abwesenheit gelöscht."))
    return redirect("appointments:windows", pk=caseworker.pk)


# --- the first consultation: booking chain ------------------------------------------------


def _eg_slot_choices(result) -> list[tuple[str, str]]:
    """The slots the chain found, each marked when it lies after the deadline."""
    if result.found is None:
        return []
    choices = []
    for slot in result.found.slots:
        label = slot_label(slot, with_person=str(result.found.caseworker))
        if result.limits.late_reasons(slot.starts_at):
            label += " – " + _("nach der Frist: nur mit Begründung")
        choices.append((slot_value(slot), label))
    return choices


def _eg_form_options(antrag) -> dict:
    """Rule R-TE-08: the booking asks for the exception where EGs are held in person."""
    return {"in_person_required": antrag.jobcenter.eg_in_person_required(timezone.localdate())}


def _eg_context(request, antrag, form=None) -> dict:
    result = selectors.eg_search(antrag=antrag)
    form = form or EgBookForm(
        slots=_eg_slot_choices(result), prefix="eg", **_eg_form_options(antrag)
    )
    form.fields["slot"].widget.choices = _eg_slot_choices(result)
    return {
        "antrag": antrag,
        "result": result,
        "form": form,
        "error_forms": [form],
        "is_lead": request.user.has_perm("appointments.book_by_hand", antrag),
        "now": timezone.now(),
    }


def _bookable_antrag(request, pk: int):
    antrag = get_antrag_for_user(request.user, pk)
    if not request.user.has_perm("intake.book_first_consultation", antrag):
        raise PermissionDenied
    return antrag


@permission_required("appointments.use_calendar")
def eg_search(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = _bookable_antrag(request, pk)
    audit_read(
        actor=request.user,
        target=antrag,
        summary=_("Erstgespräch: Terminsuche geöffnet"),
        subject_ids=[antrag.applicant_id],
    )
    return render(request, "appointments/eg_search.html", _eg_context(request, antrag))


def _book_eg_from_form(request, antrag, form) -> Appointment | None:
    caseworker_id, starts_at = form.cleaned_data["slot"]
    caseworker = access.eg_caseworker(antrag, caseworker_id)
    if caseworker is None:
        form.add_error("slot", _("Bitte einen der angebotenen Termine wählen."))
        return None
    try:
        return first_consultation.eg_book(
            actor=request.user,
            antrag_id=antrag.pk,
            caseworker=caseworker,
            starts_at=starts_at,
            form=form.cleaned_data["form"],
            late_reason=form.cleaned_data.get("late_reason", ""),
            remote_reason=form.cleaned_data.get("remote_reason", ""),
            activation_on=form.cleaned_data.get("activation_on"),
        )
    except (AppointmentError, PermissionDenied) as error:
        add_to_form(form, error)
    return None


@require_POST
@permission_required("appointments.use_calendar")
def eg_book(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = _bookable_antrag(request, pk)
    result = selectors.eg_search(antrag=antrag)
    form = EgBookForm(
        request.POST, slots=_eg_slot_choices(result), prefix="eg", **_eg_form_options(antrag)
    )
    if form.is_valid():
        appointment = _book_eg_from_form(request, antrag, form)
        if appointment is not None:
            messages.success(
                request,
                _("Erstgespräch gebucht: %(at)s bei %(who)s (%(step)s).")
                % {
                    "at": timezone.localtime(appointment.starts_at).strftime("%d.%m.%Y %H:%M"),
                    "who": appointment.caseworker,
                    "step": appointment.booking_note or appointment.get_booking_step_display(),
                },
            )
            return redirect("appointments:detail", pk=appointment.pk)
    context = _eg_context(request, antrag, form=form)
    context["has_errors"] = True
    return render(request, "appointments/eg_search.html", context, status=422)


@require_POST
@permission_required("appointments.use_calendar")
def eg_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = _bookable_antrag(request, pk)
    try:
        escalation = first_consultation.eg_escalate(actor=request.user, antrag_id=antrag.pk)
    except AppointmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Ticket an %(postfach)s gesendet; die Teamleitung ist informiert und bucht.")
            % {"postfach": escalation.aufgabe.postfach},
        )
    return redirect("intake:case_detail", pk=antrag.pk)


@permission_required("appointments.book_by_hand")
def eg_manual(request: HttpRequest, pk: int) -> HttpResponse:
    """The team lead books by hand: any free EG slot in the team (rule R-EG-03)."""
    antrag = _bookable_antrag(request, pk)
    groups = selectors.team_slots(antrag=antrag)
    choices = [
        (slot_value(s), slot_label(s, with_person=str(person)))
        for person, slots in groups
        for s in slots
    ]
    form = EgBookForm(request.POST or None, slots=choices, prefix="eg", **_eg_form_options(antrag))
    if request.method == "POST" and form.is_valid():
        appointment = _book_eg_from_form(request, antrag, form)
        if appointment is not None:
            messages.success(request, _("Erstgespräch von der Teamleitung gebucht."))
            return redirect("appointments:detail", pk=appointment.pk)
    if request.method != "POST":
        audit_read(
            actor=request.user,
            target=antrag,
            summary=_("Erstgespräch: Buchung durch die Teamleitung geöffnet"),
            subject_ids=[antrag.applicant_id],
        )
    context = {
        "antrag": antrag,
        "groups": groups,
        "form": form,
        "limits": selectors.eg_limits(antrag),
        "has_errors": form.is_bound and bool(form.errors),
        "error_forms": [form],
        "now": timezone.now(),
    }
    return render(
        request, "appointments/eg_manual.html", context, status=422 if form.errors else 200
    )


# --- one appointment -----------------------------------------------------------------------


def _detail_context(request, appointment, **forms) -> dict:
    user = request.user
    started = appointment.starts_at <= timezone.now()
    context = {
        "appointment": appointment,
        "may_record": appointment.is_open
        and started
        and appointment.kind != Kind.GRUPPE
        and user.has_perm("appointments.record_outcome", appointment),
        "may_cancel": appointment.is_open
        and user.has_perm("appointments.cancel_appointment", appointment),
        "not_started": appointment.is_open and not started,
        "held_form": forms.get("held_form")
        or HeldForm(
            prefix="held",
            initial={"minutes": appointment.duration_minutes, "form": appointment.form},
            first_consultation=appointment.kind == Kind.ERSTGESPRAECH,
        ),
        "no_show_form": forms.get("no_show_form") or NoShowForm(prefix="ns"),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
        "limits": selectors.eg_limits(appointment.antrag)
        if appointment.antrag_id and appointment.kind == Kind.ERSTGESPRAECH
        else None,
        "customer_requests": list(appointment.customer_requests.select_related("aufgabe")),
        "next_appointment": Appointment.objects.filter(previous=appointment)
        .select_related("caseworker")
        .first(),
    }
    context["has_errors"] = any(f.is_bound and f.errors for f in forms.values())
    context["error_forms"] = [context["held_form"], context["no_show_form"], context["cancel_form"]]
    # Errors of a form that is no longer shown (the outcome was recorded meanwhile).
    hidden = [] if context["may_record"] else [context["held_form"], context["no_show_form"]]
    if not context["may_cancel"]:
        hidden.append(context["cancel_form"])
    context["orphan_errors"] = [e for f in hidden if f.is_bound for e in f.non_field_errors()]
    context["now"] = timezone.now()
    return context


@permission_required("appointments.use_calendar")
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    audit_read(
        actor=request.user,
        target=appointment,
        summary=_("Termin eingesehen"),
        subject_ids=[appointment.kunde_id],
    )
    return render(request, "appointments/detail.html", _detail_context(request, appointment))


def _outcome_response(request, appointment, context, *, ok: bool) -> HttpResponse:
    if request.htmx:
        # htmx swaps only 2xx answers: a form with errors comes back as 200 too.
        return render(request, "appointments/partials/outcome.html", context)
    if ok:
        return redirect("appointments:detail", pk=appointment.pk)
    return render(request, "appointments/detail.html", context, status=422)


@require_POST
@permission_required("appointments.record_outcome")
def record_held(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    form = HeldForm(
        request.POST, prefix="held", first_consultation=appointment.kind == Kind.ERSTGESPRAECH
    )
    if form.is_valid():
        try:
            appointment = outcomes.appointment_record_held(
                actor=request.user, appointment_id=appointment.pk, **form.cleaned_data
            )
        except (AppointmentError, PermissionDenied) as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Gespräch als durchgeführt erfasst (%(kind)s).")
                % {"kind": appointment.vermerk.get_kind_display()},
            )
            appointment = access.get_appointment_for_user(request.user, pk)
            return _outcome_response(
                request, appointment, _detail_context(request, appointment), ok=True
            )
    return _outcome_response(
        request, appointment, _detail_context(request, appointment, held_form=form), ok=False
    )


@require_POST
@permission_required("appointments.record_outcome")
def record_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    form = NoShowForm(request.POST, prefix="ns")
    if form.is_valid():
        try:
            appointment, new = outcomes.appointment_record_no_show(
                actor=request.user, appointment_id=appointment.pk, note=form.cleaned_data["note"]
            )
        except (AppointmentError, PermissionDenied) as error:
            add_to_form(form, error)
        else:
            if new is not None:
                messages.success(
                    request,
                    _(
                        "Meldeversäumnis erfasst. Folgeeinladung %(rfb)s: %(at)s; Aufgabe zur "
                        "Prüfung einer Leistungsminderung angelegt."
                    )
                    % {
                        "rfb": _("mit Rechtsfolgenbelehrung")
                        if new.with_rfb
                        else _("ohne Rechtsfolgenbelehrung"),
                        "at": timezone.localtime(new.starts_at).strftime("%d.%m.%Y %H:%M"),
                    },
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Meldeversäumnis erfasst. Kein freier Termin für die Folgeeinladung: "
                        "eine Aufgabe erinnert daran, von Hand einzuladen."
                    ),
                )
            appointment = access.get_appointment_for_user(request.user, pk)
            return _outcome_response(
                request, appointment, _detail_context(request, appointment), ok=True
            )
    return _outcome_response(
        request, appointment, _detail_context(request, appointment, no_show_form=form), ok=False
    )


@require_POST
@permission_required("appointments.use_calendar")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            appointment = outcomes.appointment_cancel(
                actor=request.user,
                appointment_id=appointment.pk,
                by_customer=form.cleaned_data["by"] == "kunde",
                reason=form.cleaned_data["reason"],
            )
        except (AppointmentError, PermissionDenied) as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Termin abgesagt; das Zeitfenster ist wieder frei."))
            if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
                limits = selectors.eg_limits(appointment.antrag)
                messages.info(
                    request,
                    _("Bitte das Erstgespräch neu buchen, spätestens bis %(until)s (%(label)s).")
                    % {
                        "until": timezone.localtime(limits.rebook_until).strftime("%d.%m.%Y"),
                        "label": limits.rebook_label,
                    },
                )
                if request.user.has_perm("intake.book_first_consultation", appointment.antrag):
                    target = reverse("appointments:eg_search", args=[appointment.antrag_id])
                    if request.htmx:
                        response = HttpResponse(status=204)
                        response["HX-Redirect"] = target
                        return response
                    return redirect(target)
            appointment = access.get_appointment_for_user(request.user, pk)
            return _outcome_response(
                request, appointment, _detail_context(request, appointment), ok=True
            )
    return _outcome_response(
        request, appointment, _detail_context(request, appointment, cancel_form=form), ok=False
    )


@permission_required("appointments.use_calendar")
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    audit_read(
        actor=request.user,
        target=appointment,
        summary=_("Einladung (PDF) abgerufen"),
        subject_ids=[appointment.kunde_id],
    )
    response = HttpResponse(invitation_pdf(appointment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="einladung-{appointment.pk}.pdf"'
    return response


@permission_required("appointments.use_calendar")
def ical(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    audit_read(
        actor=request.user,
        target=appointment,
        summary=_("Termin (iCal) abgerufen"),
        subject_ids=[appointment.kunde_id],
    )
    response = HttpResponse(
        appointment_ical(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="termin-{appointment.pk}.ics"'
    return response


# --- follow-ups and contact density per customer ------------------------------------------


def _contact_context(request, kunde, **forms) -> dict:
    user = request.user
    profile = ContactProfile.objects.filter(kunde=kunde).first()
    rules = profile.rules_applying(timezone.localdate(), kunde.date_of_birth) if profile else []
    plans = list(Kooperationsplan.objects.filter(kunde=kunde).select_related("recorded_by")[:10])
    may_book = user.has_perm("appointments.hold_consultations")
    slots = selectors.follow_up_slots(caseworker=user) if may_book else []
    choices = [(slot_value(s), slot_label(s)) for s in slots]
    return {
        "kunde": kunde,
        "profile": profile,
        "rules": rules,
        "own_concept": contact_density.own_concept(kunde),
        "plans": plans,
        "plan_form": forms.get("plan_form") or KooperationsplanUpdateForm(prefix="k"),
        "may_update_plan": user.has_perm("appointments.record_contact", kunde),
        "appointments": access.appointments_visible_to(user)
        .filter(kunde=kunde)
        .select_related("caseworker")
        .order_by("-starts_at")[:30],
        "profile_form": forms.get("profile_form")
        or ContactProfileForm(
            prefix="p",
            initial={
                "group": profile.group if profile else "",
                "course_graduated_on": profile.course_graduated_on if profile else None,
                "course_kind": profile.course_kind if profile else "",
                "language_level": profile.language_level if profile else "",
                "refusal_documented_on": profile.refusal_documented_on if profile else None,
                "refusal_documentation": profile.refusal_documentation if profile else "",
            },
        ),
        "book_form": forms.get("book_form")
        or FollowUpBookForm(
            slots=choices,
            prefix="f",
            rfb_required=may_book and follow_up_rfb_required(kunde=kunde, on=timezone.localdate()),
        ),
        "record_form": forms.get("record_form")
        or ContactRecordForm(prefix="r", initial={"minutes": 45}),
        "may_book": may_book,
        "has_errors": any(f.is_bound and f.errors for f in forms.values()),
        "error_forms": list(forms.values()),
        "today": timezone.localdate(),
        **_follow_up_context(kunde, forms),
    }


# The forms of the Nachhaltung section (rules R-NH-01 to R-NH-05): the posted `action`
# names the form and the service it goes to.
FOLLOW_UP_ACTIONS = {
    "vv": (
        ProposalForm,
        nachhaltung.proposal_record,
        gettext_lazy("Vermittlungsvorschlag erfasst."),
    ),
    "vv_feedback": (
        ProposalFeedbackForm,
        nachhaltung.proposal_feedback_record,
        gettext_lazy("Rückmeldung erfasst."),
    ),
    "measure": (MeasureForm, nachhaltung.measure_record, gettext_lazy("Maßnahme erfasst.")),
    "school": (
        SchoolForm,
        nachhaltung.school_record_save,
        gettext_lazy("Schulbesuch gespeichert."),
    ),
    "certificate": (
        CertificateForm,
        nachhaltung.school_certificate_record,
        gettext_lazy("Schulbescheinigung erfasst."),
    ),
    "invitation": (
        InvitationForm,
        nachhaltung.school_invitation_record,
        gettext_lazy("Einladung erfasst."),
    ),
    "restriction": (
        RestrictionForm,
        nachhaltung.restriction_save,
        gettext_lazy("Einschränkung der Verfügbarkeit gespeichert."),
    ),
    "review": (
        ReviewForm,
        nachhaltung.restriction_review_record,
        gettext_lazy("Überprüfung erfasst."),
    ),
}


def _follow_up_context(kunde, forms: dict) -> dict:
    today = timezone.localdate()
    school = SchoolRecord.objects.filter(kunde=kunde).first()
    restriction = AvailabilityRestriction.objects.filter(kunde=kunde).first()
    initial = {
        "vv": {"received_on": today},
        "vv_feedback": {"feedback_on": today},
        "certificate": {"received_on": today},
        "invitation": {"invited_on": today},
        "review": {"reviewed_on": today},
        "school": {"leaving_year": school.leaving_year} if school else {},
        "restriction": (
            {k: getattr(restriction, k) for k in ("since", "reason", "evidence")}
            if restriction and not restriction.ended_on
            else {}
        ),
    }
    follow_up_forms = {
        action: forms.get(f"nh_{action}")
        or form_class(prefix=action, kunde=kunde, initial=initial.get(action, {}))
        for action, (form_class, _service, _message) in FOLLOW_UP_ACTIONS.items()
    }
    return {
        "nh": follow_up_forms,
        "nh_open": Deadline.objects.open()
        .filter(kunde=kunde, kind__in=FOLLOW_UP_KINDS)
        .order_by("due_at"),
        "proposals": PlacementProposal.objects.filter(kunde=kunde)[:20],
        "measures": MeasureParticipation.objects.filter(kunde=kunde)[:10],
        "school": school,
        "restriction": restriction,
        "now": timezone.now(),
    }


def _kunde(request, pk: int):
    return get_kunde_for_user(request.user, pk)


@permission_required("appointments.work_contacts")
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = _kunde(request, pk)
    audit_read(
        actor=request.user,
        target=kunde,
        summary=_("Kontakte und Kontaktdichte eingesehen"),
        subject_ids=[kunde.pk],
    )
    return render(request, "appointments/contact.html", _contact_context(request, kunde))


@require_POST
@permission_required("appointments.work_contacts")
def contact_profile(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = _kunde(request, pk)
    form = ContactProfileForm(request.POST, prefix="p")
    if form.is_valid():
        try:
            contact_density.contact_profile_save(
                actor=request.user, kunde=kunde, **form.cleaned_data
            )
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Kontaktdichte gespeichert."))
            return redirect("appointments:contact", pk=kunde.pk)
    return render(
        request,
        "appointments/contact.html",
        _contact_context(request, kunde, profile_form=form),
        status=422,
    )


@require_POST
@permission_required("appointments.record_contact")
def kooperationsplan_update(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = _kunde(request, pk)
    form = KooperationsplanUpdateForm(request.POST, prefix="k")
    if form.is_valid():
        try:
            kooperationsplan.kooperationsplan_update(
                actor=request.user, kunde=kunde, **form.cleaned_data
            )
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Fortschreibung des Kooperationsplans erfasst."))
            return redirect("appointments:contact", pk=kunde.pk)
    return render(
        request,
        "appointments/contact.html",
        _contact_context(request, kunde, plan_form=form),
        status=422,
    )


@require_POST
@permission_required("appointments.work_contacts")
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the Nachhaltung section's forms (rules R-NH-01 to R-NH-05)."""
    kunde = _kunde(request, pk)
    action = request.POST.get("action", "")
    if action not in FOLLOW_UP_ACTIONS:
        return HttpResponseBadRequest(_("Unbekannte Eingabe."))
    form_class, service, message = FOLLOW_UP_ACTIONS[action]
    form = form_class(request.POST, prefix=action, kunde=kunde)
    if form.is_valid():
        try:
            service(actor=request.user, kunde=kunde, **form.cleaned_data)
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("appointments:contact", args=[kunde.pk]) + "#nachhaltung")
    return render(
        request,
        "appointments/contact.html",
        _contact_context(request, kunde, **{f"nh_{action}": form}),
        status=422,
    )


@require_POST
@permission_required("appointments.hold_consultations")
def follow_up_book(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = _kunde(request, pk)
    slots = selectors.follow_up_slots(caseworker=request.user)
    choices = [(slot_value(s), slot_label(s)) for s in slots]
    form = FollowUpBookForm(
        request.POST,
        slots=choices,
        prefix="f",
        rfb_required=follow_up_rfb_required(kunde=kunde, on=timezone.localdate()),
    )
    if form.is_valid():
        _caseworker_id, starts_at = form.cleaned_data["slot"]
        try:
            appointment = follow_ups.follow_up_book(
                actor=request.user,
                kunde=kunde,
                caseworker=request.user,
                starts_at=starts_at,
                form=form.cleaned_data["form"],
                with_rfb=form.cleaned_data["with_rfb"],
                delivery=form.cleaned_data["delivery"],
            )
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Folgegespräch gebucht."))
            return redirect("appointments:detail", pk=appointment.pk)
    return render(
        request,
        "appointments/contact.html",
        _contact_context(request, kunde, book_form=form),
        status=422,
    )


@require_POST
@permission_required("appointments.hold_consultations")
def contact_record(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = _kunde(request, pk)
    form = ContactRecordForm(request.POST, prefix="r")
    if form.is_valid():
        try:
            follow_ups.contact_record(actor=request.user, kunde=kunde, **form.cleaned_data)
        except AppointmentError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Kontakt nachgetragen."))
            return redirect("appointments:contact", pk=kunde.pk)
    return render(
        request,
        "appointments/contact.html",
        _contact_context(request, kunde, record_form=form),
        status=422,
    )


# --- group events -------------------------------------------------------------------------


@permission_required("appointments.use_calendar")
def group_event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = None
    if user.has_perm("appointments.manage_group_events"):
        form = GroupSeriesForm(request.POST or None, jobcenter=user.jobcenter, prefix="g")
        if request.method == "POST" and form.is_valid():
            try:
                created = group_events.group_events_create_series(actor=user, **form.cleaned_data)
            except AppointmentError as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d Gruppenveranstaltung angelegt.",
                        "%(n)d Gruppenveranstaltungen angelegt.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect("appointments:group_events")
    elif request.method == "POST":
        raise PermissionDenied
    now = timezone.now()
    events = (
        access.group_events_visible_to(user)
        .filter(starts_at__gte=now - timedelta(days=14))
        .select_related("standort", "host")
        .order_by("starts_at")
    )
    events = events.annotate(
        taken=Count("participants", filter=Q(participants__status__in=OCCUPYING))
    )[:100]
    context = {
        "events": events,
        "coverage": selectors.group_event_coverage(jobcenter=user.jobcenter),
        "form": form,
        "has_errors": bool(form is not None and form.is_bound and form.errors),
        "error_forms": [form] if form is not None else [],
        "now": now,
    }
    return render(
        request,
        "appointments/group_events.html",
        context,
        status=422 if context["has_errors"] else 200,
    )


@permission_required("appointments.use_calendar")
def group_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_group_event_for_user(request.user, pk)
    participants = list(
        event.participants.exclude(status__in=[Status.ABGESAGT_JC, Status.ABGESAGT_KUNDE])
        .select_related("kunde")
        .order_by("kunde__last_name", "kunde__first_name")
    )
    open_participants = [p for p in participants if p.status == Status.GEBUCHT]
    may_record = (
        event.status == GroupEvent.EventStatus.GEPLANT
        and event.starts_at <= timezone.now()
        and request.user.has_perm("appointments.record_group_event", event)
    )
    form = GroupRecordForm(
        request.POST or None,
        participants=open_participants,
        prefix="gr",
        initial={"present": [str(p.pk) for p in open_participants]},
    )
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                outcomes.group_event_record(
                    actor=request.user,
                    event_id=event.pk,
                    present_ids=form.cleaned_data["present"],
                    text=form.cleaned_data["text"],
                )
            except AppointmentError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Teilnahme erfasst."))
                return redirect("appointments:group_event", pk=event.pk)
    if request.method != "POST":
        audit_read(
            actor=request.user,
            target=event,
            summary=_("Gruppenveranstaltung: Teilnehmende eingesehen"),
            subject_ids=[p.kunde_id for p in participants],
        )
    context = {
        "event": event,
        "participants": participants,
        "form": form,
        "may_record": may_record,
        "has_errors": form.is_bound and bool(form.errors),
        "error_forms": [form],
    }
    return render(
        request,
        "appointments/group_event.html",
        context,
        status=422 if context["has_errors"] else 200,
    )


@require_POST
@permission_required("appointments.use_calendar")
def group_invite(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = get_antrag_for_user(request.user, pk)
    form = GroupInviteForm(request.POST, jobcenter=request.user.jobcenter, prefix="gi")
    if form.is_valid():
        try:
            appointment = group_events.group_event_invite(
                actor=request.user,
                kunde=antrag.applicant,
                antrag=antrag,
                standort=form.cleaned_data["standort"],
                delivery=form.cleaned_data["delivery"],
            )
        except (AppointmentError, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Zur Gruppenveranstaltung am %(at)s eingeladen.")
                % {"at": timezone.localtime(appointment.starts_at).strftime("%d.%m.%Y %H:%M")},
            )
            return redirect("appointments:detail", pk=appointment.pk)
    elif "standort" in form.errors:
        messages.error(request, _("Bitte einen Standort wählen."))
    else:
        messages.error(request, form.errors["delivery"][0])
    return redirect("intake:case_detail", pk=antrag.pk)


# --- figures ------------------------------------------------------------------------------


def _kpi_scope(user):
    """Whose figures the person sees: a lead their teams' IFK, an IFK their own; and
    whether per person. Per-employee figures are personal data (rule R-DS-01): team level
    by default, per IFK only for a lead with the explicit permission (audited); an IFK sees
    their own."""
    team_figures = user.has_perm("appointments.view_team_figures")
    if team_figures:
        caseworkers = list(access.caseworkers_visible_to(user).order_by("last_name", "first_name"))
    else:
        caseworkers = [user]
    show_people = not team_figures or user.has_perm("frontdesk.see_employee_figures")
    return caseworkers, team_figures, show_people


@permission_required("appointments.view_figures")
def kpi_view(request: HttpRequest) -> HttpResponse:
    """Beratungsaktivität of the lead's teams (or the IFK's own customers), and
    qualified consultations per week against the target of 25."""
    user = request.user
    today = timezone.localdate()
    caseworkers, team_figures, show_people = _kpi_scope(user)
    weeks = kpi.week_starts(today, 4)
    jobcenter = user.jobcenter
    table = kpi.consultations_per_week(
        Appointment.objects.filter(jobcenter=jobcenter),
        GroupEvent.objects.filter(jobcenter=jobcenter),
        caseworkers,
        weeks,
        calendar=calendar_for(jobcenter),
        full_time_hours=jobcenter.full_time_weekly_hours,
    )
    # The week under way is not rated yet: half a week against a whole week's target
    # would read as missed every Monday.
    for _cw, cells in table:
        cells[-1]["rating"] = None
    team_total = [sum(cells[i]["total"] for _cw, cells in table) for i in range(len(weeks))]
    team_target = [sum(cells[i]["target"] for _cw, cells in table) for i in range(len(weeks))]
    this_month = kpi.month_start(today)
    months = [kpi.previous_month(this_month), this_month]
    month_keys = [m.strftime("%Y-%m") for m in months]
    activity = kpi.consultations_by_month_and_period(
        Appointment.objects.filter(jobcenter=jobcenter), caseworkers, months
    )
    context = {
        "averages": kpi.beratungsaktivitaet(
            kpi.profiles_of([c.pk for c in caseworkers]).filter(jobcenter=jobcenter), today
        ),
        "weeks": weeks,
        "charts": {
            "weekly_consultations": charts.weekly_consultations(weeks, table, own=not team_figures)
        },
        "table": table if show_people else [],
        "team_total": team_total,
        "team_weeks": [
            (
                total,
                goal,
                kpi.rate(total, goal, higher_is_better=True)
                if caseworkers and i < len(weeks) - 1
                else None,
            )
            for i, (total, goal) in enumerate(zip(team_total, team_target, strict=True))
        ],
        "target": kpi.WEEKLY_TARGET,
        "full_time_hours": jobcenter.full_time_weekly_hours,
        "weight": kpi.GROUP_EVENT_WEIGHT,
        "caseworker_count": len(caseworkers),
        "months": months,
        "activity": activity if show_people else [],
        # Each count with the month its list is filtered by (kpi_list).
        "activity_rows": [
            {
                "caseworker": a.caseworker,
                "cells": list(zip(a.months, month_keys, strict=True)),
                "period": a.period,
            }
            for a in activity
        ]
        if show_people
        else [],
        "activity_team_cells": list(
            zip(
                [sum(a.months[i] for a in activity) for i in range(len(months))],
                month_keys,
                strict=True,
            )
        ),
        "activity_team": (
            [sum(a.months[i] for a in activity) for i in range(len(months))],
            sum(a.period for a in activity),
        ),
        "today": today,
        "own": not team_figures,
    }
    if show_people and team_figures:
        audit_record(
            actor=user,
            action="view",
            target=user.jobcenter,
            summary=_("Beratungen je IFK eingesehen"),
        )
    return render(request, "appointments/kpi.html", context)


KPI_LIST_PAGE_SIZE = 50
KPI_AREAS = {"gesamt": gettext_lazy("gesamt"), "ue25": gettext_lazy("Ü25"), "u25": "U25"}


def _month_param(raw: str):
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        return None


@permission_required("appointments.view_figures")
def kpi_list(request: HttpRequest) -> HttpResponse:
    """The customers or consultations behind one figure of the KPI page (appointments.kpi,
    the same filters as the counts): `zahl=kunden&bereich=…` (days since the last
    qualified contact), `zahl=monat&monat=YYYY-MM`, `zahl=vermittlung`,
    `zahl=woche&woche=YYYY-MM-DD`; `ifk=<id>` narrows to one IFK, only where the page shows
    figures per person."""
    user = request.user
    today = timezone.localdate()
    caseworkers, team_figures, show_people = _kpi_scope(user)
    ids = [c.pk for c in caseworkers]
    ifk = None
    if request.GET.get("ifk"):
        ifk = next((c for c in caseworkers if str(c.pk) == request.GET["ifk"]), None)
        if ifk is None or not show_people:
            raise Http404
        ids = [ifk.pk]
    jobcenter = user.jobcenter
    # Without a figure: the customers behind the average overall.
    measure = request.GET.get("zahl", "kunden")
    context = {
        "measure": measure,
        "ifk": ifk,
        "show_people": show_people,
        "own": not team_figures,
        "today": today,
    }
    appointments = Appointment.objects.filter(jobcenter=jobcenter)
    if measure == "kunden":
        area = request.GET.get("bereich", "gesamt")
        if area not in KPI_AREAS:
            raise Http404
        rows = kpi.profiles_behind_average(
            kpi.profiles_of(ids).filter(jobcenter=jobcenter), today, area
        )
        context |= {"area": area, "area_label": KPI_AREAS[area]}
    elif measure in ("monat", "vermittlung"):
        month = _month_param(request.GET.get("monat", "")) if measure == "monat" else None
        if measure == "monat" and month is None:
            raise Http404
        rows = (
            kpi.consultations_behind_activity(appointments, ids, month=month)
            .select_related("kunde", "caseworker")
            .order_by("starts_at", "pk")
        )
        context["month"] = month
    elif measure == "woche":
        try:
            week = date.fromisoformat(request.GET.get("woche", ""))
        except ValueError:
            raise Http404 from None
        week -= timedelta(days=week.weekday())
        held, events = kpi.consultations_in_week(
            appointments, GroupEvent.objects.filter(jobcenter=jobcenter), ids, week
        )
        rows = held.select_related("kunde", "caseworker").order_by("starts_at", "pk")
        context |= {
            "week": week,
            "events": list(events.select_related("host").order_by("starts_at", "pk")),
            "weight": kpi.GROUP_EVENT_WEIGHT,
        }
    else:
        raise Http404
    page = Paginator(rows, KPI_LIST_PAGE_SIZE).get_page(request.GET.get("seite"))
    page.object_list = list(page.object_list)
    if measure == "kunden":
        for profile in page.object_list:
            profile.days = (today - profile.counted_from).days
    params = {k: v for k, v in request.GET.items() if k != "seite"}
    context |= {"page": page, "pager": pager(page, params, page_key="seite")}
    if measure == "woche":
        events = context["events"]
        context["total"] = page.paginator.count + kpi.GROUP_EVENT_WEIGHT * len(events)
    audit_read(
        actor=user,
        target=jobcenter,
        summary=_("Liste zu den Kennzahlen eingesehen")
        + (" (" + _("je IFK") + ")" if ifk and team_figures else ""),
        subject_ids=[row.kunde_id for row in page.object_list],
    )
    return render(request, "appointments/kpi_list.html", context)
