"""Checking a walk-in in at the reception (rule R-WS-01), or settling the visit there at once."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments.errors import AppointmentError
from appointments.services.arrival import appointment_record_arrival
from intake.models import Kunde
from jobcenter.models import Standort, Team, User
from routing.services import aufgabe_create

from ..errors import FrontdeskError
from ..models import Concern, Contact, Outcome, PriorityReason, Visit, VisitConcern
from ..selectors import (
    Appointment,
    ServedTeams,
    queue_for,
    responsible_team,
    site_settings,
    ticket_team_for,
)
from .back_office import kunde_line, record_outcome, subject_line
from .guards import require_transition
from .recording import A, next_number, record_event


@dataclass(frozen=True)
class CheckIn:
    standort: Standort
    concerns: list[Concern]
    kunde: Kunde | None = None
    priority_reason: str = ""
    priority_note: str = ""
    team: Team | None = None
    appointment: Appointment | None = None
    # "" waits for a desk; RESOLVED or TICKET settles the visit at the reception at once.
    settle: str = ""
    note: str = ""
    ticket_team: Team | None = None
    # Concern pk → the information type the desk picked (rule R-IA-03).
    information_types: dict = field(default_factory=dict)
    # The concerns were read from the active catalogue in this very request (issue 13).
    concerns_current: bool = False


def _check(data: CheckIn, actor: User) -> list[Concern]:
    jobcenter_id = actor.jobcenter_id
    if not actor.has_perm("frontdesk.receive_visitors"):
        raise FrontdeskError(_("Anmelden dürfen nur Empfang, Eingangszone und Teamleitung."))
    if data.standort.jobcenter_id != jobcenter_id:
        raise FrontdeskError(_("Dieser Standort gehört nicht zu Ihrem Jobcenter."))
    if data.kunde is not None and data.kunde.jobcenter_id != jobcenter_id:
        raise FrontdeskError(_("Diese Kundin / dieser Kunde gehört nicht zu Ihrem Jobcenter."))
    if data.priority_reason not in PriorityReason.values:
        raise FrontdeskError(_("Unbekannter Grund für den Vorrang."))
    if data.priority_reason == PriorityReason.SONSTIGES and not data.priority_note.strip():
        raise FrontdeskError(_("Bitte den Grund des Vorrangs erläutern."))
    if data.settle not in ("", Outcome.RESOLVED, Outcome.TICKET):
        raise FrontdeskError(_("Dieses Ergebnis ist am Empfang nicht möglich."))
    ids = [c.pk for c in data.concerns]
    # Read again inside the transaction: a concern taken out of the catalogue a moment ago
    # is refused with its name. A caller that has just read them from the catalogue in
    # this request (the check-in form) says so, and they are not read twice.
    if data.concerns_current:
        current = {c.pk: c for c in data.concerns}
    else:
        current = {c.pk: c for c in Concern.objects.filter(pk__in=ids, jobcenter_id=jobcenter_id)}
    for concern in data.concerns:
        if concern.jobcenter_id != jobcenter_id:
            raise FrontdeskError(_("Dieses Anliegen gehört nicht zu Ihrem Jobcenter."))
        if concern.pk not in current or not current[concern.pk].active:
            raise FrontdeskError(
                _(
                    "Das Anliegen „%(name)s“ wurde inzwischen aus dem Katalog genommen. "
                    "Bitte ein anderes Anliegen wählen."
                )
                % {"name": concern.name}
            )
    concerns = [current[pk] for pk in dict.fromkeys(ids)]
    if not concerns and data.appointment is not None:
        termin = Concern.objects.filter(jobcenter_id=jobcenter_id, code="termin").first()
        concerns = [termin] if termin else []
    if not concerns:
        raise FrontdeskError(_("Bitte mindestens ein Anliegen auswählen."))
    return concerns


def _appointment_team(data: CheckIn, served: set[int]) -> Team | None:
    holder = data.appointment.with_user
    for team in holder.teams.order_by("name"):
        if team.pk in served:
            return team
    return None


@transaction.atomic
def visit_check_in(*, actor: User, data: CheckIn, now: datetime | None = None) -> Visit:
    """Check a walk-in customer in (rule R-WS-01): number, concerns, queue; or settle at once."""
    now = now or timezone.now()
    concerns = _check(data, actor)
    standort = data.standort
    jobcenter = standort.jobcenter
    served = ServedTeams(standort)  # read only where needed
    settle = data.settle
    assigned_to = None
    if data.appointment is not None and not settle:
        team = _appointment_team(data, served)
        if team is not None:
            assigned_to = data.appointment.with_user
        else:
            # No desk here serves the appointment holder: the customer is sent straight
            # to the appointment (rule R-EM-01), the holder gets a task.
            settle = Outcome.TO_APPOINTMENT
            team = responsible_team(
                jobcenter=jobcenter, standort=standort, handler="empfang", kunde=None
            )
    elif settle:
        team = data.team or responsible_team(
            jobcenter=jobcenter, standort=standort, handler="empfang", kunde=None
        )
    elif data.team is not None:
        if data.team.pk not in served:
            raise FrontdeskError(
                _("Die Warteschlange %(team)s wird an diesem Standort von keinem Schalter bedient.")
                % {"team": data.team.name}
            )
        team = data.team
    else:
        team = queue_for(
            jobcenter=jobcenter,
            standort=standort,
            concerns=concerns,
            kunde=data.kunde,
            served=served,
        )
    if team is None:
        raise FrontdeskError(
            _(
                "Für diese Anliegen gibt es an diesem Standort keine Warteschlange. "
                "Bitte eine Warteschlange wählen."
            )
            if not settle
            else _("Es ist kein Team Empfang oder Eingangszone angelegt.")
        )
    if team.jobcenter_id != jobcenter.pk:
        raise FrontdeskError(_("Dieses Team gehört nicht zu Ihrem Jobcenter."))

    appointment_row = None
    if data.appointment is not None and data.appointment.pk is not None:
        # Locks the appointment: of two check-ins at once, the second waits and is refused.
        try:
            appointment_row = appointment_record_arrival(
                actor=actor, appointment_id=data.appointment.pk, now=now
            )
        except AppointmentError as error:
            raise FrontdeskError(error.message, field="with_appointment") from error

    day = timezone.localdate(now)
    settings = site_settings(standort)
    visit = Visit.objects.create(
        jobcenter=jobcenter,
        standort=standort,
        day=day,
        # Settled on the spot at the reception: the customer never waits, so no number is
        # drawn and no Wartemarke printed (issue 12). Sent to an appointment keeps its number.
        number="" if data.settle else next_number(standort, day, settings.number_prefix),
        kunde=data.kunde,
        team=team,
        assigned_to=assigned_to,
        appointment_at=data.appointment.at if data.appointment else None,
        appointment=appointment_row,
        priority=bool(data.priority_reason),
        priority_reason=data.priority_reason,
        priority_note=data.priority_note.strip() if data.priority_reason else "",
        checked_in_at=now,
        checked_in_by=actor,
        queued_at=now,
        no_show_after=settings.no_show_after_calls,
    )
    VisitConcern.objects.bulk_create(
        VisitConcern(
            visit=visit, concern=c, position=i, information_type=data.information_types.get(c.pk)
        )
        for i, c in enumerate(concerns)
    )
    Contact.objects.create(visit=visit, team=team, queued_at=now)
    record_event(
        visit, A.CHECK_IN, source="", actor=actor, at=now, team=team, note=data.note.strip()
    )
    if settle:
        _settle(actor=actor, visit=visit, data=data, concerns=concerns, outcome=settle, now=now)
    return visit


def _settle(
    *, actor: User, visit: Visit, data: CheckIn, concerns: list[Concern], outcome: str, now
) -> None:
    source = visit.state
    require_transition(visit, visit.settle_at_reception, actor)
    visit.settle_at_reception(outcome=outcome, at=now)
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
        called_at=now, ended_at=now, served_by=actor, outcome=outcome, at_reception=True
    )
    VisitConcern.objects.filter(visit=visit).update(handled=True)
    if outcome == Outcome.TO_APPOINTMENT:
        appointment = data.appointment
        aufgabe_create(
            created_by=actor,
            assignee=appointment.with_user,
            kunde=visit.kunde,
            title=subject_line(
                visit,
                _("zum %(label)s um %(at)s eingetroffen")
                % {
                    "label": appointment.label,
                    "at": date_format(timezone.localtime(appointment.at), "H:i"),
                },
            ),
            description=kunde_line(visit),
        )
    else:
        record_outcome(
            actor=actor,
            visit=visit,
            outcome=outcome,
            concerns=concerns,
            note=data.note,
            ticket_team=data.ticket_team
            or (ticket_team_for(visit, concerns) if outcome == Outcome.TICKET else None),
            now=now,
            chosen=data.information_types,
        )
    record_event(visit, A.SETTLE, source=source, actor=actor, at=now, note=data.note.strip())
