"""The expected waiting time of a customer in the queue (issue 12, the Wartemarke).

One function for every place that states it (the ticket now, the display later): people
ahead in the same queue × the average processing time of that queue today (the site's set
default until a desk has finished someone), shared by the desks open for it. Stated in
round figures, never to the minute: it is an estimate.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Contact, Desk, Visit, VisitState
from .selectors import DESK_IDLE, site_settings

# Beyond this, "etwa 4 Stunden" would suggest a knowledge nobody has.
LONGEST_STATED = 180


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


def average_service_minutes(visit: Visit, now: datetime | None = None) -> float:
    """The queue's average processing time today, or the site's set default."""
    now = now or timezone.now()
    average = (
        Contact.objects.filter(
            team_id=visit.team_id,
            visit__standort_id=visit.standort_id,
            visit__day=visit.day,
            at_reception=False,
            called_at__isnull=False,
            ended_at__isnull=False,
            ended_at__lte=now,
        )
        .annotate(
            took=ExpressionWrapper(F("ended_at") - F("called_at"), output_field=DurationField())
        )
        .aggregate(avg=Avg("took"))["avg"]
    )
    if average is None or average <= timedelta(0):
        return float(site_settings(visit.standort).default_service_minutes)
    return average.total_seconds() / 60


def expected_wait(visit: Visit, now: datetime | None = None) -> WaitEstimate | None:
    """The expected waiting time of a waiting visit; None once it no longer waits."""
    if visit.state != VisitState.WAITING:
        return None
    now = now or timezone.now()
    ahead = people_ahead(visit)
    if ahead == 0:
        return WaitEstimate(ahead=0, minutes=0)
    desks = (
        Desk.objects.filter(
            standort_id=visit.standort_id,
            active=True,
            occupied_by__isnull=False,
            last_seen_at__gte=now - DESK_IDLE,  # as `stats.desks_open`: a desk left open idle
            teams=visit.team_id,
        )
        .distinct()
        .count()
    )
    minutes = ahead * average_service_minutes(visit, now) / max(desks, 1)
    return WaitEstimate(ahead=ahead, minutes=_round(minutes))
