"""The front desk's charts: their figures, as the report and the live view show them.

Each function returns a `jobcenter.charts.Chart` (tested without HTML); the minutes are
rounded by `minutes_of`, as the tables and the exports round them.
"""

from datetime import date

from django.utils.translation import gettext as _

from jobcenter.charts import Chart, Series
from jobcenter.numbers import minutes_of, round_half_up

from . import stats

_WEEKDAY_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def _day_label(day) -> str:
    return f"{_WEEKDAY_SHORT[day.weekday()]}\n{day:%d.%m.}"


def times_per_day(report: stats.Report) -> Chart:
    """Average waiting and processing time per day of the period (minutes, one decimal)."""
    days = [date.fromisoformat(row.label) for row in report.per_day]
    return Chart(
        key="chart-times",
        title=_("Ø Wartezeit und Ø Bearbeitungszeit je Tag"),
        kind="line",
        categories=[_day_label(d) for d in days],
        series=[
            Series(_("Ø Wartezeit"), [minutes_of(r.durations.avg_wait) for r in report.per_day]),
            Series(
                _("Ø Bearbeitungszeit"),
                [minutes_of(r.durations.avg_processing) for r in report.per_day],
            ),
        ],
        category_header=_("Tag"),
        unit=_("Min."),
        digits=1,
        empty_text=_("Im Zeitraum gab es keine Besuche."),
    )


def load_per_half_day(report: stats.Report) -> Chart:
    """Average arrivals per morning and per afternoon of each weekday."""
    weekdays = sorted({h.weekday for h in report.per_half_day})
    by_key = {(h.weekday, h.morning): h for h in report.per_half_day}

    def values(morning: bool):
        return [
            round_half_up(by_key[(wd, morning)].per_day, 1) if (wd, morning) in by_key else None
            for wd in weekdays
        ]

    return Chart(
        key="chart-load",
        title=_("Ø Ankünfte je Vormittag und Nachmittag"),
        kind="bar",
        categories=[stats.weekday_label(wd) for wd in weekdays],
        series=[Series(_("Vormittag"), values(True)), Series(_("Nachmittag"), values(False))],
        category_header=_("Wochentag"),
        unit=_("Ankünfte je Tag"),
        digits=1,
    )


def per_hour_today(figures: stats.LiveFigures) -> Chart:
    """Arrivals and customers served in each hour of today."""
    return Chart(
        key="chart-hours",
        title=_("Ankünfte und Bediente je Stunde (heute)"),
        kind="bar",
        categories=[f"{h.hour:02d}–{h.hour + 1:02d}" for h in figures.per_hour],
        series=[
            Series(_("Ankünfte"), [h.arrivals for h in figures.per_hour]),
            Series(_("bedient"), [h.served for h in figures.per_hour]),
        ],
        category_header=_("Stunde (Uhr)"),
        unit=_("Personen"),
        digits=0,
    )
