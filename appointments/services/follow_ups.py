"""Follow-up consultations: booked in the IFK's own calendar, or entered afterwards."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from jobcenter.models import Standort, User
from jobcenter.predicates import require_perm
from minimumstandards.services import calendar_for

from ..errors import AppointmentError
from ..invitations import rule_in_force
from ..models import (
    Appointment,
    Form,
    InvitationRule,
    Kind,
)
from ..slots import CalendarData, SlotError, check_slot
from .booking import after_booking, check_kunde_open, insert, new_appointment
from .outcomes import appointment_record_held


@transaction.atomic
def follow_up_book(
    *,
    actor: User,
    kunde: Kunde,
    caseworker: User,
    starts_at: datetime,
    form: str = Form.PERSOENLICH,
    with_rfb: bool | None = None,
    previous: Appointment | None = None,
) -> Appointment:
    """A follow-up consultation in one of the caseworker's released follow-up windows."""
    require_perm(
        actor,
        "appointments.book_follow_up",
        kunde,
        message=_("Sie dürfen für diese Person keinen Termin buchen."),
    )
    if actor.has_perm("appointments.hold_consultations") and caseworker.pk != actor.pk:
        raise AppointmentError(_("Folgegespräche buchen Sie in Ihrem eigenen Kalender."))
    check_kunde_open(kunde)
    calendar = calendar_for(kunde.jobcenter)
    data = CalendarData.load(
        [caseworker.pk], starts_at - timedelta(days=1), starts_at + timedelta(days=1)
    )
    try:
        slot = check_slot(
            data,
            calendar,
            caseworker=caseworker,
            kind=Kind.FOLGEGESPRAECH,
            starts_at=starts_at,
            now=timezone.now(),
        )
    except SlotError as error:
        raise AppointmentError(str(error), field="slot") from None
    appointment = new_appointment(
        antrag_or_none=None,
        kunde=kunde,
        caseworker=caseworker,
        kind=Kind.FOLGEGESPRAECH,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=form,
        actor=actor,
        previous=previous,
    )
    # Rule R-TE-05: follow-up invitations carry an RFB where it is needed to secure the visit;
    # after a no-show the rule decides and cannot be waived here.
    if (
        with_rfb is not None
        and appointment.invitation_occasion == InvitationRule.Occasion.FOLGEEINLADUNG
        and with_rfb != appointment.with_rfb
    ):
        rule = rule_in_force(
            jobcenter=kunde.jobcenter,
            occasion=InvitationRule.Occasion.NACH_MELDEVERSAEUMNIS,
            on=timezone.localdate(),
        )
        appointment.with_rfb = with_rfb
        appointment.rfb_text = rule.rfb_text if with_rfb else ""
    insert(appointment)
    after_booking(actor=actor, appointment=appointment, late=[])
    return appointment


@transaction.atomic
def contact_record(
    *, actor: User, kunde: Kunde, starts_at: datetime, minutes: int, form: str, text: str
) -> Appointment:
    """An unplanned consultation entered afterwards (rule R-TE-04: "nachzutragen")."""
    require_perm(
        actor,
        "appointments.record_contact",
        kunde,
        message=_("Kontakte tragen Integrationsfachkräfte nach."),
    )
    if starts_at > timezone.now():
        raise AppointmentError(
            _("Ein Kontakt wird nachgetragen, wenn er stattgefunden hat."), field="starts_at"
        )
    if not 1 <= minutes <= 480:
        raise AppointmentError(
            _("Bitte die Dauer in Minuten angeben (1 bis 480)."), field="minutes"
        )
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Gesprächsinhalte festhalten."), field="text"
        )
    appointment = new_appointment(
        antrag_or_none=None,
        kunde=kunde,
        caseworker=actor,
        kind=Kind.FOLGEGESPRAECH,
        slot_start=starts_at,
        slot_end=starts_at + timedelta(minutes=minutes),
        standort=None,
        form=form,
        actor=actor,
    )
    appointment.booking_note = _("nachgetragen")
    insert(appointment)
    appointment_record_held(
        actor=actor, appointment_id=appointment.pk, minutes=minutes, form=form, text=text
    )
    appointment.refresh_from_db()
    return appointment
