"""Deletion on schedule: what is past its retention period is deleted or anonymised.

The statistics survive: a visit loses its person but keeps its times, an appointment loses
its free texts but keeps its kind, status and minutes, a case its texts but not its dates.
Notes (Vermerke) are deleted: they are text about a person and nothing else. A person with
an active Sperrvermerk (legal hold) keeps everything. Every run is logged with counts per
kind (RetentionRun) and audited; neither names anybody. Safe to run twice.
"""

import calendar
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from appointments.models import (
    Appointment,
    AvailabilityRestriction,
    ContactProfile,
    Kooperationsplan,
    PlacementProposal,
)
from frontdesk.models import Visit, VisitEvent
from intake.models import (
    Antrag,
    AntragPerson,
    AntragTransition,
    Bedarfsgemeinschaft,
    Kunde,
    Nachweis,
)
from intake.states import NEGATIVE_STATES, AntragState
from jobcenter.models import AuditEvent, Jobcenter
from jobcenter.services import audit_record
from minimumstandards.models import Deadline
from routing.models import ApiSubmission, Aufgabe, AufgabeEvent, HotlineTicket, Vermerk

from .models import Anonymisation, LegalHold, RetentionPolicy, RetentionRun

CLOSED_STATES = (*NEGATIVE_STATES, AntragState.FALL_ABGESCHLOSSEN)
# The master data a person keeps after anonymisation: only what the statistics count.
ANONYMOUS_NAME = "anonymisiert"

KINDS = ("visits", "notes", "tasks", "appointments", "cases", "audit", "persons")


def policy_of(jobcenter: Jobcenter) -> RetentionPolicy:
    policy, _created = RetentionPolicy.objects.get_or_create(jobcenter=jobcenter)
    return policy


def held_ids(jobcenter: Jobcenter) -> set[int]:
    return set(
        LegalHold.objects.filter(kunde__jobcenter=jobcenter, lifted_at__isnull=True).values_list(
            "kunde_id", flat=True
        )
    )


def months_before(now: datetime, months: int) -> datetime:
    """`months` calendar months before `now` (31 March less one month: 28/29 February)."""
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def _visits(jobcenter, cutoff: date, held) -> int:
    visits = Visit.objects.filter(jobcenter=jobcenter, day__lt=cutoff, kunde__isnull=False).exclude(
        kunde_id__in=held
    )
    ids = list(visits.values_list("pk", flat=True))
    if ids:
        VisitEvent.objects.filter(visit_id__in=ids).exclude(note="").update(note="")
        # Not the state (FSM): only the person, the link to the appointment and the note.
        Visit.objects.filter(pk__in=ids).update(kunde=None, appointment=None, priority_note="")
    return len(ids)


def _notes(jobcenter, cutoff, held) -> int:
    notes = Vermerk.objects.filter(kunde__jobcenter=jobcenter, created_at__lt=cutoff).exclude(
        kunde_id__in=held
    )
    # A note whose task is still open waits for the task.
    notes = notes.exclude(Exists(Aufgabe.objects.filter(vermerk=OuterRef("pk"), status="open")))
    ids = list(notes.values_list("pk", flat=True))
    if ids:
        Aufgabe.objects.filter(vermerk_id__in=ids).update(vermerk=None)
        ApiSubmission.objects.filter(vermerk_id__in=ids).delete()
        Vermerk.objects.filter(pk__in=ids).delete()
    return len(ids)


def anonymise_tasks(tasks) -> int:
    ids = list(tasks.values_list("pk", flat=True))
    if ids:
        AufgabeEvent.objects.filter(aufgabe_id__in=ids).exclude(note="").update(note="")
        HotlineTicket.objects.filter(aufgabe_id__in=ids).update(
            caller_name="", caller_details="", callback_number="", reachable_note=""
        )
        Aufgabe.objects.filter(pk__in=ids).update(
            kunde=None, title="—", description="", done_note="", work_url=""
        )
    return len(ids)


def _tasks(jobcenter, cutoff, held) -> int:
    """Done tasks past the period lose person and texts. An open task is still work: it
    keeps its person and text whatever its age (§ 84 Abs. 2 SGB X: data are erased once they
    are no longer needed for the task, and an open task needs them), and it keeps its
    person from anonymisation (persons_due) until a member of its mailbox finishes it; the
    next night after that, both go. The run counts such tasks as "tasks_open_kept", so an
    old forgotten task shows up in the administration's log of runs."""
    tasks = (
        Aufgabe.objects.filter(
            Q(kunde__jobcenter=jobcenter) | Q(postfach__team__jobcenter=jobcenter),
            status=Aufgabe.Status.DONE,
            created_at__lt=cutoff,
        )
        .exclude(kunde_id__in=held)
        .exclude(title="—", kunde__isnull=True)
    )
    return anonymise_tasks(tasks)


def _open_tasks_kept(jobcenter, cutoff, held) -> int:
    return (
        Aufgabe.objects.filter(
            kunde__jobcenter=jobcenter, status=Aufgabe.Status.OPEN, created_at__lt=cutoff
        )
        .exclude(kunde_id__in=held)
        .count()
    )


def _appointments(jobcenter, cutoff, held) -> int:
    texts = ("rfb_text", "booking_note", "late_reason", "cancel_reason", "remote_reason")
    has_text = Q()
    for name in texts:
        has_text |= ~Q(**{name: ""})
    appointments = (
        Appointment.objects.filter(jobcenter=jobcenter, starts_at__lt=cutoff)
        .filter(has_text)
        .exclude(kunde_id__in=held)
    )
    return appointments.update(**dict.fromkeys(texts, ""))


def _cases(jobcenter, cutoff, held) -> int:
    cases = (
        Antrag.objects.filter(jobcenter=jobcenter, state__in=CLOSED_STATES, updated_at__lt=cutoff)
        .filter(~Q(reason="") | ~Q(decision_note=""))
        .exclude(applicant_id__in=held)
        .exclude(Exists(AntragPerson.objects.filter(antrag=OuterRef("pk"), kunde_id__in=held)))
    )
    ids = list(cases.values_list("pk", flat=True))
    if ids:
        AntragTransition.objects.filter(antrag_id__in=ids).exclude(comment="").update(comment="")
        # A waived item stays settled: its reason is replaced, not emptied.
        Nachweis.objects.filter(antrag_id__in=ids).exclude(waived_reason="").update(
            waived_reason="—"
        )
        Deadline.objects.filter(antrag_id__in=ids).exclude(pause_reason="").update(pause_reason="")
        # `update()` leaves `updated_at` alone, and the state is not touched.
        Antrag.objects.filter(pk__in=ids).update(reason="", decision_note="")
    return len(ids)


def _audit(jobcenter, cutoff, held) -> int:
    events = (
        AuditEvent.objects.filter(jobcenter=jobcenter, at__lt=cutoff)
        .exclude(subject_id__in=held)
        # The record of what was deleted stays (RetentionRun keeps the counts besides).
        .exclude(action=AuditEvent.Action.DELETE)
    )
    deleted, _per_model = events.delete()
    return deleted


def persons_due(jobcenter, cutoff: datetime, held):
    """Persons with nothing open and no contact since the cutoff."""
    recent_case = Antrag.objects.filter(
        Q(applicant=OuterRef("pk")) | Q(persons__kunde=OuterRef("pk"))
    ).filter(Q(updated_at__gte=cutoff) | ~Q(state__in=CLOSED_STATES))
    return (
        Kunde.objects.filter(jobcenter=jobcenter, created_at__lt=cutoff)
        .exclude(pk__in=held)
        .exclude(Exists(Anonymisation.objects.filter(kunde=OuterRef("pk"))))
        .exclude(Exists(recent_case))
        .exclude(Exists(Visit.objects.filter(kunde=OuterRef("pk"), checked_in_at__gte=cutoff)))
        .exclude(Exists(Appointment.objects.filter(kunde=OuterRef("pk"), starts_at__gte=cutoff)))
        .exclude(
            Exists(
                Aufgabe.objects.filter(kunde=OuterRef("pk")).filter(
                    Q(status=Aufgabe.Status.OPEN) | Q(created_at__gte=cutoff)
                )
            )
        )
        .exclude(Exists(Vermerk.objects.filter(kunde=OuterRef("pk"), created_at__gte=cutoff)))
        .exclude(Exists(ContactProfile.objects.filter(kunde=OuterRef("pk"), active=True)))
    )


def anonymise_person(kunde: Kunde) -> None:
    """Name, address, contact data and free texts go; the rows the statistics count stay.
    The date of birth keeps its year (age groups of past figures)."""
    kunde.first_name = ""
    kunde.last_name = ANONYMOUS_NAME
    kunde.date_of_birth = date(kunde.date_of_birth.year, 1, 1)
    kunde.street = kunde.postcode = kunde.city = kunde.phone = kunde.email = ""
    # A Kd.-Nr. identifies the person in the Jobcenter's other systems.
    kunde.kundennummer = f"X{kunde.pk:09d}"[-10:]
    kunde.contact_consent_on = None
    kunde.save()
    ContactProfile.objects.filter(kunde=kunde).update(refusal_documentation="")
    AvailabilityRestriction.objects.filter(kunde=kunde).update(reason="", evidence="")
    Kooperationsplan.objects.filter(kunde=kunde).update(reason_text="")
    PlacementProposal.objects.filter(kunde=kunde).update(reference="")
    Deadline.objects.filter(kunde=kunde).exclude(pause_reason="").update(pause_reason="")
    anonymise_tasks(Aufgabe.objects.filter(kunde=kunde))
    AuditEvent.objects.filter(subject_id=kunde.pk).exclude(changes={}).update(changes={})
    Anonymisation.objects.create(kunde=kunde)
    _anonymise_household(kunde.bedarfsgemeinschaft_id)


def anonymous_bg_number(pk: int) -> str:
    """A BG number that names nobody: "X" and the row's id, 14 characters like a real one.
    A real number starts with five digits, so it never collides with one, and the id keeps
    it unique within the Jobcenter (the uniq_bg_number constraint)."""
    return f"X{pk:013d}"


def _anonymise_household(bg_id: int | None) -> None:
    """Once every member is anonymised, the Bedarfsgemeinschaft loses its real number too:
    the number identifies the household in the Jobcenter's other systems (like the Kd.-Nr.)."""
    if bg_id is None:
        return
    members = Kunde.objects.filter(bedarfsgemeinschaft_id=bg_id)
    if members.exclude(Exists(Anonymisation.objects.filter(kunde=OuterRef("pk")))).exists():
        return
    Bedarfsgemeinschaft.objects.filter(pk=bg_id).update(number=anonymous_bg_number(bg_id))


def _persons(jobcenter, cutoff, held) -> int:
    count = 0
    for kunde in persons_due(jobcenter, cutoff, held).iterator():
        anonymise_person(kunde)
        count += 1
    return count


def retention_apply(*, jobcenter: Jobcenter, now: datetime | None = None) -> RetentionRun:
    """One Jobcenter's nightly run."""
    now = now or timezone.now()
    policy = policy_of(jobcenter)
    with transaction.atomic():
        held = held_ids(jobcenter)
        visit_cutoff = timezone.localtime(months_before(now, policy.visits_months)).date()
        counts = {
            "visits": _visits(jobcenter, visit_cutoff, held),
            "notes": _notes(jobcenter, months_before(now, policy.notes_months), held),
            "tasks": _tasks(jobcenter, months_before(now, policy.notes_months), held),
            "tasks_open_kept": _open_tasks_kept(
                jobcenter, months_before(now, policy.notes_months), held
            ),
            "appointments": _appointments(
                jobcenter, months_before(now, policy.appointments_months), held
            ),
            "cases": _cases(jobcenter, months_before(now, policy.cases_months), held),
            "persons": _persons(jobcenter, months_before(now, policy.persons_months), held),
            # Last: the run's own audit row is younger than any cutoff.
            "audit": _audit(jobcenter, months_before(now, policy.audit_months), held),
        }
        run = RetentionRun.objects.create(
            jobcenter=jobcenter, trigger=RetentionRun.Trigger.SCHEDULE, counts=counts
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            target=run,
            jobcenter_id=jobcenter.pk,
            summary="Löschfristen angewandt",
            changes=counts,
        )
    return run


def retention_apply_all(now: datetime | None = None) -> list[RetentionRun]:
    return [retention_apply(jobcenter=jc, now=now) for jc in Jobcenter.objects.order_by("pk")]
