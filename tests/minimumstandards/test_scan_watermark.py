"""The scan past its watermark: the alerts are the only record of a flag (issue 13).

Every moment here is fixed (a Tuesday in March 2026, Berlin); `timezone.now` is frozen
wherever a service reads it. Expected counts are counted by hand from the rows made here.
"""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from minimumstandards.access import deadlines_at_risk_count
from minimumstandards.context_processors import deadline_badge
from minimumstandards.models import Deadline, DeadlineAlert, DeadlineRule, RuleKind, ScanWatermark
from minimumstandards.presets import apply_preset
from minimumstandards.services import (
    SCAN_LOCK_KEY,
    deadline_complete,
    deadline_open,
    deadline_pause,
    deadline_resume,
    deadlines_recompute,
    scan,
)
from minimumstandards.workdays import BERLIN

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 10, 12, 0, tzinfo=BERLIN)  # Tuesday, no holiday anywhere


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    c = Clock()
    c.set(T)
    return c


@pytest.fixture
def rule(jobcenter):
    apply_preset(jobcenter=jobcenter, name="demo")
    return DeadlineRule.objects.filter(jobcenter=jobcenter, kind=RuleKind.ENTRY_CHECK).first()


def make(rule, team, *, warn, due, owner=None, paused=False) -> Deadline:
    """A running deadline whose warning and due moments are `warn`/`due` hours from T."""
    return Deadline.objects.create(
        jobcenter=rule.jobcenter,
        rule=rule,
        kind=rule.kind,
        started_at=T - timedelta(days=3),
        warn_at=T + timedelta(hours=warn),
        due_at=T + timedelta(hours=due),
        team=team,
        owner_user=owner,
        paused_at=T - timedelta(days=1) if paused else None,
    )


def alerts(deadline) -> list[str]:
    return sorted(DeadlineAlert.objects.filter(deadline=deadline).values_list("level", flat=True))


def test_two_scans_make_one_alert_each_and_the_deadline_row_is_never_written(rule, teams):
    warned = make(rule, teams["leistung"], warn=-2, due=5)
    breached = make(rule, teams["leistung"], warn=-30, due=-1)
    calm = make(rule, teams["leistung"], warn=20, due=30)
    before = {d.pk: Deadline.objects.filter(pk=d.pk).values().get() for d in (warned, breached)}
    assert scan(now=T) == {"breach": 1, "warning": 1}
    assert scan(now=T) == {"breach": 0, "warning": 0}
    assert scan(now=T + timedelta(minutes=5)) == {"breach": 0, "warning": 0}
    assert alerts(warned) == ["warning"] and alerts(breached) == ["breach"]
    assert alerts(calm) == []
    # The scan inserts alert rows only: the deadlines are as they were.
    after = {d.pk: Deadline.objects.filter(pk=d.pk).values().get() for d in (warned, breached)}
    assert after == before
    assert ScanWatermark.objects.get().scanned_to == T + timedelta(minutes=5)


def test_the_steady_scan_inserts_only_what_crossed_since_the_previous(rule, teams):
    made = [make(rule, teams["leistung"], warn=-h, due=48) for h in (1, 2, 3)]
    scan(now=T)
    assert DeadlineAlert.objects.count() == 3
    # Five minutes later: one warning moment (T + 3 min) and one due moment (T + 4 min)
    # lie in between; the three flagged before are not looked at again.
    crossing_warn = make(rule, teams["leistung"], warn=0.05, due=48)
    # (Made directly, not by a service: its warning moment stays unflagged behind the mark.)
    crossing_due = make(rule, teams["leistung"], warn=-1, due=4 / 60)
    assert scan(now=T + timedelta(minutes=5)) == {"breach": 1, "warning": 1}
    assert DeadlineAlert.objects.count() == 5
    assert alerts(crossing_warn) == ["warning"] and alerts(crossing_due) == ["breach"]
    assert all(alerts(d) == ["warning"] for d in made)
    # Nothing crossed since: nothing inserted, nothing else done.
    assert scan(now=T + timedelta(minutes=10)) == {"breach": 0, "warning": 0}
    assert DeadlineAlert.objects.count() == 5


def test_a_watermark_ahead_of_now_never_moves_back(rule, teams):
    deadline = make(rule, teams["leistung"], warn=1, due=2)
    assert scan(now=T + timedelta(hours=3)) == {"breach": 1, "warning": 0}
    assert scan(now=T) == {"breach": 0, "warning": 0}
    assert ScanWatermark.objects.get().scanned_to == T + timedelta(hours=3)
    assert alerts(deadline) == ["breach"]


def test_paused_behind_the_watermark_and_resumed_is_flagged_exactly_once(clock, rule, teams, staff):
    deadline = make(rule, teams["leistung"], warn=1, due=3)
    deadline_pause(actor=staff["leistung"], deadline_id=deadline.pk, reason="Gutachten")
    # Both moments pass while the clock is paused: the scans skip it.
    assert scan(now=T + timedelta(hours=2)) == {"breach": 0, "warning": 0}
    assert scan(now=T + timedelta(hours=4)) == {"breach": 0, "warning": 0}
    assert alerts(deadline) == []
    clock.set(T + timedelta(hours=4, minutes=1))
    deadline_resume(actor=staff["leistung"], deadline_id=deadline.pk)
    # Resumed behind the watermark: the service flagged it (breached by its due moment).
    assert alerts(deadline) == ["breach"]
    assert scan(now=T + timedelta(hours=5)) == {"breach": 0, "warning": 0}
    assert alerts(deadline) == ["breach"]


def test_a_pause_after_the_warning_keeps_the_alert_and_resume_adds_the_breach_once(
    clock, rule, teams, staff
):
    deadline = make(rule, teams["leistung"], warn=-1, due=3)
    scan(now=T)
    deadline_pause(actor=staff["leistung"], deadline_id=deadline.pk, reason="Gutachten")
    scan(now=T + timedelta(hours=4))
    assert alerts(deadline) == ["warning"]
    clock.set(T + timedelta(hours=5))
    deadline_resume(actor=staff["leistung"], deadline_id=deadline.pk)
    assert scan(now=T + timedelta(hours=6)) == {"breach": 0, "warning": 0}
    assert alerts(deadline) == ["breach", "warning"]
    # The badge counts the deadline once, not once per alert.
    assert deadlines_at_risk_count(staff["leistung"]) == 1


def test_a_new_deadline_already_at_risk_is_flagged_by_its_service(clock, rule, teams, staff):
    scan(now=T)
    opened = deadline_open(
        jobcenter=rule.jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=T - timedelta(days=10),
        team=teams["leistung"],
    )
    assert opened.due_at < T
    assert alerts(opened) == ["breach"]
    assert scan(now=T + timedelta(minutes=5)) == {"breach": 0, "warning": 0}
    assert alerts(opened) == ["breach"]


def test_a_deadline_moved_behind_the_watermark_is_flagged_once_and_moved_out_unflagged(
    clock, rule, teams
):
    """A shorter window in the profile moves an open deadline's moments to before the last
    scan: the recompute flags it; a longer one takes a warning that is no longer true."""
    opened = deadline_open(
        jobcenter=rule.jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=T - timedelta(hours=1),
        team=teams["leistung"],
    )
    callback_rule = opened.rule
    assert opened.warn_at > T  # 24 h window: not at risk yet
    scan(now=T + timedelta(minutes=5))
    assert alerts(opened) == []
    # A four-hour warning lead of a 24-hour window: at risk from T + 19 h. Make it a
    # 30-hour lead instead: the warning moment moves to before the watermark.
    callback_rule.warn_lead = "30h"
    callback_rule.save()
    assert deadlines_recompute(jobcenter=rule.jobcenter) == 1
    assert alerts(opened) == ["warning"]
    assert scan(now=T + timedelta(minutes=10)) == {"breach": 0, "warning": 0}
    assert alerts(opened) == ["warning"]
    # Back to four hours: the warning lies ahead again, its alert goes.
    callback_rule.warn_lead = "4h"
    callback_rule.save()
    assert deadlines_recompute(jobcenter=rule.jobcenter) == 1
    assert alerts(opened) == []


def test_badge_counts_the_open_flagged_deadlines_of_the_users_teams_and_own(
    rule, teams, staff, django_assert_max_num_queries
):
    leistung, leistung_b = teams["leistung"], teams["leistung_b"]
    ue25, u25 = teams["ue25"], teams["u25"]
    d1 = make(rule, leistung, warn=-30, due=-1)  # breached: leistung, teamleitung
    d2 = make(rule, leistung, warn=-1, due=2)  # warned, then breached: counts once
    make(rule, leistung, warn=20, due=30)  # not at risk
    make(rule, leistung_b, warn=-30, due=-1)  # leistung_b only
    make(rule, ue25, warn=-1, due=20, owner=staff["ifk"])  # ifk (team and own), teamleitung
    make(rule, u25, warn=-1, due=20, owner=staff["ifk"])  # ifk's own in another team
    make(rule, ue25, warn=-1, due=20, owner=staff["ifk"], paused=True)  # paused: not flagged
    closed = make(rule, leistung, warn=-30, due=-1)  # flagged, then closed
    scan(now=T)
    scan(now=T + timedelta(hours=3))
    assert alerts(d2) == ["breach", "warning"] and alerts(d1) == ["breach"]
    deadline_complete(kind=rule.kind, antrag=None, pk=closed.pk, at=T + timedelta(hours=3))
    assert DeadlineAlert.objects.get(deadline=closed).closed_at == T + timedelta(hours=3)
    expected = {"leistung": 2, "leistung_b": 1, "ifk": 2, "ifk2": 1, "teamleitung": 3, "ez": 0}
    for who, count in expected.items():
        user = type(staff[who]).objects.get(pk=staff[who].pk)  # teams not read yet
        request = RequestFactory().get("/")
        request.user = user
        with django_assert_max_num_queries(1):  # one statement, the teams in it
            badge = deadline_badge(request)
        assert badge["deadlines_at_risk"] == count, who
        # The badge opens exactly these: the list of the same alerts.
        assert badge["deadlines_at_risk_url"] == "/fristen/liste/?zustand=gemeldet"
    # Who has no deadlines at all sees no badge.
    assert deadlines_at_risk_count(staff["hotline"]) == 0


@pytest.mark.django_db(transaction=True)
def test_a_scan_under_anothers_lock_skips_and_leaves_the_watermark(rule, teams):
    make(rule, teams["leistung"], warn=-30, due=-1)
    holding, release = threading.Event(), threading.Event()

    def first_scheduler():
        try:
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_scheduler)
    thread.start()
    assert holding.wait(10)
    skipped = scan(now=T)
    release.set()
    thread.join(10)
    assert skipped is None
    assert not DeadlineAlert.objects.exists()
    assert not ScanWatermark.objects.exclude(scanned_to=None).exists()
    assert scan(now=T) == {"breach": 1, "warning": 0}
