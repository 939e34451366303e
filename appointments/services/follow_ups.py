"""Follow-up consultations: booked in the IFK's own calendar, or entered afterwards."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import Kunde
from jobcenter.models import Standort, User
from jobcenter.predicates import require_perm
from minimumstandards.services import calendar_for

from ..errors import AppointmentError
from ..invitations import earliest_by_post, not_before_by_post, received_by_post, rule_in_force
from ..models import (
    Appointment,
    Delivery,
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
    delivery: str = Delivery.POST,
) -> Appointment:
    """A follow-up consultation in one of the caseworker's released follow-up windows.

    A posted invitation must count as received before the day of the appointment (rule
    R-TE-07); handed over in person the appointment may be sooner.
    """
    require_perm(
        actor,
        "appointments.book_follow_up",
        kunde,
        message=_("Sie dürfen für diese Person keinen Termin buchen."),
    )
    if actor.has_perm("appointments.hold_consultations") and caseworker.pk != actor.pk:
        raise AppointmentError(_("Folgegespräche buchen Sie in Ihrem eigenen Kalender."))
    check_kunde_open(kunde)
    if delivery not in Delivery.values:
        raise AppointmentError(
            _("Bitte wählen, wie die Einladung übergeben wird."), field="delivery"
        )
    calendar = calendar_for(kunde.jobcenter)
    if delivery == Delivery.POST:
        _check_posted_in_time(starts_at, calendar)
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
        delivery=delivery,
    )
    # Rule R-TE-05: the caseworker adds an RFB to a follow-up invitation where it is needed to
    # secure the visit; where the Jobcenter's rule requires one (after a no-show, or every
    # invitation as in Cottbus and Deutsche Weinstraße) it cannot be waived here.
    if (
        with_rfb
        and appointment.invitation_occasion == InvitationRule.Occasion.FOLGEEINLADUNG
        and not appointment.with_rfb
    ):
        rule = rule_in_force(
            jobcenter=kunde.jobcenter,
            occasion=InvitationRule.Occasion.NACH_MELDEVERSAEUMNIS,
            on=timezone.localdate(),
        )
        appointment.with_rfb = True
        appointment.rfb_text = rule.rfb_text
    insert(appointment)
    after_booking(actor=actor, appointment=appointment, late=[])
    return appointment


def _check_posted_in_time(starts_at: datetime, calendar) -> None:
    posted_on = timezone.localdate()
    if starts_at >= not_before_by_post(posted_on):
        return
    earliest = earliest_by_post(posted_on)
    while not calendar.is_working_day(earliest):
        earliest += timedelta(days=1)
    raise AppointmentError(
        _(
            "Per Post versandt gilt die Einladung erst am %(received)s als bekanntgegeben "
            "(§ 37 Abs. 2 SGB X); bitte einen Termin ab %(earliest)s wählen oder die Einladung "
            "persönlich aushändigen."
        )
        % {
            "received": date_format(received_by_post(posted_on), "l, d.m.Y"),
            "earliest": date_format(earliest, "l, d.m.Y"),
        },
        field="slot",
    )


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
