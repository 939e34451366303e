"""Deletion on schedule: past its period a record is deleted or anonymised, within it kept;
the statistics stay the same; a held person keeps everything; each run is logged by counts."""

from datetime import date

import pytest

from appointments.kpi import consultations_by_month_and_period
from appointments.models import Appointment, AvailabilityRestriction, ContactProfile
from frontdesk.models import Visit, VisitEvent
from frontdesk.stats import report
from intake.models import Antrag, AntragTransition, Bedarfsgemeinschaft, Kunde
from jobcenter.models import AuditEvent
from privacy.models import Anonymisation, LegalHold, RetentionRun
from privacy.retention import retention_apply
from privacy.tasks import apply_retention
from routing.models import ApiSubmission, Aufgabe, HotlineTicket, Vermerk

from .conftest import LAST_MONTH, LONG_AGO, NOW

pytestmark = pytest.mark.django_db


def _figures(site, ifk):
    """The front-desk report of February 2019 and the consultations KPI of that month."""
    rep = report(site, date(2019, 2, 1), date(2019, 2, 28))
    kpi = consultations_by_month_and_period(Appointment.objects.all(), [ifk], [date(2019, 2, 1)])
    return {
        "visits": rep.total.visits,
        "waits": rep.total.durations.waits,
        "contacts": rep.total.durations.contacts,
        "per_day": [(row.label, row.visits) for row in rep.per_day],
        "consultations": [(a.months, a.period) for a in kpi],
    }


def test_past_their_period_records_go_within_it_they_stay(build_person, jobcenter):
    old = build_person(LONG_AGO)
    recent = build_person(LAST_MONTH, last_name="Neu", first_name="Nina")
    old_notes = Vermerk.objects.filter(kunde=old.kunde).count()
    assert old_notes >= 2  # the intake's note and the move

    run = retention_apply(jobcenter=jobcenter, now=NOW)

    # The old person's visit stays, without the person or the note about them.
    visit = Visit.objects.get(pk=old.visit.pk)
    assert (visit.kunde_id, visit.appointment_id, visit.priority_note) == (None, None, "")
    assert not VisitEvent.objects.filter(visit=visit).exclude(note="").exists()
    # Notes deleted (with the API's receipt), tasks and tickets without text or person.
    assert Vermerk.objects.filter(kunde=old.kunde).count() == 0
    assert not ApiSubmission.objects.filter(client_key="k1").exists()
    task = Aufgabe.objects.get(pk=old.aufgabe.pk)
    assert (task.kunde_id, task.title, task.description, task.done_note) == (None, "—", "", "")
    ticket = HotlineTicket.objects.get(aufgabe=task)
    assert (ticket.caller_name, ticket.callback_number) == ("", "")
    # The appointment keeps kind, status and minutes; its note is gone.
    appointment = Appointment.objects.get(pk=old.appointment.pk)
    assert appointment.booking_note == ""
    assert (appointment.status, appointment.held_minutes, appointment.kunde_id) == (
        "durchgefuehrt",
        45,
        old.kunde.pk,
    )
    # The closed case keeps its dates and state, not its texts.
    case = Antrag.objects.get(pk=old.antrag.pk)
    assert (case.reason, case.decision_note, case.state) == ("", "", "zurueckgenommen")
    assert not AntragTransition.objects.filter(antrag=case).exclude(comment="").exists()
    # The person: no name, no address, the year of birth only, a new number.
    kunde = Kunde.objects.get(pk=old.kunde.pk)
    assert (kunde.first_name, kunde.last_name) == ("", "anonymisiert")
    assert kunde.date_of_birth == date(1981, 1, 1)
    assert kunde.kundennummer == f"X{kunde.pk:09d}"
    assert Anonymisation.objects.filter(kunde=kunde).exists()
    assert ContactProfile.objects.get(kunde=kunde).refusal_documentation == ""
    assert AvailabilityRestriction.objects.get(kunde=kunde).reason == ""
    # The audit older than 24 months is gone.
    assert not AuditEvent.objects.filter(subject_id=kunde.pk, at__lt=LONG_AGO.replace(year=2020))

    # The recent person keeps everything.
    fresh = Kunde.objects.get(pk=recent.kunde.pk)
    assert (fresh.first_name, fresh.last_name) == ("Nina", "Neu")
    assert Visit.objects.get(pk=recent.visit.pk).kunde_id == fresh.pk
    assert Vermerk.objects.filter(pk=recent.vermerk.pk).exists()
    assert Appointment.objects.get(pk=recent.appointment.pk).booking_note == (
        "Nina Neu bringt den Bescheid mit"
    )
    assert Antrag.objects.get(pk=recent.antrag.pk).reason == "Kündigung; Nina Neu ruft zurück"
    assert AuditEvent.objects.filter(subject_id=fresh.pk).exists()

    # Counted per kind, and audited by counts alone.
    assert run.counts["visits"] == 1
    assert run.counts["notes"] == old_notes
    assert run.counts["appointments"] == 1
    assert run.counts["cases"] == 1
    assert run.counts["persons"] == 1
    assert run.counts["tasks"] >= 1
    assert run.counts["audit"] > 0
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.changes == run.counts
    assert event.actor is None
    assert "Kranich" not in f"{event.summary} {event.changes}"


def test_statistics_are_the_same_after_anonymisation(build_person, jobcenter, site, staff):
    build_person(LONG_AGO)
    before = _figures(site, staff["ifk"])
    # Hand-computed: one visit on 4 February 2019 that waited 12 minutes; one qualified
    # first consultation held in February 2019.
    assert before["visits"] == 1
    assert before["waits"] == [720.0]
    assert before["consultations"] == [((1,), 0)]

    retention_apply(jobcenter=jobcenter, now=NOW)

    assert _figures(site, staff["ifk"]) == before


def test_a_held_person_keeps_everything(build_person, jobcenter, staff):
    old = build_person(LONG_AGO)
    LegalHold.objects.create(kunde=old.kunde, reason="Klage anhängig", set_by=staff["admin"])
    notes = Vermerk.objects.filter(kunde=old.kunde).count()
    audits = AuditEvent.objects.filter(subject_id=old.kunde.pk).count()

    run = retention_apply(jobcenter=jobcenter, now=NOW)

    kunde = Kunde.objects.get(pk=old.kunde.pk)
    assert (kunde.first_name, kunde.last_name) == ("Karla", "Kranich")
    assert Visit.objects.get(pk=old.visit.pk).kunde_id == kunde.pk
    assert Vermerk.objects.filter(kunde=kunde).count() == notes
    assert Appointment.objects.get(pk=old.appointment.pk).booking_note != ""
    assert Antrag.objects.get(pk=old.antrag.pk).reason != ""
    assert AuditEvent.objects.filter(subject_id=kunde.pk).count() == audits
    assert run.counts["visits"] == run.counts["persons"] == run.counts["cases"] == 0


def test_a_second_run_finds_nothing_left(build_person, jobcenter):
    build_person(LONG_AGO)
    retention_apply(jobcenter=jobcenter, now=NOW)
    second = retention_apply(jobcenter=jobcenter, now=NOW)
    assert {k: v for k, v in second.counts.items() if k != "audit"} == {
        "visits": 0,
        "notes": 0,
        "tasks": 0,
        "appointments": 0,
        "cases": 0,
        "persons": 0,
        "tasks_open_kept": 0,
    }


def test_the_jobcenters_periods_decide(build_person, jobcenter):
    old = build_person(LONG_AGO)
    policy = jobcenter.retention_policy
    policy.visits_months = 240
    policy.persons_months = 240
    policy.save()
    run = retention_apply(jobcenter=jobcenter, now=NOW)
    assert run.counts["visits"] == 0
    assert Visit.objects.get(pk=old.visit.pk).kunde_id == old.kunde.pk
    assert Kunde.objects.get(pk=old.kunde.pk).last_name == "Kranich"


def test_open_case_keeps_the_person(build_person, jobcenter):
    old = build_person(LONG_AGO, closed=False)
    run = retention_apply(jobcenter=jobcenter, now=NOW)
    assert run.counts["persons"] == 0
    assert run.counts["cases"] == 0
    assert Kunde.objects.get(pk=old.kunde.pk).last_name == "Kranich"


def test_the_nightly_task_runs_every_jobcenter(build_person, jobcenter, clock):
    build_person(LONG_AGO)
    apply_retention()
    run = RetentionRun.objects.get(jobcenter=jobcenter)
    assert run.trigger == RetentionRun.Trigger.SCHEDULE
    assert run.counts["persons"] == 1


def test_an_open_task_is_still_work_and_keeps_its_person(build_person, jobcenter):
    """An open task past the period keeps person and text and holds the person back; once
    it is done, the next run anonymises both (privacy.retention._tasks says why)."""
    old = build_person(LONG_AGO)
    Aufgabe.objects.filter(pk=old.aufgabe.pk).update(status="open")
    run = retention_apply(jobcenter=jobcenter, now=NOW)
    assert run.counts["tasks_open_kept"] == 1
    assert run.counts["persons"] == 0
    task = Aufgabe.objects.get(pk=old.aufgabe.pk)
    assert task.kunde_id == old.kunde.pk
    assert task.title != "—"
    assert Kunde.objects.get(pk=old.kunde.pk).last_name == "Kranich"
    # The kept task is no record removed: the run's total leaves it out.
    assert run.total == sum(n for k, n in run.counts.items() if k != "tasks_open_kept")

    Aufgabe.objects.filter(pk=old.aufgabe.pk).update(status="done")
    later = retention_apply(jobcenter=jobcenter, now=NOW)
    assert (later.counts["tasks_open_kept"], later.counts["persons"]) == (0, 1)
    task.refresh_from_db()
    assert (task.kunde_id, task.title, task.description) == (None, "—", "")
    assert Kunde.objects.get(pk=old.kunde.pk).last_name == "anonymisiert"


def test_an_anonymised_household_loses_its_real_number(build_person, jobcenter):
    old = build_person(LONG_AGO)
    other = build_person(LONG_AGO, last_name="Reiher", first_name="Rita")
    bg = Bedarfsgemeinschaft.objects.get(members=old.kunde)
    real = bg.number
    assert real[:5].isdigit()

    retention_apply(jobcenter=jobcenter, now=NOW)

    bg.refresh_from_db()
    assert bg.number == f"X{bg.pk:013d}"
    assert bg.number != real and len(bg.number) == 14
    # Two households anonymised in one Jobcenter: two numbers, the constraint holds.
    second = Bedarfsgemeinschaft.objects.get(members=other.kunde)
    assert second.number == f"X{second.pk:013d}" != bg.number


def test_a_household_with_a_member_not_yet_due_keeps_its_number(build_person, jobcenter):
    old = build_person(LONG_AGO)
    recent = build_person(LAST_MONTH, last_name="Neu", first_name="Nina")
    bg = Bedarfsgemeinschaft.objects.get(members=old.kunde)
    real = bg.number
    # The recent person lives in the old person's household.
    Kunde.objects.filter(pk=recent.kunde.pk).update(bedarfsgemeinschaft=bg)

    retention_apply(jobcenter=jobcenter, now=NOW)

    assert Kunde.objects.get(pk=old.kunde.pk).last_name == "anonymisiert"
    bg.refresh_from_db()
    assert bg.number == real
