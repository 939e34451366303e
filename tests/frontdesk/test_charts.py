"""Issue 14: the front desk's charts carry the report's figures, rounded as the page and the
export round them; the half-day load never shows a wait without arrivals."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from frontdesk import charts, stats
from frontdesk.models import Outcome
from frontdesk.services.calling import visit_call_next
from frontdesk.services.outcomes import visit_finish, visit_pass_on

from . import test_stats
from .test_stats import MONDAY, THURSDAY, handled, t

scenario = test_stats.scenario  # the hand-computed days of test_stats, as a fixture here

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 3, 4)


@pytest.mark.usefixtures("scenario")
def test_times_per_day_in_minutes_with_one_decimal(site):
    report = stats.report(site, MONDAY, THURSDAY)
    chart = charts.times_per_day(report)
    # Monday: waits 600, 1200, 1200, 120 → 780 s = 13,0; processing 300, 300, 1200 → 10,0.
    # Thursday: 1800 s = 30,0 and 600 s = 10,0.
    assert chart.rows == [["Mo 02.03.", "13,0", "10,0"], ["Do 05.03.", "30,0", "10,0"]]
    assert chart.header == ["Tag", "Ø Wartezeit (Min.)", "Ø Bearbeitungszeit (Min.)"]


@pytest.mark.usefixtures("scenario")
def test_load_per_half_day_per_weekday(site):
    chart = charts.load_per_half_day(stats.report(site, MONDAY, THURSDAY))
    # Three arrivals on the one Monday morning, one in the afternoon, one on Thursday
    # morning; Friday is not in the period (no days, no average).
    assert chart.rows == [
        ["Montag", "3,0", "1,0"],
        ["Dienstag", "0,0", "0,0"],
        ["Mittwoch", "0,0", "0,0"],
        ["Donnerstag", "1,0", "0,0"],
        ["Freitag", "–", "–"],
    ]


def test_a_visit_counts_in_the_half_day_it_arrived(check_in, staff, desks, open_desk, teams, site):
    """Arrived 11:50, called 11:55, passed on 12:05 and called at Leistung 12:20: both
    waits (300 s and 900 s) are morning load; the afternoon has no arrival and no wait."""
    ez, room = staff["ez"], staff["leistung"]
    open_desk(ez, desks["s1"], now=t(WEDNESDAY, 8))
    open_desk(room, desks["leistung"], now=t(WEDNESDAY, 8))
    visit = check_in("leistungsfrage", now=t(WEDNESDAY, 11, 50))
    assert visit_call_next(actor=ez, desk_id=desks["s1"].pk, now=t(WEDNESDAY, 11, 55)) == visit
    visit_pass_on(
        actor=ez,
        desk_id=desks["s1"].pk,
        visit_id=visit.pk,
        team=teams["leistung"],
        note="Bescheid",
        now=t(WEDNESDAY, 12, 5),
    )
    assert visit_call_next(actor=room, desk_id=desks["leistung"].pk, now=t(WEDNESDAY, 12, 20))
    visit_finish(
        actor=room,
        desk_id=desks["leistung"].pk,
        visit_id=visit.pk,
        outcome=Outcome.RESOLVED,
        handled=handled(visit),
        now=t(WEDNESDAY, 12, 30),
    )
    load = {
        (h.weekday, h.morning): h for h in stats.report(site, WEDNESDAY, WEDNESDAY).per_half_day
    }
    assert (load[(2, True)].arrivals, load[(2, True)].durations.avg_wait) == (1, 600.0)
    assert (load[(2, False)].arrivals, load[(2, False)].durations.avg_wait) == (0, None)


@pytest.mark.usefixtures("scenario")
def test_report_page_shows_the_charts_and_the_export_the_same_figures(login, staff, site):
    client = login(staff["teamleitung"])
    params = {"standort": site.pk, "start": MONDAY.isoformat(), "end": THURSDAY.isoformat()}
    page = client.get(reverse("frontdesk:report"), params).content.decode()
    for key in ("chart-times", "chart-load"):
        assert f'<figure class="app-chart" id="{key}">' in page
        assert f'role="img" aria-labelledby="{key}-caption"' in page
        assert f'id="{key}-caption"' in page
    assert "Zahlen zur Grafik als Tabelle" in page
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("frontdesk:report_export", args=["csv"]), params).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    head = csv_rows[csv_rows.index(["Auslastung"]) + 1]
    load = {
        (r[head.index("Wochentag")], r[head.index("Tageshälfte")]): r[
            head.index("Ø Ankünfte je Tag")
        ]
        for r in csv_rows[csv_rows.index(["Auslastung"]) + 2 :]
        if len(r) == len(head)
    }
    assert load[("Montag", "Vormittag")] == "3,0" and load[("Montag", "Nachmittag")] == "1,0"
    day_head = csv_rows[csv_rows.index(["Je Tag"]) + 1]
    monday = next(r for r in csv_rows if len(r) > 1 and r[1] == "02.03.2026")
    assert monday[day_head.index("Ø Wartezeit (Min.)")] == "13,0"  # as the chart's table


def test_arrivals_and_served_per_hour_from_the_live_figures():
    figures = stats.LiveFigures(
        waiting=0,
        longest=None,
        desks=[],
        arrivals_today=7,
        served_today=4,
        per_concern=[],
        per_hour=[stats.HourLoad(8, 5, 1), stats.HourLoad(9, 2, 3)],
        max_per_hour=5,
    )
    chart = charts.per_hour_today(figures)
    assert chart.rows == [["08–09", "5", "1"], ["09–10", "2", "3"]]
    svg = str(chart.svg())
    # The second series is hatched, not only another colour.
    assert '<pattern id="chart-hours-p1"' in svg and 'fill="url(#chart-hours-p1)"' in svg


def test_live_view_shows_the_hourly_chart(login, staff, site):
    page = login(staff["teamleitung"]).get(reverse("frontdesk:live"), {"standort": site.pk})
    assert 'id="chart-hours"' in page.content.decode()
