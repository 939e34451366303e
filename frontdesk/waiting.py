"""The expected waiting time of a customer in the queue (issue 12, the Wartemarke).

One function for every place that states it (the reception's Wartemarke, the kiosk's
ticket and confirmation, the waiting-room display): people ahead in the same queue × the
median processing time of that queue's last `RECENT_SERVED` contacts today (the site's set
default until a desk has finished someone), shared by the desks open for it. The median,
not the mean: one hour-long case must not triple everybody's estimate. Stated in round
figures, never to the minute: it is an estimate.
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Contact, Desk, Visit, VisitState
from .selectors import DESK_IDLE, site_settings

# Beyond this, "etwa 4 Stunden" would suggest a knowledge nobody has.
LONGEST_STATED = 180
# How many of the queue's latest contacts today make its processing time.
RECENT_SERVED = 20


@dataclass(frozen=True)
class WaitEstimate:
    ahead: int  # people before this customer in the same queue
    minutes: int  # rounded: multiples of 5 up to an hour, then of 15; 0 = next in line

    @property
    def text(self) -> str:
        if self.minutes == 0:
            return _("voraussichtliche Wartezeit: wenige Minuten")
        if self.minutes > LONGEST_STATED:
            return _("voraussichtliche Wartezeit: mehr als %(n)d Stunden") % {
                "n": LONGEST_STATED // 60
            }
        return _("voraussichtliche Wartezeit: etwa %(duration)s") % {
            "duration": _duration(self.minutes)
        }

    @property
    def short(self) -> str:
        """As the kiosk, its ticket and the display say it, in the active language."""
        if self.minutes == 0:
            return _("Sie sind gleich dran")
        if self.minutes > LONGEST_STATED:
            return _("mehr als %(n)d Stunden") % {"n": LONGEST_STATED // 60}
        # Always a multiple of 5: German and the kiosk's languages need no plural form.
        return _("ca. %(n)d Minuten") % {"n": self.minutes}


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(n)d Minute", "%(n)d Minuten", rest) % {"n": rest}
    text = ngettext("%(n)d Stunde", "%(n)d Stunden", hours) % {"n": hours}
    if rest:
        text += " " + ngettext("%(n)d Minute", "%(n)d Minuten", rest) % {"n": rest}
    return text


def _round(minutes: float) -> int:
    step = 5 if minutes <= 60 else 15
    return max(step, round(minutes / step) * step)


def people_ahead(visit: Visit) -> int:
    """Who waits before `visit` in its queue (priority first, then arrival, rule R-WS-01);
    an appointment customer waits only behind others booked with the same person."""
    before = Q(priority__gt=visit.priority) | Q(
        Q(priority=visit.priority)
        & (Q(queued_at__lt=visit.queued_at) | Q(queued_at=visit.queued_at, pk__lt=visit.pk))
    )
    return (
        Visit.objects.waiting()
        .filter(before, standort_id=visit.standort_id, day=visit.day, team_id=visit.team_id)
        .filter(assigned_to_id=visit.assigned_to_id)
        .count()
    )


def service_minutes(standort, team_id: int, day, now: datetime | None = None) -> float:
    """The queue's processing time per person: the median of its latest contacts finished
    at a desk today (one query), or the site's set default before the first."""
    now = now or timezone.now()
    rows = (
        Contact.objects.filter(
            team_id=team_id,
            visit__standort_id=standort.pk,
            visit__day=day,
            at_reception=False,
            called_at__isnull=False,
            ended_at__isnull=False,
            ended_at__lte=now,
        )
        .order_by("-ended_at", "-pk")
        .values_list("called_at", "ended_at")[:RECENT_SERVED]
    )
    took = [(ended - called).total_seconds() / 60 for called, ended in rows if ended > called]
    if not took:
        return float(site_settings(standort).default_service_minutes)
    return float(median(took))


def desks_serving(standort_id: int, team_id: int, now: datetime) -> int:
    """The desks open for this queue now (as `stats.desks_open`: one left open idle is not)."""
    return (
        Desk.objects.filter(
            standort_id=standort_id,
            active=True,
            occupied_by__isnull=False,
            last_seen_at__gte=now - DESK_IDLE,
            teams=team_id,
        )
        .distinct()
        .count()
    )


def site_queues(standort, day, now: datetime) -> tuple[dict, dict, float]:
    """For every queue of the site at once (the display): the median service time per team
    as `service_minutes`, the open desks per team as `desks_serving`, and the site's default
    for a queue without history. Three queries, however many queues and visits."""
    rows = (
        Contact.objects.filter(
            visit__standort_id=standort.pk,
            visit__day=day,
            at_reception=False,
            called_at__isnull=False,
            ended_at__isnull=False,
            ended_at__lte=now,
        )
        .order_by("-ended_at", "-pk")
        .values_list("team_id", "called_at", "ended_at")
    )
    took: dict[int, list[float]] = {}
    for team_id, called, ended in rows:
        recent = took.setdefault(team_id, [])
        if len(recent) < RECENT_SERVED and ended > called:
            recent.append((ended - called).total_seconds() / 60)
    service = {team_id: float(median(values)) for team_id, values in took.items() if values}
    desks: dict[int, int] = {}
    for team_id in Desk.teams.through.objects.filter(
        desk__standort_id=standort.pk,
        desk__active=True,
        desk__occupied_by__isnull=False,
        desk__last_seen_at__gte=now - DESK_IDLE,
    ).values_list("team_id", flat=True):
        desks[team_id] = desks.get(team_id, 0) + 1
    return service, desks, float(site_settings(standort).default_service_minutes)


def estimate(ahead: int, per_person: float, desks: int) -> WaitEstimate:
    """The arithmetic alone: `ahead` people × minutes per person ÷ desks (at least one)."""
    if ahead <= 0:
        return WaitEstimate(ahead=0, minutes=0)
    return WaitEstimate(ahead=ahead, minutes=_round(ahead * per_person / max(desks, 1)))


def expected_wait(visit: Visit, now: datetime | None = None) -> WaitEstimate | None:
    """The expected waiting time of a waiting visit; None once it no longer waits."""
    if visit.state != VisitState.WAITING:
        return None
    now = now or timezone.now()
    ahead = people_ahead(visit)
    if ahead == 0:
        return WaitEstimate(ahead=0, minutes=0)
    return estimate(
        ahead,
        service_minutes(visit.standort, visit.team_id, visit.day, now),
        desks_serving(visit.standort_id, visit.team_id, now),
    )
