"""What the data-protection officer does: legal holds, the Art. 15 export, erasure."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.models import Appointment, BookingEscalation
from frontdesk.models import Visit, VisitEvent
from intake.models import Antrag, AntragPerson, Bedarfsgemeinschaft, Kunde
from jobcenter.models import AuditEvent, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_read, audit_record
from routing.models import ApiSubmission, Aufgabe, Vermerk

from . import export
from .models import LegalHold, RetentionRun
from .retention import held_ids, months_before, persons_due, policy_of


class Grounds:
    """Why a person may be erased."""

    RETENTION_EXPIRED = "retention_expired"
    REGISTERED_BY_MISTAKE = "registered_by_mistake"
    CHOICES = (
        (RETENTION_EXPIRED, gettext_lazy("Löschfristen abgelaufen (§ 84 Abs. 2 SGB X)")),
        (
            REGISTERED_BY_MISTAKE,
            gettext_lazy("irrtümlich angelegt (Art. 17 Abs. 1 lit. d DSGVO)"),
        ),
    )


def legal_hold_set(*, actor: User, kunde: Kunde, reason: str) -> LegalHold:
    require_perm(actor, "privacy.manage_person", kunde)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Bitte den Grund des Sperrvermerks angeben."))
    with transaction.atomic():
        hold = LegalHold.objects.create(kunde=kunde, reason=reason, set_by=actor)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            target=hold,
            subject_id=kunde.pk,
            jobcenter_id=kunde.jobcenter_id,
            summary="Sperrvermerk gesetzt",
            changes={"reason": reason},
        )
    return hold


def legal_hold_lift(*, actor: User, hold: LegalHold) -> LegalHold:
    require_perm(actor, "privacy.manage_person", hold.kunde)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is None:
            hold.lifted_at = timezone.now()
            hold.lifted_by = actor
            hold.save(update_fields=["lifted_at", "lifted_by"])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CHANGE,
                target=hold,
                subject_id=hold.kunde_id,
                jobcenter_id=hold.kunde.jobcenter_id,
                summary="Sperrvermerk aufgehoben",
            )
    return hold


def person_export(*, actor: User, kunde: Kunde, fmt: str) -> bytes:
    """The Art. 15 answer as `json` or `pdf`; the export itself is audited (before it is
    built, so it lists itself among the reads)."""
    require_perm(actor, "privacy.manage_person", kunde)
    audit_read(
        actor=actor,
        target=kunde,
        summary=f"Auskunft nach Art. 15 DSGVO ({fmt.upper()})",
        subject_ids=[kunde.pk],
    )
    data = export.person_data(kunde)
    return export.person_pdf(data) if fmt == "pdf" else export.person_json(data)


def erasable(kunde: Kunde, *, grounds: str, now=None) -> str | None:
    """None if the person may be erased on these grounds, else why not (German)."""
    if LegalHold.objects.filter(kunde=kunde, lifted_at__isnull=True).exists():
        return _("Für diese Person besteht ein Sperrvermerk.")
    if grounds == Grounds.REGISTERED_BY_MISTAKE:
        return None
    if grounds == Grounds.RETENTION_EXPIRED:
        now = now or timezone.now()
        cutoff = months_before(now, policy_of(kunde.jobcenter).persons_months)
        held = held_ids(kunde.jobcenter)
        if persons_due(kunde.jobcenter, cutoff, held).filter(pk=kunde.pk).exists():
            return None
        if getattr(kunde, "anonymisation", None) is not None:
            return None
        return _(
            "Die Löschfristen sind noch nicht abgelaufen: es gibt einen offenen oder jüngeren "
            "Antrag, Termin, Besuch, Vermerk oder eine offene Aufgabe."
        )
    return _("Bitte den Rechtsgrund der Löschung wählen.")


def kunde_erase(*, actor: User, kunde: Kunde, grounds: str, reason: str) -> RetentionRun:
    """Delete the person. Each kind of dependent record is handled here, explicitly (the
    registry says which): the person's own records are deleted, shared ones (visits with
    their waiting times, the Bedarfsgemeinschaft of others, the read audit) lose the person.
    Counted per kind and audited, without names."""
    require_perm(actor, "privacy.erase_person", kunde)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Bitte eine Begründung angeben."))
    refusal = erasable(kunde, grounds=grounds)
    if refusal:
        raise ValidationError(refusal)
    jobcenter = kunde.jobcenter
    with transaction.atomic():
        kunde = Kunde.objects.select_for_update().get(pk=kunde.pk)
        counts: dict[str, int] = {}

        # Visits stay for the statistics, without the person.
        visits = Visit.objects.filter(kunde=kunde)
        visit_ids = list(visits.values_list("pk", flat=True))
        VisitEvent.objects.filter(visit_id__in=visit_ids).update(note="")
        counts["visits"] = Visit.objects.filter(pk__in=visit_ids).update(
            kunde=None, appointment=None, priority_note=""
        )

        # The person's cases (as applicant) go with their checklist, history, deadlines
        # and escalations; appointments of other members lose the link to the case.
        cases = Antrag.objects.filter(applicant=kunde)
        case_ids = list(cases.values_list("pk", flat=True))
        Appointment.objects.filter(antrag_id__in=case_ids).exclude(kunde=kunde).update(antrag=None)

        # Notes and mailbox items about the person.
        tasks = Aufgabe.objects.filter(kunde=kunde)
        notes = Vermerk.objects.filter(kunde=kunde)
        Aufgabe.objects.filter(vermerk__in=notes).exclude(kunde=kunde).update(vermerk=None)
        ApiSubmission.objects.filter(vermerk__in=notes).delete()
        BookingEscalation.objects.filter(Q(aufgabe__in=tasks) | Q(antrag_id__in=case_ids)).delete()
        counts["appointments"] = (
            Appointment.objects.filter(kunde=kunde).delete()[1].get("appointments.Appointment", 0)
        )
        counts["tasks"] = tasks.delete()[1].get("routing.Aufgabe", 0)
        counts["notes"] = notes.delete()[1].get("routing.Vermerk", 0)
        counts["cases"] = Antrag.objects.filter(pk__in=case_ids).delete()[1].get("intake.Antrag", 0)
        # In other members' cases only the person's own line goes.
        AntragPerson.objects.filter(kunde=kunde).delete()

        # The Bedarfsgemeinschaft: another member becomes its head; empty, it goes.
        bg = kunde.bedarfsgemeinschaft
        if bg is not None:
            others = bg.members.exclude(pk=kunde.pk)
            if bg.head_id == kunde.pk:
                bg.head = others.order_by("pk").first()
                bg.save(update_fields=["head"])
        Bedarfsgemeinschaft.objects.filter(head=kunde).update(head=None)
        kunde_pk = kunde.pk
        kunde.bedarfsgemeinschaft = None
        kunde.save(update_fields=["bedarfsgemeinschaft"])
        if bg is not None and not bg.members.exists() and not bg.antraege.exists():
            bg.delete()

        # Who read the person stays on record, without the person (and without old values).
        counts["audit"] = AuditEvent.objects.filter(subject_id=kunde_pk).update(
            subject_id=None, changes={}
        )
        # What is left hangs on the person by CASCADE: contact profile, plans, proposals,
        # measures, school record, restrictions, deadlines, holds (registry: "cascade").
        kunde.delete()
        counts["persons"] = 1

        run = RetentionRun.objects.create(
            jobcenter=jobcenter,
            trigger=RetentionRun.Trigger.ERASURE,
            actor=actor,
            counts=counts,
            grounds=str(dict(Grounds.CHOICES)[grounds]),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            target=run,
            jobcenter_id=jobcenter.pk,
            summary=f"Kunde gelöscht: {dict(Grounds.CHOICES)[grounds]}",
            changes={**counts, "reason": reason},
        )
    return run
