"""What a customer does with the link from the letter (issue 16): confirm, cancel, move.

No login: the signed token of `appointments.customer_codes` names the appointment, and
nothing else is trusted. Every action locks the appointment's row and looks at what is
already done first, so a second submit (a double tap, a reload) changes nothing and answers
as the first did.

- **confirm** ("Ich komme"): `Appointment.customer_confirmed_at`, shown on the caseworker's
  day and worklist;
- **cancel**: the slot is free at once (status "abgesagt durch die Kundin / den Kunden"), an
  EG's case goes back to "nicht gebucht", and the caseworker gets a task to rebook: for an EG
  due 30 days after the registration (DW 3.2.2, domain §7), else by the customer's next due
  contact;
- **move**: to one of the caseworker's free slots of the same kind that the page offered
  (an EG only up to its deadline, so the customer never books a slot that needs a
  documented reason); the old slot is free again;
- **request**: none of the offered slots fits, or the invitation carries a
  Rechtsfolgenbelehrung (an RFB appointment is never cancelled or moved by link): the
  customer's reason becomes a task the caseworker reviews; the appointment stands until then.

The customer has no user account: the audit rows have no actor and say "über den
Termin-Link"; the case transition and the tasks are made in the caseworker's name (the
caseworker is who the step belongs to), their texts say that the customer asked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import ErstgespraechState
from jobcenter.models import Standort
from jobcenter.services import audit_record
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Aufgabe
from routing.services import aufgabe_create

from ..customer_codes import LinkRefused, appointment_id_from_token, refuse_if_expired
from ..errors import AppointmentError
from ..models import Appointment, ContactProfile, CustomerRequest, Kind, Status
from ..selectors import CHAIN_WORKING_DAYS, REBOOK_DAYS, eg_limits, fmt_moment, is_active_ifk
from ..slots import CalendarData, Slot, free_slots
from .booking import move_case

# How many free slots the page offers, and how far ahead it looks (working days).
OFFERED_SLOTS = 8
MOVE_WORKING_DAYS = CHAIN_WORKING_DAYS
REASON_MAX = 1000
VIA_LINK = "über den Termin-Link"


class LinkGone(LinkRefused):
    """The link is genuine but its appointment is over: cancelled, held, missed or past.
    ``reason`` is "cancelled", "cancelled_by_customer" or "past"."""


def appointment_for_link(token: str, *, now: datetime | None = None) -> Appointment:
    """The appointment a link names, still open and to come; raises LinkRefused/LinkGone."""
    now = now or timezone.now()
    pk = appointment_id_from_token(token)
    appointment = (
        Appointment.objects.select_related("jobcenter", "caseworker", "standort", "antrag")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise LinkRefused("invalid")
    refuse_if_expired(appointment, now)
    if appointment.status == Status.ABGESAGT_KUNDE:
        raise LinkGone("cancelled_by_customer")
    if appointment.status == Status.ABGESAGT_JC:
        raise LinkGone("cancelled")
    if appointment.status != Status.GEBUCHT or appointment.starts_at <= now:
        raise LinkGone("past")
    return appointment


def _locked(appointment_id: int) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("kunde__ifk", "jobcenter", "caseworker", "antrag", "standort")
        .get(pk=appointment_id)
    )


def _still_open(appointment: Appointment, now: datetime) -> None:
    if appointment.status == Status.ABGESAGT_KUNDE:
        raise LinkGone("cancelled_by_customer")
    if appointment.status != Status.GEBUCHT or appointment.starts_at <= now:
        raise LinkGone("past" if appointment.status != Status.ABGESAGT_JC else "cancelled")


def _audit(appointment: Appointment, summary: str, action: str = "change") -> None:
    audit_record(
        actor=None,
        action=action,
        target=appointment,
        summary=summary,
        jobcenter_id=appointment.jobcenter_id,
    )


def audit_opened(appointment: Appointment) -> None:
    """Every opening of the page is on the customer's trail (no actor: the link)."""
    _audit(appointment, _("Termin-Link geöffnet"), action="view")


def responsible(appointment: Appointment):
    """Who takes the customer's request: their IFK, else the appointment's caseworker."""
    ifk = appointment.kunde.ifk
    return ifk if is_active_ifk(ifk) else appointment.caseworker


# --- confirm -----------------------------------------------------------------------------


@transaction.atomic
def confirm(appointment_id: int, *, now: datetime | None = None) -> Appointment:
    now = now or timezone.now()
    appointment = _locked(appointment_id)
    _still_open(appointment, now)
    if appointment.customer_confirmed_at is None:
        appointment.customer_confirmed_at = now
        appointment.save(update_fields=["customer_confirmed_at"])
        _audit(appointment, _("Teilnahme %(via)s bestätigt") % {"via": VIA_LINK})
    return appointment


# --- cancel ------------------------------------------------------------------------------


@dataclass
class Cancelled:
    appointment: Appointment
    rebook_by: datetime | None
    aufgabe: Aufgabe | None


def rebook_due(appointment: Appointment, today) -> datetime | None:
    """By when the caseworker arranges a new date after the customer cancelled.

    An EG: 30 days after the registration (DW 3.2.2, domain §7; the day of registration is
    the application's date, as `eg_limits` counts it). Any other appointment: the customer's
    next due contact (contact density), else 10 working days."""
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        return end_of_day(appointment.antrag.application_date + timedelta(days=REBOOK_DAYS))
    profile = ContactProfile.objects.filter(kunde_id=appointment.kunde_id, active=True).first()
    if profile is not None and profile.next_contact_due >= today:
        return end_of_day(profile.next_contact_due)
    return end_of_day(
        calendar_for(appointment.jobcenter).add_working_days(today, CHAIN_WORKING_DAYS)
    )


@transaction.atomic
def cancel(appointment_id: int, *, now: datetime | None = None) -> Cancelled:
    """Cancelled by the customer: the slot is free, the caseworker rebooks (no RFB only)."""
    now = now or timezone.now()
    appointment = _locked(appointment_id)
    _still_open(appointment, now)
    if appointment.with_rfb:
        raise AppointmentError(
            _(
                "Diese Einladung enthält eine Rechtsfolgenbelehrung. Bitte nennen Sie den Grund; "
                "Ihre Ansprechperson prüft ihn."
            ),
            field="reason",
        )
    when = fmt_moment(appointment.starts_at)
    appointment.status = Status.ABGESAGT_KUNDE
    appointment.outcome_at = now
    appointment.outcome_by = None
    appointment.cancel_reason = _("Abgesagt %(via)s") % {"via": VIA_LINK}
    appointment.save(update_fields=["status", "outcome_at", "outcome_by", "cancel_reason"])
    _audit(
        appointment,
        _("Termin %(at)s: %(status)s (%(via)s)")
        % {"at": when, "status": appointment.get_status_display(), "via": VIA_LINK},
    )
    person = responsible(appointment)
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        move_case(
            actor=appointment.caseworker,
            antrag_id=appointment.antrag_id,
            name="cancel_first_consultation",
            expected=ErstgespraechState.GEBUCHT,
            comment=_("Von der Kundin / dem Kunden %(via)s abgesagt") % {"via": VIA_LINK},
        )
        work_url = reverse("appointments:eg_search", args=[appointment.antrag_id])
    else:
        work_url = reverse("appointments:contact", args=[appointment.kunde_id])
    due = rebook_due(appointment, timezone.localtime(now, BERLIN).date())
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        description = _(
            "Die Kundin / der Kunde hat das Erstgespräch am %(at)s %(via)s abgesagt. Der Termin "
            "ist wieder frei. Bitte spätestens 30 Tage nach der Anmeldung einen neuen Termin "
            "vereinbaren; ist das nicht möglich, die Gründe als Allgemeinen Vermerk festhalten."
        )
    else:
        description = _(
            "Die Kundin / der Kunde hat den Termin am %(at)s %(via)s abgesagt. Der Termin ist "
            "wieder frei. Bitte einen neuen Termin vereinbaren."
        )
    aufgabe = aufgabe_create(
        created_by=appointment.caseworker,
        assignee=person,
        kunde=appointment.kunde,
        title=_("Abgesagt %(via)s: %(kind)s am %(at)s neu vereinbaren")
        % {"via": VIA_LINK, "kind": appointment.get_kind_display(), "at": when},
        description=description % {"at": when, "via": VIA_LINK},
        due_at=due,
        work_url=work_url,
    )
    return Cancelled(appointment=appointment, rebook_by=due, aufgabe=aufgabe)


# --- move --------------------------------------------------------------------------------


def offered_slots(appointment: Appointment, *, now: datetime | None = None) -> list[Slot]:
    """The caseworker's free slots of the appointment's kind the customer may move to:
    from the next day for 10 working days, an EG only up to its deadline."""
    if appointment.kind == Kind.GRUPPE or appointment.with_rfb:
        return []
    now = now or timezone.now()
    calendar = calendar_for(appointment.jobcenter)
    today = timezone.localtime(now, BERLIN).date()
    after = max(now, end_of_day(today))
    until = end_of_day(calendar.add_working_days(today, MOVE_WORKING_DAYS))
    data = CalendarData.load([appointment.caseworker_id], after, until)
    slots = free_slots(
        data,
        calendar,
        caseworker_id=appointment.caseworker_id,
        kind=appointment.kind,
        after=after,
        until=until,
    )
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        limits = eg_limits(appointment.antrag)
        slots = [s for s in slots if not limits.late_reasons(s.starts_at)]
    return slots[:OFFERED_SLOTS]


@transaction.atomic
def move(appointment_id: int, *, starts_at: datetime, now: datetime | None = None) -> Appointment:
    """Move to an offered slot; the old one is free again. Moving to the time it already
    has (a second submit) changes nothing."""
    now = now or timezone.now()
    appointment = _locked(appointment_id)
    _still_open(appointment, now)
    if appointment.starts_at == starts_at:
        return appointment
    slot = next((s for s in offered_slots(appointment, now=now) if s.starts_at == starts_at), None)
    if slot is None:
        raise AppointmentError(
            _("Dieser Termin ist nicht mehr frei. Bitte wählen Sie einen anderen."), field="slot"
        )
    before = fmt_moment(appointment.starts_at)
    appointment.starts_at = slot.starts_at
    appointment.ends_at = slot.ends_at
    appointment.standort = Standort.objects.get(pk=slot.standort_id)
    appointment.customer_confirmed_at = now
    try:
        with transaction.atomic():
            appointment.save(
                update_fields=["starts_at", "ends_at", "standort", "customer_confirmed_at"]
            )
    except IntegrityError:
        raise AppointmentError(
            _("Dieser Termin wurde soeben anderweitig vergeben. Bitte wählen Sie einen anderen."),
            field="slot",
        ) from None
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        # The case keeps its state; only the time it shows (worklist, reception) follows.
        type(appointment.antrag).objects.filter(
            pk=appointment.antrag_id, eg_state=ErstgespraechState.GEBUCHT
        ).update(eg_at=slot.starts_at)
    _audit(
        appointment,
        _("Termin %(via)s verlegt: von %(before)s auf %(after)s")
        % {"via": VIA_LINK, "before": before, "after": fmt_moment(slot.starts_at)},
    )
    return appointment


# --- a request the caseworker decides ------------------------------------------------------


def open_request(appointment: Appointment) -> CustomerRequest | None:
    return (
        CustomerRequest.objects.filter(appointment=appointment, aufgabe__status=Aufgabe.Status.OPEN)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def request(
    appointment_id: int, *, wish: str, reason: str, now: datetime | None = None
) -> tuple[CustomerRequest, bool]:
    """The customer's wish and reason as a task for the caseworker; the appointment stands.

    Returns the request and whether it is new (an open one is not made twice)."""
    now = now or timezone.now()
    appointment = _locked(appointment_id)
    _still_open(appointment, now)
    if wish not in CustomerRequest.Wish.values:
        raise AppointmentError(_("Bitte wählen Sie, was Sie möchten."), field="wish")
    reason = reason.strip()
    if not reason:
        raise AppointmentError(
            _("Bitte schreiben Sie kurz den Grund und wann es Ihnen passt."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise AppointmentError(
            _("Bitte fassen Sie sich kürzer (höchstens %(n)d Zeichen).") % {"n": REASON_MAX},
            field="reason",
        )
    existing = open_request(appointment)
    if existing is not None:
        return existing, False
    when = fmt_moment(appointment.starts_at)
    label = CustomerRequest.Wish(wish).label
    if appointment.with_rfb:
        rfb = _(
            "Die Einladung enthält eine Rechtsfolgenbelehrung: bitte prüfen, ob ein wichtiger "
            "Grund vorliegt, und der Kundin / dem Kunden antworten. Bis dahin bleibt der "
            "Termin bestehen."
        )
    else:
        rfb = _(
            "Keiner der angebotenen Termine passte. Bitte einen neuen Termin vereinbaren; bis "
            "dahin bleibt der Termin bestehen."
        )
    aufgabe = aufgabe_create(
        created_by=appointment.caseworker,
        assignee=responsible(appointment),
        kunde=appointment.kunde,
        title=_("%(via)s: %(wish)s – %(kind)s am %(at)s prüfen")
        % {
            "via": _("Anfrage über den Termin-Link"),
            "wish": label,
            "kind": appointment.get_kind_display(),
            "at": when,
        },
        description=_("%(wish)s, Angabe der Kundin / des Kunden:\n%(reason)s\n\n%(rfb)s")
        % {"wish": label, "reason": reason, "rfb": rfb},
        due_at=min(appointment.starts_at, now + timedelta(days=2)),
        urgent=appointment.starts_at - now < timedelta(days=2),
        work_url=reverse("appointments:detail", args=[appointment.pk]),
    )
    made = CustomerRequest.objects.create(
        appointment=appointment, wish=wish, reason=reason, aufgabe=aufgabe
    )
    _audit(
        appointment,
        _("%(wish)s angefragt (%(via)s), Aufgabe an die Ansprechperson")
        % {"wish": label, "via": VIA_LINK},
    )
    return made, True
