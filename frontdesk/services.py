"""The front desk's actions (rules R-EM-01 to R-EM-03, R-WS-01, R-RU-01).

Every function here is one transaction: a visit never changes state without its event,
its contact (waiting and processing time) and its audit row, and a call-up never reaches
a customer another desk has called. Notes and tickets for the back office are raised
through routing's services; the callback clock of a ticket through minimumstandards'.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from intake.models import Antrag, ErstgespraechState, Kunde
from intake.services import integration_team_for
from jobcenter.errors import DomainError
from jobcenter.models import Jobcenter, Standort, Team, User
from jobcenter.roles import Role
from jobcenter.services import audit_record
from jobcenter.services import secret_hash as sha256_hex
from minimumstandards.models import DeadlineRule, RuleKind, Scope
from minimumstandards.services import calendar_for, deadline_open
from routing.models import Aufgabe, InformationType
from routing.services import RoutingError, aufgabe_create, vermerk_create, vermerk_route

from . import catalogue
from .models import (
    OPEN_VISIT_STATES,
    RECEPTION_ROLES,
    Concern,
    ConcernClass,
    Contact,
    DailyCounter,
    Desk,
    Display,
    Outcome,
    PriorityReason,
    SiteSettings,
    Visit,
    VisitConcern,
    VisitEvent,
    VisitState,
    display_token_prefix,
    new_display_token,
)

# A desk nobody has used for this long counts as closed and may be taken over.
DESK_IDLE = timedelta(minutes=20)
A = VisitEvent.Action


class FrontdeskError(DomainError):
    """A refused front-desk action."""


class QueueEmpty(FrontdeskError):
    """Nobody waits for this desk."""


# --- appointments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Appointment:
    """An appointment a customer can be checked in against."""

    at: datetime
    with_user: User
    label: str
    antrag_id: int


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def appointments_for_checkin(kunde_ids, day: date) -> dict[int, Appointment]:
    """Per customer, their first appointment of `day`.

    For now the only appointment on file is the first consultation (EG) booked on the
    customer's case (intake.Antrag.eg_at / eg_with); the appointments app will answer here
    once it exists. One query for any number of customers.
    """
    ids = [pk for pk in kunde_ids if pk]
    if not ids:
        return {}
    start, end = _day_bounds(day)
    found: dict[int, Appointment] = {}
    rows = (
        Antrag.objects.filter(
            applicant_id__in=ids,
            eg_state=ErstgespraechState.GEBUCHT,
            eg_at__gte=start,
            eg_at__lt=end,
            eg_with__isnull=False,
        )
        .select_related("eg_with")
        .order_by("eg_at", "pk")
    )
    for antrag in rows:
        found.setdefault(
            antrag.applicant_id,
            Appointment(
                at=antrag.eg_at,
                with_user=antrag.eg_with,
                label=_("Erstgespräch"),
                antrag_id=antrag.pk,
            ),
        )
    return found


def appointment_for_checkin(kunde: Kunde | None, day: date) -> Appointment | None:
    if kunde is None:
        return None
    return appointments_for_checkin([kunde.pk], day).get(kunde.pk)


# --- the concern catalogue --------------------------------------------------------------------


def catalogue_seed(jobcenter: Jobcenter) -> int:
    """Give the Jobcenter the default concern classes and concerns.

    Idempotent: classes (by name) and concerns (by code) it already has stay as they are.
    """
    return catalogue.seed(
        jobcenter.pk,
        concern_class_model=ConcernClass,
        concern_model=Concern,
        information_type_model=InformationType,
    )


# --- sites, teams and queues ----------------------------------------------------------------


def site_settings(standort: Standort) -> SiteSettings:
    """The site's queue settings, or the defaults (not saved) if it has none."""
    try:
        return standort.frontdesk_settings
    except SiteSettings.DoesNotExist:
        return SiteSettings(standort=standort)


def served_team_ids(standort: Standort) -> set[int]:
    """The teams whose queue some active desk of this site serves."""
    return set(
        Desk.teams.through.objects.filter(desk__standort=standort, desk__active=True).values_list(
            "team_id", flat=True
        )
    )


_HANDLER_KINDS = {
    Concern.Handler.EMPFANG: [Team.Kind.EMPFANG, Team.Kind.EINGANGSZONE],
    Concern.Handler.EINGANGSZONE: [Team.Kind.EINGANGSZONE],
    Concern.Handler.LEISTUNG: [Team.Kind.LEISTUNG],
    Concern.Handler.SACHBEARBEITUNG: [Team.Kind.SACHBEARBEITUNG, Team.Kind.LEISTUNG],
    Concern.Handler.BUT: [Team.Kind.BUT, Team.Kind.LEISTUNG],
    Concern.Handler.INTEGRATION: [Team.Kind.INTEGRATION_UE25, Team.Kind.INTEGRATION_U25],
    Concern.Handler.FACHBEREICH: [],
}


def responsible_team(
    *, jobcenter: Jobcenter, standort: Standort | None, handler: str, kunde: Kunde | None
) -> Team | None:
    """The team that handles `handler`'s concerns for this customer at this site."""
    if kunde is not None:
        if handler == Concern.Handler.LEISTUNG:
            bg = kunde.bedarfsgemeinschaft
            if bg is not None and bg.leistung_team_id:
                return bg.leistung_team
        if handler == Concern.Handler.INTEGRATION:
            team = integration_team_for(kunde)
            if team is not None:
                return team
    for kind in _HANDLER_KINDS.get(handler, []):
        teams = Team.objects.filter(jobcenter=jobcenter, kind=kind).order_by("name")
        team = (teams.filter(standort=standort).first() if standort else None) or teams.first()
        if team is not None:
            return team
    return None


def queue_for(
    *, jobcenter: Jobcenter, standort: Standort, concerns: list[Concern], kunde: Kunde | None
) -> Team | None:
    """Where a walk-in waits: a concern passed on in person the same day (rule R-EM-02) goes to
    its team's queue when a desk of this site serves it; everything else to the
    Eingangszone, the second filter (rule R-EM-01)."""
    served = served_team_ids(standort)
    candidates = [
        responsible_team(jobcenter=jobcenter, standort=standort, handler=c.handled_by, kunde=kunde)
        for c in concerns
        if c.route == Concern.Route.IN_PERSON
    ]
    candidates.append(
        responsible_team(
            jobcenter=jobcenter,
            standort=standort,
            handler=Concern.Handler.EINGANGSZONE,
            kunde=kunde,
        )
    )
    for team in candidates:
        if team is not None and team.pk in served:
            return team
    return None


def ticket_team_for(visit: Visit, concerns: list[Concern]) -> Team | None:
    """The team a ticket about these concerns goes to: the first one routed by ticket or
    appointment, else the first concern's, else the Eingangszone."""
    ordered = sorted(
        concerns,
        key=lambda c: c.route not in (Concern.Route.TICKET, Concern.Route.APPOINTMENT),
    )
    for concern in ordered:
        if concern.handled_by == Concern.Handler.EMPFANG:
            continue  # the reception is no back office
        team = responsible_team(
            jobcenter=visit.jobcenter,
            standort=visit.standort,
            handler=concern.handled_by,
            kunde=visit.kunde,
        )
        if team is not None:
            return team
    # Rule R-EM-03: the Eingangszone distributes the tickets no department is named for.
    return responsible_team(
        jobcenter=visit.jobcenter,
        standort=visit.standort,
        handler=Concern.Handler.EINGANGSZONE,
        kunde=None,
    )


# --- recording ------------------------------------------------------------------------------


def _event(
    visit: Visit,
    action: str,
    *,
    source: str,
    actor: User,
    at: datetime,
    desk: Desk | None = None,
    team: Team | None = None,
    note: str = "",
) -> VisitEvent:
    event = VisitEvent.objects.create(
        visit=visit,
        standort_id=visit.standort_id,
        action=action,
        source=source,
        target=visit.state,
        at=at,
        actor=actor,
        desk=desk,
        team=team,
        note=note,
    )
    # The audit row names the number, never the customer.
    audit_record(
        actor=actor,
        action="create" if action == A.CHECK_IN else "transition",
        target=visit,
        summary=_visit_summary(visit.number, action, source, visit.state),
        changes={"state": [source, visit.state]} if source != visit.state else {},
    )
    return event


def _visit_summary(number: str, action: str, source: str, target: str) -> str:
    """The audit line in German: "A019: aufgerufen (wartet → aufgerufen)"."""

    def state(value: str) -> str:
        return str(VisitState(value).label) if value in VisitState.values else value

    what = str(A(action).label)
    if not source:
        return f"{number}: {what} ({state(target)})"
    return f"{number}: {what} ({state(source)} → {state(target)})"


def _open_contact(visit: Visit) -> Contact | None:
    return Contact.objects.filter(visit=visit, ended_at__isnull=True).first()


def _end_contact(visit: Visit, *, outcome: str, at: datetime) -> None:
    contact = _open_contact(visit)
    if contact is not None:
        contact.ended_at = at
        contact.outcome = outcome
        contact.save(update_fields=["ended_at", "outcome"])


def _next_number(standort: Standort, day: date, prefix: str) -> str:
    counter, _created = DailyCounter.objects.select_for_update().get_or_create(
        standort=standort, day=day
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}{counter.last_value:03d}"


def _concern_names(concerns) -> str:
    return ", ".join(c.name for c in concerns)


def _subject(visit: Visit, text: str) -> str:
    return (
        _("Vorsprache %(date)s, Wartenummer %(number)s: %(text)s")
        % {
            "date": date_format(visit.day, "d.m.Y"),
            "number": visit.number,
            "text": text,
        }
    )[:200]


def _kunde_line(visit: Visit) -> str:
    if visit.kunde is None:
        return _("Kundin / Kunde ohne Kd.-Nr. (nicht zugeordnet)")
    return _("Kd.-Nr. %(nr)s") % {"nr": visit.kunde.kundennummer}


def _inform_back_office(*, actor: User, visit: Visit, concerns: list[Concern], note: str) -> None:
    """Where the back office must know (a change reported, documents handed in).

    A concern with an information type becomes a Vermerk of that type, routed by routing's
    service exactly as one written in the EZ: the mailboxes come from the type's rules alone
    (architecture point 12). A concern with `record` only gets a Vermerk in the history.
    """
    text = "\n".join(part for part in (_kunde_line(visit), note.strip()) if part)
    noted = [c for c in concerns if c.wants_vermerk]
    if not noted:
        return
    if visit.kunde is None:
        # Without a customer record there is no history and no BG or IFK to route by: the
        # team handling the concern gets it in its mailbox and assigns it.
        by_team: dict[int, tuple[Team, list[Concern]]] = {}
        for concern in noted:
            team = responsible_team(
                jobcenter=visit.jobcenter,
                standort=visit.standort,
                handler=concern.handled_by,
                kunde=None,
            )
            if team is not None:
                by_team.setdefault(team.pk, (team, []))[1].append(concern)
        for team, items in by_team.values():
            postfach = getattr(team, "postfach", None)
            if postfach is None:
                continue
            aufgabe_create(
                created_by=actor,
                postfach=postfach,
                kunde=None,
                title=_subject(visit, _concern_names(items)),
                description=text,
            )
        return
    history_only = [c for c in noted if not c.routes]
    if history_only:
        vermerk_create(
            kunde=visit.kunde,
            author=actor,
            subject=_subject(visit, _concern_names(history_only)),
            text=note.strip(),
            known_on=visit.day,
        )
    by_type: dict[int, list[Concern]] = {}
    for concern in noted:
        if concern.routes:
            by_type.setdefault(concern.information_type_id, []).append(concern)
    # Known on the day of the visit; never before the record exists (routing refuses that,
    # and back-dated visits, e.g. the demo's past days, may name a customer registered later).
    known_on = max(visit.day, timezone.localdate(visit.kunde.created_at))
    for items in by_type.values():
        lines = (_subject(visit, _concern_names(items)), note.strip())
        try:
            vermerk_route(
                author=actor,
                kunde=visit.kunde,
                information_type=items[0].information_type,
                known_on=known_on,
                text="\n".join(part for part in lines if part),
            )
        except RoutingError as error:
            # The desk's form has none of the note's inputs: say every fault in the message.
            faults = [str(m) for m in error.field_errors.values() if m]
            raise FrontdeskError(" ".join([str(error.message), *faults])) from error


def _raise_ticket(
    *, actor: User, visit: Visit, concerns: list[Concern], team: Team | None, note: str, now
):
    """Rule R-RU-01: the concern goes to the responsible team by ticket; the customer gets a call
    back within 24 hours. The ticket's callback deadline is opened when the Jobcenter's
    rule profile has one (the mailbox closes it when the ticket is done)."""
    if team is None:
        raise FrontdeskError(_("Bitte das Team wählen, an das das Ticket geht."))
    postfach = getattr(team, "postfach", None)
    if postfach is None:
        raise FrontdeskError(
            _("Das Team %(team)s hat kein Postfach: bitte ein anderes Team wählen.")
            % {"team": team.name}
        )
    jobcenter = visit.jobcenter
    rule = DeadlineRule.objects.in_force(
        jobcenter=jobcenter, kind=RuleKind.CALLBACK, scope=Scope.ALL, on=timezone.localdate(now)
    )
    due_at = calendar_for(jobcenter).due(now, rule.window if rule else "24h")
    ticket = aufgabe_create(
        created_by=actor,
        postfach=postfach,
        kunde=visit.kunde,
        title=_subject(visit, _("Rückruf: %(c)s") % {"c": _concern_names(concerns)}),
        description="\n".join(part for part in (_kunde_line(visit), note.strip()) if part),
        due_at=due_at,
        kind=Aufgabe.Kind.TICKET,
    )
    deadline_open(
        jobcenter=jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=now,
        team=team,
        aufgabe=ticket,
    )
    return ticket


def _record_outcome(
    *,
    actor: User,
    visit: Visit,
    outcome: str,
    concerns: list[Concern],
    note: str,
    ticket_team: Team | None,
    now,
) -> None:
    _inform_back_office(actor=actor, visit=visit, concerns=concerns, note=note)
    if outcome == Outcome.TICKET:
        _raise_ticket(
            actor=actor, visit=visit, concerns=concerns, team=ticket_team, note=note, now=now
        )
    elif outcome == Outcome.APPOINTMENT and visit.kunde is not None:
        vermerk_create(
            kunde=visit.kunde,
            author=actor,
            subject=_subject(visit, _("Termin vergeben")),
            text=note.strip(),
            known_on=visit.day,
        )


# --- check-in --------------------------------------------------------------------------------


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


def _check(data: CheckIn, actor: User) -> list[Concern]:
    jobcenter_id = actor.jobcenter_id
    if not actor.has_role(*RECEPTION_ROLES) or jobcenter_id is None:
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
    # is refused with its name.
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
    served = served_team_ids(standort)
    settle = data.settle
    assigned_to = None
    if data.appointment is not None and not settle:
        team = _appointment_team(data, served)
        if team is not None:
            assigned_to = data.appointment.with_user
        else:
            # No desk here serves the appointment holder: the customer is sent straight
            # to the appointment (rule R-EM-01), the holder gets a task.
            settle = Outcome.PASSED_ON
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
            jobcenter=jobcenter, standort=standort, concerns=concerns, kunde=data.kunde
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

    day = timezone.localdate(now)
    settings = site_settings(standort)
    visit = Visit.objects.create(
        jobcenter=jobcenter,
        standort=standort,
        day=day,
        number=_next_number(standort, day, settings.number_prefix),
        kunde=data.kunde,
        team=team,
        assigned_to=assigned_to,
        appointment_at=data.appointment.at if data.appointment else None,
        priority=bool(data.priority_reason),
        priority_reason=data.priority_reason,
        priority_note=data.priority_note.strip() if data.priority_reason else "",
        checked_in_at=now,
        checked_in_by=actor,
        queued_at=now,
        no_show_after=settings.no_show_after_calls,
    )
    VisitConcern.objects.bulk_create(
        VisitConcern(visit=visit, concern=c, position=i) for i, c in enumerate(concerns)
    )
    Contact.objects.create(visit=visit, team=team, queued_at=now)
    _event(visit, A.CHECK_IN, source="", actor=actor, at=now, team=team, note=data.note.strip())
    if settle:
        _settle(actor=actor, visit=visit, data=data, concerns=concerns, outcome=settle, now=now)
    return visit


def _settle(
    *, actor: User, visit: Visit, data: CheckIn, concerns: list[Concern], outcome: str, now
) -> None:
    source = visit.state
    _allowed(visit, visit.settle_at_reception, actor)
    visit.settle_at_reception(outcome=outcome, at=now)
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
        called_at=now, ended_at=now, served_by=actor, outcome=outcome, at_reception=True
    )
    VisitConcern.objects.filter(visit=visit).update(handled=True)
    if outcome == Outcome.PASSED_ON:
        appointment = data.appointment
        aufgabe_create(
            created_by=actor,
            assignee=appointment.with_user,
            kunde=visit.kunde,
            title=_subject(
                visit,
                _("zum %(label)s um %(at)s eingetroffen")
                % {
                    "label": appointment.label,
                    "at": date_format(timezone.localtime(appointment.at), "H:i"),
                },
            ),
            description=_kunde_line(visit),
        )
    else:
        _record_outcome(
            actor=actor,
            visit=visit,
            outcome=outcome,
            concerns=concerns,
            note=data.note,
            ticket_team=data.ticket_team
            or (ticket_team_for(visit, concerns) if outcome == Outcome.TICKET else None),
            now=now,
        )
    _event(visit, A.SETTLE, source=source, actor=actor, at=now, note=data.note.strip())


# --- desks ----------------------------------------------------------------------------------


def desk_of(user: User) -> Desk | None:
    """The desk this person has open, if any."""
    if not user.is_authenticated:
        return None
    return (
        Desk.objects.filter(occupied_by=user, active=True, standort__jobcenter_id=user.jobcenter_id)
        .select_related("standort")
        .first()
    )


def desk_is_stale(desk: Desk, now: datetime) -> bool:
    return desk.last_seen_at is None or desk.last_seen_at < now - DESK_IDLE


@transaction.atomic
def desk_open(*, actor: User, desk_id: int, now: datetime | None = None) -> Desk:
    now = now or timezone.now()
    desk = (
        Desk.objects.select_for_update(of=("self",))
        .select_related("standort", "occupied_by")
        .filter(pk=desk_id, active=True, standort__jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if desk is None:
        raise FrontdeskError(_("Diesen Schalter gibt es nicht (mehr)."), field="desk")
    if desk.occupied_by_id not in (None, actor.pk) and not desk_is_stale(desk, now):
        raise FrontdeskError(
            _("%(desk)s ist besetzt (%(user)s). Bitte einen anderen Schalter wählen.")
            % {"desk": desk.name, "user": desk.occupied_by},
            field="desk",
        )
    for other in Desk.objects.select_for_update().filter(occupied_by=actor).exclude(pk=desk.pk):
        called = Visit.objects.filter(desk=other, state=VisitState.CALLED).first()
        if called is not None:
            raise FrontdeskError(
                _("An %(desk)s ist noch %(number)s aufgerufen: bitte zuerst dort abschließen.")
                % {"desk": other.name, "number": called.number},
                field="desk",
            )
        other.occupied_by, other.opened_at = None, None
        other.save(update_fields=["occupied_by", "opened_at"])
    desk.occupied_by = actor
    desk.opened_at = now
    desk.last_seen_at = now
    desk.save(update_fields=["occupied_by", "opened_at", "last_seen_at"])
    audit_record(actor=actor, action="change", target=desk, summary=f"{desk.name}: geöffnet")
    return desk


@transaction.atomic
def desk_close(*, actor: User, desk_id: int) -> None:
    desk = _own_desk(actor, desk_id, timezone.now())
    called = Visit.objects.filter(desk=desk, state=VisitState.CALLED).first()
    if called is not None:
        raise FrontdeskError(
            _(
                "%(number)s ist noch aufgerufen: bitte zuerst abschließen, weiterleiten, "
                "parken oder zurückstellen."
            )
            % {"number": called.number}
        )
    desk.occupied_by, desk.opened_at = None, None
    desk.save(update_fields=["occupied_by", "opened_at"])
    audit_record(actor=actor, action="change", target=desk, summary=f"{desk.name}: geschlossen")


def desk_seen(desk: Desk, now: datetime | None = None) -> None:
    """The occupant is still there (the desk page or its list was loaded)."""
    Desk.objects.filter(pk=desk.pk).update(last_seen_at=now or timezone.now())


def _own_desk(actor: User, desk_id: int, now: datetime) -> Desk:
    desk = (
        Desk.objects.select_for_update(of=("self",))
        .select_related("standort", "occupied_by")
        .filter(pk=desk_id, standort__jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if desk is None or desk.occupied_by_id is None:
        raise FrontdeskError(_("Sie haben keinen Schalter geöffnet. Bitte zuerst einen wählen."))
    if desk.occupied_by_id != actor.pk:
        raise FrontdeskError(
            _("%(desk)s ist inzwischen von %(user)s übernommen worden.")
            % {"desk": desk.name, "user": desk.occupied_by}
        )
    desk.last_seen_at = now
    desk.save(update_fields=["last_seen_at"])
    return desk


def _refuse_if_busy(desk: Desk) -> None:
    called = Visit.objects.filter(desk=desk, state=VisitState.CALLED).first()
    if called is not None:
        raise FrontdeskError(
            _(
                "An Ihrem Schalter ist noch %(number)s aufgerufen. Bitte zuerst abschließen, "
                "weiterleiten, parken oder zurückstellen."
            )
            % {"number": called.number}
        )


def _visit_gone(visit: Visit) -> FrontdeskError:
    messages = {
        VisitState.DONE: _("%(number)s ist bereits abgeschlossen."),
        VisitState.NO_SHOW: _("%(number)s ist bereits als nicht erschienen erfasst."),
        VisitState.CANCELLED: _("%(number)s wurde bereits abgemeldet."),
        VisitState.WAITING: _("%(number)s wartet (wieder) und ist an keinem Schalter aufgerufen."),
        VisitState.PARKED: _("%(number)s ist geparkt und an keinem Schalter aufgerufen."),
    }
    if visit.state == VisitState.CALLED:
        return FrontdeskError(
            _("%(number)s ist an %(desk)s aufgerufen, nicht an Ihrem Schalter.")
            % {"number": visit.number, "desk": visit.desk}
        )
    return FrontdeskError(messages[visit.state] % {"number": visit.number})


def _lock_visit(actor: User, visit_id: int) -> Visit:
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "standort", "team", "kunde__bedarfsgemeinschaft", "desk")
        .filter(pk=visit_id, jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if visit is None:
        raise FrontdeskError(_("Diesen Besuch gibt es nicht."))
    return visit


def _called_here(actor: User, desk_id: int, visit_id: int, now) -> tuple[Desk, Visit]:
    """Lock the actor's desk, then the visit, and insist the visit is called at this desk."""
    desk = _own_desk(actor, desk_id, now)
    visit = _lock_visit(actor, visit_id)
    if visit.state != VisitState.CALLED or visit.desk_id != desk.pk:
        raise _visit_gone(visit)
    return desk, visit


def _allowed(visit: Visit, method, actor: User) -> None:
    state_field = method._django_fsm.field.name
    transition = method._django_fsm.get_transition(getattr(visit, state_field))
    if transition is None or not transition.has_perm(visit, actor):
        raise FrontdeskError(_("Diesen Schritt dürfen Sie nicht ausführen."))


# --- call-up ----------------------------------------------------------------------------------


def _call(visit: Visit, desk: Desk, actor: User, now, *, action: str, note: str = "") -> Visit:
    _allowed(visit, visit.call, actor)
    source = visit.state
    visit.call(desk=desk, user=actor, at=now)
    visit.save()
    contact = _open_contact(visit)
    if contact is None:  # called straight from parking: a new contact without waiting
        contact = Contact(visit=visit, team=visit.team, queued_at=now)
    contact.called_at = now
    contact.desk = desk
    contact.served_by = actor
    contact.call_count = 1
    contact.save()
    _event(visit, action, source=source, actor=actor, at=now, desk=desk, note=note)
    return visit


def waiting_for_desk(desk: Desk, user: User, day: date):
    """The queue a desk calls from: its teams' waiting customers at its site, today, in
    order; customers with an appointment only for the person they are booked with."""
    return (
        Visit.objects.waiting()
        .filter(standort_id=desk.standort_id, day=day, team__in=desk.teams.all())
        .filter(Q(assigned_to__isnull=True) | Q(assigned_to=user))
        .in_queue_order()
    )


@transaction.atomic
def visit_call_next(*, actor: User, desk_id: int, now: datetime | None = None) -> Visit:
    """Call the next customer. Rows another desk is calling at this instant are locked and
    skipped (SELECT … FOR UPDATE SKIP LOCKED): two desks never get the same customer."""
    now = now or timezone.now()
    desk = _own_desk(actor, desk_id, now)
    _refuse_if_busy(desk)
    visit = (
        waiting_for_desk(desk, actor, timezone.localdate(now))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("jobcenter", "standort", "team")
        .first()
    )
    if visit is None:
        raise QueueEmpty(_("Niemand wartet auf diesen Schalter."))
    return _call(visit, desk, actor, now, action=A.CALL)


@transaction.atomic
def visit_call(
    *, actor: User, desk_id: int, visit_id: int, reason: str, now: datetime | None = None
) -> Visit:
    """Call one customer out of turn, with a reason (or one back from parking)."""
    now = now or timezone.now()
    if not reason.strip():
        raise FrontdeskError(_("Bitte einen Grund angeben, warum diese Person vorgezogen wird."))
    desk = _own_desk(actor, desk_id, now)
    _refuse_if_busy(desk)
    visit = (
        Visit.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("jobcenter", "standort", "team")
        .filter(pk=visit_id, jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if visit is None:
        if Visit.objects.filter(pk=visit_id, jobcenter_id=actor.jobcenter_id).exists():
            raise FrontdeskError(
                _("Diese Person wird gerade an einem anderen Schalter aufgerufen.")
            )
        raise FrontdeskError(_("Diesen Besuch gibt es nicht."))
    if visit.standort_id != desk.standort_id:
        raise FrontdeskError(_("%(number)s wartet an einem anderen Standort.") % {"number": visit})
    if visit.state not in (VisitState.WAITING, VisitState.PARKED):
        if visit.state == VisitState.CALLED:
            raise FrontdeskError(
                _("%(number)s wurde inzwischen an %(desk)s aufgerufen.")
                % {"number": visit.number, "desk": visit.desk}
            )
        raise _visit_gone(visit)
    _refuse_if_not_ours(visit, desk, actor)
    return _call(visit, desk, actor, now, action=A.CALL_SPECIFIC, note=reason.strip())


def _leads_team(actor: User, team: Team) -> bool:
    """A team lead may call any customer of the teams they lead or belong to."""
    return actor.has_role(Role.TEAMLEITUNG) and (
        team.lead_id == actor.pk or actor.teams.filter(pk=team.pk).exists()
    )


def _refuse_if_not_ours(visit: Visit, desk: Desk, actor: User) -> None:
    """Out of turn, too, a desk calls only from the queues it serves, and a customer booked
    with a named person only for that person, unless the team's lead steps in."""
    if _leads_team(actor, visit.team):
        return
    if not desk.teams.filter(pk=visit.team_id).exists():
        raise FrontdeskError(
            _("%(number)s wartet auf %(team)s; %(desk)s bedient diese Warteschlange nicht.")
            % {"number": visit.number, "team": visit.team, "desk": desk.name}
        )
    if visit.assigned_to_id not in (None, actor.pk):
        raise FrontdeskError(
            _("%(number)s hat einen Termin bei %(person)s.")
            % {"number": visit.number, "person": visit.assigned_to}
        )


@transaction.atomic
def visit_recall(*, actor: User, desk_id: int, visit_id: int, now=None) -> Visit:
    now = now or timezone.now()
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    _allowed(visit, visit.recall, actor)
    visit.recall(at=now)
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(call_count=visit.call_count)
    _event(visit, A.RECALL, source=VisitState.CALLED, actor=actor, at=now, desk=desk)
    return visit


@transaction.atomic
def visit_no_show(*, actor: User, desk_id: int, visit_id: int, now=None) -> Visit:
    now = now or timezone.now()
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    _allowed(visit, visit.no_show, actor)
    if not can_proceed(visit.no_show):
        raise FrontdeskError(
            _(
                "„Nicht erschienen“ erst nach %(n)d Aufrufen (bisher %(count)d). "
                "Bitte zuerst erneut aufrufen."
            )
            % {"n": visit.no_show_after, "count": visit.call_count}
        )
    visit.no_show(at=now)
    visit.save()
    _end_contact(visit, outcome=Outcome.NO_SHOW, at=now)
    _event(visit, A.NO_SHOW, source=VisitState.CALLED, actor=actor, at=now, desk=desk)
    return visit


@transaction.atomic
def visit_requeue(*, actor: User, desk_id: int, visit_id: int, note: str = "", now=None) -> Visit:
    """Called by mistake: back into the queue, in the place the customer had."""
    now = now or timezone.now()
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    _allowed(visit, visit.requeue, actor)
    visit.requeue()
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
        called_at=None, desk=None, served_by=None, call_count=0
    )
    _event(visit, A.REQUEUE, source=VisitState.CALLED, actor=actor, at=now, desk=desk, note=note)
    return visit


@transaction.atomic
def visit_park(*, actor: User, desk_id: int, visit_id: int, note: str = "", now=None) -> Visit:
    """The customer fetches documents and comes back; they keep their place in the queue."""
    now = now or timezone.now()
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    _allowed(visit, visit.park, actor)
    visit.park()
    visit.save()
    _end_contact(visit, outcome=Outcome.PARKED, at=now)
    _event(
        visit,
        A.PARK,
        source=VisitState.CALLED,
        actor=actor,
        at=now,
        desk=desk,
        note=note.strip(),
    )
    return visit


@transaction.atomic
def visit_come_back(*, actor: User, visit_id: int, now=None) -> Visit:
    now = now or timezone.now()
    visit = _lock_visit(actor, visit_id)
    if visit.state == VisitState.CALLED:
        raise FrontdeskError(
            _("%(number)s ist bereits wieder aufgerufen.") % {"number": visit.number}
        )
    if visit.state != VisitState.PARKED:
        raise _visit_gone(visit)
    _allowed(visit, visit.come_back, actor)
    visit.come_back()
    visit.save()
    Contact.objects.create(visit=visit, team=visit.team, queued_at=now)
    _event(visit, A.COME_BACK, source=VisitState.PARKED, actor=actor, at=now, team=visit.team)
    return visit


@transaction.atomic
def visit_pass_on(
    *, actor: User, desk_id: int, visit_id: int, team: Team, note: str, now=None
) -> Visit:
    """Pass the customer on to another team with a note: into that team's queue when a desk
    of this site serves it, else in person (the visit ends here; the team's mailbox gets
    the note)."""
    now = now or timezone.now()
    if not note.strip():
        raise FrontdeskError(_("Bitte eine Notiz für die nächste Stelle schreiben."))
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    if team.jobcenter_id != visit.jobcenter_id:
        raise FrontdeskError(_("Dieses Team gehört nicht zu Ihrem Jobcenter."))
    if team.pk in served_team_ids(visit.standort):
        _allowed(visit, visit.pass_on, actor)
        visit.pass_on(team=team, at=now)
        visit.save()
        _end_contact(visit, outcome=Outcome.FORWARDED, at=now)
        Contact.objects.create(visit=visit, team=team, queued_at=now)
    else:
        postfach = getattr(team, "postfach", None)
        if postfach is None:
            raise FrontdeskError(
                _("Das Team %(team)s hat hier keinen Schalter und kein Postfach.")
                % {"team": team.name}
            )
        _allowed(visit, visit.finish, actor)
        visit.finish(outcome=Outcome.PASSED_ON, at=now)
        visit.save()
        _end_contact(visit, outcome=Outcome.PASSED_ON, at=now)
        VisitConcern.objects.filter(visit=visit, handled__isnull=True).update(handled=False)
        aufgabe_create(
            created_by=actor,
            postfach=postfach,
            kunde=visit.kunde,
            title=_subject(visit, _("persönlich weitergeleitet")),
            description="\n".join((_kunde_line(visit), note.strip())),
        )
    _event(
        visit,
        A.PASS_ON,
        source=VisitState.CALLED,
        actor=actor,
        at=now,
        desk=desk,
        team=team,
        note=note.strip(),
    )
    return visit


@transaction.atomic
def visit_finish(
    *,
    actor: User,
    desk_id: int,
    visit_id: int,
    outcome: str,
    handled: list[int],
    extra: list[Concern] | None = None,
    note: str = "",
    ticket_team: Team | None = None,
    now=None,
) -> Visit:
    """Finish with the outcome and the concerns actually handled (rule R-WS-01)."""
    now = now or timezone.now()
    desk, visit = _called_here(actor, desk_id, visit_id, now)
    if outcome not in (Outcome.RESOLVED, Outcome.TICKET, Outcome.APPOINTMENT):
        raise FrontdeskError(_("Bitte das Ergebnis wählen."))
    rows = list(VisitConcern.objects.filter(visit=visit).select_related("concern"))
    on_visit = {row.concern_id for row in rows}
    added = [c for c in (extra or []) if c.pk not in on_visit]
    for concern in added:
        if concern.jobcenter_id != visit.jobcenter_id:
            raise FrontdeskError(_("Dieses Anliegen gehört nicht zu Ihrem Jobcenter."))
        if not concern.active:
            raise FrontdeskError(
                _("Das Anliegen „%(name)s“ wurde inzwischen aus dem Katalog genommen.")
                % {"name": concern.name}
            )
    handled_ids = set(handled) & on_visit
    if not handled_ids and not added:
        raise FrontdeskError(_("Bitte mindestens ein bearbeitetes Anliegen ankreuzen."))
    if outcome == Outcome.TICKET and not note.strip():
        raise FrontdeskError(
            _("Bitte für das Ticket notieren, worum es geht und wie die Person erreichbar ist.")
        )
    _allowed(visit, visit.finish, actor)
    visit.finish(outcome=outcome, at=now)
    visit.save()
    _end_contact(visit, outcome=outcome, at=now)
    for row in rows:
        row.handled = row.concern_id in handled_ids
    VisitConcern.objects.bulk_update(rows, ["handled"])
    start = len(rows)
    VisitConcern.objects.bulk_create(
        VisitConcern(visit=visit, concern=c, position=start + i, stated=False, handled=True)
        for i, c in enumerate(added)
    )
    done = [row.concern for row in rows if row.handled] + added
    _record_outcome(
        actor=actor,
        visit=visit,
        outcome=outcome,
        concerns=done,
        note=note,
        ticket_team=ticket_team
        or (ticket_team_for(visit, done) if outcome == Outcome.TICKET else None),
        now=now,
    )
    _event(
        visit, A.FINISH, source=VisitState.CALLED, actor=actor, at=now, desk=desk, note=note.strip()
    )
    return visit


# --- at the reception -----------------------------------------------------------------------


@transaction.atomic
def visit_cancel(*, actor: User, visit_id: int, note: str = "", now=None) -> Visit:
    """The customer left before being served (or was checked in by mistake)."""
    now = now or timezone.now()
    visit = _lock_visit(actor, visit_id)
    if visit.state not in (VisitState.WAITING, VisitState.PARKED):
        if visit.state == VisitState.CALLED:
            raise FrontdeskError(
                _("%(number)s ist gerade an %(desk)s aufgerufen.")
                % {"number": visit.number, "desk": visit.desk}
            )
        raise _visit_gone(visit)
    _allowed(visit, visit.cancel, actor)
    source = visit.state
    visit.cancel(at=now)
    visit.save()
    _end_contact(visit, outcome=Outcome.CANCELLED, at=now)
    _event(visit, A.CANCEL, source=source, actor=actor, at=now, note=note.strip())
    return visit


@transaction.atomic
def visit_identify(*, actor: User, visit_id: int, kunde: Kunde, now=None) -> Visit:
    """A walk-in without number on file turns out to be (or becomes) a known customer."""
    now = now or timezone.now()
    visit = _lock_visit(actor, visit_id)
    if kunde.jobcenter_id != visit.jobcenter_id:
        raise FrontdeskError(_("Diese Kundin / dieser Kunde gehört nicht zu Ihrem Jobcenter."))
    if visit.kunde_id is not None and visit.kunde_id != kunde.pk:
        raise FrontdeskError(
            _("%(number)s ist bereits einer anderen Person zugeordnet.") % {"number": visit}
        )
    visit.kunde = kunde
    visit.save(update_fields=["kunde"])
    _event(visit, A.IDENTIFY, source=visit.state, actor=actor, at=now)
    return visit


@transaction.atomic
def visits_close_day(*, actor: User | None, standort: Standort, before: date, now=None) -> int:
    """End of the day: visits still open from earlier days are closed as left, so no
    customer lingers in a later day's queue and no desk stays blocked."""
    now = now or timezone.now()
    count = 0
    for visit in (
        Visit.objects.select_for_update(of=("self",))
        .select_related("standort", "jobcenter")
        .filter(standort=standort, day__lt=before, state__in=OPEN_VISIT_STATES)
        .order_by("pk")
    ):
        source = visit.state
        if visit.state == VisitState.CALLED:
            visit.requeue()
        visit.cancel(at=now)
        visit.save()
        _end_contact(visit, outcome=Outcome.CANCELLED, at=now)
        _event(visit, A.CANCEL, source=source, actor=actor, at=now, note=_("Tagesabschluss"))
        count += 1
    return count


# --- waiting-room displays ------------------------------------------------------------------


def display_path(token: str) -> str:
    return reverse("frontdesk:display", args=[token])


@transaction.atomic
def display_new_key(*, display: Display, actor: User | None = None) -> str:
    """Give the display a fresh key (the old address stops working) and return it. Only its
    hash is stored: this is the one moment its address can be shown."""
    token = new_display_token()
    display.token_prefix, display.token_hash = display_token_prefix(token), sha256_hex(token)
    display.save(update_fields=["token_prefix", "token_hash"])
    audit_record(
        actor=actor,
        action="change",
        target=display,
        summary=f"{display.name}: neuer Zugangsschlüssel",
    )
    return token


@transaction.atomic
def display_create(
    *, standort: Standort, name: str, actor: User | None = None
) -> tuple[Display, str]:
    """A new display with its key; the key is returned once and stored hashed."""
    token = new_display_token()
    display = Display.objects.create(
        standort=standort,
        name=name,
        token_prefix=display_token_prefix(token),
        token_hash=sha256_hex(token),
    )
    audit_record(actor=actor, action="create", target=display, summary=display.name)
    return display, token
