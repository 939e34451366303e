"""The first consultation (EG): booked along the chain, by the team lead, or escalated."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import NEGATIVE_STATES, Antrag, ErstgespraechState
from intake.services import integration_team_for, kunde_ifk_assign
from jobcenter.models import Standort, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.services import calendar_for
from routing.services import aufgabe_create

from ..errors import AppointmentError
from ..models import (
    IN_PERSON_FORMS,
    Appointment,
    BookingEscalation,
    BookingStep,
    Form,
    Kind,
    RemoteReason,
    add_months,
)
from ..selectors import eg_search, fmt_moment, is_active_ifk
from ..slots import CalendarData, SlotError, check_slot
from .booking import after_booking, insert, move_case, new_appointment


def _lock_case_for_eg(antrag_id: int) -> Antrag:
    antrag = (
        Antrag.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "applicant__ifk", "bedarfsgemeinschaft__leistung_team")
        .get(pk=antrag_id)
    )
    if antrag.state in NEGATIVE_STATES:
        raise AppointmentError(
            _("Der Fall ist abgeschlossen (%(state)s): es wird kein Termin mehr gebucht.")
            % {"state": antrag.get_state_display()}
        )
    if antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT:
        raise AppointmentError(_("Das Erstgespräch hat bereits stattgefunden."))
    booked = (
        Appointment.objects.booked()
        .filter(antrag=antrag, kind=Kind.ERSTGESPRAECH)
        .select_related("caseworker")
        .first()
    )
    if booked is not None:
        raise AppointmentError(
            _("Für diesen Fall ist bereits ein Erstgespräch gebucht (%(at)s bei %(who)s).")
            % {"at": fmt_moment(booked.starts_at), "who": booked.caseworker}
        )
    if antrag.eg_state == ErstgespraechState.GEBUCHT:
        raise AppointmentError(
            _("Für diesen Fall ist bereits ein Erstgespräch gebucht (%(at)s).")
            % {"at": fmt_moment(antrag.eg_at) if antrag.eg_at else "–"}
        )
    if not antrag.first_consultation_bookable():
        raise AppointmentError(
            _(
                "Das Erstgespräch wird in diesem Jobcenter erst nach dem bestätigten Leistungsanspruch gebucht."
            )
        )
    return antrag


# Rule R-TE-08: a pupil's first consultation may be remote if the activation (the end of
# the § 10 entry) lies more than this many calendar months after it.
PUPIL_ACTIVATION_MONTHS = 6


def check_in_person(
    *,
    antrag: Antrag,
    form: str,
    starts_at: datetime,
    remote_reason: str,
    activation_on: date | None,
    today: date,
) -> tuple[str, date | None]:
    """Rule R-TE-08 (Rhein-Lahn 1.3): where the Jobcenter has the rule, a first consultation
    is held in person; by video or phone only for a customer in full-time work or training,
    or a pupil whose activation lies more than 6 months after the EG. Returns the exception
    to record on the appointment (none for an in-person one or without the rule)."""
    if form in IN_PERSON_FORMS or not antrag.jobcenter.eg_in_person_required(today):
        return "", None
    if remote_reason not in RemoteReason.values:
        raise AppointmentError(
            _(
                "Erstgespräche finden in Präsenz statt. Per %(form)s nur im Ausnahmefall: "
                "bitte die Ausnahme wählen oder „persönlich“ buchen."
            )
            % {"form": Form(form).label},
            field="remote_reason",
        )
    if remote_reason != RemoteReason.SCHUELER:
        return remote_reason, None
    if activation_on is None:
        raise AppointmentError(
            _("Bitte das Ende des § 10-Eintrags (die Aktivierung) angeben."),
            field="activation_on",
        )
    eg_day = timezone.localtime(starts_at).date()
    limit = add_months(eg_day, PUPIL_ACTIVATION_MONTHS)
    if activation_on <= limit:
        raise AppointmentError(
            _(
                "Die Aktivierung liegt nicht mehr als 6 Monate nach dem Erstgespräch (erst "
                "nach dem %(limit)s wäre es eine Ausnahme): das Erstgespräch findet in "
                "Präsenz statt."
            )
            % {"limit": date_format(limit, "d.m.Y")},
            field="activation_on",
        )
    return remote_reason, activation_on


@transaction.atomic
def eg_book(
    *,
    actor: User,
    antrag_id: int,
    caseworker: User,
    starts_at: datetime,
    form: str = Form.PERSOENLICH,
    late_reason: str = "",
    remote_reason: str = "",
    activation_on: date | None = None,
) -> Appointment:
    """Book the first consultation on a slot the chain offers (the team lead: any free slot).

    The case moves to "Erstgespräch gebucht" through the intake transition, which also gives
    the IFK the task "Neuer Kunde zugeordnet" (rule R-AN-03).
    """
    antrag = _lock_case_for_eg(antrag_id)
    require_perm(
        actor,
        "intake.book_first_consultation",
        antrag,
        message=_("Sie dürfen für diesen Fall kein Erstgespräch buchen."),
    )
    if not is_active_ifk(caseworker) or caseworker.jobcenter_id != antrag.jobcenter_id:
        raise AppointmentError(_("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."))
    now = timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    data = CalendarData.load(
        [caseworker.pk], starts_at - timedelta(days=1), starts_at + timedelta(days=1)
    )
    try:
        slot = check_slot(
            data,
            calendar,
            caseworker=caseworker,
            kind=Kind.ERSTGESPRAECH,
            starts_at=starts_at,
            now=now,
        )
    except SlotError as error:
        raise AppointmentError(str(error), field="slot") from None

    chain = eg_search(antrag=antrag, now=now)
    proposed = chain.steps[0].caseworker if chain.steps[0].step == BookingStep.IFK else None
    if antrag.applicant.ifk_id is None and proposed is not None:
        # The customer had no IFK: the one the chain proposed becomes theirs first.
        kunde_ifk_assign(actor=actor, kunde=antrag.applicant, ifk=proposed)
    found = chain.found
    if found is not None and found.caseworker == caseworker and slot in found.slots:
        step = found.step
        note = found.label + (f", {caseworker}" if step == BookingStep.VERTRETUNG else "")
    elif actor.has_perm("appointments.book_by_hand", antrag):
        # The team lead organises the EG within the team (rule R-EG-03): any free slot.
        step, note = BookingStep.TEAMLEITUNG, _("von der Teamleitung gebucht")
    elif found is None:
        raise AppointmentError(
            _(
                "Innerhalb von 10 Arbeitstagen ist weder bei der IFK noch bei den Vertretungen ein "
                "Termin frei. Bitte das Ticket an das Teampostfach senden: die Teamleitung bucht."
            )
        )
    else:
        raise AppointmentError(
            _("Bitte einen der angebotenen Termine bei %(who)s wählen (%(step)s).")
            % {"who": found.caseworker, "step": found.label},
            field="slot",
        )

    remote_reason, activation_on = check_in_person(
        antrag=antrag,
        form=form,
        starts_at=slot.starts_at,
        remote_reason=remote_reason,
        activation_on=activation_on,
        today=timezone.localdate(),
    )
    late = chain.limits.late_reasons(starts_at)
    if late and not late_reason.strip():
        raise AppointmentError(
            _(
                "Der Termin liegt %(what)s. Bitte begründen Sie, warum kein früherer Termin möglich ist."
            )
            % {"what": _(" und ").join(late)},
            field="late_reason",
        )
    appointment = new_appointment(
        antrag_or_none=antrag,
        kunde=antrag.applicant,
        caseworker=caseworker,
        kind=Kind.ERSTGESPRAECH,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=form,
        actor=actor,
        previous=_last_eg(antrag),
    )
    appointment.booking_step = step
    appointment.booking_note = note[:300]
    appointment.late_reason = late_reason.strip() if late else ""
    appointment.remote_reason, appointment.activation_on = remote_reason, activation_on
    insert(appointment)
    move_case(
        actor=actor,
        antrag_id=antrag.pk,
        name="book_first_consultation",
        expected=ErstgespraechState.OFFEN,
        at=slot.starts_at,
        ifk=caseworker,
    )
    after_booking(actor=actor, appointment=appointment, late=late)
    BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True).update(
        resolved_by=appointment
    )
    return appointment


def _last_eg(antrag: Antrag) -> Appointment | None:
    return (
        Appointment.objects.filter(antrag=antrag, kind=Kind.ERSTGESPRAECH)
        .order_by("-starts_at", "-id")
        .first()
    )


@transaction.atomic
def eg_escalate(*, actor: User, antrag_id: int) -> BookingEscalation:
    """No slot with the IFK or any deputy within 10 AT: a ticket to the team mailbox,
    assigned to the team lead, who books by hand (rule R-EG-03). Raised once."""
    antrag = _lock_case_for_eg(antrag_id)
    require_perm(
        actor,
        "intake.book_first_consultation",
        antrag,
        message=_("Sie dürfen für diesen Fall kein Erstgespräch buchen."),
    )
    existing = BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True).first()
    if existing is not None:
        return existing
    chain = eg_search(antrag=antrag)
    if chain.found is not None:
        raise AppointmentError(
            _("Es gibt einen freien Termin bei %(who)s: bitte diesen buchen.")
            % {"who": chain.found.caseworker}
        )
    kunde = antrag.applicant
    team = integration_team_for(kunde)
    postfach = getattr(team, "postfach", None) if team else None
    if postfach is None:
        raise AppointmentError(_("Für das Integrationsteam ist kein Postfach eingerichtet."))
    searched = [
        f"- {s.label}: {s.caseworker or '–'} {s.note}".rstrip()
        for s in chain.steps
        if s.step != BookingStep.TEAMLEITUNG
    ]
    due = (
        chain.limits.deadline.due_at
        if chain.limits.deadline and chain.limits.deadline.status == "open"
        else None
    )
    # The task states its real reason: without an (active) IFK there was nobody to search.
    has_ifk = is_active_ifk(kunde.ifk if kunde.ifk_id else None)
    aufgabe = aufgabe_create(
        created_by=actor,
        postfach=postfach,
        assignee=team.lead if team.lead_id else None,
        kunde=kunde,
        title=(
            _("Erstgespräch buchen: kein freier Termin innerhalb von 10 Arbeitstagen (BG %(bg)s)")
            if has_ifk
            else _("Erstgespräch buchen: keine IFK zugeordnet (BG %(bg)s)")
        )
        % {"bg": antrag.bedarfsgemeinschaft.number},
        work_url=reverse("appointments:eg_manual", args=[antrag.pk]),
        description="\n".join(
            [
                (
                    _(
                        "Die Eingangszone hat bei der IFK und allen Vertretungen bis %(until)s keinen freien Termin gefunden:"
                    )
                    if has_ifk
                    else _(
                        "Der Kundin / dem Kunden ist keine IFK zugeordnet: bitte im Team eine IFK bestimmen und das Erstgespräch bis %(until)s buchen."
                    )
                )
                % {"until": fmt_moment(chain.horizon)},
                *searched,
                _("Bitte organisieren Sie das Erstgespräch im Team (Teamleitung informiert)."),
                _("Frist für das Erstgespräch: %(due)s") % {"due": fmt_moment(due)} if due else "",
            ]
        ).strip(),
        due_at=due,
    )
    escalation = BookingEscalation.objects.create(antrag=antrag, aufgabe=aufgabe, created_by=actor)
    audit_record(actor=actor, action="create", target=escalation, summary=aufgabe.title)
    return escalation
