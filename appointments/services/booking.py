"""What every booking does: the appointment as invited, the slot claimed, the case moved."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import NEGATIVE_STATES, Antrag, Kunde
from intake.services import CaseConflict, antrag_transition
from jobcenter.models import User
from jobcenter.services import audit_record
from routing.models import Vermerk
from routing.services import vermerk_create

from ..errors import AppointmentError
from ..invitations import occasion_for, rule_in_force
from ..models import Appointment, Kind
from ..selectors import fmt_moment
from .nachhaltung import leaving_class_booked


def insert(appointment: Appointment) -> Appointment:
    """Claim the slot: the database constraints decide a race, not a check before it."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise AppointmentError(
            _(
                "Dieser Termin wurde soeben anderweitig vergeben oder überschneidet sich mit "
                "einem anderen Termin. Bitte einen anderen Termin wählen."
            )
        ) from None
    return appointment


def move_case(*, actor, antrag_id: int, name: str, expected: str, comment: str = "", **params):
    try:
        return antrag_transition(
            actor=actor,
            antrag_id=antrag_id,
            name=name,
            expected_state=expected,
            comment=comment,
            **params,
        )
    except CaseConflict as error:
        raise AppointmentError(str(error)) from None
    except PermissionDenied as error:
        raise AppointmentError(str(error)) from None


def new_appointment(
    *,
    antrag_or_none,
    kunde: Kunde,
    caseworker: User,
    kind: str,
    slot_start,
    slot_end,
    standort,
    form,
    actor,
    previous=None,
    today=None,
    delivery: str = "",
) -> Appointment:
    today = today or timezone.localdate()
    occasion = occasion_for(kunde=kunde, kind=kind)
    rule = rule_in_force(jobcenter=kunde.jobcenter, occasion=occasion, on=today)
    return Appointment(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        antrag=antrag_or_none,
        caseworker=caseworker,
        kind=kind,
        standort=standort,
        starts_at=slot_start,
        ends_at=slot_end,
        form=form,
        with_rfb=rule.with_rfb,
        rfb_text=rule.rfb_text if rule.with_rfb else "",
        invitation_occasion=occasion,
        delivery=delivery,
        booked_by=actor,
        previous=previous,
    )


def after_booking(*, actor: User, appointment: Appointment, late: list[str]) -> None:
    from reminders.services import appointment_kind_on_booking, notify_appointment

    # The customer's confirmation (or the move's), by the channels they agreed to.
    notify_appointment(appointment, appointment_kind_on_booking(appointment))
    if appointment.kind != Kind.GRUPPE:
        # Rule R-NH-04: a leaving-class pupil booked for a personal consultation is invited.
        leaving_class_booked(kunde=appointment.kunde, at=timezone.now())
    audit_record(
        actor=actor,
        action="create",
        target=appointment,
        summary=_("%(kind)s gebucht: %(at)s bei %(who)s")
        % {
            "kind": appointment.get_kind_display(),
            "at": fmt_moment(appointment.starts_at),
            "who": appointment.caseworker,
        },
    )
    if late:
        # Rule R-TE-02: the reasons are documented in the customer's history (Allgemeiner Vermerk).
        vermerk_create(
            kunde=appointment.kunde,
            author=actor,
            subject=_("%(kind)s am %(at)s: Termin nach der Frist gebucht")
            % {"kind": appointment.get_kind_display(), "at": fmt_moment(appointment.starts_at)},
            text=_("Der Termin liegt %(what)s.\nBegründung: %(reason)s")
            % {"what": _(" und ").join(late), "reason": appointment.late_reason},
            known_on=timezone.localdate(),
            kind=Vermerk.Kind.ALLGEMEIN,
        )


def check_kunde_open(kunde: Kunde) -> None:
    latest = (
        Antrag.objects.filter(persons__kunde=kunde)
        .order_by("-application_date", "-id")
        .values_list("state", flat=True)
        .first()
    )
    if latest in NEGATIVE_STATES:
        raise AppointmentError(
            _(
                "Der letzte Antrag dieser Kundin / dieses Kunden ist abgeschlossen ohne Leistungsanspruch: es wird kein Termin gebucht."
            )
        )
