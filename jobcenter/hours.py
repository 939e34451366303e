"""When a site's phone service is open (rules R-OE-01, R-OE-02).

One place answers "open now?", "open until when?", "open again when?" and "is this moment
within the phone hours?" for the hotline's board and for the callback time of a ticket.
A public holiday or closing day is closed all day; the working-day test comes from the
caller (the Jobcenter's calendar lives in minimumstandards, which this app must not import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

BERLIN = ZoneInfo("Europe/Berlin")
# How far ahead the next opening is searched (a site with no hours at all has none).
SEARCH_DAYS = 21


def weekday_short(weekday: int) -> str:
    return [
        pgettext("weekday", "Mo"),
        pgettext("weekday", "Di"),
        pgettext("weekday", "Mi"),
        pgettext("weekday", "Do"),
        pgettext("weekday", "Fr"),
        pgettext("weekday", "Sa"),
        pgettext("weekday", "So"),
    ][weekday]


@dataclass(frozen=True)
class Span:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class PhoneStatus:
    open: bool
    until: datetime | None  # open: when this span ends
    next_opening: datetime | None  # closed: when the service opens again


def format_moment(moment: datetime, now: datetime | None = None) -> str:
    """ "Mo 08:00" within the coming week, else with the date: "Di 07.04. 08:00"."""
    moment = moment.astimezone(BERLIN)
    day = weekday_short(moment.weekday())
    if now is not None and (moment.date() - now.astimezone(BERLIN).date()).days >= 7:
        return f"{day} {moment:%d.%m. %H:%M}"
    return f"{day} {moment:%H:%M}"


class WeeklySchedule:
    """A site's weekly phone hours, closed on days that are no working days."""

    def __init__(
        self, spans: Iterable[Span], is_working_day: Callable[[date], bool] | None = None
    ) -> None:
        self.spans = sorted(spans, key=lambda s: (s.weekday, s.opens))
        self._is_working_day = is_working_day or (lambda _day: True)

    @classmethod
    def phone_hours_of(cls, standort, is_working_day=None) -> WeeklySchedule:
        rows = standort.phone_hours.all()
        return cls((Span(r.weekday, r.opens, r.closes) for r in rows), is_working_day)

    @classmethod
    def opening_hours_of(cls, standort, is_working_day=None) -> WeeklySchedule:
        """The site's opening hours (for the public: letters, the waiting room)."""
        rows = standort.opening_hours.all()
        return cls((Span(r.weekday, r.opens, r.closes) for r in rows), is_working_day)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def _spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self._is_working_day(day):
            return []
        return [
            (
                datetime.combine(day, s.opens, tzinfo=BERLIN),
                datetime.combine(day, s.closes, tzinfo=BERLIN),
            )
            for s in self.spans
            if s.weekday == day.weekday()
        ]

    def hours_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's phone hours (none on a holiday or closing day)."""
        return self._spans_on(day)

    def status(self, moment: datetime) -> PhoneStatus:
        """Open at `moment` (the closing time of its span is excluded) and until when, or
        when it opens next."""
        local = moment.astimezone(BERLIN)
        for opens, closes in self._spans_on(local.date()):
            if opens <= local < closes:
                return PhoneStatus(True, closes, None)
        for offset in range(SEARCH_DAYS + 1):
            for opens, _closes in self._spans_on(local.date() + timedelta(days=offset)):
                if opens > local:
                    return PhoneStatus(False, None, opens)
        return PhoneStatus(False, None, None)

    def is_within(self, moment: datetime) -> bool:
        """Whether `moment` lies within the phone hours, both ends included (a callback at
        18:00 of a span 08:00–18:00 is within)."""
        local = moment.astimezone(BERLIN)
        return any(opens <= local <= closes for opens, closes in self._spans_on(local.date()))

    def latest_before(self, deadline: datetime, not_before: datetime) -> datetime | None:
        """The latest moment within the phone hours at or before `deadline` and not before
        `not_before`: the callback slot that still keeps the deadline."""
        local = deadline.astimezone(BERLIN)
        start = not_before.astimezone(BERLIN)
        day = local.date()
        while day >= start.date():
            for opens, closes in reversed(self._spans_on(day)):
                latest = min(closes, local)
                if latest >= max(opens, start):
                    return latest
            day -= timedelta(days=1)
        return None

    def summary(self) -> str:
        """ "Mo–Do 08:00–18:00, Fr 08:00–14:00": weekdays with the same hours in a row."""
        by_day: dict[int, tuple[tuple[time, time], ...]] = {}
        for s in self.spans:
            by_day.setdefault(s.weekday, ())
            by_day[s.weekday] += ((s.opens, s.closes),)
        parts = []
        days = sorted(by_day)
        i = 0
        while i < len(days):
            j = i
            while (
                j + 1 < len(days)
                and days[j + 1] == days[j] + 1
                and by_day[days[j + 1]] == (by_day[days[i]])
            ):
                j += 1
            label = weekday_short(days[i])
            if j > i:
                label += "–" + weekday_short(days[j])
            hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in by_day[days[i]])
            parts.append(f"{label} {hours}")
            i = j + 1
        return ", ".join(parts)


def phone_board(standorte, now: datetime, is_working_day: Callable[[date], bool]) -> list[dict]:
    """Per site: today's phone hours and whether the phone service is open now."""
    today = now.astimezone(BERLIN).date()
    board = []
    for standort in standorte:
        schedule = WeeklySchedule.phone_hours_of(standort, is_working_day)
        board.append(
            {
                "standort": standort,
                "configured": bool(schedule),
                "today": ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in schedule.hours_on(today)),
                "status": schedule.status(now),
                "status_text": format_status(schedule.status(now), now),
                "summary": schedule.summary(),
            }
        )
    return board


def format_status(status: PhoneStatus, now: datetime) -> str:
    if status.open:
        return _("Telefonservice jetzt geöffnet bis %(time)s") % {"time": f"{status.until:%H:%M}"}
    if status.next_opening is None:
        return _("Telefonservice geschlossen")
    return _("Telefonservice geschlossen, wieder ab %(when)s") % {
        "when": format_moment(status.next_opening, now)
    }


def phone_board_for(jobcenter, now: datetime, is_working_day: Callable[[date], bool]) -> list[dict]:
    """`phone_board` of every site of the Jobcenter, by name."""
    standorte = jobcenter.standorte.prefetch_related("phone_hours").order_by("name")
    return phone_board(standorte, now, is_working_day)
