"""The figures against hand-computed ones: reports, the live view, the display's estimates."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from frontdesk import stats
from frontdesk.models import Outcome
from frontdesk.services.calling import visit_call_next, visit_no_show, visit_recall
from frontdesk.services.outcomes import visit_finish, visit_pass_on

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
THURSDAY = date(2026, 3, 5)


def t(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def handled(visit):
    return list(visit.visit_concerns.values_list("concern_id", flat=True))


@pytest.fixture
def scenario(check_in, staff, desks, open_desk, teams):
    """Monday: V1 settled at the EZ; V2 passed on to Leistung and settled there; V3 (in the
    afternoon) a no-show; V4 settled at the reception. Thursday: V5 with two concerns.

    contact   queue      queued  called  ended   wait    processing
    V1        EZ         09:00   09:10   09:15   600 s   300 s
    V2 (a)    EZ         09:05   09:25   09:30   1200 s  300 s (forwarded)
    V2 (b)    Leistung   09:30   09:50   10:10   1200 s  1200 s
    V3        EZ         13:00   13:02   13:06   120 s   – (no-show)
    V4        reception  09:20   –       –       –       –
    V5        EZ         10:00   10:30   10:40   1800 s  600 s
    """
    ez, room = staff["ez"], staff["leistung"]
    s1, leistung_desk = desks["s1"], desks["leistung"]
    open_desk(ez, s1, now=t(MONDAY, 8))
    open_desk(room, leistung_desk, now=t(MONDAY, 8))
    v1 = check_in("unterlagen", now=t(MONDAY, 9, 0))
    v2 = check_in("leistungsfrage", now=t(MONDAY, 9, 5))
    v4 = check_in("sachstand", settle=Outcome.RESOLVED, now=t(MONDAY, 9, 20))
    assert visit_call_next(actor=ez, desk_id=s1.pk, now=t(MONDAY, 9, 10)) == v1
    visit_finish(
        actor=ez,
        desk_id=s1.pk,
        visit_id=v1.pk,
        outcome=Outcome.RESOLVED,
        handled=handled(v1),
        now=t(MONDAY, 9, 15),
    )
    assert visit_call_next(actor=ez, desk_id=s1.pk, now=t(MONDAY, 9, 25)) == v2
    visit_pass_on(
        actor=ez,
        desk_id=s1.pk,
        visit_id=v2.pk,
        team=teams["leistung"],
        note="Bescheid",
        now=t(MONDAY, 9, 30),
    )
    assert visit_call_next(actor=room, desk_id=leistung_desk.pk, now=t(MONDAY, 9, 50)) == v2
    visit_finish(
        actor=room,
        desk_id=leistung_desk.pk,
        visit_id=v2.pk,
        outcome=Outcome.RESOLVED,
        handled=handled(v2),
        now=t(MONDAY, 10, 10),
    )
    v3 = check_in("unterlagen", now=t(MONDAY, 13, 0))
    assert visit_call_next(actor=ez, desk_id=s1.pk, now=t(MONDAY, 13, 2)) == v3
    visit_recall(actor=ez, desk_id=s1.pk, visit_id=v3.pk, now=t(MONDAY, 13, 3))
    visit_recall(actor=ez, desk_id=s1.pk, visit_id=v3.pk, now=t(MONDAY, 13, 4))
    visit_no_show(actor=ez, desk_id=s1.pk, visit_id=v3.pk, now=t(MONDAY, 13, 6))
    open_desk(ez, s1, now=t(THURSDAY, 8))
    v5 = check_in("unterlagen", "sachstand", now=t(THURSDAY, 10, 0))
    assert visit_call_next(actor=ez, desk_id=s1.pk, now=t(THURSDAY, 10, 30)) == v5
    visit_finish(
        actor=ez,
        desk_id=s1.pk,
        visit_id=v5.pk,
        outcome=Outcome.RESOLVED,
        handled=handled(v5),
        now=t(THURSDAY, 10, 40),
    )
    return v1, v2, v3, v4, v5


def figures(row):
    d = row.durations
    return {
        "visits": row.visits,
        "contacts": d.contacts,
        "served": d.served,
        "avg_wait": d.avg_wait,
        "max_wait": d.max_wait,
        "avg_processing": d.avg_processing,
        "max_processing": d.max_processing,
    }


@pytest.mark.rule("R-WS-02")
def test_report_totals_and_per_day(scenario, site):
    report = stats.report(site, MONDAY, THURSDAY)
    # waits 600, 1200, 1200, 120, 1800; processing 300, 300, 1200, 600 (no-show excluded)
    assert figures(report.total) == {
        "visits": 5,
        "contacts": 5,
        "served": 4,  # V1, V2 at Leistung, V4 at the reception, V5
        "avg_wait": 984.0,
        "max_wait": 1800.0,
        "avg_processing": 600.0,
        "max_processing": 1200.0,
    }
    assert report.total.durations.no_shows == 1
    assert report.total.durations.at_reception == 1
    assert report.settled_at_reception == 1
    assert [row.label for row in report.per_day] == ["2026-03-02", "2026-03-05"]
    assert figures(report.per_day[0]) == {
        "visits": 4,
        "contacts": 4,
        "served": 3,
        "avg_wait": 780.0,  # (600 + 1200 + 1200 + 120) / 4
        "max_wait": 1200.0,
        "avg_processing": 600.0,  # (300 + 300 + 1200) / 3
        "max_processing": 1200.0,
    }
    assert figures(report.per_day[1]) == {
        "visits": 1,
        "contacts": 1,
        "served": 1,
        "avg_wait": 1800.0,
        "max_wait": 1800.0,
        "avg_processing": 600.0,
        "max_processing": 600.0,
    }


@pytest.mark.rule("R-WS-02")
def test_report_per_concern_and_queue(scenario, site):
    report = stats.report(site, MONDAY, THURSDAY)
    by_concern = {row.label: row for row in report.per_concern}
    assert list(by_concern) == [
        "Unterlagen abgeben",
        "Bearbeitungsstand erfragen",
        ("Fragen zum Bescheid oder zur Leistung"),
    ]
    unterlagen = by_concern["Unterlagen abgeben"]
    assert figures(unterlagen) == {
        "visits": 3,  # V1, V3, V5
        "contacts": 3,
        "served": 2,
        "avg_wait": 840.0,  # (600 + 120 + 1800) / 3
        "max_wait": 1800.0,
        "avg_processing": 450.0,  # (300 + 600) / 2
        "max_processing": 600.0,
    }
    assert unterlagen.extra["over_target"]  # 14 min against a target of 10
    sachstand = by_concern["Bearbeitungsstand erfragen"]
    assert (sachstand.visits, sachstand.durations.contacts, sachstand.durations.served) == (
        2,
        1,
        2,
    )
    frage = by_concern["Fragen zum Bescheid oder zur Leistung"]
    assert (frage.durations.avg_wait, frage.durations.avg_processing) == (1200.0, 750.0)
    assert not frage.extra["over_target"]

    by_queue = {row.label: row for row in report.per_queue}
    assert figures(by_queue["Team ez"]) | {"visits": None} == {
        "visits": None,
        "contacts": 4,
        "served": 2,  # V1, V5 (V2 went on, V3 did not come)
        "avg_wait": 930.0,  # (600 + 1200 + 120 + 1800) / 4
        "max_wait": 1800.0,
        "avg_processing": 400.0,  # (300 + 300 + 600) / 3
        "max_processing": 600.0,
    }
    assert figures(by_queue["Team leistung"])["avg_wait"] == 1200.0


@pytest.mark.rule("R-WS-02")
def test_report_load_per_half_day(scenario, site):
    report = stats.report(site, MONDAY, THURSDAY)
    load = {(h.weekday, h.morning): h for h in report.per_half_day}
    assert (load[(0, True)].arrivals, load[(0, True)].days, load[(0, True)].per_day) == (3, 1, 3)
    # Waits of the contacts queued on Monday morning: 600, 1200, 1200.
    assert load[(0, True)].durations.avg_wait == 1000.0
    assert (load[(0, False)].arrivals, load[(0, False)].durations.avg_wait) == (1, 120.0)
    assert load[(3, True)].arrivals == 1
    assert load[(1, True)].arrivals == 0 and load[(1, True)].days == 1
    assert {h.weekday for h in report.per_half_day} == {0, 1, 2, 3, 4}


@pytest.mark.rule("R-DS-01")
def test_per_employee_figures_only_when_asked(scenario, site, staff):
    assert stats.report(site, MONDAY, THURSDAY).per_employee is None
    report = stats.report(site, MONDAY, THURSDAY, per_employee=True)
    rows = {row.label: row.durations for row in report.per_employee}
    ez = rows[staff["ez"].get_full_name()]
    assert (ez.contacts, ez.avg_processing) == (4, 400.0)
    assert rows[staff["leistung"].get_full_name()].contacts == 1


@pytest.mark.rule("R-WS-02")
def test_live_figures(check_in, staff, desks, open_desk, site):
    ez = staff["ez"]
    open_desk(ez, desks["s1"], now=t(MONDAY, 8))
    w1 = check_in("unterlagen", now=t(MONDAY, 8, 5))
    check_in("unterlagen", now=t(MONDAY, 8, 30))
    check_in("antrag", now=t(MONDAY, 8, 50))
    check_in("unterlagen", settle=Outcome.RESOLVED, now=t(MONDAY, 8, 55))
    visit_call_next(actor=ez, desk_id=desks["s1"].pk, now=t(MONDAY, 8, 10))
    visit_finish(
        actor=ez,
        desk_id=desks["s1"].pk,
        visit_id=w1.pk,
        outcome=Outcome.RESOLVED,
        handled=handled(w1),
        now=t(MONDAY, 8, 20),
    )
    open_desk(staff["leistung"], desks["leistung"], now=t(MONDAY, 9))

    live = stats.live_figures(site, now=t(MONDAY, 9, 5))
    assert (live.waiting, live.longest) == (2, 35 * 60)
    # Schalter 1 has been idle since 08:20: after 20 minutes it no longer counts as open.
    assert [d.name for d in live.desks] == ["Raum 204"]
    assert (live.arrivals_today, live.served_today) == (4, 2)
    per_concern = {load.concern.code: load for load in live.per_concern}
    assert (per_concern["unterlagen"].waiting, per_concern["unterlagen"].over_target) == (1, True)
    assert (per_concern["antrag"].waiting, per_concern["antrag"].over_target) == (1, False)
    assert per_concern["antrag"].longest == 15 * 60
    hours = {h.hour: (h.arrivals, h.served) for h in live.per_hour}
    assert hours[8] == (4, 2)
    assert hours[9] == (0, 0)
    assert min(hours) == 8 and max(hours) == 15  # opening hours unknown: 8 to 16

    estimates = {e["class"]: e for e in stats.estimates(site, t(MONDAY, 9, 5))}
    # The expected wait of someone joining now (issue 16). Schnellanliegen: 1 waiting in
    # the EZ queue × its median service time today (08:10–08:20: 10 min) ÷ open desks
    # (Schalter 1 idle since 08:20: none, counted as one) = 10.
    assert (estimates["Schnellanliegen"]["minutes"], estimates["Schnellanliegen"]["waiting"]) == (
        10,
        1,
    )
    assert estimates["Schnellanliegen"]["label"] == "ca. 10 Min."
    # Antrag: 1 waiting for Leistung × the default 10 minutes (nobody served yet) ÷ 1 desk.
    assert estimates["Antragstellung / akute Mittellosigkeit"]["minutes"] == 10
    assert estimates["Leistungsanliegen"]["label"] == "keine Wartezeit"


def test_live_view_and_report_agree(scenario, site):
    live = stats.live_figures(site, now=t(THURSDAY, 11))
    report = stats.report(site, THURSDAY, THURSDAY)
    assert live.arrivals_today == report.total.visits == 1
    assert live.served_today == report.total.durations.served == 1
