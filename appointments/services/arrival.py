"""The customer has arrived for an appointment: the reception checked them in against it.

Called by the front desk's check-in inside its transaction; the row lock makes a second
check-in for the same appointment wait for the first and then be refused.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jobcenter.models import User
from jobcenter.services import audit_record

from ..errors import AppointmentError
from ..models import Appointment, Status


@transaction.atomic
def appointment_record_arrival(*, actor: User, appointment_id: int, now: datetime) -> Appointment:
    """Record that the customer is here for `appointment_id`; refuse a second arrival."""
    appointment = (
        Appointment.objects.select_for_update()
        .filter(pk=appointment_id, jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if appointment is None or appointment.status != Status.GEBUCHT:
        raise AppointmentError(_("Dieser Termin ist nicht mehr geplant."))
    if appointment.arrived_at is not None:
        raise AppointmentError(
            _("Zu diesem Termin wurde die Person bereits um %(at)s Uhr angemeldet.")
            % {"at": date_format(timezone.localtime(appointment.arrived_at), "H:i")}
        )
    appointment.arrived_at = now
    appointment.arrived_by = actor
    appointment.save(update_fields=["arrived_at", "arrived_by"])
    audit_record(
        actor=actor,
        action="change",
        target=appointment,
        summary=_("Zum Termin eingetroffen um %(at)s Uhr")
        % {"at": date_format(timezone.localtime(now), "H:i")},
        subject_id=appointment.kunde_id,
    )
    return appointment
