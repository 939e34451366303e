"""The deadline tally (models.DeadlineTally, issue 13): the database keeps it equal to the
deadlines through every kind of write, and the team lead's figures read from it are those
counted directly from the deadlines. The clock frozen on Monday 1 June 2026, 09:00 in
Berlin, as in test_drilldown."""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minimumstandards import charts, selectors, tally
from minimumstandards.dashboard import counts_per_rule, on_time_rates
from minimumstandards.models import Deadline, DeadlineRule, DeadlineTally, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import (
    calendar_for,
    deadline_complete,
    deadline_open,
    deadline_pause,
    deadline_resume,
    deadlines_cancel,
)
from minimumstandards.workdays import BERLIN
from tests.factories import person, register

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the tally is kept on PostgreSQL only"
    ),
]

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(120))  # 09:00 CEST


def at(day: date, clock: time = time(12)) -> datetime:
    return datetime.combine(day, clock, tzinfo=BERLIN)


def expected_buckets() -> Counter:
    """The tally as it should be, computed here in Python from the deadline rows."""
    buckets = Counter()
    for d in Deadline.objects.all():
        if d.team_id is None:
            continue
        if d.status == "open":
            day, paused = d.due_at.astimezone(BERLIN).date(), d.paused_at is not None
        elif d.status in ("met", "late") and d.completed_at is not None:
            day, paused = d.completed_at.astimezone(BERLIN).date(), False
        else:
            continue
        buckets[(d.jobcenter_id, d.team_id, d.kind, d.rule_id, d.status, day, paused)] += 1
    return buckets


def stored_buckets() -> Counter:
    rows = DeadlineTally.objects.values_list(
        "jobcenter_id", "team_id", "kind", "rule_id", "status", "day", "paused", "n"
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def assert_tally_right() -> None:
    stored = stored_buckets()
    assert stored == expected_buckets()
    assert 0 not in stored.values()  # empty buckets are dropped
    # Every open deadline's lead lies within its bucket's bound (what "droht" relies on).
    leads = {
        (t.team_id, t.kind, t.rule_id, t.day, t.paused): t.lead
        for t in DeadlineTally.objects.filter(status="open")
    }
    for d in Deadline.objects.filter(status="open", team__isnull=False):
        key = (
            d.team_id,
            d.kind,
            d.rule_id,
            d.due_at.astimezone(BERLIN).date(),
            d.paused_at is not None,
        )
        assert d.due_at - d.warn_at <= leads[key]


@pytest.fixture
def lead_cases(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    return [
        register(
            actor=staff["ez"],
            leistung_team=teams[team],
            persons=[person(f"T{i}", "Tally", is_head=True)],
            application_date=timezone.localdate() - timedelta(days=age),
            received_at=timezone.now() - timedelta(days=age),
        )
        for i, (team, age) in enumerate([("leistung", 0), ("leistung", 3), ("leistung_b", 30)])
    ]


def test_tally_follows_every_write_of_a_deadline(jobcenter, staff, teams, lead_cases):
    # Opened by the services (a case's clocks on registration).
    assert Deadline.objects.filter(status="open").count() > 3
    assert_tally_right()
    # Opened one by one, with no team (not tallied) and with one.
    kunde = lead_cases[0].applicant
    density = deadline_open(
        jobcenter=jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=timezone.now(),
        team=teams["leistung"],
        kunde=kunde,
        window="30KT",
    )
    deadline_open(
        jobcenter=jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=timezone.now(),
        team=None,
        kunde=lead_cases[2].applicant,
    )
    assert_tally_right()
    # Paused and resumed (moves the deadline between the paused and running buckets).
    deadline_pause(actor=staff["leistung"], deadline_id=density.pk, reason="Kunde krank")
    assert (
        stored_buckets()[
            (
                jobcenter.pk,
                teams["leistung"].pk,
                density.kind,
                density.rule_id,
                "open",
                density.due_at.astimezone(BERLIN).date(),
                True,
            )
        ]
        == 1
    )
    assert_tally_right()
    deadline_resume(actor=staff["leistung"], deadline_id=density.pk)
    assert_tally_right()
    # Completed (from open to met or late, by the day of completion) and cancelled.
    case = lead_cases[1]
    assert deadline_complete(kind=RuleKind.ENTRY_CHECK, antrag=case, at=timezone.now())
    assert_tally_right()
    deadlines_cancel(antrag=lead_cases[0])
    assert_tally_right()
    # Reassigned in bulk, moved in time, written with update() and bulk_create.
    Deadline.objects.filter(team=teams["leistung_b"]).update(team=teams["leistung"])
    assert_tally_right()
    Deadline.objects.filter(status="open").update(due_at=at(date(2026, 6, 3)))
    assert_tally_right()
    Deadline.objects.filter(status="open").update(warn_at=at(date(2026, 5, 20)))
    assert_tally_right()  # the same buckets, a longer lead
    template = Deadline.objects.filter(status="open").first()
    Deadline.objects.bulk_create(
        [
            Deadline(
                jobcenter=jobcenter,
                kunde=kunde,
                rule=template.rule,
                kind=template.kind,
                started_at=at(date(2026, 5, 1)),
                due_at=at(date(2026, 6, day)),
                warn_at=at(date(2026, 6, day - 1)),
                team=teams["leistung_b"],
                status=status,
                completed_at=at(date(2026, 6, day)) if status != "open" else None,
            )
            for day in (2, 5, 9)
            for status in ("open", "met", "late", "cancelled")
        ]
    )
    assert_tally_right()
    # Deleted: one, then the case with its deadlines (a cascade), then all.
    Deadline.objects.filter(status="met").first().delete()
    assert_tally_right()
    lead_cases[2].delete()
    assert_tally_right()
    Deadline.objects.all().delete()
    assert stored_buckets() == Counter()


def test_migration_backfill_and_rebuild_give_the_same_tally(lead_cases):
    from minimumstandards import tally_sql

    before = stored_buckets()
    assert before
    with connection.cursor() as cursor:
        tally_sql.rebuild(cursor)
    assert stored_buckets() == before == expected_buckets()


@pytest.fixture
def world(jobcenter, staff, teams, monkeypatch):
    """Hand-built deadlines around now (Monday 1 June 2026, 09:00) of the lead's team
    "leistung", of another team, of no team, and the lead's own."""
    apply_preset(jobcenter=jobcenter, name="demo")
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Dora", "Drill", is_head=True)],
    )
    Deadline.objects.all().delete()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    rules = {r.kind: r for r in DeadlineRule.objects.filter(jobcenter=jobcenter)}
    lead = staff["teamleitung"]

    def make(kind, due, *, team="leistung", warn=None, paused=False, status="open", **kw):
        return Deadline.objects.create(
            jobcenter=jobcenter,
            kunde=antrag.applicant,
            rule=rules[kind],
            kind=kind,
            started_at=due - timedelta(days=20),
            due_at=due,
            warn_at=warn or due - timedelta(days=1),
            team=teams[team] if team else None,
            paused_at=NOW - timedelta(days=1) if paused else None,
            status=status,
            **kw,
        )

    ec, dec, vers = RuleKind.ENTRY_CHECK, RuleKind.DECISION, RuleKind.VERSAGUNG
    monday = date(2026, 6, 1)
    make(ec, at(date(2026, 5, 20)))  # breached days ago
    make(ec, at(monday, time(8)))  # breached this morning
    make(ec, at(monday, time(8)), paused=True)  # breached, paused (R-ZT-01)
    make(ec, at(monday, time(10)))  # at risk: due later today
    make(ec, at(date(2026, 6, 2), time(8)))  # at risk since yesterday 08:00
    make(ec, at(date(2026, 6, 2), time(10)), warn=at(monday, time(10)))  # warns at 10
    make(ec, at(date(2026, 6, 12)), warn=at(date(2026, 5, 29)))  # long lead: at risk
    make(dec, at(date(2026, 6, 5)))
    make(dec, at(date(2026, 6, 8)), paused=True)
    make(dec, at(date(2026, 6, 30)))
    make(vers, at(date(2026, 5, 28)))  # may be issued
    make(vers, at(date(2026, 6, 9)))
    make(ec, at(date(2026, 5, 20)), status="late", completed_at=at(date(2026, 5, 22)))
    make(dec, at(date(2026, 4, 20)), status="met", completed_at=at(date(2026, 4, 10)))
    make(dec, at(date(2026, 5, 4)), status="cancelled", completed_at=at(date(2026, 5, 2)))
    # Of another team: not the lead's.
    make(ec, at(date(2026, 5, 20)), team="leistung_b")
    make(dec, at(date(2026, 6, 2)), team="leistung_b")
    # The lead's own: of no team, and of a team not theirs (counted directly).
    make(ec, at(date(2026, 5, 25)), team=None, owner_user=lead)
    make(dec, at(date(2026, 6, 3)), team="leistung_b", owner_user=lead, paused=True)
    make(dec, at(date(2026, 6, 1), time(10)), team="leistung_b", owner_user=lead)
    return {"lead": lead, "make": make}


def visible(user):
    from minimumstandards.access import deadlines_visible_to

    return deadlines_visible_to(user)


def test_counts_from_the_tally_are_the_direct_counts(world, teams):
    lead = world["lead"]
    scope = tally.scope_for(lead)
    assert scope.owner_user_id == lead.pk
    direct = selectors.counts_by_rule(visible(lead), NOW)
    assert selectors.counts_by_rule(visible(lead), NOW, scope=scope) == direct
    # Hand-counted (team "leistung" and the lead's own three).
    assert direct[RuleKind.ENTRY_CHECK] == {
        "offen": 8,
        "laeuft": 4,
        "droht": 3,  # due 10:00 today, due tomorrow 08:00, the long lead; not the 10:00 warn
        "ueberschritten": 4,  # 20 May, two this morning, the lead's own of 25 May
        "angehalten": 1,
        "moeglich": 0,
    }
    assert direct[RuleKind.DECISION] == {
        "offen": 5,
        "laeuft": 5,
        "droht": 1,  # the lead's own due 10:00 today
        "ueberschritten": 0,
        "angehalten": 2,
        "moeglich": 0,
    }
    assert direct[RuleKind.VERSAGUNG]["moeglich"] == 1
    assert direct[RuleKind.VERSAGUNG]["droht"] == 0
    # Narrowed to one team; and later in the day, when more have run out.
    one = tally.scope_for(lead, str(teams["leistung"].pk))
    narrowed = visible(lead).filter(team=teams["leistung"])
    assert selectors.counts_by_rule(narrowed, NOW, scope=one) == selectors.counts_by_rule(
        narrowed, NOW
    )
    for later in (NOW + timedelta(hours=2), NOW + timedelta(days=1, hours=1)):
        assert selectors.counts_by_rule(
            visible(lead), later, scope=scope
        ) == selectors.counts_by_rule(visible(lead), later)
    assert counts_per_rule(visible(lead), NOW, scope=scope) == counts_per_rule(visible(lead), NOW)


def test_forecast_from_the_tally_is_the_direct_forecast(world, jobcenter):
    lead = world["lead"]
    calendar = calendar_for(jobcenter)
    for n, now in ((10, NOW), (30, NOW), (5, NOW + timedelta(hours=2))):
        direct = selectors.breach_forecast(visible(lead), calendar=calendar, now=now, n=n)
        tallied = selectors.breach_forecast(
            visible(lead), calendar=calendar, now=now, n=n, scope=tally.scope_for(lead)
        )
        key = lambda forecast: [  # noqa: E731
            (t.team_id, t.name, t.day_minutes, [vars(r) for r in t.rows]) for t in forecast.teams
        ]
        assert tallied.days == direct.days
        assert key(tallied) == key(direct)
    # Hand-checked: team "leistung", entry checks: three breached this morning or before.
    (team, _other, none) = direct_teams = selectors.breach_forecast(
        visible(lead), calendar=calendar, now=NOW, scope=tally.scope_for(lead)
    ).teams
    assert [t.team_id for t in direct_teams][-1] is None
    row = next(r for r in team.rows if r.kind == RuleKind.ENTRY_CHECK)
    assert row.overdue == 3
    assert row.cells[:2] == [1, 2]  # due 10:00 today; two due on Tuesday
    assert none.overdue == 1


def test_charts_and_rates_from_the_tally_are_the_direct_ones(world):
    lead = world["lead"]
    scope = tally.scope_for(lead)
    today = NOW.date()
    assert charts.breach_week_counts(
        visible(lead), today, NOW, scope=scope
    ) == charts.breach_week_counts(visible(lead), today, NOW)
    weeks = dict(charts.breach_week_counts(visible(lead), today, NOW, scope=scope))
    # Week of 18 May: the open one of 20 May and the late one; of 25 May: the Versagung of
    # 28 May and the lead's own of 25 May; this week: the two of this morning.
    assert weeks[date(2026, 5, 18)] == 2
    assert weeks[date(2026, 5, 25)] == 2
    assert weeks[date(2026, 6, 1)] == 2
    assert on_time_rates(visible(lead), today, scope=scope) == on_time_rates(visible(lead), today)
    rates = on_time_rates(visible(lead), today, scope=scope)
    assert [(m.month, m.met, m.late) for m in rates[RuleKind.DECISION] if m.total] == [
        (date(2026, 4, 1), 1, 0)
    ]


def test_forecast_queries_do_not_grow_with_rows(login, staff, world):
    client = login(staff["teamleitung"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("minimumstandards:forecast"), {"tage": 30})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    assert few <= 14
    for i in range(10):
        world["make"](RuleKind.DECISION, at(date(2026, 6, 2 + i)))
        world["make"](RuleKind.ENTRY_CHECK, at(date(2026, 5, 2 + i)))
    assert queries() == few


def test_dashboard_and_live_part_queries_are_bounded(login, staff, world):
    client = login(staff["teamleitung"])

    def queries(name, **headers):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name), headers=headers)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    queries("minimumstandards:dashboard")  # the session's first page reads a little more
    full = queries("minimumstandards:dashboard")
    live = queries("minimumstandards:dashboard_live", **{"HX-Request": "true"})
    # The polled live part shows only the counts and the most urgent: no rates, no charts.
    assert live < full <= 30
    for i in range(10):
        world["make"](RuleKind.DECISION, at(date(2026, 6, 2 + i)))
        world["make"](
            RuleKind.ENTRY_CHECK,
            at(date(2026, 5, 2 + i)),
            status="late",
            completed_at=at(date(2026, 5, 20)),
        )
    assert queries("minimumstandards:dashboard") == full
    assert queries("minimumstandards:dashboard_live", **{"HX-Request": "true"}) == live
