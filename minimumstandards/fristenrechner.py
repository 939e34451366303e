"""The Fristenrechner: enter a start, a window and a calendar, see the due moment and why.

The page (`fristenrechner_view`) and the management command ``fristenrechner`` share
`calculate`, so both count exactly as the deadlines do (minimumstandards.workdays).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jobcenter.forms import KernForm
from jobcenter.models import Jobcenter
from jobcenter.roles import Bundesland
from jobcenter.views import permission_required

from .models import ClosingDay
from .services import calendar_for
from .workdays import (
    END_OF_DAY,
    MAX_YEAR,
    MIN_YEAR,
    DueExplanation,
    Window,
    WorkingDayCalendar,
    berlin_wall_time,
    format_due,
    get_calendar,
    parse_window,
    to_berlin,
)

#: Longest window the calculator accepts; longer ones are typing errors, and a calendar-day
#: window lists every day it counts.
MAX_DAYS = 1000

#: Value of the "my Jobcenter" choice in the calendar select.
OWN_JOBCENTER = "jobcenter"

WEEKDAYS = (
    gettext_lazy("Montag"),
    gettext_lazy("Dienstag"),
    gettext_lazy("Mittwoch"),
    gettext_lazy("Donnerstag"),
    gettext_lazy("Freitag"),
    gettext_lazy("Samstag"),
    gettext_lazy("Sonntag"),
)


# --------------------------------------------------------------------------------------------
# Counting and wording (shared by page and command)
# --------------------------------------------------------------------------------------------


#: What staff may type: a number with AT or KT, or 24h (blanks and case do not matter).
_FRIST_RE = re.compile(r"\s*(\d+)\s*(h|AT|KT)\s*", re.IGNORECASE | re.ASCII)


class CalculationError(ValueError):
    """An input the calculator cannot count, with a German message for staff."""


def parse_frist(text: str) -> Window:
    """`parse_window` for staff input: raises CalculationError with a plain German message.

    The messages are the calculator's own (the library's are written for developers: they
    quote the input with Python's repr and name placeholders like ``<Zahl>AT``).
    """
    match = _FRIST_RE.fullmatch(text or "")
    if match is None:
        raise CalculationError(
            _(
                "Ungültige Fristangabe: bitte eine Zahl mit AT (Arbeitstage) oder KT "
                "(Kalendertage) eingeben, z. B. 9AT oder 30KT, oder 24h."
            )
        )
    n, unit = int(match.group(1)), match.group(2).upper()
    if unit == "H" and n != 24:
        raise CalculationError(
            _("Als Stundenfrist gibt es nur 24h (gleiche Uhrzeit am nächsten Arbeitstag).")
        )
    if unit != "H" and n < 1:
        raise CalculationError(_("Die Frist muss mindestens 1 Tag betragen."))
    if unit != "H" and n > MAX_DAYS:
        raise CalculationError(
            _("Die Frist darf höchstens %(max)d Tage betragen.") % {"max": MAX_DAYS}
        )
    return parse_window(text)


def german_day(day: date) -> str:
    """``Montag, 04.01.2027``."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%d.%m.%Y}"


def german_moment(moment: datetime) -> str:
    """``Montag, 04.01.2027, 24:00 Uhr`` (end of day) or ``Dienstag, 07.04.2026, 10:30 Uhr``."""
    local = to_berlin(moment)
    clock = "24:00" if local.time() == END_OF_DAY else f"{local:%H:%M}"
    return _("%(day)s, %(clock)s Uhr") % {"day": german_day(local.date()), "clock": clock}


def describe_window(window: Window) -> str:
    if window.kind == "24h":
        return _("24h (gleiche Uhrzeit am nächsten Arbeitstag)")
    if window.kind == "AT":
        return ngettext("%(n)d Arbeitstag", "%(n)d Arbeitstage", window.n) % {"n": window.n}
    return ngettext("%(n)d Kalendertag", "%(n)d Kalendertage", window.n) % {"n": window.n}


@dataclass(frozen=True)
class SkippedRow:
    day: date
    label: str
    reason: str


@dataclass(frozen=True)
class Result:
    explanation: DueExplanation
    start: date | datetime
    calendar_label: str
    skipped: tuple[SkippedRow, ...] = ()

    @property
    def window(self) -> Window:
        return self.explanation.window

    @property
    def due(self) -> datetime:
        return self.explanation.due

    @property
    def due_iso(self) -> str:
        return format_due(self.explanation.due)

    @property
    def due_text(self) -> str:
        return german_moment(self.explanation.due)

    @property
    def start_text(self) -> str:
        if isinstance(self.start, datetime):
            return german_moment(self.start)
        return german_day(self.start)

    @property
    def window_text(self) -> str:
        return describe_window(self.window)

    @property
    def counts_working_days(self) -> bool:
        return self.window.kind != "KT"

    @property
    def counted(self) -> list[str]:
        return [german_day(d) for d in self.explanation.counted_days]

    @property
    def first_counted(self) -> str:
        return german_day(self.explanation.counted_days[0])

    @property
    def last_counted(self) -> str:
        return german_day(self.explanation.counted_days[-1])

    def lines(self) -> list[str]:
        """The command's output: the ISO due moment first, then the explanation."""
        exp = self.explanation
        out = [
            self.due_iso,
            _("Frist: %(w)s") % {"w": self.window_text},
            _("Kalender: %(c)s") % {"c": self.calendar_label},
            _("Beginn: %(s)s (dieser Tag zählt nicht mit)") % {"s": self.start_text},
        ]
        if self.counts_working_days:
            out.extend(
                _("Übersprungen: %(day)s – %(reason)s") % {"day": row.label, "reason": row.reason}
                for row in self.skipped
            )
            out.append(
                _("Gezählte Arbeitstage (%(n)d): %(days)s")
                % {"n": len(exp.counted_days), "days": "; ".join(self.counted)}
            )
        else:
            out.append(
                _("Gezählte Kalendertage: %(n)d (Feiertage und Wochenenden zählen mit)")
                % {"n": len(exp.counted_days)}
            )
        out.append(_("Fällig: %(due)s") % {"due": self.due_text})
        return out


def calendar_label_for_land(land: str) -> str:
    return _("%(land)s (Feiertage des Landes, Schließtage 24.12. und 31.12.)") % {
        "land": Bundesland(land).label
    }


def calendar_label_for_jobcenter(jobcenter: Jobcenter) -> str:
    return _("%(name)s (Feiertage %(land)s und Schließtage des Jobcenters)") % {
        "name": jobcenter.name,
        "land": jobcenter.get_bundesland_display(),
    }


def calculate(
    calendar: WorkingDayCalendar,
    day: date,
    clock: time | None,
    window: Window,
    *,
    calendar_label: str,
    jobcenter: Jobcenter | None = None,
) -> Result:
    """Explain the due moment; raises CalculationError (German) for what cannot be counted.

    With ``jobcenter``, a skipped closing day of its own shows the reason recorded for it.
    """
    if window.kind == "24h" and clock is None:
        raise CalculationError(_("Für eine 24-Stunden-Frist wird eine Uhrzeit gebraucht."))
    start: date | datetime = day if clock is None else berlin_wall_time(day, clock)
    try:
        explanation = calendar.explain(start, window)
    except OverflowError as exc:
        raise CalculationError(
            _("Das Fristende liegt außerhalb des darstellbaren Zeitraums.")
        ) from exc
    except ValueError as exc:
        # The calendar knows public holidays for MIN_YEAR..MAX_YEAR only; that is the one
        # thing valid input can still run into here.
        raise CalculationError(
            _(
                "Feiertage sind nur für die Jahre %(min)d bis %(max)d hinterlegt: für diesen "
                "Beginn lässt sich das Fristende nicht berechnen."
            )
            % {"min": MIN_YEAR, "max": MAX_YEAR}
        ) from exc
    notes: dict[date, str] = {}
    if jobcenter is not None and explanation.skipped_days:
        notes = dict(
            ClosingDay.objects.filter(
                jobcenter=jobcenter,
                closed=True,
                day__in=[s.day for s in explanation.skipped_days],
            )
            .exclude(reason="")
            .values_list("day", "reason")
        )
    skipped = tuple(
        SkippedRow(
            s.day,
            german_day(s.day),
            f"{s.reason}: {notes[s.day]}"
            if s.day in notes and "Schließtag" in s.reason
            else s.reason,
        )
        for s in explanation.skipped_days
    )
    return Result(explanation, start, calendar_label, skipped)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FristenrechnerForm(KernForm):
    start = forms.DateField(
        label=gettext_lazy("Beginn (Datum)"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=gettext_lazy("Der Tag des Ereignisses, z. B. der Eingang; er zählt nicht mit."),
    )
    uhrzeit = forms.TimeField(
        label=gettext_lazy("Uhrzeit"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text=gettext_lazy("Nur für 24-Stunden-Fristen nötig."),
    )
    frist = forms.CharField(
        label=gettext_lazy("Frist"),
        max_length=20,
        help_text=gettext_lazy(
            "z. B. 9AT (Arbeitstage), 30KT (Kalendertage) oder 24h "
            "(gleiche Uhrzeit am nächsten Arbeitstag)"
        ),
    )
    kalender = forms.ChoiceField(label=gettext_lazy("Kalender"))

    def __init__(self, *args, jobcenter: Jobcenter, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobcenter = jobcenter
        own = _("Mein Jobcenter (%(name)s)") % {"name": jobcenter.name}
        self.fields["kalender"].choices = [(OWN_JOBCENTER, own), *Bundesland.choices]
        self.fields["kalender"].initial = OWN_JOBCENTER
        self.fields["frist"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "placeholder": "9AT"}
        )

    def clean_frist(self) -> Window:
        try:
            return parse_frist(self.cleaned_data["frist"])
        except CalculationError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def clean(self):
        cleaned = super().clean()
        window = cleaned.get("frist")
        needs_time = window is not None and window.kind == "24h"
        if needs_time and cleaned.get("uhrzeit") is None and "uhrzeit" not in self.errors:
            self.add_error(
                "uhrzeit",
                ValidationError(
                    _("Für eine 24-Stunden-Frist bitte die Uhrzeit angeben."), code="required"
                ),
            )
        return cleaned

    def calculate(self) -> Result | None:
        """The result for a valid form; on a counting error, the error is added to `start`."""
        data = self.cleaned_data
        if data["kalender"] == OWN_JOBCENTER:
            calendar = calendar_for(self.jobcenter)
            label = calendar_label_for_jobcenter(self.jobcenter)
            jobcenter = self.jobcenter
        else:
            calendar = get_calendar(data["kalender"])
            label = calendar_label_for_land(data["kalender"])
            jobcenter = None
        try:
            return calculate(
                calendar,
                data["start"],
                data["uhrzeit"],
                data["frist"],
                calendar_label=label,
                jobcenter=jobcenter,
            )
        except CalculationError as exc:
            self.add_error("start", ValidationError(str(exc), code="invalid"))
            return None


@permission_required("minimumstandards.use_calculator")
def fristenrechner_view(request: HttpRequest) -> HttpResponse:
    """GET form; with parameters, the result (linkable). htmx gets the result region only."""
    form = FristenrechnerForm(request.GET or None, jobcenter=request.user.jobcenter)
    result = form.calculate() if form.is_valid() else None
    context = {
        "form": form,
        "result": result,
        "has_errors": form.is_bound and bool(form.errors),
    }
    template = (
        "minimumstandards/partials/fristenrechner_result.html"
        if request.htmx
        else "minimumstandards/fristenrechner.html"
    )
    return render(request, template, context)
