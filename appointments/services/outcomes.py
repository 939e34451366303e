"""An appointment's outcome (held, no-show and re-invitation, cancelled); a group event's."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import Antrag, ErstgespraechState, Kunde
from jobcenter.models import Standort, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Vermerk
from routing.services import aufgabe_create, vermerk_create

from ..errors import AppointmentError
from ..invitations import earliest_by_post, not_before_by_post
from ..models import (
    QUALIFIED_MINUTES,
    Appointment,
    Delivery,
    Form,
    GroupEvent,
    Kind,
    Status,
)
from ..selectors import REINVITE_WORKING_DAYS, eg_limits, fmt_moment, is_active_ifk
from ..slots import CalendarData, free_slots
from .booking import after_booking, insert, move_case, new_appointment
from .contact_density import contact_after_consultation
from .group_events import group_event_invite
from .kooperationsplan import kooperationsplan_at_eg, kooperationsplan_check
from .nachhaltung import measure_contact_held


def _lock_open(appointment_id: int, *, actor: User, started: bool) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related(
            "kunde__ifk",
            "kunde__jobcenter",
            "antrag__bedarfsgemeinschaft__leistung_team",
            "caseworker",
            "standort",
            "group_event",
        )
        .get(pk=appointment_id)
    )
    if appointment.status != Status.GEBUCHT:
        raise AppointmentError(
            _("Für diesen Termin ist bereits ein Ergebnis erfasst: %(status)s.")
            % {"status": appointment.get_status_display()}
        )
    if started and appointment.starts_at > timezone.now():
        raise AppointmentError(_("Das Ergebnis kann erst ab Beginn des Termins erfasst werden."))
    return appointment


def _finish(appointment: Appointment, *, actor: User, status: str, **fields) -> None:
    appointment.status = status
    appointment.outcome_at = timezone.now()
    appointment.outcome_by = actor
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.save()
    audit_record(
        actor=actor,
        action="change",
        target=appointment,
        summary=_("Termin %(at)s: %(status)s")
        % {"at": fmt_moment(appointment.starts_at), "status": appointment.get_status_display()},
    )


@transaction.atomic
def appointment_record_held(
    *,
    actor: User,
    appointment_id: int,
    minutes: int,
    form: str,
    text: str,
    qualified_despite_short: bool = False,
    kooperationsplan: str | None = None,
    kooperationsplan_reason: str = "",
) -> Appointment:
    """Held: a Beratungsvermerk for a qualified contact (30 minutes or more as a rule,
    rules R-TE-03, R-TE-04), else an Allgemeiner Vermerk; the held EG moves the case and closes its deadline.

    At an EG, `kooperationsplan` says whether the plan was agreed or which exception
    applies (rule R-KO-01); None records nothing (callers that do not ask)."""
    appointment = _lock_open(appointment_id, actor=actor, started=True)
    require_perm(
        actor,
        "appointments.record_outcome",
        appointment,
        message=_("Das Ergebnis dieses Termins dürfen Sie nicht erfassen."),
    )
    if appointment.kind == Kind.GRUPPE:
        raise AppointmentError(
            _("Die Teilnahme an einer Gruppenveranstaltung wird bei der Veranstaltung erfasst.")
        )
    if not 1 <= minutes <= 480:
        raise AppointmentError(
            _("Bitte die Dauer in Minuten angeben (1 bis 480)."), field="minutes"
        )
    if form not in Form.values:
        raise AppointmentError(_("Bitte die Form des Gesprächs wählen."), field="form")
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Gesprächsinhalte festhalten."), field="text"
        )
    at_eg = appointment.kind == Kind.ERSTGESPRAECH and kooperationsplan is not None
    if at_eg:
        kooperationsplan_check(kooperationsplan, kooperationsplan_reason)
    qualified = minutes >= QUALIFIED_MINUTES or qualified_despite_short
    vermerk = vermerk_create(
        kunde=appointment.kunde,
        author=actor,
        subject=_("%(kind)s am %(at)s (%(min)d Min., %(form)s)")
        % {
            "kind": appointment.get_kind_display(),
            "at": fmt_moment(appointment.starts_at),
            "min": minutes,
            "form": Form(form).label,
        },
        text=text.strip(),
        known_on=timezone.localtime(appointment.starts_at, BERLIN).date(),
        kind=Vermerk.Kind.BERATUNG if qualified else Vermerk.Kind.ALLGEMEIN,
    )
    _finish(
        appointment,
        actor=actor,
        status=Status.DURCHGEFUEHRT,
        held_minutes=minutes,
        held_form=form,
        qualified=qualified,
        vermerk=vermerk,
    )
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        move_case(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="record_first_consultation_held",
            expected=ErstgespraechState.GEBUCHT,
        )
    contact_after_consultation(appointment=appointment, actor=actor)
    if at_eg:
        kooperationsplan_at_eg(
            actor=actor,
            appointment=appointment,
            outcome=kooperationsplan,
            reason_text=kooperationsplan_reason,
        )
    if qualified:
        # Rule R-NH-02: the consultation around a measure's end.
        measure_contact_held(kunde=appointment.kunde, at=appointment.starts_at)
    return appointment


@transaction.atomic
def appointment_record_no_show(
    *, actor: User, appointment_id: int, note: str = ""
) -> tuple[Appointment, Appointment | None]:
    """Meldeversäumnis: re-invitation with RFB by post (a group event's to the next one), a
    task to examine a reduction if the missed invitation carried an RFB; repeated no-shows a
    task to examine withdrawing benefits (rules R-TE-06, R-TE-07).

    Returns the appointment and the re-invitation (None if no slot was free: then a task
    tells the caseworker to invite by hand).
    """
    appointment = _lock_open(appointment_id, actor=actor, started=True)
    require_perm(
        actor,
        "appointments.record_outcome",
        appointment,
        message=_("Das Ergebnis dieses Termins dürfen Sie nicht erfassen."),
    )
    _finish(appointment, actor=actor, status=Status.MELDEVERSAEUMNIS, cancel_reason=note.strip())
    _no_show_consequences(actor=actor, appointment=appointment, note=note)
    return appointment, _reinvite(actor=actor, appointment=appointment)


def _no_show_consequences(*, actor: User, appointment: Appointment, note: str) -> None:
    """The Vermerk, and a task to examine a reduction only if the invitation carried an RFB
    (rule R-TE-06: § 32 SGB II needs the written notice of the legal consequences)."""
    kunde = appointment.kunde
    when = fmt_moment(appointment.starts_at)
    if appointment.with_rfb:
        rfb_line = _("Die Einladung enthielt eine Rechtsfolgenbelehrung.")
    else:
        rfb_line = _(
            "Die Einladung enthielt keine Rechtsfolgenbelehrung: eine Leistungsminderung "
            "kommt nicht in Betracht. Die Folgeeinladung ergeht mit Rechtsfolgenbelehrung."
        )
    vermerk_create(
        kunde=kunde,
        author=actor,
        subject=_("Meldeversäumnis: nicht erschienen zum Termin am %(at)s (%(kind)s)")
        % {"at": when, "kind": appointment.get_kind_display()},
        text="\n".join(line for line in (note.strip(), str(rfb_line)) if line),
        known_on=timezone.localdate(),
        kind=Vermerk.Kind.ALLGEMEIN,
    )
    responsible = kunde.ifk if is_active_ifk(kunde.ifk) else appointment.caseworker
    if appointment.with_rfb:
        aufgabe_create(
            created_by=actor,
            assignee=responsible,
            kunde=kunde,
            title=_("Meldeversäumnis am %(at)s: Leistungsminderung prüfen (§ 32 SGB II)")
            % {"at": when},
            description=_(
                "Die Einladung enthielt eine Rechtsfolgenbelehrung. Bitte anhören und prüfen, "
                "ob ein wichtiger Grund vorliegt."
            ),
            due_at=timezone.now() + timedelta(days=7),
        )
    # Repeated no-shows, with or without RFB: examine withdrawing the benefits (rule R-TE-06).
    if _consecutive_no_shows(kunde) >= 2:
        antrag = (
            appointment.antrag
            or Antrag.objects.filter(persons__kunde=kunde)
            .select_related("bedarfsgemeinschaft__leistung_team")
            .order_by("-application_date", "-id")
            .first()
        )
        team = antrag.bedarfsgemeinschaft.leistung_team if antrag else None
        postfach = getattr(team, "postfach", None) if team else None
        aufgabe_create(
            created_by=actor,
            postfach=postfach,
            assignee=None if postfach else responsible,
            kunde=kunde,
            title=_(
                "Wiederholtes Meldeversäumnis: Entziehung oder Versagung der Leistungen prüfen"
            ),
            description=_(
                "Die Kundin / der Kunde ist wiederholt nicht erschienen, zuletzt am %(at)s. "
                "Bitte prüfen, ob die Leistungen entzogen oder versagt werden."
            )
            % {"at": when},
            due_at=timezone.now() + timedelta(days=7),
        )


def _consecutive_no_shows(kunde: Kunde) -> int:
    statuses = (
        Appointment.objects.filter(
            kunde=kunde, status__in=[Status.DURCHGEFUEHRT, Status.MELDEVERSAEUMNIS]
        )
        .order_by("-starts_at", "-id")
        .values_list("status", flat=True)[:10]
    )
    count = 0
    for status in statuses:
        if status != Status.MELDEVERSAEUMNIS:
            break
        count += 1
    return count


def _reinvite(*, actor: User, appointment: Appointment) -> Appointment | None:
    """The follow-up invitation after a no-show, with RFB by the rules (rules R-TE-05, R-TE-06).

    The customer is not there: the invitation goes by post, so the new appointment lies
    after the day the letter counts as received (rule R-TE-07).
    """
    kunde = appointment.kunde
    if appointment.kind == Kind.GRUPPE:
        try:
            with transaction.atomic():
                return group_event_invite(
                    actor=actor,
                    kunde=kunde,
                    standort=appointment.group_event.standort,
                    antrag=appointment.antrag,
                    after=appointment.group_event.ends_at,
                    previous=appointment,
                    delivery=Delivery.POST,
                )
        except (AppointmentError, PermissionDenied):
            return _reinvite_by_hand(actor=actor, appointment=appointment)
    caseworker = appointment.caseworker
    not_before = max(timezone.now(), not_before_by_post(timezone.localdate()))
    calendar = calendar_for(appointment.jobcenter)
    # The search horizon runs from the earliest day, so the wait for the post costs no slots.
    until = end_of_day(
        calendar.add_working_days(not_before.astimezone(BERLIN).date(), REINVITE_WORKING_DAYS)
    )
    data = CalendarData.load([caseworker.pk], not_before, until)
    slots = free_slots(
        data,
        calendar,
        caseworker_id=caseworker.pk,
        kind=appointment.kind,
        after=not_before,
        until=until,
        limit=1,
    )
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        move_case(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="cancel_first_consultation",
            expected=ErstgespraechState.GEBUCHT,
            comment=_("Meldeversäumnis am %(at)s") % {"at": fmt_moment(appointment.starts_at)},
        )
    if not slots:
        return _reinvite_by_hand(actor=actor, appointment=appointment)
    slot = slots[0]
    new = new_appointment(
        antrag_or_none=appointment.antrag,
        kunde=kunde,
        caseworker=caseworker,
        kind=appointment.kind,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=appointment.form,
        actor=actor,
        previous=appointment,
        delivery=Delivery.POST,
    )
    new.booking_step = appointment.booking_step
    new.booking_note = _("Folgeeinladung nach Meldeversäumnis")
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        limits = eg_limits(appointment.antrag)
        late = limits.late_reasons(slot.starts_at)
        if late:
            new.late_reason = _("Folgeeinladung nach Meldeversäumnis am %(at)s") % {
                "at": fmt_moment(appointment.starts_at)
            }
    insert(new)
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        move_case(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="book_first_consultation",
            expected=ErstgespraechState.OFFEN,
            at=slot.starts_at,
            ifk=caseworker,
        )
    after_booking(actor=actor, appointment=new, late=[])
    return new


def _reinvite_by_hand(*, actor: User, appointment: Appointment) -> None:
    aufgabe_create(
        created_by=actor,
        assignee=appointment.caseworker,
        kunde=appointment.kunde,
        title=_("Folgeeinladung mit Rechtsfolgenbelehrung: kein freier Termin gefunden"),
        description=_(
            "Nach dem Meldeversäumnis am %(at)s bitte von Hand neu einladen. Per Post "
            "versandt ist ein Termin frühestens am %(day)s möglich (§ 37 Abs. 2 SGB X)."
        )
        % {
            "at": fmt_moment(appointment.starts_at),
            "day": date_format(earliest_by_post(timezone.localdate()), "D d.m.Y"),
        },
        due_at=timezone.now() + timedelta(days=2),
    )
    return None


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment_id: int, by_customer: bool, reason: str
) -> Appointment:
    """Cancelled by the Jobcenter or the customer: the slot is free again at once. An EG goes
    back to "nicht gebucht" and must be rebooked within 30 AT / 30 days (rule R-TE-02)."""
    appointment = _lock_open(appointment_id, actor=actor, started=False)
    require_perm(
        actor,
        "appointments.cancel_appointment",
        appointment,
        message=_("Diesen Termin dürfen Sie nicht absagen."),
    )
    if not reason.strip():
        raise AppointmentError(_("Bitte den Grund der Absage angeben."), field="reason")
    status = Status.ABGESAGT_KUNDE if by_customer else Status.ABGESAGT_JC
    _finish(appointment, actor=actor, status=status, cancel_reason=reason.strip())
    if not by_customer:
        from reminders.models import Nachricht
        from reminders.services import notify_appointment

        notify_appointment(appointment, Nachricht.Kind.CANCELLED)
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        move_case(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="cancel_first_consultation",
            expected=ErstgespraechState.GEBUCHT,
            comment=f"{appointment.get_status_display()}: {reason.strip()}",
        )
    return appointment


@transaction.atomic
def group_event_record(
    *, actor: User, event_id: int, present_ids: set[int], text: str
) -> GroupEvent:
    """The group event took place: present participants had a qualified contact (rule R-GV-01:
    Beratungsvermerk), absent ones a Meldeversäumnis and an invitation to the next event."""
    event = (
        GroupEvent.objects.select_for_update().select_related("standort", "host").get(pk=event_id)
    )
    require_perm(
        actor,
        "appointments.record_group_event",
        event,
        message=_("Das Ergebnis dieser Veranstaltung dürfen Sie nicht erfassen."),
    )
    if event.status != GroupEvent.EventStatus.GEPLANT:
        raise AppointmentError(_("Für diese Veranstaltung ist bereits ein Ergebnis erfasst."))
    if event.starts_at > timezone.now():
        raise AppointmentError(
            _("Das Ergebnis kann erst ab Beginn der Veranstaltung erfasst werden.")
        )
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Inhalte der Veranstaltung festhalten."), field="text"
        )
    event.status = GroupEvent.EventStatus.DURCHGEFUEHRT
    event.held_recorded_at = timezone.now()
    event.save(update_fields=["status", "held_recorded_at"])
    audit_record(
        actor=actor, action="change", target=event, summary=_("Gruppenveranstaltung durchgeführt")
    )
    minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
    for participant in event.participants.filter(status=Status.GEBUCHT).select_related(
        "kunde__ifk", "antrag"
    ):
        if participant.pk in present_ids:
            vermerk = vermerk_create(
                kunde=participant.kunde,
                author=actor,
                subject=_("%(title)s am %(at)s")
                % {"title": event.title, "at": fmt_moment(event.starts_at)},
                text=text.strip(),
                known_on=timezone.localtime(event.starts_at, BERLIN).date(),
                kind=Vermerk.Kind.BERATUNG,
            )
            _finish(
                participant,
                actor=actor,
                status=Status.DURCHGEFUEHRT,
                held_minutes=minutes,
                held_form=Form.PERSOENLICH,
                qualified=True,
                vermerk=vermerk,
            )
            contact_after_consultation(appointment=participant, actor=actor)
        else:
            _finish(participant, actor=actor, status=Status.MELDEVERSAEUMNIS)
            _no_show_consequences(actor=actor, appointment=participant, note="")
            _reinvite(actor=actor, appointment=participant)
    return event
