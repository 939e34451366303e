"""Figures of the queue: the waiting-room display, the team lead's live view, the reports.

Read-only. Each function runs a fixed number of queries, whatever the number of visits,
and computes in Python what differs between databases (local days and hours, durations).

Definitions (rule R-WS-01): a contact's waiting time runs from joining the queue to the call-up,
its processing time from the call-up to its end. Contacts settled at the reception have
neither. A contact counts as served when it ended the visit with a result (settled,
ticket, appointment, handed over in person); a contact forwarded into another queue is
processing time but not yet served, and no-shows and cancellations are never served.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobcenter.models import OpeningHours, Standort

from .models import (
    SERVED_OUTCOMES,
    Concern,
    ConcernClass,
    Contact,
    Desk,
    Outcome,
    Visit,
    VisitConcern,
    VisitEvent,
    VisitState,
)
from .selectors import DESK_IDLE
from .waiting import estimate, site_queues

DISPLAY_CALLS = 8
DISPLAY_WINDOW = timedelta(minutes=15)
MORNING_ENDS = time(12, 0)


def _seconds(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return max(0.0, (later - earlier).total_seconds())


@dataclass
class Durations:
    """Waiting and processing times of a set of contacts, in seconds."""

    waits: list[float] = field(default_factory=list)
    processing: list[float] = field(default_factory=list)
    contacts: int = 0
    served: int = 0
    at_reception: int = 0
    no_shows: int = 0

    def add(self, contact: "ContactRow") -> None:
        if contact.outcome in SERVED_OUTCOMES:
            self.served += 1
        if contact.at_reception:
            self.at_reception += 1
            return
        if contact.called_at is None:
            return
        self.contacts += 1
        self.waits.append(_seconds(contact.called_at, contact.queued_at))
        if contact.outcome in (*SERVED_OUTCOMES, Outcome.PARKED, Outcome.FORWARDED):
            processing = _seconds(contact.ended_at, contact.called_at)
            if processing is not None:
                self.processing.append(processing)
        if contact.outcome == Outcome.NO_SHOW:
            self.no_shows += 1

    @property
    def avg_wait(self) -> float | None:
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def max_wait(self) -> float | None:
        return max(self.waits) if self.waits else None

    @property
    def avg_processing(self) -> float | None:
        return sum(self.processing) / len(self.processing) if self.processing else None

    @property
    def max_processing(self) -> float | None:
        return max(self.processing) if self.processing else None


@dataclass(frozen=True)
class ContactRow:
    visit_id: int
    team: str
    queued_at: datetime
    called_at: datetime | None
    ended_at: datetime | None
    outcome: str
    at_reception: bool
    served_by: str
    team_id: int | None = None
    served_by_id: int | None = None


def _contact_rows(qs) -> list[ContactRow]:
    rows = qs.values_list(
        "visit_id",
        "team__name",
        "queued_at",
        "called_at",
        "ended_at",
        "outcome",
        "at_reception",
        "served_by__first_name",
        "served_by__last_name",
        "served_by__username",
        "team_id",
        "served_by_id",
    )
    return [
        ContactRow(
            visit_id=r[0],
            team=r[1],
            queued_at=r[2],
            called_at=r[3],
            ended_at=r[4],
            outcome=r[5],
            at_reception=r[6],
            served_by=(f"{r[7]} {r[8]}".strip() or r[9]) if r[9] else "",
            team_id=r[10],
            served_by_id=r[11],
        )
        for r in rows
    ]


def _concerns_of(visit_ids) -> dict[int, list[Concern]]:
    """Each visit's concerns, first stated first (one query)."""
    result: dict[int, list[Concern]] = defaultdict(list)
    rows = (
        VisitConcern.objects.filter(visit_id__in=visit_ids)
        .select_related("concern__concern_class")
        .order_by("visit_id", "position", "pk")
    )
    for row in rows:
        result[row.visit_id].append(row.concern)
    return result


def waiting_visits(standort: Standort, *, concern_id: int | None = None, now=None) -> list:
    """The visits waiting now at the site (for one concern): what "wartend" counts in
    live_figures, longest waiting first; each with `.concerns` (two queries)."""
    today = timezone.localdate(now or timezone.now())
    visits = Visit.objects.filter(standort=standort, day=today, state="waiting")
    if concern_id is not None:
        visits = visits.filter(visit_concerns__concern_id=concern_id).distinct()
    rows = list(visits.select_related("team").order_by("queued_at", "pk"))
    concerns = _concerns_of([v.pk for v in rows])
    for visit in rows:
        visit.concerns = concerns.get(visit.pk, [])
    return rows


def desks_open(standort: Standort, now: datetime) -> list[Desk]:
    return list(
        Desk.objects.filter(
            standort=standort,
            active=True,
            occupied_by__isnull=False,
            last_seen_at__gte=now - DESK_IDLE,
        ).order_by("position", "name")
    )


# --- the waiting-room display ------------------------------------------------------------


def _round_up_5(seconds: float) -> int:
    return int(math.ceil(seconds / 300.0) * 5)


def estimate_label(minutes: int | None) -> str:
    if minutes is None:
        return _("keine Wartezeit")
    if minutes <= 5:
        return _("unter 5 Min.")
    return _("ca. %(n)d Min.") % {"n": minutes}


def estimates(standort: Standort, now: datetime) -> list[dict]:
    """The expected wait per concern class for someone who joins now (issue 16): for each
    queue (team) its customers of that class wait in, everyone waiting there without an
    appointment is ahead; the queue's wait is `frontdesk.waiting.estimate` from the median
    service time and the open desks, as on the ticket; the class shows its longest queue."""
    today = timezone.localdate(now)
    # Each visit's class is its first concern's, read in the same query.
    first_class = (
        VisitConcern.objects.filter(visit=OuterRef("pk"))
        .order_by("position", "pk")
        .values("concern__concern_class_id")[:1]
    )
    waiting = list(
        Visit.objects.filter(standort=standort, day=today, state=VisitState.WAITING)
        .annotate(class_id=Subquery(first_class))
        .values_list("class_id", "team_id", "assigned_to_id")
    )

    counts: dict = defaultdict(int)
    queues_of: dict = defaultdict(set)
    in_queue: dict = defaultdict(int)
    for key, team_id, assigned_to_id in waiting:
        counts[key] += 1
        if assigned_to_id is None:  # appointment customers wait for their own caseworker
            queues_of[key].add(team_id)
            in_queue[team_id] += 1
    service, desks, default = site_queues(standort, today, now)
    per_queue = {
        team_id: estimate(ahead, service.get(team_id, default), desks.get(team_id, 0)).minutes
        for team_id, ahead in in_queue.items()
    }
    result = []
    for cls in ConcernClass.objects.filter(jobcenter_id=standort.jobcenter_id).order_by(
        "position", "name"
    ):
        minutes = max((per_queue[t] for t in queues_of.get(cls.pk, ())), default=None)
        result.append(
            {
                "class": cls.name,
                "waiting": counts.get(cls.pk, 0),
                "minutes": minutes,
                "label": estimate_label(minutes),
            }
        )
    return result


def recent_calls(standort: Standort, now: datetime) -> list[dict]:
    """The numbers called and their desk: the latest call of each visit still called, newest
    first (finished, passed on, parked or not shown up: gone). Numbers only, never names."""
    events = (
        VisitEvent.objects.filter(
            standort=standort,
            visit__state=VisitState.CALLED,
            action__in=[
                VisitEvent.Action.CALL,
                VisitEvent.Action.CALL_SPECIFIC,
                VisitEvent.Action.RECALL,
            ],
            at__gte=now - DISPLAY_WINDOW,
            at__lte=now,
        )
        .order_by("-at", "-pk")
        .values_list("pk", "visit_id", "visit__number", "desk__name", "at", "action")[:50]
    )
    seen: set[int] = set()
    calls = []
    for pk, visit_id, number, desk, at, action in events:
        if visit_id in seen:
            continue
        seen.add(visit_id)
        calls.append(
            {
                "id": pk,
                "number": number,
                "desk": desk or "",
                "at": timezone.localtime(at).strftime("%H:%M"),
                "recall": action == VisitEvent.Action.RECALL,
            }
        )
        if len(calls) == DISPLAY_CALLS:
            break
    return calls


def display_state(standort: Standort, now: datetime | None = None) -> dict:
    """Everything the waiting-room screen shows, and nothing more."""
    now = now or timezone.now()
    return {
        "site": standort.name,
        "time": timezone.localtime(now).strftime("%H:%M"),
        "calls": recent_calls(standort, now),
        "estimates": estimates(standort, now),
    }


# --- the team lead's live view -----------------------------------------------------------


@dataclass(frozen=True)
class ConcernLoad:
    concern: Concern
    waiting: int
    longest: float
    over_target: bool


@dataclass(frozen=True)
class HourLoad:
    hour: int
    arrivals: int
    served: int


@dataclass(frozen=True)
class LiveFigures:
    waiting: int
    longest: float | None
    desks: list[Desk]
    arrivals_today: int
    served_today: int
    per_concern: list[ConcernLoad]
    per_hour: list[HourLoad]
    max_per_hour: int


def _opening_hours(standort: Standort, day: date) -> tuple[int, int]:
    hours = [
        (h.opens, h.closes)
        for h in OpeningHours.objects.filter(standort=standort, weekday=day.weekday())
    ]
    if not hours:
        return 8, 16
    first = min(o for o, _c in hours)
    last = max(c for _o, c in hours)
    return first.hour, last.hour + (1 if last.minute else 0)


def live_figures(standort: Standort, now: datetime | None = None) -> LiveFigures:
    now = now or timezone.now()
    today = timezone.localdate(now)
    visits = list(
        Visit.objects.filter(standort=standort, day=today).values_list(
            "pk", "state", "queued_at", "checked_in_at"
        )
    )
    waiting = [(pk, queued_at) for pk, state, queued_at, _c in visits if state == "waiting"]
    concerns = _concerns_of([pk for pk, _q in waiting])
    by_concern: dict[int, list] = {}
    for pk, queued_at in waiting:
        for concern in concerns.get(pk, []):
            entry = by_concern.setdefault(concern.pk, [concern, 0, 0.0])
            entry[1] += 1
            entry[2] = max(entry[2], _seconds(now, queued_at))
    per_concern = sorted(
        (
            ConcernLoad(
                concern=c,
                waiting=n,
                longest=longest,
                over_target=longest > c.target_wait_minutes * 60,
            )
            for c, n, longest in by_concern.values()
        ),
        key=lambda load: (load.concern.concern_class.position, load.concern.position),
    )
    served_at = [
        timezone.localtime(ended_at).hour
        for ended_at in Contact.objects.filter(
            visit__standort=standort,
            ended_at__date__gte=today - timedelta(days=1),
            outcome__in=SERVED_OUTCOMES,
        ).values_list("ended_at", flat=True)
        if timezone.localdate(ended_at) == today
    ]
    arrivals_at = [timezone.localtime(checked_in).hour for *_rest, checked_in in visits]
    first, last = _opening_hours(standort, today)
    seen = [*served_at, *arrivals_at]
    hours = range(min([first, *seen]), max([last - 1, *seen]) + 1)
    per_hour = [
        HourLoad(hour=h, arrivals=arrivals_at.count(h), served=served_at.count(h)) for h in hours
    ]
    return LiveFigures(
        waiting=len(waiting),
        longest=max((_seconds(now, q) for _pk, q in waiting), default=None),
        desks=desks_open(standort, now),
        arrivals_today=len(visits),
        served_today=len(served_at),
        per_concern=per_concern,
        per_hour=per_hour,
        max_per_hour=max([1, *(h.arrivals for h in per_hour), *(h.served for h in per_hour)]),
    )


# --- reports -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    visits: int = 0
    durations: Durations = field(default_factory=Durations)
    extra: dict = field(default_factory=dict)


@dataclass
class HalfDay:
    weekday: int
    morning: bool
    arrivals: int = 0
    days: int = 0
    durations: Durations = field(default_factory=Durations)

    @property
    def per_day(self) -> float | None:
        return self.arrivals / self.days if self.days else None


@dataclass
class Report:
    standort: Standort
    start: date
    end: date
    total: Row
    per_day: list[Row]
    per_concern: list[Row]
    per_queue: list[Row]
    per_half_day: list[HalfDay]
    per_employee: list[Row] | None
    settled_at_reception: int
    cancelled: int


def weekday_label(weekday: int) -> str:
    return str(OpeningHours.Weekday(weekday).label)


def report(standort: Standort, start: date, end: date, *, per_employee: bool = False) -> Report:
    """Average and maximum waiting and processing time per day, per contact and per concern
    type; the queues; the load per morning and afternoon of each weekday (rule R-WS-02).

    A visit with two concerns counts for both concerns. Per-employee figures are only
    computed when asked for; the caller checks the right to see them.
    """
    visits = list(
        Visit.objects.filter(standort=standort, day__gte=start, day__lte=end).values_list(
            "pk", "day", "checked_in_at", "state", "settled_at_reception"
        )
    )
    visit_day = {pk: day for pk, day, *_rest in visits}
    contacts = _contact_rows(
        Contact.objects.filter(visit__standort=standort, visit__day__gte=start, visit__day__lte=end)
    )
    concerns = _concerns_of(list(visit_day))

    total = Row(label=_("Gesamt"), visits=len(visits))
    days: dict[date, Row] = {}
    for _pk, day, *_rest in visits:
        days.setdefault(day, Row(label=day.isoformat())).visits += 1
    concern_rows: dict[int, Row] = {}
    concern_objs: dict[int, Concern] = {}
    for pk in visit_day:
        for concern in concerns.get(pk, []):
            concern_objs[concern.pk] = concern
            concern_rows.setdefault(concern.pk, Row(label=concern.name)).visits += 1
    queues: dict[str, Row] = {}
    employees: dict[int, Row] = {}
    half_days: dict[tuple[int, bool], HalfDay] = {
        (wd, morning): HalfDay(weekday=wd, morning=morning)
        for wd in range(7)
        for morning in (True, False)
    }
    # A visit's contacts count in the half-day it arrived in: a customer who came at 11:50
    # and was passed on at 12:10 is morning load. (Counted by each contact's own queue time,
    # an afternoon could show an average wait with "0 Ankünfte".)
    arrived_in: dict[int, tuple[int, bool]] = {}
    for pk, _day, checked_in_at, _state, _settled in visits:
        local = timezone.localtime(checked_in_at)
        arrived_in[pk] = (local.weekday(), local.time() < MORNING_ENDS)
        half_days[arrived_in[pk]].arrivals += 1

    for contact in contacts:
        total.durations.add(contact)
        days[visit_day[contact.visit_id]].durations.add(contact)
        for concern in concerns.get(contact.visit_id, []):
            concern_rows[concern.pk].durations.add(contact)
        if not contact.at_reception and contact.called_at is not None:
            queues.setdefault(
                contact.team, Row(label=contact.team, extra={"team_id": contact.team_id})
            ).durations.add(contact)
            half_days[arrived_in[contact.visit_id]].durations.add(contact)
            if per_employee and contact.served_by_id:
                employees.setdefault(
                    contact.served_by_id,
                    Row(label=contact.served_by, extra={"user_id": contact.served_by_id}),
                ).durations.add(contact)

    # How many mornings/afternoons of each weekday the period has.
    day = start
    while day <= end:
        for morning in (True, False):
            half_days[(day.weekday(), morning)].days += 1
        day += timedelta(days=1)

    for pk, concern in concern_objs.items():
        row = concern_rows[pk]
        row.extra = {
            "concern_id": pk,
            "class": concern.concern_class.name,
            "target": concern.target_wait_minutes,
            "over_target": row.durations.avg_wait is not None
            and row.durations.avg_wait > concern.target_wait_minutes * 60,
            "order": (concern.concern_class.position, concern.position),
        }
    return Report(
        standort=standort,
        start=start,
        end=end,
        total=total,
        per_day=[days[d] for d in sorted(days)],
        per_concern=sorted(concern_rows.values(), key=lambda r: r.extra["order"]),
        per_queue=sorted(queues.values(), key=lambda r: r.label),
        per_half_day=[
            half_days[(wd, morning)]
            for wd in range(7)
            for morning in (True, False)
            if wd < 5 or half_days[(wd, morning)].arrivals
        ],
        per_employee=sorted(employees.values(), key=lambda r: r.label) if per_employee else None,
        settled_at_reception=sum(1 for v in visits if v[4]),
        cancelled=sum(1 for v in visits if v[3] == VisitState.CANCELLED),
    )


def prefetch_concerns():
    return Prefetch(
        "visit_concerns",
        queryset=VisitConcern.objects.select_related("concern__concern_class").order_by(
            "position", "pk"
        ),
    )


# --- the lists behind the report's counts --------------------------------------------------

# What a count of the report counts; the drill-down list of each holds exactly its rows.
REPORT_MEASURES = {
    "besuche": gettext_lazy("Besuche"),
    "ankuenfte": gettext_lazy("Ankünfte"),
    "kontakte": gettext_lazy("Kundenkontakte"),
    "bedient": gettext_lazy("bedient"),
    "empfang": gettext_lazy("davon am Empfang"),
    "nicht_erschienen": gettext_lazy("nicht erschienen"),
}
VISIT_MEASURES = ("besuche", "ankuenfte")


def _contact_counts(contact: Contact, measure: str, *, called_only: bool) -> bool:
    """Whether `contact` is one of the `measure` count in Durations.add. `called_only` for the
    queue rows, which only see contacts called at a desk."""
    called = not contact.at_reception and contact.called_at is not None
    if called_only and not called:
        return False
    if measure == "bedient":
        return contact.outcome in SERVED_OUTCOMES
    if measure == "empfang":
        return contact.at_reception
    if measure == "kontakte":
        return called
    if measure == "nicht_erschienen":
        return called and contact.outcome == Outcome.NO_SHOW
    return False


def report_items(
    standort: Standort,
    start: date,
    end: date,
    *,
    measure: str,
    day: date | None = None,
    concern_id: int | None = None,
    team_id: int | None = None,
    weekday: int | None = None,
    morning: bool | None = None,
    served_by_id: int | None = None,
) -> list:
    """The visits (measure besuche, ankuenfte) or contacts (the others) behind one count of
    `report` with the same arguments: per day, concern, queue (team), employee (who called
    the contact; only with the per-employee right, checked by the view) or half-day. Visits in
    order of arrival, each with `.concerns`; contacts in order of queueing, each with its
    visit and `.concerns`. Three queries, whatever the period."""
    visits = Visit.objects.filter(standort=standort, day__gte=start, day__lte=end)
    if day is not None:
        visits = visits.filter(day=day)
    if measure in VISIT_MEASURES:
        rows = list(visits.select_related("team").order_by("checked_in_at", "pk"))
        concerns = _concerns_of([v.pk for v in rows])
        result = []
        for visit in rows:
            visit.concerns = concerns.get(visit.pk, [])
            if concern_id is not None and concern_id not in {c.pk for c in visit.concerns}:
                continue
            if weekday is not None or morning is not None:
                local = timezone.localtime(visit.checked_in_at)
                if weekday is not None and local.weekday() != weekday:
                    continue
                if morning is not None and (local.time() < MORNING_ENDS) != morning:
                    continue
            result.append(visit)
        return result
    contacts = list(
        Contact.objects.filter(visit__in=visits)
        .select_related("visit", "team")
        .order_by("queued_at", "pk")
    )
    concerns = _concerns_of({c.visit_id for c in contacts})
    result = []
    for contact in contacts:
        contact.concerns = concerns.get(contact.visit_id, [])
        if concern_id is not None and concern_id not in {c.pk for c in contact.concerns}:
            continue
        if team_id is not None and contact.team_id != team_id:
            continue
        if served_by_id is not None and contact.served_by_id != served_by_id:
            continue
        queue_row = team_id is not None or served_by_id is not None
        if _contact_counts(contact, measure, called_only=queue_row):
            result.append(contact)
    return result
