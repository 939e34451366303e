"""Locking the actor's desk and the visit, and refusing what is not theirs to do."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django_fsm import can_proceed

from jobcenter.models import User

from ..errors import FrontdeskError
from ..models import Desk, Visit, VisitState

# How often a desk's `last_seen_at` is rewritten (services.desks.desk_seen uses the same).
SEEN_RESOLUTION = timedelta(minutes=1)


def own_desk(actor: User, desk_id: int, now: datetime) -> Desk:
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
    # The heartbeat at the resolution desk_seen keeps (a minute): a step within the same
    # minute rewrites nothing (one statement less in every step at the desk).
    if desk.last_seen_at is None or desk.last_seen_at < now - SEEN_RESOLUTION:
        desk.last_seen_at = now
        desk.save(update_fields=["last_seen_at"])
    return desk


def refuse_if_busy(desk: Desk) -> None:
    called = Visit.objects.filter(desk=desk, state=VisitState.CALLED).first()
    if called is not None:
        raise FrontdeskError(
            _(
                "An Ihrem Schalter ist noch %(number)s aufgerufen. Bitte zuerst abschließen, "
                "weiterleiten, parken oder zurückstellen."
            )
            % {"number": called.number}
        )


def visit_gone(visit: Visit) -> FrontdeskError:
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


def lock_visit(actor: User, visit_id: int) -> Visit:
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "standort", "team", "kunde__bedarfsgemeinschaft", "desk")
        .filter(pk=visit_id, jobcenter_id=actor.jobcenter_id)
        .first()
    )
    if visit is None:
        raise FrontdeskError(_("Diesen Besuch gibt es nicht."))
    return visit


def called_here(actor: User, desk_id: int, visit_id: int, now) -> tuple[Desk, Visit]:
    """Lock the actor's desk, then the visit, and insist the visit is called at this desk."""
    desk = own_desk(actor, desk_id, now)
    visit = lock_visit(actor, visit_id)
    if visit.state != VisitState.CALLED or visit.desk_id != desk.pk:
        raise visit_gone(visit)
    return desk, visit


def require_transition(visit: Visit, method, actor: User) -> None:
    """The step exists from the visit's state and the actor may take it (its permission in
    frontdesk/rules.py). Through django-fsm's public API; the conditions are the callers'
    to check, each with its own message."""
    permissions = {
        t.permission for t in visit.get_all_state_transitions() if t.name == method.__name__
    }
    if not can_proceed(method, check_conditions=False) or not all(
        actor.has_perm(permission, visit) for permission in permissions
    ):
        raise FrontdeskError(_("Diesen Schritt dürfen Sie nicht ausführen."))
