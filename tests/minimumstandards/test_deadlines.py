import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from intake.models import Antrag
from intake.services import antrag_transition
from minimumstandards.models import ClosingDay, Deadline, DeadlineAlert, DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import (
    SCAN_LOCK_KEY,
    DeadlineError,
    calendar_for,
    deadline_pause,
    deadline_resume,
    deadlines_recompute,
    scan,
)
from minimumstandards.workdays import BERLIN, format_due
from tests.factories import completes_documents, person, register, settle_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(jobcenter):
    apply_preset(jobcenter=jobcenter, name="demo")
    return jobcenter


def step(antrag, actor, name, **params):
    field = "eg_state" if "first_consultation" in name else "state"
    if completes_documents(name, params):
        settle_checklist(antrag)
    return antrag_transition(
        actor=actor,
        antrag_id=antrag.pk,
        name=name,
        expected_state=getattr(Antrag.objects.get(pk=antrag.pk), field),
        comment=params.pop("comment", ""),
        **params,
    )


def open_deadline(antrag, kind) -> Deadline:
    return antrag.deadlines.get(kind=kind, status=Deadline.Status.OPEN)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_personal_application_opens_entry_check_24h_versagung_and_first_consultation(
    profile, staff, teams
):
    received = berlin(2026, 4, 2, 10, 30)  # Thursday before Easter, NW
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        application_date=date(2026, 4, 2),
        received_at=received,
    )
    kinds = set(antrag.deadlines.values_list("kind", flat=True))
    assert kinds == {RuleKind.ENTRY_CHECK, RuleKind.VERSAGUNG, RuleKind.FIRST_CONSULTATION}
    entry = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    assert format_due(entry.due_at) == "2026-04-07T10:30:00+02:00"
    assert entry.warn_at == entry.due_at - timedelta(hours=4)
    assert entry.team == teams["leistung"]
    assert entry.owner_postfach == teams["leistung"].postfach
    versagung = open_deadline(antrag, RuleKind.VERSAGUNG)
    assert format_due(versagung.due_at) == "2026-04-26T23:59:59+02:00"  # 24 calendar days
    eg = open_deadline(antrag, RuleKind.FIRST_CONSULTATION)
    assert eg.team == teams["ue25"]  # applicant over 25, no IFK yet


def test_postal_application_counts_9_working_days_from_arrival(profile, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        channel=Antrag.Channel.POSTAL,
        application_date=date(2025, 12, 16),
        received_at=berlin(2025, 12, 16, 0, 0),
    )
    entry = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    # 17, 18, 19, 22, 23, 29, 30 Dec, 2 and 5 Jan: 24/31 Dec closed, 25/26 Dec, 1 Jan holidays.
    assert format_due(entry.due_at) == "2026-01-05T23:59:59+01:00"
    # Warned from the start of the working day before.
    assert entry.warn_at == berlin(2026, 1, 2, 0, 0)


def test_entry_check_in_time_is_met_late_is_late(profile, staff, teams):
    now = timezone.now()
    on_time = register(actor=staff["ez"], leistung_team=teams["leistung"], received_at=now)
    late = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Late", "Case", is_head=True)],
        application_date=timezone.localdate() - timedelta(days=10),
        received_at=now - timedelta(days=10),
    )
    step(on_time, staff["leistung"], "complete_entry_check", documents_complete=False)
    step(late, staff["leistung"], "complete_entry_check", documents_complete=False)
    assert on_time.deadlines.get(kind=RuleKind.ENTRY_CHECK).status == Deadline.Status.MET
    assert late.deadlines.get(kind=RuleKind.ENTRY_CHECK).status == Deadline.Status.LATE


def test_documents_complete_opens_decision_and_stops_versagung_clock(profile, staff, antrag):
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=False)
    step(antrag, staff["leistung"], "confirm_documents_complete")
    decision = open_deadline(antrag, RuleKind.DECISION)
    calendar = calendar_for(antrag.jobcenter)
    assert timezone.localtime(decision.due_at, BERLIN).date() == calendar.add_working_days(
        timezone.localdate(), 14
    )
    assert antrag.deadlines.get(kind=RuleKind.VERSAGUNG).status == Deadline.Status.CANCELLED
    step(antrag, staff["leistung"], "approve")
    assert antrag.deadlines.get(kind=RuleKind.DECISION).status == Deadline.Status.MET


def test_rejection_cancels_the_first_consultation_clock(profile, staff, antrag):
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=True)
    step(antrag, staff["leistung"], "reject", comment="kein Anspruch")
    assert not antrag.deadlines.filter(status=Deadline.Status.OPEN).exists()
    assert (
        antrag.deadlines.get(kind=RuleKind.FIRST_CONSULTATION).status == Deadline.Status.CANCELLED
    )


def test_first_consultation_held_closes_its_deadline(profile, staff, antrag):
    step(
        antrag,
        staff["ez"],
        "book_first_consultation",
        at=timezone.now() + timedelta(days=1),
        ifk=staff["ifk"],
    )
    step(antrag, staff["ifk"], "record_first_consultation_held")
    assert antrag.deadlines.get(kind=RuleKind.FIRST_CONSULTATION).status == Deadline.Status.MET


def test_rhein_lahn_starts_first_consultation_clock_at_entitlement(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn", valid_from=date(2020, 1, 1))
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    assert not antrag.deadlines.filter(kind=RuleKind.FIRST_CONSULTATION).exists()
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=True)
    decision = open_deadline(antrag, RuleKind.DECISION)
    assert decision.rule.window == "10AT"
    step(antrag, staff["leistung"], "approve")
    # The approval itself starts it (rule R-EG-02); the handover starts no second one.
    eg = open_deadline(antrag, RuleKind.FIRST_CONSULTATION)
    step(antrag, staff["leistung"], "hand_to_integration")
    assert antrag.deadlines.filter(kind=RuleKind.FIRST_CONSULTATION).count() == 1
    calendar = calendar_for(jobcenter)
    assert timezone.localtime(eg.due_at, BERLIN).date() == calendar.add_working_days(
        timezone.localdate(), 10
    )


def test_a_case_keeps_the_rule_in_force_when_its_clock_started(profile, staff, teams):
    old = register(actor=staff["ez"], leistung_team=teams["leistung"])
    rule = open_deadline(old, RuleKind.VERSAGUNG).rule
    DeadlineRule.objects.create(
        jobcenter=profile,
        kind=RuleKind.VERSAGUNG,
        start_event=rule.start_event,
        window="30KT",
        completing_event=rule.completing_event,
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    deadlines_recompute(jobcenter=profile)
    assert open_deadline(old, RuleKind.VERSAGUNG).rule == rule


def test_profile_change_recomputes_only_open_deadlines_not_yet_due(profile, staff, teams):
    fresh = register(actor=staff["ez"], leistung_team=teams["leistung"])
    overdue = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Alt", "Fall", is_head=True)],
        application_date=timezone.localdate() - timedelta(days=40),
        received_at=timezone.now() - timedelta(days=40),
    )
    overdue_due = open_deadline(overdue, RuleKind.VERSAGUNG).due_at
    fresh_due = open_deadline(fresh, RuleKind.VERSAGUNG).due_at
    DeadlineRule.objects.filter(jobcenter=profile, kind=RuleKind.VERSAGUNG).update(window="30KT")
    changed = deadlines_recompute(jobcenter=profile)
    assert open_deadline(fresh, RuleKind.VERSAGUNG).due_at == fresh_due + timedelta(days=6)
    assert open_deadline(overdue, RuleKind.VERSAGUNG).due_at == overdue_due
    assert changed >= 1


def test_added_closing_day_moves_working_day_deadlines(profile, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        channel=Antrag.Channel.POSTAL,
    )
    before = open_deadline(antrag, RuleKind.ENTRY_CHECK).due_at
    calendar = calendar_for(profile)
    outing = calendar.add_working_days(timezone.localdate(), 2)
    ClosingDay.objects.create(jobcenter=profile, day=outing, reason="Betriebsausflug")
    deadlines_recompute(jobcenter=profile)
    after = open_deadline(antrag, RuleKind.ENTRY_CHECK).due_at
    assert (
        calendar_for(profile).working_days_between(
            timezone.localtime(before, BERLIN).date(), timezone.localtime(after, BERLIN).date()
        )
        == 1
    )


def test_pause_needs_reason_and_resume_extends_by_paused_working_days(profile, staff, antrag):
    deadline = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    with pytest.raises(DeadlineError):
        deadline_pause(actor=staff["leistung"], deadline_id=deadline.pk, reason=" ")
    deadline_pause(
        actor=staff["leistung"],
        deadline_id=deadline.pk,
        reason="Mitwirkung schriftlich angefordert",
    )
    with pytest.raises(DeadlineError):
        deadline_pause(actor=staff["leistung"], deadline_id=deadline.pk, reason="nochmal")
    # Paused three working days ago.
    calendar = calendar_for(antrag.jobcenter)
    day = timezone.localdate()
    for _ in range(3):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    Deadline.objects.filter(pk=deadline.pk).update(
        paused_at=datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)
    )
    paused = calendar.working_days_between(day, timezone.localdate())
    resumed = deadline_resume(actor=staff["leistung"], deadline_id=deadline.pk)
    assert resumed.extension_days == paused
    assert resumed.paused_at is None
    # Rule R-ZT-01 (issue 11): the due moment the figures count against stays; the worker's
    # date moves on by the paused working days.
    assert resumed.due_at == deadline.due_at
    assert (
        calendar.working_days_between(
            timezone.localtime(deadline.due_at, BERLIN).date(),
            timezone.localtime(resumed.extended_due_at, BERLIN).date(),
        )
        == paused
    )


# --- the scan ----------------------------------------------------------------------------


def test_scan_flags_warning_and_breach_once(profile, staff, antrag):
    entry = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    versagung = open_deadline(antrag, RuleKind.VERSAGUNG)
    # A moment between the entry check's warning and due time: warning only.
    moment = entry.warn_at + timedelta(minutes=1)
    assert scan(now=moment) == {"breach": 0, "warning": 1}
    assert scan(now=moment) == {"breach": 0, "warning": 0}
    # Past the due moment of all three: each breached once, the warning stays recorded.
    # (Around Christmas the first consultation's working days end after the Versagung's
    # calendar days, so the latest due moment is taken, not the Versagung's.)
    later = max(Deadline.objects.values_list("due_at", flat=True)) + timedelta(minutes=1)
    assert later > versagung.due_at
    counts = scan(now=later)
    assert counts["breach"] == 3  # entry check, Versagung, first consultation
    assert scan(now=later) == {"breach": 0, "warning": 0}
    assert DeadlineAlert.objects.filter(deadline=entry).count() == 2
    entry.refresh_from_db()
    assert entry.flagged_level == Deadline.Level.BREACH


def test_paused_and_closed_deadlines_are_not_flagged(profile, staff, antrag):
    entry = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    deadline_pause(actor=staff["leistung"], deadline_id=entry.pk, reason="Grund")
    step(
        antrag,
        staff["ez"],
        "book_first_consultation",
        at=timezone.now() + timedelta(days=1),
        ifk=staff["ifk"],
    )
    step(antrag, staff["ifk"], "record_first_consultation_held")
    scan(now=timezone.now() + timedelta(days=400))
    flagged = set(DeadlineAlert.objects.values_list("deadline__kind", flat=True))
    assert flagged == {RuleKind.VERSAGUNG}


@pytest.mark.django_db(transaction=True)
def test_second_scheduler_skips_while_the_first_scans(profile, staff, teams):
    register(actor=staff["ez"], leistung_team=teams["leistung"])
    result = {}
    holding = threading.Event()
    release = threading.Event()

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
    result["second"] = scan(now=timezone.now() + timedelta(days=400))
    release.set()
    thread.join(10)
    assert result["second"] is None
    assert not DeadlineAlert.objects.exists()
    assert scan(now=timezone.now() + timedelta(days=400))["breach"] == 3


# --- optional e-mail to the team mailbox ----------------------------------------------------


def _flag_entry_check(antrag):
    entry = open_deadline(antrag, RuleKind.ENTRY_CHECK)
    scan(now=entry.due_at + timedelta(minutes=1))
    return entry


def test_alert_email_is_off_by_default(profile, staff, antrag, mailoutbox):
    from minimumstandards.services import alerts_send_emails

    _flag_entry_check(antrag)
    assert alerts_send_emails(now=berlin(2026, 11, 23, 10, 0)) == 0
    assert mailoutbox == []


def test_alert_email_in_office_hours_once_without_names(
    profile, staff, teams, antrag, mailoutbox, settings
):
    from minimumstandards.services import alerts_send_emails

    settings.DEADLINE_ALERT_EMAIL = True
    teams["leistung"].postfach.email = "leistung@jobcenter.example"
    teams["leistung"].postfach.save()
    _flag_entry_check(antrag)
    # Sunday: no mail; Monday 10:00: one mail; again: nothing new.
    assert alerts_send_emails(now=berlin(2026, 11, 22, 10, 0)) == 0
    assert alerts_send_emails(now=berlin(2026, 11, 23, 10, 0)) >= 1
    assert alerts_send_emails(now=berlin(2026, 11, 23, 10, 5)) == 0
    leistung_mails = [m for m in mailoutbox if m.to == ["leistung@jobcenter.example"]]
    assert len(leistung_mails) == 1
    body = leistung_mails[0].body
    assert "Eingangsprüfung" in body
    assert antrag.applicant.kundennummer in body
    assert antrag.applicant.last_name not in body


def test_alert_email_always_goes_out_at_night_and_on_sundays_once(
    profile, staff, teams, antrag, mailoutbox, settings
):
    from minimumstandards.services import alerts_send_emails

    settings.DEADLINE_ALERT_EMAIL = True
    settings.DEADLINE_ALERT_EMAIL_HOURS = "always"
    teams["leistung"].postfach.email = "leistung@jobcenter.example"
    teams["leistung"].postfach.save()
    _flag_entry_check(antrag)
    # Sunday 03:00: out at once; again on Monday: nothing new.
    assert alerts_send_emails(now=berlin(2026, 11, 22, 3, 0)) >= 1
    assert alerts_send_emails(now=berlin(2026, 11, 23, 10, 0)) == 0
    assert len([m for m in mailoutbox if m.to == ["leistung@jobcenter.example"]]) == 1


# --- deadlines of customers and tickets ----------------------------------------------------


def test_callback_deadline_on_a_ticket_opens_once_and_completes(profile, staff, teams):
    from minimumstandards.services import deadline_complete, deadline_open
    from routing.services import aufgabe_create

    ticket = aufgabe_create(
        created_by=staff["empfang"], title="Rückruf", postfach=teams["leistung"].postfach
    )
    thursday = berlin(2026, 4, 2, 10, 30)
    first = deadline_open(
        jobcenter=profile,
        kind=RuleKind.CALLBACK,
        started_at=thursday,
        team=teams["leistung"],
        aufgabe=ticket,
    )
    assert format_due(first.due_at) == "2026-04-07T10:30:00+02:00"
    again = deadline_open(
        jobcenter=profile, kind=RuleKind.CALLBACK, started_at=thursday, team=None, aufgabe=ticket
    )
    assert again == first
    (closed,) = deadline_complete(
        kind=RuleKind.CALLBACK, aufgabe=ticket, at=berlin(2026, 4, 7, 9, 0)
    )
    assert closed.status == Deadline.Status.MET


def test_no_rule_no_deadline(jobcenter, staff, teams):
    from minimumstandards.services import deadline_open

    assert (
        deadline_open(
            jobcenter=jobcenter,
            kind=RuleKind.CONTACT_DENSITY,
            started_at=timezone.now(),
            team=teams["ue25"],
        )
        is None
    )


def test_a_deadline_can_carry_its_own_shorter_window(profile, staff, teams, antrag):
    from minimumstandards.services import deadline_open

    start = timezone.now()
    monthly = deadline_open(
        jobcenter=profile,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=start,
        team=teams["ue25"],
        kunde=antrag.applicant,
        window="30KT",
    )
    expected = timezone.localtime(start, BERLIN).date() + timedelta(days=30)
    assert timezone.localtime(monthly.due_at, BERLIN).date() == expected
    # The rule keeps the 180-day maximum; recomputation keeps this deadline's own window.
    assert monthly.rule.window == "180KT"
    deadlines_recompute(jobcenter=profile)
    monthly.refresh_from_db()
    assert timezone.localtime(monthly.due_at, BERLIN).date() == expected
