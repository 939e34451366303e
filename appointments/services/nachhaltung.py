"""Follow-ups at the contacts (Nachhaltung, rules R-NH-01 to R-NH-05).

Each is a deadline of the rule profile that the scan flags and the IFK's worklist shows:
the feedback on a placement proposal, the consultation at the end of a measure, a pupil's
yearly school certificate, the invitation of a leaving class, the review of a § 10
restriction. Days recorded here count from the start of that day in Berlin; a deadline
falls due at the end of its last day (domain §8).
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from intake.services import integration_team_for
from jobcenter.models import User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import deadline_cancel, deadline_complete, deadline_open
from minimumstandards.workdays import BERLIN

from ..errors import AppointmentError
from ..models import (
    Appointment,
    AvailabilityRestriction,
    MeasureParticipation,
    PlacementProposal,
    SchoolRecord,
    Status,
    add_months,
)
from ..selectors import is_active_ifk

# Rule R-NH-02: "im Zeitraum von vier Wochen vor bis vier Wochen nach Beendigung".
MEASURE_WINDOW = timedelta(days=28)
# Rule R-NH-03: "Bei Schülern ab 15 Jahren … jährlich".
SCHOOL_AGE = 15
# Rule R-NH-05: "mindestens halbjährlich zu überprüfen".
REVIEW_MONTHS = 6


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BERLIN)


def _check(actor: User, kunde: Kunde) -> None:
    require_perm(
        actor,
        "appointments.work_contacts",
        kunde,
        message=_("Die Nachhaltung dieser Kundin / dieses Kunden dürfen Sie nicht bearbeiten."),
    )


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise AppointmentError(_("Das Datum darf nicht in der Zukunft liegen."), field=field)


def _required(value: str, field: str, message: str) -> str:
    if not value.strip():
        raise AppointmentError(message, field=field)
    return value.strip()


def _open(
    kunde: Kunde, kind: str, start_day: date, due_day: date | None = None, several=False
) -> Deadline | None:
    """Open the follow-up's deadline; `due_day` gives it its own length (a year, six months)."""
    window = f"{(due_day - start_day).days}KT" if due_day else ""
    return deadline_open(
        jobcenter=kunde.jobcenter,
        kind=kind,
        started_at=start_of(start_day),
        team=integration_team_for(kunde),
        owner_user=kunde.ifk if is_active_ifk(kunde.ifk) else None,
        kunde=kunde,
        window=window,
        several=several,
        on=timezone.localdate(),
    )


# --- R-NH-01 placement proposals -----------------------------------------------------------


@transaction.atomic
def proposal_record(
    *, actor: User, kunde: Kunde, reference: str, received_on: date, close_follow_up: bool
) -> PlacementProposal:
    """A VV handed over or posted. With "engere Nachhaltung" the customer's feedback is due
    within 3 weeks of receipt (rule R-NH-01); a posted VV's receipt date is the caller's."""
    _check(actor, kunde)
    proposal = PlacementProposal.objects.create(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        reference=_required(reference, "reference", _("Bitte Stelle oder Referenz angeben.")),
        received_on=received_on,
        close_follow_up=close_follow_up,
        created_by=actor,
    )
    if close_follow_up:
        proposal.deadline = _open(kunde, RuleKind.VV_FEEDBACK, received_on, several=True)
        proposal.save(update_fields=["deadline"])
    audit_record(
        actor=actor,
        action="create",
        target=proposal,
        summary=_("Vermittlungsvorschlag erfasst")
        + (_(" (engere Nachhaltung)") if close_follow_up else ""),
    )
    return proposal


@transaction.atomic
def proposal_feedback_record(
    *, actor: User, kunde: Kunde, proposal: PlacementProposal, feedback_on: date, feedback: str
) -> PlacementProposal:
    """The customer reported back on the application: the VV's deadline is met (or late)."""
    _check(actor, kunde)
    proposal = PlacementProposal.objects.select_for_update().get(pk=proposal.pk, kunde=kunde)
    if proposal.feedback_on is not None:
        raise AppointmentError(_("Zu diesem Vermittlungsvorschlag liegt die Rückmeldung vor."))
    _not_in_future(feedback_on, "feedback_on")
    if feedback_on < proposal.received_on:
        raise AppointmentError(
            _("Die Rückmeldung kann nicht vor dem Erhalt des Vorschlags liegen."),
            field="feedback_on",
        )
    proposal.feedback = _required(
        feedback, "feedback", _("Bitte den Stand der Bewerbung festhalten.")
    )
    proposal.feedback_on = feedback_on
    proposal.save(update_fields=["feedback", "feedback_on"])
    if proposal.deadline_id:
        deadline_complete(
            kind=RuleKind.VV_FEEDBACK,
            at=start_of(feedback_on),
            kunde=proposal.kunde,
            pk=proposal.deadline_id,
        )
    audit_record(
        actor=actor,
        action="change",
        target=proposal,
        summary=_("Rückmeldung zum Vermittlungsvorschlag erfasst"),
    )
    return proposal


# --- R-NH-02 graduates of a measure --------------------------------------------------------


@transaction.atomic
def measure_record(*, actor: User, kunde: Kunde, title: str, ends_on: date) -> MeasureParticipation:
    """A measure and its end: a qualified contact is due in the window from 4 weeks before
    to 4 weeks after the end (rule R-NH-02). One already held in the window counts."""
    _check(actor, kunde)
    measure = MeasureParticipation.objects.create(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        title=_required(title, "title", _("Bitte die Maßnahme benennen.")),
        ends_on=ends_on,
        created_by=actor,
    )
    deadline = _open(kunde, RuleKind.MEASURE_END, ends_on - MEASURE_WINDOW, several=True)
    measure.deadline = deadline
    measure.save(update_fields=["deadline"])
    if deadline is not None:
        held = (
            Appointment.objects.filter(
                kunde=kunde,
                status=Status.DURCHGEFUEHRT,
                qualified=True,
                starts_at__gte=deadline.started_at,
                starts_at__lte=deadline.due_at,
            )
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        if held is not None:
            deadline_complete(kind=RuleKind.MEASURE_END, at=held, kunde=kunde, pk=deadline.pk)
    audit_record(actor=actor, action="create", target=measure, summary=_("Maßnahme erfasst"))
    return measure


def measure_contact_held(*, kunde: Kunde, at: datetime) -> list[Deadline]:
    """A qualified contact at `at` meets the measures' deadlines whose window has opened;
    one before the window does not (rule R-NH-02)."""
    closed = []
    for pk in (
        Deadline.objects.open()
        .filter(kunde=kunde, kind=RuleKind.MEASURE_END, started_at__lte=at)
        .values_list("pk", flat=True)
    ):
        closed += deadline_complete(kind=RuleKind.MEASURE_END, at=at, kunde=kunde, pk=pk)
    return closed


# --- R-NH-03 / R-NH-04 pupils ---------------------------------------------------------------


def certificate_due(*, born: date, last_certificate_on: date | None, today: date) -> date:
    """When the next school certificate is due (rule R-NH-03): a year after the last one;
    without one, on the 15th birthday, or today if the pupil is 15 already."""
    if last_certificate_on is not None:
        return add_months(last_certificate_on, 12)
    return max(add_months(born, 12 * SCHOOL_AGE), today)


def _open_certificate_clock(kunde: Kunde, record: SchoolRecord) -> None:
    deadline_cancel(kind=RuleKind.SCHOOL_CERTIFICATE, kunde=kunde)
    due = certificate_due(
        born=kunde.date_of_birth,
        last_certificate_on=record.last_certificate_on,
        today=timezone.localdate(),
    )
    # The clock runs the year before the due day: a certificate covers a school year.
    _open(kunde, RuleKind.SCHOOL_CERTIFICATE, add_months(due, -12), due)


@transaction.atomic
def school_record_save(
    *,
    actor: User,
    kunde: Kunde,
    leaving_year: int | None,
    last_certificate_on: date | None = None,
) -> SchoolRecord:
    """The customer goes to school: the yearly certificate (rule R-NH-03) and, with a
    leaving year, the invitation by the end of January of that year (rule R-NH-04)."""
    _check(actor, kunde)
    today = timezone.localdate()
    if leaving_year is not None and not today.year - 1 <= leaving_year <= today.year + 15:
        raise AppointmentError(
            _("Bitte ein Entlassjahr zwischen %(a)d und %(b)d angeben.")
            % {"a": today.year - 1, "b": today.year + 15},
            field="leaving_year",
        )
    if last_certificate_on is not None:
        _not_in_future(last_certificate_on, "last_certificate_on")
    record = SchoolRecord.objects.select_for_update().filter(kunde=kunde).first()
    created = record is None
    if created:
        record = SchoolRecord(jobcenter=kunde.jobcenter, kunde=kunde)
    year_changed = record.leaving_year != leaving_year
    certificate_changed = created or (
        last_certificate_on is not None and last_certificate_on != record.last_certificate_on
    )
    record.leaving_year = leaving_year
    if last_certificate_on is not None:
        record.last_certificate_on = last_certificate_on
    if year_changed:
        record.invited_on = None
    record.save()
    if certificate_changed:
        _open_certificate_clock(kunde, record)
    if year_changed:
        deadline_cancel(kind=RuleKind.LEAVING_CLASS, kunde=kunde)
        if leaving_year is not None:
            _open(kunde, RuleKind.LEAVING_CLASS, date(leaving_year, 1, 1))
    audit_record(
        actor=actor,
        action="create" if created else "change",
        target=record,
        summary=_("Schulbesuch erfasst") if created else _("Schulbesuch geändert"),
    )
    return record


def _school_record(kunde: Kunde) -> SchoolRecord:
    record = SchoolRecord.objects.select_for_update().filter(kunde=kunde).first()
    if record is None:
        raise AppointmentError(_("Bitte zuerst den Schulbesuch erfassen."))
    return record


@transaction.atomic
def school_certificate_record(*, actor: User, kunde: Kunde, received_on: date) -> SchoolRecord:
    """A school certificate is in: this year's deadline is met, the next runs a year."""
    _check(actor, kunde)
    record = _school_record(kunde)
    _not_in_future(received_on, "received_on")
    deadline_complete(kind=RuleKind.SCHOOL_CERTIFICATE, at=start_of(received_on), kunde=kunde)
    record.last_certificate_on = received_on
    record.save(update_fields=["last_certificate_on", "updated_at"])
    _open_certificate_clock(kunde, record)
    audit_record(
        actor=actor, action="change", target=record, summary=_("Schulbescheinigung liegt vor")
    )
    return record


@transaction.atomic
def school_invitation_record(*, actor: User, kunde: Kunde, invited_on: date) -> SchoolRecord:
    """The leaving-class pupil was invited to a consultation (rule R-NH-04)."""
    _check(actor, kunde)
    record = _school_record(kunde)
    _not_in_future(invited_on, "invited_on")
    record.invited_on = invited_on
    record.save(update_fields=["invited_on", "updated_at"])
    deadline_complete(kind=RuleKind.LEAVING_CLASS, at=start_of(invited_on), kunde=kunde)
    audit_record(
        actor=actor, action="change", target=record, summary=_("Zum Beratungsgespräch eingeladen")
    )
    return record


def leaving_class_booked(*, kunde: Kunde, at: datetime) -> list[Deadline]:
    """An appointment booked for the pupil is the invitation (rule R-NH-04), if booked in the
    leaving class's last school year (from 1 August before the leaving year)."""
    closed = []
    day = timezone.localtime(at, BERLIN).date()
    for deadline in Deadline.objects.open().filter(kunde=kunde, kind=RuleKind.LEAVING_CLASS):
        leaving_year = timezone.localtime(deadline.started_at, BERLIN).year
        if day >= date(leaving_year - 1, 8, 1):
            closed += deadline_complete(
                kind=RuleKind.LEAVING_CLASS, at=at, kunde=kunde, pk=deadline.pk
            )
    return closed


# --- R-NH-05 restrictions of availability (§ 10 SGB II) -------------------------------------


def review_due(last_reviewed_on: date) -> date:
    return add_months(last_reviewed_on, REVIEW_MONTHS)


@transaction.atomic
def restriction_save(
    *, actor: User, kunde: Kunde, since: date, reason: str, evidence: str
) -> AvailabilityRestriction:
    """A § 10 restriction, with its evidence ("nachprüfbar zu belegen"): its first review is
    due six months after it began (rule R-NH-05)."""
    _check(actor, kunde)
    _not_in_future(since, "since")
    reason = _required(reason, "reason", _("Bitte den Grund der Einschränkung angeben."))
    evidence = _required(evidence, "evidence", _("Bitte den Nachweis benennen."))
    restriction = AvailabilityRestriction.objects.select_for_update().filter(kunde=kunde).first()
    new_clock = restriction is None or restriction.ended_on is not None
    if new_clock:
        restriction = restriction or AvailabilityRestriction(jobcenter=kunde.jobcenter, kunde=kunde)
        restriction.last_reviewed_on = since
        restriction.ended_on = None
    restriction.since, restriction.reason, restriction.evidence = since, reason, evidence
    restriction.save()
    if new_clock:
        _open(kunde, RuleKind.AVAILABILITY_REVIEW, since, review_due(since))
    audit_record(
        actor=actor,
        action="create" if new_clock else "change",
        target=restriction,
        summary=_("Einschränkung der Verfügbarkeit erfasst"),
    )
    return restriction


@transaction.atomic
def restriction_review_record(
    *, actor: User, kunde: Kunde, reviewed_on: date, ended: bool = False
) -> AvailabilityRestriction:
    """The restriction was reviewed: this review is met; the next is due six months later,
    unless the restriction no longer applies."""
    _check(actor, kunde)
    restriction = AvailabilityRestriction.objects.select_for_update().filter(kunde=kunde).first()
    if restriction is None or restriction.ended_on is not None:
        raise AppointmentError(_("Es ist keine Einschränkung der Verfügbarkeit erfasst."))
    _not_in_future(reviewed_on, "reviewed_on")
    if reviewed_on < restriction.last_reviewed_on:
        raise AppointmentError(
            _("Die Überprüfung kann nicht vor der letzten (%(day)s) liegen.")
            % {"day": f"{restriction.last_reviewed_on:%d.%m.%Y}"},
            field="reviewed_on",
        )
    deadline_complete(kind=RuleKind.AVAILABILITY_REVIEW, at=start_of(reviewed_on), kunde=kunde)
    restriction.last_reviewed_on = reviewed_on
    if ended:
        restriction.ended_on = reviewed_on
    else:
        _open(kunde, RuleKind.AVAILABILITY_REVIEW, reviewed_on, review_due(reviewed_on))
    restriction.save(update_fields=["last_reviewed_on", "ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="change",
        target=restriction,
        summary=_("Einschränkung der Verfügbarkeit entfallen")
        if ended
        else _("Einschränkung der Verfügbarkeit überprüft"),
    )
    return restriction
