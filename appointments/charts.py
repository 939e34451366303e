"""The KPI page's chart: qualified consultations per week against the week's target."""

from datetime import date

from django.utils.translation import gettext as _

from jobcenter.charts import Chart, Series
from jobcenter.numbers import round_half_up


def weekly_consultations(weeks: list[date], table, *, own: bool) -> Chart:
    """`table` as `kpi.consultations_per_week` returns it. The team's (or the IFK's own)
    qualified consultations per week, a group event weighted, and the sum of the targets
    (pro rata for part time and weeks with holidays), one decimal as on the page."""
    totals = [sum(cells[i]["total"] for _cw, cells in table) for i in range(len(weeks))]
    targets = [
        round_half_up(sum(cells[i]["target"] for _cw, cells in table), 1) for i in range(len(weeks))
    ]
    return Chart(
        key="chart-consultations",
        title=(
            _("Ihre qualifizierten Beratungen je Woche und Ziel")
            if own
            else _("Qualifizierte Beratungen des Teams je Woche und Ziel")
        ),
        kind="bar",
        categories=[
            _("KW %(kw)s\nab %(d)s") % {"kw": w.isocalendar()[1], "d": f"{w:%d.%m.}"} for w in weeks
        ],
        series=[Series(_("erreicht"), totals)],
        target=Series(_("Ziel"), targets, digits=-1),
        category_header=_("Woche"),
        unit=_("Beratungen"),
        digits=0,
        note=_("Gruppenveranstaltung zählt dreifach; Ziel anteilig bei Teilzeit und Feiertagen."),
    )
