"""The call-up at a desk: next or out of turn, again, not shown up, back to the queue, parked."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobcenter.models import User

from ..errors import FrontdeskError, QueueEmpty
from ..models import Contact, Desk, Outcome, Visit, VisitState
from ..selectors import site_settings, waiting_for_desk
from .guards import called_here, own_desk, refuse_if_busy, require_transition, visit_gone
from .recording import A, end_contact, record_event


def _call(visit: Visit, desk: Desk, actor: User, now, *, action: str, note: str = "") -> Visit:
    require_transition(visit, visit.call, actor)
    source = visit.state
    visit.call(desk=desk, user=actor, at=now)
    visit.save()
    # The open contact in one UPDATE (no signal listens to contacts); called straight
    # from parking there is none: a new contact without waiting.
    called = {"called_at": now, "desk": desk, "served_by": actor, "call_count": 1}
    if not Contact.objects.filter(visit=visit, ended_at__isnull=True).update(**called):
        Contact.objects.create(visit=visit, team=visit.team, queued_at=now, **called)
    record_event(visit, action, source=source, actor=actor, at=now, desk=desk, note=note)
    return visit


@transaction.atomic
def visit_call_next(*, actor: User, desk_id: int, now: datetime | None = None) -> Visit:
    """Call the next customer. Rows another desk is calling at this instant are locked and
    skipped (SELECT … FOR UPDATE SKIP LOCKED): two desks never get the same customer."""
    now = now or timezone.now()
    desk = own_desk(actor, desk_id, now)
    refuse_if_busy(desk)
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
    desk = own_desk(actor, desk_id, now)
    refuse_if_busy(desk)
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
        raise visit_gone(visit)
    _refuse_if_not_ours(visit, desk, actor)
    return _call(visit, desk, actor, now, action=A.CALL_SPECIFIC, note=reason.strip())


def _refuse_if_not_ours(visit: Visit, desk: Desk, actor: User) -> None:
    """Out of turn, too, a desk calls only from the queues it serves, and a customer booked
    with a named person only for that person, unless the team's lead steps in."""
    if actor.has_perm("frontdesk.step_in_for_team", visit.team):
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


def recall_is_repeat(visit: Visit, now: datetime) -> bool:
    """A recall this soon after the last call is the same call again (a double click, or
    three clicks within a few seconds): it is not counted and not shown again."""
    seconds = site_settings(visit.standort).recall_ignored_seconds
    last = visit.last_called_at
    return last is not None and now - last <= timedelta(seconds=seconds)


def no_show_refusal(visit: Visit) -> str:
    """Why "nicht erschienen" may not be recorded yet ("" once it may): only after the site's
    number of calls, with at least its minutes between the first call and the last."""
    minutes = site_settings(visit.standort).no_show_min_minutes
    first, last = visit.called_at, visit.last_called_at
    spread = first is not None and last is not None and last - first >= timedelta(minutes=minutes)
    if visit.enough_calls() and spread:
        return ""
    calls = ngettext("%(n)d Aufruf", "%(n)d Aufrufen", visit.no_show_after) % {
        "n": visit.no_show_after
    }
    if not minutes:
        return _("erst nach %(calls)s") % {"calls": calls}
    return _("erst nach %(calls)s über mindestens %(minutes)s") % {
        "calls": calls,
        "minutes": ngettext("%(n)d Minute", "%(n)d Minuten", minutes) % {"n": minutes},
    }


@transaction.atomic
def visit_recall(*, actor: User, desk_id: int, visit_id: int, now=None) -> Visit:
    """Call the customer again; a recall within the site's few seconds of the last call
    counts as that call (nothing changes)."""
    now = now or timezone.now()
    desk, visit = called_here(actor, desk_id, visit_id, now)
    require_transition(visit, visit.recall, actor)
    if recall_is_repeat(visit, now):
        return visit
    visit.recall(at=now)
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(call_count=visit.call_count)
    record_event(visit, A.RECALL, source=VisitState.CALLED, actor=actor, at=now, desk=desk)
    return visit


@transaction.atomic
def visit_no_show(*, actor: User, desk_id: int, visit_id: int, now=None) -> Visit:
    now = now or timezone.now()
    desk, visit = called_here(actor, desk_id, visit_id, now)
    require_transition(visit, visit.no_show, actor)
    refusal = no_show_refusal(visit)
    if refusal:
        raise FrontdeskError(
            _("„Nicht erschienen“ %(refusal)s (bisher %(count)s). Bitte erneut aufrufen.")
            % {
                "refusal": refusal,
                "count": ngettext("%(n)d Aufruf", "%(n)d Aufrufe", visit.call_count)
                % {"n": visit.call_count},
            }
        )
    visit.no_show(at=now)
    visit.save()
    end_contact(visit, outcome=Outcome.NO_SHOW, at=now)
    record_event(visit, A.NO_SHOW, source=VisitState.CALLED, actor=actor, at=now, desk=desk)
    return visit


@transaction.atomic
def visit_requeue(*, actor: User, desk_id: int, visit_id: int, note: str = "", now=None) -> Visit:
    """Called by mistake: back into the queue, in the place the customer had."""
    now = now or timezone.now()
    desk, visit = called_here(actor, desk_id, visit_id, now)
    require_transition(visit, visit.requeue, actor)
    visit.requeue()
    visit.save()
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
        called_at=None, desk=None, served_by=None, call_count=0
    )
    record_event(
        visit, A.REQUEUE, source=VisitState.CALLED, actor=actor, at=now, desk=desk, note=note
    )
    return visit


@transaction.atomic
def visit_park(*, actor: User, desk_id: int, visit_id: int, note: str = "", now=None) -> Visit:
    """The customer fetches documents and comes back; they keep their place in the queue."""
    now = now or timezone.now()
    desk, visit = called_here(actor, desk_id, visit_id, now)
    require_transition(visit, visit.park, actor)
    visit.park()
    visit.save()
    end_contact(visit, outcome=Outcome.PARKED, at=now)
    record_event(
        visit,
        A.PARK,
        source=VisitState.CALLED,
        actor=actor,
        at=now,
        desk=desk,
        note=note.strip(),
    )
    return visit
