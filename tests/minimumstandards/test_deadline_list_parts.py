"""The deadline list read per part (minimumstandards/listing.py, issue 13).

Each of the user's teams and their own deadlines outside those teams are counted and read
apart and merged: every deadline once, in due order, the count capped as before; each
filter selects the rows its definition (selectors.state_q) selects; and the "gemeldet"
list holds exactly the deadlines the badge counts, through flagging, closing and scanning
again. All rows hand-built; the clock frozen on Tuesday 10 March 2026, 12:00 in Berlin.
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minimumstandards import listing
from minimumstandards.access import deadlines_at_risk_count, deadlines_visible_to
from minimumstandards.models import Deadline, DeadlineAlert, DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.selectors import STATES, ListFilter, Period
from minimumstandards.services import deadline_complete, deadline_open, scan
from minimumstandards.workdays import BERLIN

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 10, 12, 0, tzinfo=BERLIN)
LIST = reverse("minimumstandards:deadline_list")


@pytest.fixture
def make(jobcenter, monkeypatch):
    apply_preset(jobcenter=jobcenter, name="demo")
    rules = {r.kind: r for r in DeadlineRule.objects.filter(jobcenter=jobcenter)}
    monkeypatch.setattr(timezone, "now", lambda: T)

    def make(team, *, due, warn=None, owner=None, kind=RuleKind.ENTRY_CHECK, **kw):
        """A deadline due `due` hours from T, at risk from `warn` hours (default due - 24)."""
        return Deadline.objects.create(
            jobcenter=jobcenter,
            rule=rules[kind],
            kind=kind,
            started_at=T - timedelta(days=10),
            due_at=T + timedelta(hours=due),
            warn_at=T + timedelta(hours=due - 24 if warn is None else warn),
            team=team,
            owner_user=owner,
            **kw,
        )

    return make


def listed(client, query: str) -> tuple[int, list[int]]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    page = response.context["page"]
    return page.paginator.count, [r["deadline"].pk for r in response.context["rows"]]


def test_each_part_once_in_due_order_and_the_queries_do_not_grow_with_the_teams(
    login, staff, teams, make
):
    """The lead's teams are ez, leistung and ue25; their own deadlines lie in no team, in
    a team between theirs (leistung_b, u25), above them (hotline) and in one of theirs."""
    lead, other = staff["teamleitung"], staff["leistung"]
    expected = [
        make(None, due=10, owner=lead),
        make(teams["leistung"], due=11, owner=lead),  # their own in their team: once
        make(teams["ue25"], due=12),
        make(teams["leistung_b"], due=13, owner=lead),
        make(teams["leistung"], due=14),
        make(teams["u25"], due=15, owner=lead),
        make(teams["hotline"], due=16, owner=lead),
        make(teams["ez"], due=17, owner=other),
    ]
    make(teams["leistung_b"], due=1)  # not theirs
    make(teams["u25"], due=2, owner=other)
    make(None, due=3, owner=other)
    client = login(lead)
    assert listed(client, "zustand=offen") == (8, [d.pk for d in expected])
    assert listed(client, "zustand=offen&team=ohne") == (1, [expected[0].pk])
    leistung = f"zustand=offen&team={teams['leistung'].pk}"
    assert listed(client, leistung) == (2, [expected[1].pk, expected[4].pk])
    # The same statements for three teams and for six: one count, one page.
    client.get(f"{LIST}?zustand=offen")
    with CaptureQueriesContext(connection) as three:
        client.get(f"{LIST}?zustand=offen")
    lead.teams.add(teams["leistung_b"], teams["u25"], teams["hotline"])
    client.get(f"{LIST}?zustand=offen")
    with CaptureQueriesContext(connection) as six:
        assert listed(client, "zustand=offen")[0] == 10  # and those of leistung_b and u25
    assert len(six) == len(three)


def test_the_count_is_capped_over_the_parts_added_up(login, staff, teams, make, monkeypatch):
    lead = staff["teamleitung"]
    for hours in range(3):
        make(teams["leistung"], due=hours)
        make(teams["ue25"], due=hours)
    client = login(lead)
    assert listed(client, "zustand=offen")[0] == 6
    monkeypatch.setattr(listing, "COUNT_CAP", 4)  # each part counted up to 5: 3 + 3, capped
    assert listed(client, "zustand=offen")[0] == 5
    monkeypatch.setattr(listing, "COUNT_CAP", 2)  # each part up to 3: 3 + 3, capped
    assert listed(client, "zustand=offen")[0] == 3


@pytest.mark.parametrize("kind", ["", RuleKind.ENTRY_CHECK])
@pytest.mark.parametrize("period", [None, "2026-03"])
def test_every_filter_lists_what_its_definition_selects(login, staff, teams, make, kind, period):
    """Across states, rules and a period, the parts' rows are those of the one query over
    deadlines_visible_to (the definition), in due order; done states by completion day."""
    lead, other = staff["teamleitung"], staff["leistung"]
    for team, owner in [(teams["leistung"], None), (teams["ue25"], lead), (None, lead)]:
        for k in (RuleKind.ENTRY_CHECK, RuleKind.VERSAGUNG, RuleKind.DECISION):
            make(team, due=-30, kind=k, owner=owner)  # breached / Versagung possible
            make(team, due=5, kind=k, owner=owner)  # at risk
            make(team, due=600, kind=k, owner=owner)  # in plan (April)
            make(team, due=6, kind=k, owner=owner, paused_at=T - timedelta(days=1))
            make(team, due=-2, kind=k, owner=owner, status="met", completed_at=T)
            make(team, due=-50, kind=k, owner=owner, status="late", completed_at=T)
            make(
                team,
                due=-40,
                kind=k,
                owner=owner,
                status="late",
                completed_at=T - timedelta(days=30),
            )
    make(teams["leistung_b"], due=-30, owner=other)  # not the lead's
    scan(now=T)
    client = login(lead)
    for state in STATES:
        chosen = ListFilter(kind=kind, state=state, period=Period.parse(period) if period else None)
        definition = chosen.apply(deadlines_visible_to(lead), T).order_by("due_at", "pk")
        expected = list(definition.values_list("pk", flat=True))
        if not kind and not period:  # the rows above have every state
            assert expected, state
        assert listed(client, chosen.query()) == (len(expected), expected), state


def test_gemeldet_lists_what_the_badge_counts_through_flag_close_and_rescan(
    login, staff, teams, make
):
    leistung, ue25, u25 = teams["leistung"], teams["ue25"], teams["u25"]
    ifk = staff["ifk"]
    breached = make(leistung, due=-1)
    warned = make(leistung, due=2, warn=-1)  # warned now, breached at the second scan
    make(leistung, due=30)  # in plan
    later = make(leistung, due=20, warn=2)  # at risk by the second scan (T + 3 h)
    make(leistung, due=-5, kind=RuleKind.VERSAGUNG)  # may be issued: flagged, not at risk
    make(leistung, due=-5, paused_at=T - timedelta(days=2))  # paused: not flagged
    own_team = make(ue25, due=-1, owner=ifk)
    own_outside = make(u25, due=1, warn=-1, owner=ifk)
    make(u25, due=-1)  # neither ifk's team nor theirs
    who = ["leistung", "ifk", "teamleitung", "ez"]

    def both(user) -> tuple[int, list[int]]:
        fresh = type(user).objects.get(pk=user.pk)
        count, rows = listed(login(fresh), "zustand=gemeldet")
        assert count == deadlines_at_risk_count(fresh) == len(rows), user.username
        return count, rows

    assert scan(now=T) == {"breach": 4, "warning": 2}
    counts = {w: both(staff[w]) for w in who}
    assert counts["leistung"] == (2, [breached.pk, warned.pk])
    assert counts["ifk"] == (2, [own_team.pk, own_outside.pk])
    assert counts["teamleitung"][0] == 3 and counts["ez"][0] == 0
    # Opened behind the watermark: flagged at once, in the list at once.
    opened = deadline_open(
        jobcenter=leistung.jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=T - timedelta(days=3),
        team=leistung,
    )
    assert both(staff["leistung"]) == (3, [opened.pk, breached.pk, warned.pk])
    deadline_complete(kind=RuleKind.ENTRY_CHECK, antrag=None, pk=breached.pk, at=T)
    assert both(staff["leistung"]) == (2, [opened.pk, warned.pk])
    # The second scan, ahead of the clock: the warned ones breach (not a second count),
    # the later one is at risk; its warning moment lies after now, within the watermark.
    assert scan(now=T + timedelta(hours=3)) == {"breach": 2, "warning": 1}
    assert later.warn_at > timezone.now()
    assert both(staff["leistung"]) == (3, [opened.pk, warned.pk, later.pk])
    assert scan(now=T + timedelta(hours=3)) == {"breach": 0, "warning": 0}  # idempotent
    assert {w: both(staff[w])[0] for w in who} == {
        "leistung": 3,
        "ifk": 2,
        "teamleitung": 4,
        "ez": 0,
    }
    assert DeadlineAlert.objects.filter(deadline=warned).count() == 2
