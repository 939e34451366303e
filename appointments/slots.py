"""Free slots of caseworkers: released windows minus non-working days, closed hours,
absences and what is already booked.

The data for any number of caseworkers is loaded in a fixed number of queries
(`CalendarData.load`); generating and checking slots is then pure Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jobcenter.errors import DomainError
from jobcenter.models import OpeningHours
from minimumstandards.workdays import BERLIN, WorkingDayCalendar, berlin_wall_time

from .models import (
    OCCUPYING,
    SLOT_MINUTES,
    Absence,
    Appointment,
    GroupEvent,
    Kind,
    ReleasedWindow,
)


class SlotError(DomainError):
    """The requested time is not a free slot; the message says why."""


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    caseworker_id: int
    kind: str
    standort_id: int

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(BERLIN)


@dataclass
class CalendarData:
    """Windows, absences, busy times and opening hours of some caseworkers in a period."""

    windows: dict[int, list[ReleasedWindow]] = field(default_factory=lambda: defaultdict(list))
    absences: dict[int, list[Absence]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[int, list[tuple[datetime, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # standort id -> weekday -> [(opens, closes)]; a site without any row has no limit.
    opening: dict[int, dict[int, list[tuple[time, time]]]] = field(default_factory=dict)

    @classmethod
    def load(cls, caseworker_ids, start: datetime, end: datetime) -> "CalendarData":
        data = cls()
        ids = list(caseworker_ids)
        first_day = start.astimezone(BERLIN).date()
        last_day = end.astimezone(BERLIN).date()
        windows = ReleasedWindow.objects.filter(caseworker_id__in=ids, valid_from__lte=last_day)
        windows = windows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first_day))
        for window in windows:
            data.windows[window.caseworker_id].append(window)
        for absence in Absence.objects.filter(
            caseworker_id__in=ids, starts_at__lt=end, ends_at__gt=start
        ):
            data.absences[absence.caseworker_id].append(absence)
        appointments = (
            Appointment.objects.filter(
                caseworker_id__in=ids,
                status__in=OCCUPYING,
                group_event__isnull=True,
                starts_at__lt=end,
                ends_at__gt=start,
            )
            .values_list("caseworker_id", "starts_at", "ends_at")
            .order_by()
        )
        for caseworker_id, starts_at, ends_at in appointments:
            data.busy[caseworker_id].append((starts_at, ends_at))
        events = (
            GroupEvent.objects.filter(host_id__in=ids, starts_at__lt=end, ends_at__gt=start)
            .exclude(status=GroupEvent.EventStatus.ABGESAGT)
            .values_list("host_id", "starts_at", "ends_at")
            .order_by()
        )
        for host_id, starts_at, ends_at in events:
            data.busy[host_id].append((starts_at, ends_at))
        site_ids = {w.standort_id for ws in data.windows.values() for w in ws}
        data.opening = {site: {} for site in site_ids}
        for site, weekday, opens, closes in OpeningHours.objects.filter(
            standort_id__in=site_ids
        ).values_list("standort_id", "weekday", "opens", "closes"):
            data.opening[site].setdefault(weekday, []).append((opens, closes))
        return data


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _within_opening_hours(data: CalendarData, window: ReleasedWindow, slot: Slot) -> bool:
    if window.outside_opening_hours:
        return True
    hours = data.opening.get(window.standort_id) or {}
    if not hours:
        return True  # the site has no opening hours on record: nothing to keep to
    start, end = slot.starts_at.astimezone(BERLIN), slot.ends_at.astimezone(BERLIN)
    return any(
        opens <= start.time() and end.time() <= closes
        for opens, closes in hours.get(start.weekday(), [])
    )


def _window_slots(window: ReleasedWindow, day: date, kind: str) -> list[Slot]:
    """The slots a window yields on a day, on the grid of the kind's length.

    Wall times are turned into instants once, then stepped in UTC, so that every slot lasts
    its real length even on a day with a clock change (rule R-ZT-01, workdays.berlin_wall_time).
    """
    length = timedelta(minutes=SLOT_MINUTES[Kind(kind)])
    start = berlin_wall_time(day, window.starts).astimezone(UTC)
    end = berlin_wall_time(day, window.ends).astimezone(UTC)
    slots = []
    while start + length <= end:
        slots.append(Slot(start, start + length, window.caseworker_id, kind, window.standort_id))
        start += length
    return slots


def _slot_problem(data: CalendarData, window: ReleasedWindow, slot: Slot) -> str | None:
    if not _within_opening_hours(data, window, slot):
        return "closed"
    for absence in data.absences.get(slot.caseworker_id, []):
        if _overlaps(slot.starts_at, slot.ends_at, absence.starts_at, absence.ends_at):
            return "absent"
    for busy_start, busy_end in data.busy.get(slot.caseworker_id, []):
        if _overlaps(slot.starts_at, slot.ends_at, busy_start, busy_end):
            return "busy"
    return None


def free_slots(
    data: CalendarData,
    calendar: WorkingDayCalendar,
    *,
    caseworker_id: int,
    kind: str,
    after: datetime,
    until: datetime,
    limit: int | None = None,
) -> list[Slot]:
    """The caseworker's free slots of `kind` starting after `after` and ending by `until`."""
    found: list[Slot] = []
    day = after.astimezone(BERLIN).date()
    last = until.astimezone(BERLIN).date()
    windows = [w for w in data.windows.get(caseworker_id, []) if w.kind == kind]
    while day <= last and windows:
        if calendar.is_working_day(day):
            for window in windows:
                if not window.applies_on(day):
                    continue
                for slot in _window_slots(window, day, kind):
                    if slot.starts_at <= after or slot.ends_at > until:
                        continue
                    if _slot_problem(data, window, slot) is None:
                        found.append(slot)
            found.sort()
            if limit is not None and len(found) >= limit:
                return found[:limit]
        day += timedelta(days=1)
    return found


def check_slot(
    data: CalendarData,
    calendar: WorkingDayCalendar,
    *,
    caseworker,
    kind: str,
    starts_at: datetime,
    now: datetime,
) -> Slot:
    """The free slot starting at `starts_at`, or SlotError saying exactly why not."""
    local = starts_at.astimezone(BERLIN)
    when = date_format(local, "l, d.m.Y H:i")
    if starts_at <= now:
        raise SlotError(
            _(
                "Der Termin (%(when)s Uhr) liegt in der Vergangenheit. Bitte einen künftigen Termin wählen."
            )
            % {"when": when}
        )
    reason = calendar.non_working_reason(local.date())
    if reason is not None:
        raise SlotError(
            _("Der %(day)s ist kein Arbeitstag (%(reason)s).")
            % {"day": date_format(local.date(), "d.m.Y"), "reason": reason}
        )
    kind_label = Kind(kind).label
    candidates = [
        (window, slot)
        for window in data.windows.get(caseworker.pk, [])
        if window.kind == kind and window.applies_on(local.date())
        for slot in _window_slots(window, local.date(), kind)
        if slot.starts_at == starts_at
    ]
    if not candidates:
        raise SlotError(
            _(
                "%(person)s hat am %(when)s Uhr kein Zeitfenster für %(kind)s freigegeben. "
                "Bitte einen angebotenen Termin wählen."
            )
            % {"person": caseworker, "when": when, "kind": kind_label}
        )
    window, slot = candidates[0]
    problem = _slot_problem(data, window, slot)
    if problem == "closed":
        raise SlotError(
            _("Der Termin am %(when)s Uhr liegt außerhalb der Öffnungszeiten des Standorts.")
            % {"when": when}
        )
    if problem == "absent":
        absence = next(
            a
            for a in data.absences[caseworker.pk]
            if _overlaps(slot.starts_at, slot.ends_at, a.starts_at, a.ends_at)
        )
        raise SlotError(
            _("%(person)s ist am %(when)s Uhr abwesend (%(reason)s).")
            % {"person": caseworker, "when": when, "reason": absence.reason}
        )
    if problem == "busy":
        raise SlotError(
            _("Der Termin am %(when)s Uhr bei %(person)s ist bereits vergeben.")
            % {"when": when, "person": caseworker}
        )
    return slot
