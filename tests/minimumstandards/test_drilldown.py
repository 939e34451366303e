"""Every count of the team lead's deadline screens opens the list behind it, and the breach
forecast (issue 14). All data hand-built; the clock frozen on Monday 1 June 2026, 09:00 in
Berlin (NW: Pfingstmontag 25 May and Fronleichnam 4 June are holidays)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minimumstandards.models import Deadline, DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import calendar_for, compute_due, scan
from tests.factories import person, register

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(120))  # 09:00 CEST


def at(day: date, clock: time = time(23, 59, 59, 999999)) -> datetime:
    from minimumstandards.workdays import BERLIN

    return datetime.combine(day, clock, tzinfo=BERLIN)


@pytest.fixture
def world(jobcenter, staff, teams, monkeypatch):
    apply_preset(jobcenter=jobcenter, name="demo")
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Dora", "Drill", is_head=True)],
    )
    other = register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        persons=[person("Otto", "Other", is_head=True)],
    )
    Deadline.objects.all().delete()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    rules = {r.kind: r for r in DeadlineRule.objects.filter(jobcenter=jobcenter)}

    def make(kind, due, *, team="leistung", warn=None, paused=False, status="open", **kw):
        kunde = antrag.applicant if team == "leistung" else other.applicant
        return Deadline.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            rule=kw.pop("rule", rules[kind]),
            kind=kind,
            started_at=due - timedelta(days=20),
            due_at=due,
            warn_at=warn or due - timedelta(days=1),
            team=teams[team],
            paused_at=NOW - timedelta(days=1) if paused else None,
            status=status,
            **kw,
        )

    return {"make": make, "antrag": antrag, "rules": rules, "kunde": antrag.applicant}


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_every_dashboard_count_opens_a_list_of_that_length(login, staff, world):
    make = world["make"]
    ec = RuleKind.ENTRY_CHECK
    make(ec, at(date(2026, 5, 29)))  # breached last Friday
    make(ec, at(date(2026, 6, 1), time(8)))  # breached an hour ago
    make(ec, at(date(2026, 6, 2)), warn=at(date(2026, 6, 1), time(0)))  # at risk
    make(ec, at(date(2026, 6, 10)))
    make(ec, at(date(2026, 6, 10)), paused=True)
    make(ec, at(date(2026, 5, 29)), team="leistung_b")  # not the lead's team
    make(RuleKind.VERSAGUNG, at(date(2026, 5, 30)))  # Versagung possible since Saturday
    make(RuleKind.VERSAGUNG, at(date(2026, 6, 12)))
    client = login(staff["teamleitung"])
    response = client.get(reverse("minimumstandards:dashboard"))
    counts = {c.kind: c for c in response.context["counts"]}
    entry = counts[ec]
    assert (entry.open, entry.warning, entry.breached, entry.paused) == (5, 1, 2, 1)
    for state, expected in [("offen", 5), ("droht", 1), ("ueberschritten", 2), ("angehalten", 1)]:
        url = entry.link(state)
        assert url in response.content.decode().replace("&amp;", "&")
        assert listed(client, url) == expected
    # The Versagung is a point in time: not among the deadlines, no breach.
    assert RuleKind.VERSAGUNG not in counts
    (versagung,) = response.context["time_points"]
    assert (versagung.open, versagung.running, versagung.breached) == (2, 1, 1)
    assert listed(client, versagung.link("moeglich")) == 1
    # Nor among all breached deadlines: the unfiltered list has the two entry checks.
    assert (
        listed(client, reverse("minimumstandards:deadline_list") + "?zustand=ueberschritten") == 2
    )
    assert listed(client, versagung.link("laeuft")) == 1
    assert "Versagung möglich" in response.content.decode()


def test_badge_opens_exactly_the_deadlines_it_counts(login, staff, world):
    make = world["make"]
    make(RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)))
    make(RuleKind.CALLBACK, at(date(2026, 6, 1), time(8)))
    make(RuleKind.CONTACT_DENSITY, at(date(2026, 6, 3)), warn=at(date(2026, 5, 20)))
    make(RuleKind.DECISION, at(date(2026, 6, 20)))  # in plan
    make(RuleKind.VERSAGUNG, at(date(2026, 5, 30)))  # may be issued: not "at risk"
    scan(now=NOW)  # the badge counts what the scan flagged
    client = login(staff["leistung"])
    page = client.get(reverse("intake:case_list"))
    assert page.context["deadlines_at_risk"] == 3
    assert "3 Fristen gefährdet" in page.content.decode()
    url = page.context["deadlines_at_risk_url"]
    assert url in page.content.decode().replace("&amp;", "&")
    assert listed(client, url) == 3


def test_list_rows_carry_identifiers_case_link_and_the_way_back(login, staff, teams, world):
    make, antrag = world["make"], world["antrag"]
    Deadline.objects.create(
        jobcenter=antrag.jobcenter,
        antrag=antrag,
        rule=world["rules"][RuleKind.DECISION],
        kind=RuleKind.DECISION,
        started_at=at(date(2026, 5, 1)),
        due_at=at(date(2026, 5, 28)),
        warn_at=at(date(2026, 5, 27), time(0)),
        team=teams["leistung"],
    )
    # Contact density counts calendar days: due 22 May is 10 calendar days ago (5 AT).
    make(RuleKind.CONTACT_DENSITY, at(date(2026, 5, 22)))
    client = login(staff["teamleitung"])
    team = teams["leistung"].pk
    url = (
        reverse("minimumstandards:deadline_list")
        + f"?zustand=ueberschritten&team={team}&zeitraum=2026-05"
    )
    response = client.get(url)
    body = response.content.decode()
    assert response.context["page"].paginator.count == 2
    assert world["kunde"].kundennummer in body
    assert antrag.bedarfsgemeinschaft.number in body
    assert reverse("intake:case_detail", args=[antrag.pk]) in body
    assert reverse("intake:customer_detail", args=[world["kunde"].pk]) in body
    assert "seit 10 Kalendertagen überfällig" in body
    assert "Arbeitstagen überfällig" in body  # the decision counts working days
    assert f'href="{reverse("minimumstandards:dashboard")}?team={team}"' in body


def test_list_is_paginated_with_bounded_queries(login, staff, world, django_assert_max_num_queries):
    for i in range(51):
        world["make"](RuleKind.CALLBACK, at(date(2026, 5, 4)) + timedelta(minutes=i))
    client = login(staff["teamleitung"])
    url = reverse("minimumstandards:deadline_list") + "?regel=callback&zustand=ueberschritten"
    client.get(url)  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    second = client.get(url + "&seite=2")
    assert len(second.context["rows"]) == 1


def test_on_time_rate_counts_link_to_the_completed_deadlines(login, staff, world):
    make = world["make"]
    done = at(date(2026, 6, 1), time(8))
    make(RuleKind.ENTRY_CHECK, at(date(2026, 6, 2)), status="met", completed_at=done)
    make(RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)), status="late", completed_at=done)
    make(RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)), status="late", completed_at=done)
    make(RuleKind.VERSAGUNG, at(date(2026, 6, 2)), status="met", completed_at=done)
    client = login(staff["teamleitung"])
    response = client.get(reverse("minimumstandards:dashboard"))
    rates = dict(response.context["rates"])
    assert "Versagung bei fehlender Mitwirkung" not in rates  # no on-time rate
    month, met_url, late_url = rates["Eingangsprüfung"][-1]
    assert (month.met, month.late) == (1, 2)
    assert listed(client, met_url) == 1
    assert listed(client, late_url) == 2


def test_dashboard_narrowed_to_one_team(login, staff, teams, world):
    make = world["make"]
    make(RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)))
    make(RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)), team="ue25")
    client = login(staff["teamleitung"])
    both = client.get(reverse("minimumstandards:dashboard"))
    assert both.context["counts"][0].breached == 2
    one = client.get(reverse("minimumstandards:dashboard"), {"team": teams["ue25"].pk})
    (entry,) = one.context["counts"]
    assert entry.breached == 1
    assert listed(client, entry.link("ueberschritten")) == 1


# ------------------------------------------------------------------------------------------
# The breach forecast
# ------------------------------------------------------------------------------------------


def test_a_10_at_rule_falls_due_after_two_holidays(jobcenter, world):
    """Hand-computed: started Wednesday 20 May; 21, 22, (25 Pfingstmontag), 26, 27, 28,
    29 May, 1, 2, 3, (4 Fronleichnam) June: the 10th working day is Friday 5 June."""
    rule = DeadlineRule.objects.create(
        jobcenter=jobcenter,
        kind=RuleKind.DECISION,
        scope="",
        start_event="documents_complete",
        window="10AT",
        completing_event="decision",
        valid_from=date(2026, 5, 1),
    )
    due, _warn = compute_due(calendar_for(jobcenter), rule, at(date(2026, 5, 20), time(10)))
    assert due == at(date(2026, 6, 5))


def test_forecast_per_team_rule_and_working_day(
    jobcenter, login, staff, teams, world, django_assert_max_num_queries
):
    make, rules = world["make"], world["rules"]
    entry = rules[RuleKind.ENTRY_CHECK]
    entry.effort_minutes = 30
    entry.save()
    ten_at = DeadlineRule.objects.create(
        jobcenter=jobcenter,
        kind=RuleKind.DECISION,
        scope="",
        start_event="documents_complete",
        window="10AT",
        completing_event="decision",
        valid_from=date(2026, 5, 1),
        effort_minutes=90,
    )
    ec = RuleKind.ENTRY_CHECK
    make(RuleKind.DECISION, at(date(2026, 6, 5)), rule=ten_at)  # the 10 AT case above
    make(ec, at(date(2026, 6, 4), time(12)))  # Fronleichnam: falls to Wednesday 3 June
    make(ec, at(date(2026, 6, 6)))  # Saturday: falls to Friday 5 June
    make(ec, at(date(2026, 6, 1), time(17)))  # later today
    make(ec, at(date(2026, 6, 1), time(8)))  # already breached: not a forecast
    make(ec, at(date(2026, 6, 2)), paused=True)  # counts, but needs no hours
    make(ec, at(date(2026, 6, 16)))  # after the horizon
    make(RuleKind.VERSAGUNG, at(date(2026, 6, 3)))  # no deadline to meet
    make(ec, at(date(2026, 6, 2)), team="leistung_b")  # not the lead's team
    client = login(staff["teamleitung"])
    url = reverse("minimumstandards:forecast")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    forecast = response.context["forecast"]
    assert forecast.days == [date(2026, 6, d) for d in (1, 2, 3, 5, 8, 9, 10, 11, 12)] + [
        date(2026, 6, 15)
    ]
    (team,) = forecast.teams
    assert team.name == "Team leistung"
    rows = {r.kind: r for r in team.rows}
    assert set(rows) == {ec, RuleKind.DECISION}
    assert rows[ec].cells == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert rows[ec].paused == 1
    assert rows[ec].hours == 1.5  # three deadlines of 30 minutes; the paused one none
    assert rows[RuleKind.DECISION].cells == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert rows[RuleKind.DECISION].hours == 1.5
    assert team.day_hours == [0.5, 0, 0.5, 2.0, 0, 0, 0, 0, 0, 0]
    assert team.hours == 3.0
    # Each cell opens the list of exactly its deadlines.
    for row in team.rows:
        for n, link in zip(row.cells, row.links, strict=True):
            assert listed(client, link) == n
    body = response.content.decode().replace("&amp;", "&")
    assert rows[ec].links[3] in body


def test_forecast_shows_the_backlog_already_breached_beside_the_coming_breaches(
    login, staff, world, django_assert_max_num_queries
):
    make = world["make"]
    ec, decision = RuleKind.ENTRY_CHECK, RuleKind.DECISION
    make(ec, at(date(2026, 5, 29)))  # breached last Friday
    make(ec, at(date(2026, 6, 1), time(8)))  # breached an hour ago
    make(ec, at(date(2026, 5, 28)), paused=True)  # paused: against its due moment (R-ZT-01)
    make(ec, at(date(2026, 6, 2)))  # coming, not yet breached
    make(decision, at(date(2026, 5, 20)))  # only a backlog, no coming breach
    make(ec, at(date(2026, 5, 27)), status=Deadline.Status.LATE)  # done late: not open
    make(RuleKind.VERSAGUNG, at(date(2026, 5, 27)))  # may be issued: no breach
    make(ec, at(date(2026, 5, 29)), team="leistung_b")  # not the lead's team
    client = login(staff["teamleitung"])
    url = reverse("minimumstandards:forecast")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    (team,) = response.context["forecast"].teams
    rows = {r.kind: r for r in team.rows}
    assert set(rows) == {ec, decision}
    assert rows[ec].overdue == 3
    assert rows[ec].cells[:2] == [0, 1]
    assert rows[decision].overdue == 1
    assert rows[decision].total == 0
    assert team.overdue == 4
    # Each backlog count opens exactly its deadlines: state overdue, that team and rule.
    for row in team.rows:
        assert "zustand=ueberschritten" in row.overdue_link
        assert listed(client, row.overdue_link) == row.overdue
    body = response.content.decode()
    assert "bereits überschritten" in body
    assert rows[ec].overdue_link.replace("&", "&amp;") in body
    assert "3 bereits überschritten: Eingangsprüfung" in body


def test_forecast_backlog_of_another_team_is_not_shown(login, staff, world):
    world["make"](RuleKind.ENTRY_CHECK, at(date(2026, 5, 29)), team="leistung_b")
    response = login(staff["teamleitung"]).get(reverse("minimumstandards:forecast"))
    assert response.context["forecast"].teams == []


def test_forecast_horizon_is_selectable(login, staff, world):
    world["make"](RuleKind.ENTRY_CHECK, at(date(2026, 6, 9)))
    client = login(staff["teamleitung"])
    short = client.get(reverse("minimumstandards:forecast"), {"tage": 5}).context["forecast"]
    assert short.days == [date(2026, 6, d) for d in (1, 2, 3, 5, 8)]
    assert short.teams == []  # due on 9 June, the sixth working day
    assert client.get(reverse("minimumstandards:forecast"), {"tage": 7}).status_code == 200


@pytest.mark.parametrize("who", ["ez", "leistung", "ifk"])
def test_forecast_is_for_team_leads(login, staff, who):
    assert login(staff[who]).get(reverse("minimumstandards:forecast")).status_code == 403


def test_list_and_urgent_merge_the_teams_and_own_deadlines_in_due_order(login, staff, teams, world):
    """The list's page and the dashboard's most urgent deadlines are read per team and for
    the user's own: merged, they are in due order across page borders, each deadline once."""
    lead = staff["teamleitung"]
    lead.teams.add(teams["leistung_b"])
    make = world["make"]
    base = at(date(2026, 5, 4), time(8))
    # 30 in each team, interleaved by the minute: a at even minutes, b at odd ones.
    a = [make(RuleKind.CALLBACK, base + timedelta(minutes=2 * i)) for i in range(30)]
    b = [
        make(RuleKind.CALLBACK, base + timedelta(minutes=2 * i + 1), team="leistung_b")
        for i in range(30)
    ]
    # The lead's own, in no team, due before all of them; and one of team a they own too.
    own = make(RuleKind.CALLBACK, base - timedelta(hours=1), team="leistung")
    own.team = None
    own.owner_user = lead
    own.save()
    a[0].owner_user = lead
    a[0].save()
    expected = [own.pk] + [d.pk for pair in zip(a, b, strict=True) for d in pair]
    client = login(lead)
    url = reverse("minimumstandards:deadline_list") + "?regel=callback&zustand=ueberschritten"
    first = client.get(url)
    second = client.get(url + "&seite=2")
    assert first.context["page"].paginator.count == 61
    shown = [r["deadline"].pk for r in first.context["rows"] + second.context["rows"]]
    assert shown == expected
    urgent = client.get(reverse("minimumstandards:dashboard")).context["urgent"]
    assert [d.pk for d, _left, _tone in urgent] == expected[:20]
