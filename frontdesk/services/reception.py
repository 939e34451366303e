"""The reception's steps on a waiting visit: cancel, identify, back from parking; the day's close."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from jobcenter.models import Standort, User

from ..errors import FrontdeskError
from ..models import OPEN_VISIT_STATES, Contact, Outcome, Visit, VisitState
from .guards import lock_visit, require_transition, visit_gone
from .recording import A, end_contact, record_event


@transaction.atomic
def visit_cancel(*, actor: User, visit_id: int, note: str = "", now=None) -> Visit:
    """The customer left before being served (or was checked in by mistake)."""
    now = now or timezone.now()
    visit = lock_visit(actor, visit_id)
    if visit.state not in (VisitState.WAITING, VisitState.PARKED):
        if visit.state == VisitState.CALLED:
            raise FrontdeskError(
                _("%(number)s ist gerade an %(desk)s aufgerufen.")
                % {"number": visit.number, "desk": visit.desk}
            )
        raise visit_gone(visit)
    require_transition(visit, visit.cancel, actor)
    source = visit.state
    visit.cancel(at=now)
    visit.save()
    end_contact(visit, outcome=Outcome.CANCELLED, at=now)
    record_event(visit, A.CANCEL, source=source, actor=actor, at=now, note=note.strip())
    return visit


@transaction.atomic
def visit_identify(*, actor: User, visit_id: int, kunde: Kunde, now=None) -> Visit:
    """A walk-in without number on file turns out to be (or becomes) a known customer."""
    now = now or timezone.now()
    visit = lock_visit(actor, visit_id)
    if kunde.jobcenter_id != visit.jobcenter_id:
        raise FrontdeskError(_("Diese Kundin / dieser Kunde gehört nicht zu Ihrem Jobcenter."))
    if visit.kunde_id is not None and visit.kunde_id != kunde.pk:
        raise FrontdeskError(
            _("%(number)s ist bereits einer anderen Person zugeordnet.") % {"number": visit}
        )
    visit.kunde = kunde
    visit.save(update_fields=["kunde"])
    record_event(visit, A.IDENTIFY, source=visit.state, actor=actor, at=now)
    return visit


@transaction.atomic
def visit_come_back(*, actor: User, visit_id: int, now=None) -> Visit:
    now = now or timezone.now()
    visit = lock_visit(actor, visit_id)
    if visit.state == VisitState.CALLED:
        raise FrontdeskError(
            _("%(number)s ist bereits wieder aufgerufen.") % {"number": visit.number}
        )
    if visit.state != VisitState.PARKED:
        raise visit_gone(visit)
    require_transition(visit, visit.come_back, actor)
    visit.come_back()
    visit.save()
    Contact.objects.create(visit=visit, team=visit.team, queued_at=now)
    record_event(visit, A.COME_BACK, source=VisitState.PARKED, actor=actor, at=now, team=visit.team)
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
        end_contact(visit, outcome=Outcome.CANCELLED, at=now)
        record_event(visit, A.CANCEL, source=source, actor=actor, at=now, note=_("Tagesabschluss"))
        count += 1
    return count
