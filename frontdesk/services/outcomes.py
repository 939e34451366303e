"""Ending a contact at the desk: passed on to another team, or finished with its outcome."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.models import Team, User
from routing.services import aufgabe_create

from ..errors import FrontdeskError
from ..models import Concern, Contact, Outcome, Visit, VisitConcern, VisitState
from ..selectors import served_team_ids, ticket_team_for
from .back_office import check_callback_at, kunde_line, record_outcome, subject_line
from .guards import called_here, require_transition
from .recording import A, end_contact, record_event


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
    desk, visit = called_here(actor, desk_id, visit_id, now)
    if team.jobcenter_id != visit.jobcenter_id:
        raise FrontdeskError(_("Dieses Team gehört nicht zu Ihrem Jobcenter."))
    if team.pk in served_team_ids(visit.standort):
        require_transition(visit, visit.pass_on, actor)
        visit.pass_on(team=team, at=now)
        visit.save()
        end_contact(visit, outcome=Outcome.FORWARDED, at=now)
        Contact.objects.create(visit=visit, team=team, queued_at=now)
    else:
        postfach = getattr(team, "postfach", None)
        if postfach is None:
            raise FrontdeskError(
                _("Das Team %(team)s hat hier keinen Schalter und kein Postfach.")
                % {"team": team.name}
            )
        require_transition(visit, visit.finish, actor)
        visit.finish(outcome=Outcome.PASSED_ON, at=now)
        visit.save()
        end_contact(visit, outcome=Outcome.PASSED_ON, at=now)
        VisitConcern.objects.filter(visit=visit, handled__isnull=True).update(handled=False)
        aufgabe_create(
            created_by=actor,
            postfach=postfach,
            kunde=visit.kunde,
            title=subject_line(visit, _("persönlich weitergeleitet")),
            description="\n".join((kunde_line(visit), note.strip())),
        )
    record_event(
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
    information_types: dict | None = None,
    callback_at=None,
) -> Visit:
    """Finish with the outcome and the concerns actually handled (rule R-WS-01); a ticket
    may carry the callback time the customer asks for (rule R-OE-02)."""
    now = now or timezone.now()
    desk, visit = called_here(actor, desk_id, visit_id, now)
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
    if outcome == Outcome.TICKET:
        check_callback_at(visit=visit, callback_at=callback_at, now=now)
    require_transition(visit, visit.finish, actor)
    visit.finish(outcome=outcome, at=now)
    visit.save()
    end_contact(visit, outcome=outcome, at=now)
    for row in rows:
        row.handled = row.concern_id in handled_ids
    VisitConcern.objects.bulk_update(rows, ["handled"])
    start = len(rows)
    VisitConcern.objects.bulk_create(
        VisitConcern(visit=visit, concern=c, position=start + i, stated=False, handled=True)
        for i, c in enumerate(added)
    )
    done = [row.concern for row in rows if row.handled] + added
    record_outcome(
        actor=actor,
        visit=visit,
        outcome=outcome,
        concerns=done,
        note=note,
        ticket_team=ticket_team
        or (ticket_team_for(visit, done) if outcome == Outcome.TICKET else None),
        now=now,
        chosen=information_types,
        callback_at=callback_at if outcome == Outcome.TICKET else None,
    )
    record_event(
        visit, A.FINISH, source=VisitState.CALLED, actor=actor, at=now, desk=desk, note=note.strip()
    )
    return visit
