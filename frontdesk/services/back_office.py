"""What a visit's outcome tells the back office: notes, callback tickets, appointments."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jobcenter.hours import WeeklySchedule
from jobcenter.models import Team, User
from routing.services import (
    RoutingError,
    aufgabe_create,
    callback_due,
    callback_moment,
    callback_proposal,
    callback_ticket_raise,
    callback_time_check,
    phone_hours_at,
    vermerk_create,
    vermerk_route,
)

from ..errors import FrontdeskError
from ..models import Concern, Outcome, Visit, VisitConcern
from ..selectors import responsible_team


def _concern_names(concerns) -> str:
    return ", ".join(c.name for c in concerns)


def subject_line(visit: Visit, text: str) -> str:
    if not visit.number:  # settled at the reception: no waiting number was drawn
        return (
            _("Vorsprache %(date)s am Empfang: %(text)s")
            % {"date": date_format(visit.day, "d.m.Y"), "text": text}
        )[:200]
    return (
        _("Vorsprache %(date)s, Wartenummer %(number)s: %(text)s")
        % {
            "date": date_format(visit.day, "d.m.Y"),
            "number": visit.number,
            "text": text,
        }
    )[:200]


def kunde_line(visit: Visit) -> str:
    if visit.kunde is None:
        return _("Kundin / Kunde ohne Kd.-Nr. (nicht zugeordnet)")
    return _("Kd.-Nr. %(nr)s") % {"nr": visit.kunde.kundennummer}


def chosen_types(visit: Visit, concerns: list[Concern], chosen: dict | None) -> dict[int, object]:
    """Concern pk → the information type its note records (rule R-IA-03): the desk's choice
    where the concern asks for one (refused when missing or not offered), else the concern's."""
    chosen = chosen or {}
    stored = dict(
        visit.visit_concerns.filter(information_type__isnull=False).values_list(
            "concern_id", "information_type"
        )
    )
    types = {}
    for concern in concerns:
        if not concern.type_chosen_at_desk:
            if concern.information_type_id:
                types[concern.pk] = concern.information_type
            continue
        offered = {c.information_type_id: c.information_type for c in concern.desk_choices}
        picked = chosen.get(concern.pk)
        type_id = getattr(picked, "pk", None) or stored.get(concern.pk)
        if type_id is None and concern.information_type_id:
            # Nothing picked: the concern's own type (the Jobcenter's default) stands.
            types[concern.pk] = concern.information_type
            continue
        if type_id not in offered:
            raise FrontdeskError(
                _("Bitte bei „%(concern)s“ angeben, was mitgeteilt oder abgegeben wurde.")
                % {"concern": concern.name}
            )
        types[concern.pk] = offered[type_id]
    return types


def _inform_back_office(
    *, actor: User, visit: Visit, concerns: list[Concern], note: str, chosen: dict | None = None
) -> None:
    """Where the back office must know (a change reported, documents handed in).

    A concern with an information type becomes a Vermerk of that type, routed by routing's
    service exactly as one written in the EZ: the mailboxes come from the type's rules alone
    (architecture point 12). A concern with `record` only gets a Vermerk in the history.
    """
    text = "\n".join(part for part in (kunde_line(visit), note.strip()) if part)
    noted = [c for c in concerns if c.wants_vermerk]
    if not noted:
        return
    types = chosen_types(visit, noted, chosen)
    for concern_id, information_type in types.items():
        VisitConcern.objects.filter(visit=visit, concern_id=concern_id).update(
            information_type=information_type
        )
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
                title=subject_line(visit, _concern_names(items)),
                description=text,
            )
        return
    history_only = [c for c in noted if not c.routes]
    if history_only:
        vermerk_create(
            kunde=visit.kunde,
            author=actor,
            subject=subject_line(visit, _concern_names(history_only)),
            text=note.strip(),
            known_on=visit.day,
        )
    by_type: dict[int, list[Concern]] = {}
    type_of: dict[int, object] = {}
    for concern in noted:
        if concern.routes:
            information_type = types[concern.pk]
            type_of[information_type.pk] = information_type
            by_type.setdefault(information_type.pk, []).append(concern)
    # Known on the day of the visit; never before the record exists (routing refuses that,
    # and back-dated visits, e.g. the demo's past days, may name a customer registered later).
    known_on = max(visit.day, timezone.localdate(visit.kunde.created_at))
    for type_id, items in by_type.items():
        lines = (subject_line(visit, _concern_names(items)), note.strip())
        try:
            vermerk_route(
                author=actor,
                kunde=visit.kunde,
                information_type=type_of[type_id],
                known_on=known_on,
                text="\n".join(part for part in lines if part),
            )
        except RoutingError as error:
            # The desk's form has none of the note's inputs: say every fault in the message.
            faults = [str(m) for m in error.field_errors.values() if m]
            raise FrontdeskError(" ".join([str(error.message), *faults])) from error


def phone_hours_for(visit: Visit) -> WeeklySchedule:
    """The phone hours of the visit's site, closed on the Jobcenter's non-working days."""
    return phone_hours_at(visit.standort, visit.jobcenter)


def check_callback_at(*, visit: Visit, callback_at, now) -> None:
    """Rule R-OE-02: a callback time the customer asks for lies within the site's phone
    hours (and not in the past): routing's check, the same as the hotline's."""
    try:
        callback_time_check(schedule=phone_hours_for(visit), callback_at=callback_at, now=now)
    except RoutingError as error:
        raise FrontdeskError(error.message, field="callback_at") from error


def callback_line(*, visit: Visit, due_at, callback_at, now) -> str:
    """The ticket's callback time (rule R-OE-02): the customer's wish, else the latest moment
    within the phone hours that keeps the 24-hour deadline (the next opening if none does)."""
    if callback_at is not None:
        return _("Rückruf gewünscht: %(when)s") % {"when": callback_moment(callback_at)}
    return callback_proposal(schedule=phone_hours_for(visit), due_at=due_at, now=now)


def _raise_ticket(
    *,
    actor: User,
    visit: Visit,
    concerns: list[Concern],
    team: Team | None,
    note: str,
    now,
    callback_at=None,
):
    """Rule R-RU-01: the concern goes to the responsible team by ticket; the customer gets a call
    back within 24 hours. The clock is routing's, the same for the hotline's tickets
    (`routing.services.callback_ticket_raise`)."""
    due_at = callback_due(jobcenter=visit.jobcenter, now=now)
    callback = callback_line(visit=visit, due_at=due_at, callback_at=callback_at, now=now)
    try:
        return callback_ticket_raise(
            created_by=actor,
            team=team,
            kunde=visit.kunde,
            title=subject_line(visit, _("Rückruf: %(c)s") % {"c": _concern_names(concerns)}),
            description="\n".join(
                part for part in (kunde_line(visit), callback, note.strip()) if part
            ),
            due_at=due_at,
            now=now,
        )
    except RoutingError as error:
        raise FrontdeskError(error.message) from error


def record_outcome(
    *,
    actor: User,
    visit: Visit,
    outcome: str,
    concerns: list[Concern],
    note: str,
    ticket_team: Team | None,
    now,
    chosen: dict | None = None,
    callback_at=None,
) -> None:
    _inform_back_office(actor=actor, visit=visit, concerns=concerns, note=note, chosen=chosen)
    if outcome == Outcome.TICKET:
        _raise_ticket(
            actor=actor,
            visit=visit,
            concerns=concerns,
            team=ticket_team,
            note=note,
            now=now,
            callback_at=callback_at,
        )
    elif outcome == Outcome.APPOINTMENT and visit.kunde is not None:
        vermerk_create(
            kunde=visit.kunde,
            author=actor,
            subject=subject_line(visit, _("Termin vergeben")),
            text=note.strip(),
            known_on=visit.day,
        )
