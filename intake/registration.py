"""What the Eingangszone does at intake besides registering the persons (rules R-AN-01,
R-AN-02, R-AN-04 to R-AN-06), and the follow-ups it records later on the case: the ID check
of a phone or postal application and the return of each person's Arbeitspaket.

`intake.services.antrag_register` calls the checks and the intake tasks below inside its
transaction; the follow-ups are services of their own, each one transaction, audited.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jobcenter.models import User
from jobcenter.predicates import is_hotline, require_perm
from jobcenter.services import audit_record
from routing.services import aufgabe_create

from .basics import (
    IntakeData,
    IntakeError,
    NoDataReason,
    eingangszone_postfach,
    integration_postfach_for,
)
from .models import Antrag, AntragPerson, Kunde
from .neukunde import MINDESTALTER, age_on, has_reached_age_limit

# The channels whose applicant has not shown an ID at the EZ (rule R-AN-02).
ID_CHECK_LATER = (Antrag.Channel.PHONE, Antrag.Channel.POSTAL)


def is_erwerbsfaehig_by_age(born: date, on: date) -> bool:
    """At least 15 and below the § 7a limit: who gets an Arbeitspaket (rule R-AN-01)."""
    return age_on(born, on) >= MINDESTALTER and not has_reached_age_limit(born, on)


# --- The checklist proposed per person -----------------------------------------------------

# The Anlagen each member needs, matched against the Jobcenter's checklist by the start of
# their name (the catalogue's "Anlage WEP – weitere Person ab 15 Jahren" and so on).
HAUPTANTRAG, ANLAGE_WEP, ANLAGE_KI = "Hauptantrag", "Anlage WEP", "Anlage KI"


def person_documents(*, born: date, is_head: bool, on: date) -> list[str]:
    """The Vorstand files the Hauptantrag; each further person from 15 an Anlage WEP, a
    child under 15 an Anlage KI: the child of 16 needs WEP, not KI."""
    if is_head:
        return [HAUPTANTRAG]
    return [ANLAGE_WEP] if age_on(born, on) >= MINDESTALTER else [ANLAGE_KI]


def proposed_documents(jobcenter, persons: list[tuple[date, bool]], *, on: date):
    """The Jobcenter's checklist items the members need, as `person_documents` says."""
    from .models import DocumentType

    wanted = {
        name for born, head in persons for name in person_documents(born=born, is_head=head, on=on)
    }
    return [
        doc
        for doc in DocumentType.objects.filter(jobcenter=jobcenter, active=True)
        if any(doc.name.startswith(name) for name in wanted)
    ]


# --- The service centre takes no data for these callers (rule R-AN-02) --------------------


@dataclass(frozen=True)
class NoDataFault:
    reason: str  # a NoDataReason code
    field: str  # the input that shows it
    person_index: int | None = None  # None: the application's own input


class ServiceCentreNoData(IntakeError):
    """A phone intake for a caller the service centre may take no data for."""

    def __init__(self, message: str, *, faults: list[NoDataFault]) -> None:
        first = faults[0]
        super().__init__(message, person_index=first.person_index, field=first.field)
        self.faults = faults

    @property
    def reasons(self) -> list[str]:
        return list(dict.fromkeys(f.reason for f in self.faults))


def taken_by_service_centre(actor: User, data: IntakeData) -> bool:
    """A call, on whatever screen it is taken: the phone channel, or the hotline."""
    return data.channel == Antrag.Channel.PHONE or is_hotline(actor)


def check_service_centre_may_take_data(actor: User, data: IntakeData) -> None:
    """Rule R-AN-02: no data for the self-employed, insufficient German (an interpreter),
    a proxy or third parties. The call becomes a task for the EZ instead."""
    if not taken_by_service_centre(actor, data):
        return
    faults = []
    for index, person in enumerate(data.persons):
        if person.self_employed:
            faults.append(NoDataFault("self_employed", "self_employed", index))
        if person.needs_interpreter:
            faults.append(NoDataFault("language", "needs_interpreter", index))
    if data.applied_by in (Antrag.AppliedBy.PROXY, Antrag.AppliedBy.THIRD_PARTY):
        reason = "proxy" if data.applied_by == Antrag.AppliedBy.PROXY else "third_party"
        faults.append(NoDataFault(reason, "applied_by"))
    if not faults:
        return
    labels = dict(NoDataReason.CHOICES)
    reasons = ", ".join(str(labels[r]) for r in dict.fromkeys(f.reason for f in faults))
    raise ServiceCentreNoData(
        _(
            "Am Telefon werden hier keine Daten aufgenommen (%(reasons)s). Es wurde nichts "
            "gespeichert: Bitte geben Sie stattdessen eine Aufgabe an die Eingangszone."
        )
        % {"reasons": reasons},
        faults=faults,
    )


# --- Zuzug, Aufstocker, Rechtskreiswechsel (rules R-AN-04 to R-AN-06) --------------------


def check_intake_circumstances(data: IntakeData) -> None:
    if data.moved_in and data.residence_evidence not in Antrag.ResidenceEvidence.values:
        raise IntakeError(
            _(
                "Bei Zuzug bitte angeben, womit die Zuständigkeit geprüft wurde: "
                "Ausweisdokument, Mietvertrag oder aktuelle Meldebescheinigung."
            ),
            field="residence_evidence",
        )
    if not data.moved_in and data.residence_evidence:
        raise IntakeError(
            _("Der Nachweis zur Zuständigkeit gehört nur zu einem Zuzug."),
            field="residence_evidence",
        )
    for index, person in enumerate(data.persons):
        if person.aufstocker and person.rechtskreiswechsel:
            raise IntakeError(
                _(
                    "Aufstocker beziehen noch Arbeitslosengeld; ein Rechtskreiswechsel folgt "
                    "erst, wenn es ausgelaufen ist. Bitte nur eines ankreuzen."
                ),
                person_index=index,
                field="rechtskreiswechsel",
            )


def switch_hauptbetreuung(kunde: Kunde, *, rechtskreiswechsel: bool, today: date) -> None:
    """Rule R-AN-06: after ALG I ran out the EZ switches the Hauptbetreuung to the Jobcenter."""
    if rechtskreiswechsel:
        kunde.hauptbetreuung_switched_on = today
        kunde.aufstocker = False


def _ez_postfach(antrag: Antrag):
    """The EZ's mailbox, or None where the Jobcenter has set up none (no task then)."""
    try:
        return eingangszone_postfach(antrag.jobcenter)
    except IntakeError:
        return None


def raise_intake_tasks(*, actor: User, antrag: Antrag, kunden: list[Kunde], today: date) -> None:
    """The tasks of the intake: one per Aufstocker (rule R-AN-04), and the EZ's task to
    schedule the ID check of a phone or postal application (rule R-AN-02)."""
    for kunde in kunden:
        if not kunde.aufstocker:
            continue
        # The Jobcenter's Nebenbetreuung: the customer's IFK, else the Integration mailbox.
        assignee = kunde.ifk if kunde.ifk_id else None
        postfach = None if assignee else integration_postfach_for(kunde)
        if assignee is None and postfach is None:
            postfach = _ez_postfach(antrag)
        if assignee is None and postfach is None:
            continue
        aufgabe_create(
            created_by=actor,
            assignee=assignee,
            postfach=postfach,
            kunde=kunde,
            title=_("Aufstocker: Nebenbetreuung durch das Jobcenter (Kd.-Nr. %(nr)s)")
            % {"nr": kunde.kundennummer},
            description=_(
                "Bei der Antragstellung am %(date)s als Aufstocker erfasst: Arbeitslosengeld "
                "und Bürgergeld. Die Hauptbetreuung bleibt bei der Agentur für Arbeit."
            )
            % {"date": date_format(antrag.application_date, "d.m.Y")},
        )
    postfach = _ez_postfach(antrag)
    if antrag.channel in ID_CHECK_LATER and not antrag.id_checked and postfach is not None:
        aufgabe_create(
            created_by=actor,
            postfach=postfach,
            kunde=antrag.applicant,
            title=_("ID-Prüfung terminieren: BG %(bg)s (Antrag vom %(date)s, %(channel)s)")
            % {
                "bg": antrag.bedarfsgemeinschaft.number,
                "date": date_format(antrag.application_date, "d.m.Y"),
                "channel": antrag.get_channel_display(),
            },
            due_at=timezone.now() + timedelta(days=1),
        )


def intake_note_lines(antrag: Antrag, persons: list[AntragPerson]) -> list[str]:
    """What the history note adds about the intake's circumstances and Arbeitspakete."""
    lines = []
    if antrag.applied_by != Antrag.AppliedBy.SELF:
        lines.append(_("Antrag gestellt durch: %(by)s") % {"by": antrag.get_applied_by_display()})
    if antrag.moved_in:
        lines.append(
            _("Zuzug: Zuständigkeit geprüft anhand %(evidence)s.")
            % {"evidence": antrag.get_residence_evidence_display()}
        )
    for person in persons:
        kunde = person.kunde
        if person.arbeitspaket_due:
            lines.append(
                _("Arbeitspaket für %(name)s ausgehändigt, Rückgabe bis %(date)s.")
                % {"name": kunde.full_name, "date": date_format(person.arbeitspaket_due, "d.m.Y")}
            )
        if kunde.aufstocker:
            lines.append(_("%(name)s: Aufstocker.") % {"name": kunde.full_name})
        if kunde.hauptbetreuung_switched_on:
            lines.append(
                _("%(name)s: Rechtskreiswechsel, Hauptbetreuung auf das Jobcenter umgestellt.")
                % {"name": kunde.full_name}
            )
    return lines


# --- What other apps do at intake (rule R-GV-02) -----------------------------------------

# Intake imports no app above it, so an app that acts on every new application (appointments
# invites to the group event for new customers) registers its action here from
# `AppConfig.ready()`; `antrag_register` calls each one inside its transaction.
AfterRegistration = Callable[..., object]

_after_registration: list[AfterRegistration] = []


def register_after_registration(action: AfterRegistration) -> AfterRegistration:
    """Register `action(*, actor, antrag)`; registering the same function twice keeps one."""
    if action not in _after_registration:
        _after_registration.append(action)
    return action


def run_after_registration(*, actor: User, antrag: Antrag) -> None:
    for action in _after_registration:
        action(actor=actor, antrag=antrag)


# --- Follow-ups on the case ---------------------------------------------------------------


def _locked(antrag_id: int) -> Antrag:
    return (
        Antrag.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "bedarfsgemeinschaft")
        .get(pk=antrag_id)
    )


@transaction.atomic
def id_check_schedule(*, actor: User, antrag_id: int, at: datetime) -> Antrag:
    """Rule R-AN-02: the EZ schedules the applicant's visit for the ID check."""
    antrag = _locked(antrag_id)
    require_perm(actor, "intake.record_id_check", antrag)
    if antrag.id_checked:
        raise IntakeError(_("Die Identität ist bereits geprüft."))
    if at < timezone.now() - timedelta(minutes=5):
        raise IntakeError(_("Der Termin liegt in der Vergangenheit."), field="planned_at")
    antrag.id_check_planned_at = at
    antrag.save(update_fields=["id_check_planned_at"])
    audit_record(
        actor=actor,
        action="change",
        target=antrag,
        summary=_("ID-Prüfung terminiert für %(at)s")
        % {"at": date_format(timezone.localtime(at), "d.m.Y H:i")},
    )
    return antrag


@transaction.atomic
def id_check_record(*, actor: User, antrag_id: int, on: date) -> Antrag:
    """Rule R-AN-02: the ID check done at the EZ, with its day and who did it."""
    antrag = _locked(antrag_id)
    require_perm(actor, "intake.record_id_check", antrag)
    if antrag.id_checked:
        raise IntakeError(_("Die Identität ist bereits geprüft."))
    if on > timezone.localdate():
        raise IntakeError(_("Dieses Datum darf nicht in der Zukunft liegen."), field="checked_on")
    if on < antrag.application_date:
        raise IntakeError(
            _("Die ID-Prüfung kann nicht vor dem Tag der Antragstellung liegen."),
            field="checked_on",
        )
    antrag.id_checked, antrag.id_checked_on, antrag.id_checked_by = True, on, actor
    antrag.save(update_fields=["id_checked", "id_checked_on", "id_checked_by"])
    audit_record(
        actor=actor,
        action="change",
        target=antrag,
        summary=_("ID-Prüfung durchgeführt am %(on)s") % {"on": date_format(on, "d.m.Y")},
    )
    return antrag


@transaction.atomic
def arbeitspaket_receive(*, actor: User, antrag_id: int, person_id: int) -> AntragPerson:
    """Rule R-AN-01: the EZ records the return of one person's Arbeitspaket."""
    antrag = _locked(antrag_id)
    require_perm(actor, "intake.follow_up_arbeitspaket", antrag)
    person = (
        AntragPerson.objects.select_for_update(of=("self",))
        .select_related("kunde")
        .filter(pk=person_id, antrag=antrag)
        .first()
    )
    if person is None or person.arbeitspaket_due is None:
        raise IntakeError(_("Für diese Person wurde kein Arbeitspaket ausgehändigt."))
    if person.arbeitspaket_received_on is None:
        person.arbeitspaket_received_on = timezone.localdate()
        person.save(update_fields=["arbeitspaket_received_on"])
        audit_record(
            actor=actor,
            action="change",
            target=antrag,
            summary=_("Arbeitspaket von %(name)s eingegangen") % {"name": person.kunde.full_name},
        )
    return person
