"""Opening, keeping and closing a desk."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.models import User
from jobcenter.services import audit_record

from ..errors import FrontdeskError
from ..models import Desk, Visit, VisitState
from ..selectors import desk_is_stale
from .guards import SEEN_RESOLUTION, own_desk


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
    desk = own_desk(actor, desk_id, timezone.now())
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


# The heartbeat is written at most this often (a desk counts as left after DESK_IDLE);
# defined with own_desk, which keeps the same resolution.


def desk_seen(desk: Desk, now: datetime | None = None) -> None:
    """The occupant is still there (the desk page or its list was loaded)."""
    now = now or timezone.now()
    if desk.last_seen_at is None or desk.last_seen_at < now - SEEN_RESOLUTION:
        Desk.objects.filter(pk=desk.pk).update(last_seen_at=now)
        desk.last_seen_at = now


def desk_default(desks, *, remembered: int | None, user: User, now: datetime | None = None):
    """The desk the choice starts on: the one this person opened last (if it is free), else
    the first free desk at the site they opened it at or at their own site (Dienstort)."""
    now = now or timezone.now()
    desks = list(desks)

    def free(desk: Desk) -> bool:
        return desk.occupied_by_id in (None, user.pk) or desk_is_stale(desk, now)

    last = next((d for d in desks if d.pk == remembered), None)
    if last is not None and free(last):
        return last
    for site in (last.standort_id if last else None, user.standort_id):
        here = [d for d in desks if d.standort_id == site and free(d)]
        if here:
            return here[0]
    return None
