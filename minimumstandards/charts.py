"""The deadline dashboard's charts: the monthly on-time rate per rule, breaches per week.

Selectors returning `jobcenter.charts.Chart`; a fixed number of queries.
"""

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from jobcenter.charts import Chart, Series
from jobcenter.numbers import round_half_up

from . import tally
from .dashboard import MonthRate
from .models import Deadline
from .tally import TallyScope
from .workdays import BERLIN

WEEKS = 8


def on_time_rate_per_month(rates: list[tuple[str, list[MonthRate]]]) -> Chart:
    """`rates` as the dashboard shows them: (rule label, months). Percent, whole numbers,
    rounded half up; a month without completed deadlines has no point."""
    months = rates[0][1] if rates else []
    return Chart(
        key="chart-rates",
        title=_("Erfüllungsquote je Monat und Regel"),
        kind="line",
        categories=[formats.date_format(m.month, "M Y").replace(" ", "\n", 1) for m in months],
        series=[
            Series(
                label,
                [None if m.rate is None else round_half_up(100 * m.met / m.total, 0) for m in ms],
            )
            for label, ms in rates
        ],
        category_header=_("Monat"),
        unit=_("fristgerecht in %"),
        suffix=" %",
        y_max=100,
        empty_text=_("Noch keine erledigten Fristen."),
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def breach_week_counts(
    deadlines: QuerySet[Deadline],
    today: date,
    now: datetime,
    weeks: int = WEEKS,
    *,
    scope: TallyScope | None = None,
) -> list[tuple[date, int]]:
    """Per calendar week (Monday), the deadlines whose due moment fell in it and passed
    unmet: completed late, or still open after it (rule R-ZT-01: the original due moment,
    a paused clock included). Cancelled deadlines and the current week's coming days do not
    count. One query; with `scope` (tally.scope_for, the same deadlines) the teams' open
    ones of the days before today from the tally, the rest from the deadlines (issue 13)."""
    first = _monday(today) - timedelta(weeks=weeks - 1)
    counts = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    if scope is not None:
        for day, n in tally.breaches_per_day(scope, first, now).items():
            counts[_monday(day)] += n
        deadlines = scope.extra()
        if deadlines is None:
            return sorted(counts.items())
    start = datetime.combine(first, datetime.min.time(), tzinfo=BERLIN)
    due = (
        deadlines.filter(due_at__gte=start, due_at__lte=now)
        .filter(Q(status=Deadline.Status.LATE) | Q(status=Deadline.Status.OPEN))
        .values_list("due_at", flat=True)
    )
    for moment in due:
        counts[_monday(moment.astimezone(BERLIN).date())] += 1
    return sorted(counts.items())


def breaches_per_week(
    deadlines: QuerySet[Deadline], today: date, now: datetime, *, scope: TallyScope | None = None
) -> Chart:
    weeks = breach_week_counts(deadlines, today, now, scope=scope)
    return Chart(
        key="chart-breaches",
        title=_("Überschrittene Fristen je Woche"),
        kind="bar",
        categories=[
            _("KW %(kw)s\nab %(d)s") % {"kw": monday.isocalendar()[1], "d": f"{monday:%d.%m.}"}
            for monday, _n in weeks
        ],
        series=[Series(_("überschritten"), [n for _m, n in weeks])],
        category_header=_("Woche"),
        unit=_("Fristen"),
        note=_(
            "Gezählt in der Woche, in der die Frist ablief: später erfüllt oder noch offen. "
            "Entfallene Fristen zählen nicht."
        ),
    )
