"""Intake of new customers and the moves of their case (rules R-AN-01 to R-EG-02).

Every function here is one transaction: a half-registered family or a case that moved
without its history row cannot exist.
"""

import hashlib
import unicodedata
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from jobcenter.models import Jobcenter, Team, User
from jobcenter.predicates import require_perm
from jobcenter.roles import Role
from jobcenter.services import audit_read, audit_record
from minimumstandards.models import Scope, StartEvent
from minimumstandards.services import Owners, deadlines_cancel, deadlines_on_event
from routing.models import Aufgabe
from routing.selectors import NEW_CUSTOMER_TITLE_PREFIX
from routing.services import aufgabe_create, aufgaben_done_for_work, vermerk_create

from . import catalogue, registration
from .basics import (
    CaseConflict,
    IntakeData,
    IntakeError,
    NoDataReason,
    PersonData,
    eingangszone_postfach,
    integration_postfach_for,
    integration_team_for,
)
from .models import (
    Antrag,
    AntragPerson,
    AntragState,
    AntragTransition,
    Bedarfsgemeinschaft,
    DocumentType,
    Kunde,
    Nachweis,
    NumberSequence,
)
from .neukunde import (
    MINDESTALTER,
    InterruptionThreshold,
    age_on,
    check_neukunde,
    has_reached_age_limit,
)
from .steps import BY_NAME, EG_BOOKING_URL, EG_MANUAL_URL, Recipient, Step, Task


def catalogue_seed(jobcenter: Jobcenter) -> int:
    """Give the Jobcenter the default document checklist (idempotent: what it has stays)."""
    return catalogue.seed(jobcenter.pk, document_type_model=DocumentType)


def _next_number(jobcenter: Jobcenter, name: str) -> int:
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        jobcenter=jobcenter, name=name
    )
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def _new_kundennummer(jobcenter: Jobcenter) -> str:
    while True:
        candidate = f"{jobcenter.kundennummer_prefix}{_next_number(jobcenter, 'kunde'):06d}"
        # Numbers entered by hand (from VerBIS) may already use a value of the counter.
        if not Kunde.objects.filter(jobcenter=jobcenter, kundennummer=candidate).exists():
            return candidate


def _new_bg_number(jobcenter: Jobcenter) -> str:
    while True:
        candidate = f"{jobcenter.dienststelle}BG{_next_number(jobcenter, 'bg'):07d}"
        if not Bedarfsgemeinschaft.objects.filter(jobcenter=jobcenter, number=candidate).exists():
            return candidate


def _identity_lock_key(*parts: object) -> int:
    digest = hashlib.blake2b(
        "\x1f".join(str(part) for part in parts).encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_person_identities(jobcenter: Jobcenter, persons: list[PersonData]) -> None:
    """Serialise the duplicate check and the create for each person of this Jobcenter.

    The check looks for a row that does not exist yet, so no row lock can guard it: two
    submissions for the same person at once would both find nothing and both create. A
    transaction-scoped advisory lock per identity (normalised name and birth date; the
    Kd.-Nr. when given) makes the second wait until the first has committed, and then find
    its customer. Keys are taken in sorted order so two families never deadlock. SQLite
    serialises writers anyway.
    """
    if connection.vendor != "postgresql":
        return
    keys = set()
    for person in persons:
        keys.add(
            _identity_lock_key(
                "kunde-name",
                jobcenter.pk,
                person.first_name.strip().casefold(),
                person.last_name.strip().casefold(),
                person.date_of_birth.isoformat(),
            )
        )
        if person.kundennummer:
            keys.add(_identity_lock_key("kunde-nr", jobcenter.pk, person.kundennummer.upper()))
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _resolve_person(jobcenter: Jobcenter, index: int, person: PersonData) -> Kunde | None:
    """The existing customer this person is, or None for a new one; never a duplicate."""
    if person.kundennummer:
        existing = Kunde.objects.filter(
            jobcenter=jobcenter, kundennummer=person.kundennummer
        ).first()
        if existing and (
            existing.date_of_birth != person.date_of_birth
            or existing.last_name.casefold() != person.last_name.strip().casefold()
        ):
            raise IntakeError(
                _(
                    "Die Kd.-Nr. %(nr)s gehört zu %(name)s, geboren am %(dob)s. "
                    "Bitte Kd.-Nr. und Angaben prüfen."
                )
                % {
                    "nr": existing.kundennummer,
                    "name": existing.full_name,
                    "dob": date_format(existing.date_of_birth, "d.m.Y"),
                },
                person_index=index,
            )
        return existing
    match = (
        Kunde.objects.filter(jobcenter=jobcenter)
        .matching_person(
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
        )
        .first()
    )
    if match:
        raise IntakeError(
            _(
                "%(name)s, geboren am %(dob)s, ist bereits als Kunde erfasst (Kd.-Nr. %(nr)s). "
                "Bitte die Kd.-Nr. eintragen, damit kein doppelter Datensatz entsteht."
            )
            % {
                "name": match.full_name,
                "dob": date_format(match.date_of_birth, "d.m.Y"),
                "nr": match.kundennummer,
            },
            person_index=index,
        )
    return None


def _check_persons(persons: list[PersonData]) -> None:
    if not persons:
        raise IntakeError(_("Bitte mindestens eine Person erfassen."))
    heads = [p for p in persons if p.is_head]
    if len(heads) != 1:
        raise IntakeError(
            _("Die Bedarfsgemeinschaft braucht genau einen Vorstand: bitte eine Person markieren.")
        )
    seen: dict[tuple, int] = {}
    for index, person in enumerate(persons):
        key = (
            person.first_name.strip().casefold(),
            person.last_name.strip().casefold(),
            person.date_of_birth,
        )
        if key in seen or (
            person.kundennummer
            and any(p.kundennummer == person.kundennummer for p in persons[:index])
        ):
            raise IntakeError(
                _("Diese Person ist im Formular zweimal eingetragen."), person_index=index
            )
        seen[key] = index


def history_note_text(*, antrag: Antrag, persons: list[Kunde], other_household_members: int) -> str:
    """The history note of rule R-AN-01: every member with Kd.-Nr., other household, reason."""
    lines = [
        _("Antragsausgabe %(kind)s am %(date)s (%(channel)s).")
        % {
            "kind": antrag.get_kind_display(),
            "date": date_format(antrag.application_date, "d.m.Y"),
            "channel": antrag.get_channel_display(),
        },
        _("Mitglieder der Bedarfsgemeinschaft %(bg)s:") % {"bg": antrag.bedarfsgemeinschaft.number},
    ]
    head_id = antrag.bedarfsgemeinschaft.head_id
    for kunde in persons:
        marker = _(" (Vorstand)") if kunde.pk == head_id else ""
        lines.append(
            f"- {kunde.first_name} {kunde.last_name}, "
            f"{date_format(kunde.date_of_birth, 'd.m.Y')}, "
            f"{_('Kd.-Nr.')} {kunde.kundennummer}{marker}"
        )
    lines.append(_("Weitere Personen im Haushalt: %(n)d") % {"n": other_household_members})
    lines.append(_("Grund der Antragstellung: %(reason)s") % {"reason": antrag.reason})
    lines.append(
        _("Rückgabe der Antragsunterlagen vereinbart bis %(date)s.")
        % {"date": date_format(antrag.return_date, "d.m.Y")}
    )
    return "\n".join(lines)


def _surname_initial(last_name: str) -> str:
    """The letter a surname is filed under: "Özdemir" under O, "von der Heide" under H."""
    words = [w for w in last_name.split() if w.lower() not in NAME_PARTICLES] or [""]
    letter = unicodedata.normalize("NFKD", words[0])[:1].upper()
    return letter


NAME_PARTICLES = {"von", "van", "der", "den", "de", "zu", "vom", "zum", "zur", "di", "da", "del"}


def _letters(rule: str) -> set[str]:
    """The letters of a rule such as "A–K" or "A-D, S"."""
    result: set[str] = set()
    for part in rule.replace("–", "-").replace("—", "-").split(","):
        ends = [p.strip().upper() for p in part.split("-") if p.strip()]
        if len(ends) == 1 and len(ends[0]) == 1:
            result.add(ends[0])
        elif len(ends) == 2 and len(ends[0]) == len(ends[1]) == 1:
            result.update(chr(c) for c in range(ord(ends[0]), ord(ends[1]) + 1))
    return result


def leistung_team_for_surname(jobcenter: Jobcenter, last_name: str) -> Team | None:
    """The Leistung team a new BG goes to by the Jobcenter's surname rule; the only
    Leistung team where there is no rule; None where the rule leaves it open."""
    teams = list(Team.objects.filter(jobcenter=jobcenter, kind=Team.Kind.LEISTUNG))
    if len(teams) == 1:
        return teams[0]
    letter = _surname_initial(last_name)
    matching = [t for t in teams if letter and letter in _letters(t.surname_letters)]
    return matching[0] if len(matching) == 1 else None


def ifk_proposed_for(kunde: Kunde) -> User | None:
    """An IFK by team and age group: of the customer's Integration team (U25/Ü25), the
    active IFK with the fewest customers (by name on a tie)."""
    team = integration_team_for(kunde)
    if team is None:
        return None
    return (
        team.members.filter(role=Role.INTEGRATION, is_active=True)
        .annotate(load=Count("kunden"))
        .order_by("load", "last_name", "first_name", "pk")
        .first()
    )


def kunde_ifk_assign(*, actor: User, kunde: Kunde, ifk: User) -> None:
    """Give a customer without an IFK their Hauptbetreuung (audited)."""
    if kunde.ifk_id is not None:
        return
    kunde.ifk = ifk
    kunde.save(update_fields=["ifk"])
    audit_record(
        actor=actor,
        action="change",
        target=kunde,
        summary=_("Hauptbetreuung nach Team und Altersgruppe zugeordnet"),
        changes={"fields": ["ifk"]},
    )


MASTER_DATA_FIELDS = ("ifk", "street", "postcode", "city", "phone", "email")


@transaction.atomic
def kunde_master_data_change(
    *, actor: User, kunde_id: int, changes: dict, contact_consent: bool
) -> list[str]:
    """Correct a customer's IFK, address and contact after intake; returns the names of
    the fields changed. Phone and e-mail stay only with consent. Audited by field name,
    without the values."""
    kunde = Kunde.objects.select_for_update().get(pk=kunde_id)
    require_perm(
        actor,
        "intake.change_kunde",
        kunde,
        message=_("Sie dürfen die Stammdaten dieser Person nicht ändern."),
    )
    ifk = changes.get("ifk")
    if ifk is not None and (ifk.jobcenter_id != kunde.jobcenter_id or ifk.role != Role.INTEGRATION):
        raise IntakeError(
            _("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."), field="ifk"
        )
    if not contact_consent:
        changes = {**changes, "phone": "", "email": ""}
    changed = [
        name
        for name in MASTER_DATA_FIELDS
        if getattr(kunde, name) != changes.get(name, getattr(kunde, name))
    ]
    for name in changed:
        setattr(kunde, name, changes[name])
    consent_on = kunde.contact_consent_on if contact_consent else None
    if contact_consent and (consent_on is None or {"phone", "email"} & set(changed)):
        consent_on = timezone.localdate()
    if consent_on != kunde.contact_consent_on:
        kunde.contact_consent_on = consent_on
        changed.append("contact_consent_on")
    if changed:
        kunde.save(update_fields=changed)
        audit_record(
            actor=actor,
            action="change",
            target=kunde,
            summary=_("Stammdaten nach der Antragsaufnahme berichtigt"),
            changes={"fields": changed},
        )
    if {"phone", "email", "contact_consent_on"} & set(changed):
        from reminders.models import Einwilligung
        from reminders.services import consent_from_contact

        # Reminders per channel follow the contact consent and the addresses given.
        consent_from_contact(
            actor=actor, kunde=kunde, today=timezone.localdate(), via=Einwilligung.Via.STAFF
        )
    return changed


def _take_contact(kunde: Kunde, person: PersonData, *, today: date) -> None:
    """Phone and e-mail are kept only with the customer's consent, and its day."""
    if not person.contact_consent:
        return
    kunde.phone, kunde.email = person.phone.strip(), person.email.strip()
    kunde.contact_consent_on = today


@transaction.atomic
def antrag_register(*, actor: User, jobcenter: Jobcenter, data: IntakeData) -> Antrag:
    """Register an application with every member of the BG (rule R-AN-01), in one transaction."""

    _check_persons(data.persons)
    registration.check_service_centre_may_take_data(actor, data)
    registration.check_intake_circumstances(data)
    if data.application_date > timezone.localdate():
        raise IntakeError(_("Das Antragsdatum darf nicht in der Zukunft liegen."))
    if any(doc.jobcenter_id != jobcenter.pk for doc in data.documents):
        raise IntakeError(_("Diese Unterlage gehört nicht zur Checkliste dieses Jobcenters."))

    _lock_person_identities(jobcenter, data.persons)
    resolved = [
        _resolve_person(jobcenter, index, person) for index, person in enumerate(data.persons)
    ]
    existing_bgs = {k.bedarfsgemeinschaft for k in resolved if k and k.bedarfsgemeinschaft}
    head_index = next(i for i, p in enumerate(data.persons) if p.is_head)
    head_existing = resolved[head_index]
    if head_existing and head_existing.bedarfsgemeinschaft:
        bg = head_existing.bedarfsgemeinschaft  # Rule R-AN-01: an existing BG-Nummer is reused.
    elif len(existing_bgs) == 1:
        bg = existing_bgs.pop()
    else:
        bg = None
    if bg is not None:
        bg = Bedarfsgemeinschaft.objects.select_for_update().get(pk=bg.pk)
        if bg.antraege.open().exists():
            raise IntakeError(
                _("Für die Bedarfsgemeinschaft %(bg)s ist bereits ein Antrag in Bearbeitung.")
                % {"bg": bg.number}
            )
        bg.other_household_members = data.other_household_members
        if bg.leistung_team_id is None:
            bg.leistung_team = data.leistung_team or leistung_team_for_surname(
                jobcenter, data.persons[head_index].last_name
            )
        bg.save()
    else:
        team = data.leistung_team or leistung_team_for_surname(
            jobcenter, data.persons[head_index].last_name
        )
        if team is None:
            raise IntakeError(
                _(
                    "Das Leistungsteam lässt sich nicht aus dem Nachnamen ableiten: "
                    "bitte das zuständige Leistungsteam wählen."
                ),
                field="leistung_team",
            )
        bg = Bedarfsgemeinschaft.objects.create(
            jobcenter=jobcenter,
            number=_new_bg_number(jobcenter),
            other_household_members=data.other_household_members,
            leistung_team=team,
        )

    threshold = InterruptionThreshold(
        value=jobcenter.interruption_threshold_value, unit=jobcenter.interruption_threshold_unit
    )
    kunden: list[Kunde] = []
    checks = []
    for person, existing in zip(data.persons, resolved, strict=True):
        if existing is None:
            kunde = Kunde(
                jobcenter=jobcenter,
                kundennummer=person.kundennummer or _new_kundennummer(jobcenter),
            )
        else:
            kunde = existing
        kunde.first_name = person.first_name.strip()
        kunde.last_name = person.last_name.strip()
        kunde.date_of_birth = person.date_of_birth
        kunde.habitual_residence_in_germany = person.habitual_residence_in_germany
        kunde.self_employed = person.self_employed
        kunde.needs_interpreter = person.needs_interpreter
        kunde.aufstocker = person.aufstocker
        registration.switch_hauptbetreuung(
            kunde, rechtskreiswechsel=person.rechtskreiswechsel, today=timezone.localdate()
        )
        if data.applied_by == Antrag.AppliedBy.PROXY and person.is_head:
            kunde.represented_by_proxy = True
        if person.last_benefit_end is not None:
            kunde.last_benefit_end = person.last_benefit_end
        if data.street:
            kunde.street, kunde.postcode, kunde.city = data.street, data.postcode, data.city
        kunde.relation_to_head = "" if person.is_head else person.relation_to_head
        _take_contact(kunde, person, today=timezone.localdate())
        kunde.bedarfsgemeinschaft = bg
        if kunde.ifk_id is None:
            # Left empty: an erwerbsfähige member gets the IFK of their team and age group.
            kunde.ifk = data.ifk or (
                ifk_proposed_for(kunde)
                if data.ifk_by_team
                and registration.is_erwerbsfaehig_by_age(kunde.date_of_birth, data.application_date)
                else None
            )
        kunde.save()
        audit_record(
            actor=actor,
            action="create" if existing is None else "change",
            target=kunde,
            summary=_("bei Antragsaufnahme erfasst"),
        )
        if person.contact_consent:
            audit_record(
                actor=actor,
                action="change",
                target=kunde,
                summary=_("Einwilligung in Kontakt und Erinnerung erfasst (Telefon, E-Mail)"),
            )
            from reminders.models import Einwilligung
            from reminders.services import consent_from_contact

            # Reminders by e-mail and SMS for the addresses given with the consent.
            consent_from_contact(
                actor=actor, kunde=kunde, today=timezone.localdate(), via=Einwilligung.Via.INTAKE
            )
        kunden.append(kunde)
        checks.append(
            check_neukunde(
                birth_date=kunde.date_of_birth,
                application_date=data.application_date,
                habitual_residence_in_germany=kunde.habitual_residence_in_germany,
                last_benefit_end=kunde.last_benefit_end,
                threshold=threshold,
            )
        )
    bg.head = kunden[head_index]
    bg.save(update_fields=["head"])

    received_at = data.received_at or timezone.now()
    antrag = Antrag.objects.create(
        jobcenter=jobcenter,
        bedarfsgemeinschaft=bg,
        applicant=kunden[head_index],
        kind=data.kind,
        channel=data.channel,
        application_date=data.application_date,
        received_at=received_at,
        reason=data.reason.strip(),
        id_checked=data.id_checked,
        id_checked_on=data.application_date if data.id_checked else None,
        id_checked_by=actor if data.id_checked else None,
        applied_by=data.applied_by,
        moved_in=data.moved_in,
        residence_evidence=data.residence_evidence if data.moved_in else "",
        return_date=data.return_date,
        created_by=actor,
    )
    AntragPerson.objects.bulk_create(
        AntragPerson(
            antrag=antrag,
            kunde=kunde,
            is_neukunde=check.is_neukunde,
            neukunde_reasons="; ".join(check.reasons)[:500],
            # Rule R-AN-01: an Arbeitspaket for each erwerbsfähige member, one return date.
            arbeitspaket_due=data.return_date
            if registration.is_erwerbsfaehig_by_age(kunde.date_of_birth, data.application_date)
            else None,
        )
        for kunde, check in zip(kunden, checks, strict=True)
    )
    Nachweis.objects.bulk_create(
        Nachweis(antrag=antrag, document_type=doc) for doc in data.documents
    )
    AntragTransition.objects.create(
        antrag=antrag,
        transition="register",
        source="",
        target=AntragState.ERFASST,
        actor=actor,
        comment=_("Antrag aufgenommen"),
    )
    audit_record(actor=actor, action="create", target=antrag, summary=_("Antrag aufgenommen"))
    deadlines_on_event(
        jobcenter=jobcenter,
        antrag=antrag,
        event=StartEvent.APPLICATION,
        at=received_at,
        owners=_owners(antrag),
        scope=Scope.PERSONAL if antrag.channel == Antrag.Channel.PERSONAL else Scope.OTHER,
        application_kind=antrag.kind,
        persons=first_consultation_persons(antrag),
    )
    # Rule R-AN-01: the history note stands on every member of the BG, not the head alone.
    text = "\n".join(
        [
            history_note_text(
                antrag=antrag, persons=kunden, other_household_members=data.other_household_members
            ),
            *registration.intake_note_lines(
                antrag,
                list(antrag.persons.select_related("kunde").order_by("kunde__date_of_birth")),
            ),
        ]
    )
    for kunde in kunden:
        vermerk_create(
            kunde=kunde,
            author=actor,
            subject=_("Antragsausgabe und Mitglieder der Bedarfsgemeinschaft"),
            text=text,
            known_on=data.application_date,
        )
    registration.raise_intake_tasks(
        actor=actor, antrag=antrag, kunden=kunden, today=timezone.localdate()
    )
    registration.run_after_registration(actor=actor, antrag=antrag)
    return antrag


# --- Service centre (rule R-AN-02) ---------------------------------------------------------


@transaction.atomic
def service_centre_refer(
    *, actor: User, jobcenter: Jobcenter, reason: str, caller: str, callback: str, note: str
):
    """Record a call the service centre may not take data for: a task for the EZ."""
    labels = dict(NoDataReason.CHOICES)
    if reason not in labels:
        raise IntakeError(_("Bitte den Grund wählen, aus dem keine Daten aufgenommen werden."))
    return aufgabe_create(
        created_by=actor,
        postfach=eingangszone_postfach(jobcenter),
        title=_("Antragstellung: Vorsprache in der Eingangszone nötig (%(reason)s)")
        % {"reason": labels[reason]},
        description=_("Anrufer/in: %(caller)s\nRückruf: %(callback)s\n%(note)s")
        % {"caller": caller, "callback": callback, "note": note},
        due_at=timezone.now() + timezone.timedelta(days=1),
    )


# --- Case moves: every step through here, as the step table (intake.steps) says ---------


def _owners(antrag: Antrag) -> Owners:
    applicant = antrag.applicant
    return Owners(
        leistung_team=antrag.bedarfsgemeinschaft.leistung_team,
        integration_team=integration_team_for(applicant),
        ifk=applicant.ifk,
    )


def first_consultation_persons(antrag: Antrag) -> list[tuple[Kunde, Owners]]:
    """Whom the first consultation's clock runs for (rule R-EG-01): each erwerbsfähige
    Neukunde of the BG on an Erstantrag: a Neukunde by the verdict taken at intake, at
    least 15 and below the § 7a limit on the day of the application. A Weiterbewilligung,
    a child, someone past the limit or a person who is not new: no one."""
    if antrag.kind != Antrag.Kind.ERSTANTRAG:
        return []
    persons = []
    for person in antrag.persons.select_related("kunde__ifk").order_by("kunde__date_of_birth"):
        kunde = person.kunde
        erwerbsfaehig = age_on(
            kunde.date_of_birth, antrag.application_date
        ) >= MINDESTALTER and not has_reached_age_limit(
            kunde.date_of_birth, antrag.application_date
        )
        if person.is_neukunde and erwerbsfaehig:
            persons.append(
                (
                    kunde,
                    Owners(
                        leistung_team=antrag.bedarfsgemeinschaft.leistung_team,
                        integration_team=integration_team_for(kunde),
                        ifk=kunde.ifk,
                    ),
                )
            )
    return persons


def move_clocks(antrag: Antrag, taken: Step, at) -> None:
    """Start and stop the minimum-standard clocks as the step says (domain.md §6)."""
    starts = taken.starts if taken.starts_if is None or taken.starts_if(antrag) else ""
    if starts or taken.completes:
        deadlines_on_event(
            jobcenter=antrag.jobcenter,
            antrag=antrag,
            event=starts,
            at=at,
            owners=_owners(antrag),
            completes=taken.completes or None,
            application_kind=antrag.kind,
            persons=first_consultation_persons(antrag) if starts else (),
        )
    if taken.closes_all_clocks:
        # Without entitlement no other clock of this case runs on.
        deadlines_cancel(antrag=antrag)


@transaction.atomic
def antrag_transition(
    *,
    actor: User,
    antrag_id: int,
    name: str,
    expected_state: str | None,
    comment: str = "",
    occurred_at=None,
    **params,
) -> Antrag:
    """Move a case one step: check the permission, lock, transition, record, notify.

    `occurred_at` is for loading history (the demo's past cases): the step is dated and its
    clocks move as of then. Views never pass it."""
    taken = BY_NAME.get(name)
    if (
        taken is None
        or not set(params) <= set(taken.asks)
        or set(taken.asks) - set(taken.may_omit) - set(params)
    ):
        raise CaseConflict(_("Dieser Schritt ist unbekannt."))
    comment = comment.strip()
    if taken.needs_comment and not comment:
        raise CaseConflict(_("Bitte eine Begründung angeben."))
    antrag = (
        Antrag.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "bedarfsgemeinschaft", "applicant")
        .get(pk=antrag_id)
    )
    method = getattr(antrag, name)
    source = getattr(antrag, taken.track)
    if expected_state is not None and source != expected_state:
        label = dict(antrag._meta.get_field(taken.track).choices).get(source, source)
        raise CaseConflict(
            _(
                "Der Fall wurde inzwischen bearbeitet und steht jetzt auf „%(state)s“. "
                "Bitte prüfen Sie den aktuellen Stand."
            )
            % {"state": label}
        )
    if not can_proceed(method):
        raise CaseConflict(_("Dieser Schritt ist im aktuellen Status nicht möglich."))
    # The permission is checked here, in the service: calling a transition does not.
    if not has_transition_perm(method, actor):
        raise PermissionDenied(_("Diesen Schritt dürfen Sie bei diesem Fall nicht ausführen."))
    now = occurred_at or timezone.now()
    missing = taken.missing(antrag, {**params, "_now": now})
    if missing:
        raise CaseConflict(" ".join(missing))

    today = timezone.localdate(now)
    kwargs = dict(params)
    if taken.dated:
        kwargs["on"] = today
    if taken.records_decision:
        kwargs["note"] = comment
    method(**kwargs)
    antrag.save()
    target = getattr(antrag, taken.track)
    entry = AntragTransition.objects.create(
        antrag=antrag,
        field=taken.track,
        transition=name,
        source=source,
        target=target,
        actor=actor,
        comment=comment,
    )
    if occurred_at is not None:
        AntragTransition.objects.filter(pk=entry.pk).update(at=occurred_at)
    move_clocks(antrag, taken, now)
    # The audit log is read by people: the step and the states in German, never codes.
    audit_record(
        actor=actor,
        action="transition",
        target=antrag,
        summary=f"{taken.label}: {entry.source_label} → {entry.target_label}",
        changes={taken.track: [source, target]},
    )
    if taken.ends_placement_registration:
        # Rule R-FR-02: the members' registration for placement ends with the Versagung.
        Kunde.objects.filter(
            antrag_persons__antrag=antrag, placement_registration_ended_on__isnull=True
        ).update(placement_registration_ended_on=today)
    if name == "book_first_consultation" and antrag.applicant.ifk_id is None:
        # Rule R-AN-03: the IFK of the first consultation becomes the customer's IFK.
        antrag.applicant.ifk = antrag.eg_with
        antrag.applicant.save(update_fields=["ifk"])
    if name == "book_first_consultation":
        _close_booking_tasks(actor=actor, antrag=antrag)
    for task in taken.tasks:
        if task.only_if is None or task.only_if(antrag):
            _raise_task(actor=actor, antrag=antrag, task=task, today=today)
    return antrag


def _close_booking_tasks(*, actor: User, antrag: Antrag) -> None:
    """The EG is booked: the tasks to book it close themselves, and a rebooking closes the
    earlier "Neuer Kunde zugeordnet" (the new one names the new date)."""
    work = [reverse(name, args=[antrag.pk]) for name in (EG_BOOKING_URL, EG_MANUAL_URL)]
    when = date_format(timezone.localtime(antrag.eg_at), "d.m.Y H:i") if antrag.eg_at else ""
    aufgaben_done_for_work(
        actor=actor,
        queryset=Aufgabe.objects.filter(work_url__in=work),
        note=_("erledigt durch die Buchung des Erstgesprächs am %(at)s") % {"at": when},
    )
    aufgaben_done_for_work(
        actor=actor,
        queryset=Aufgabe.objects.filter(
            kunde=antrag.applicant, title__startswith=NEW_CUSTOMER_TITLE_PREFIX
        ),
        note=_("erledigt durch die Umbuchung des Erstgesprächs auf %(at)s") % {"at": when},
    )


def _raise_task(*, actor: User, antrag: Antrag, task: Task, today: date) -> None:
    """A task the step raises (its `tasks` in the step table), to whom the table says."""
    applicant = antrag.applicant
    postfach = assignee = None
    if task.to is Recipient.CONSULTATION_IFK:
        assignee = antrag.eg_with
    elif task.to is Recipient.IFK_OR_INTEGRATION_MAILBOX and applicant.ifk_id:
        assignee = applicant.ifk
    elif task.to is Recipient.EZ_MAILBOX:
        try:
            postfach = eingangszone_postfach(antrag.jobcenter)
        except IntakeError:
            postfach = None
    else:
        postfach = integration_postfach_for(applicant)
    if postfach is None and assignee is None:
        return
    title = task.title % {
        "state": antrag.get_state_display(),
        "date": date_format(today, "d.m.Y"),
        "bg": antrag.bedarfsgemeinschaft.number,
        "at": date_format(timezone.localtime(antrag.eg_at), "d.m.Y H:i") if antrag.eg_at else "",
    }
    aufgabe_create(
        created_by=actor,
        postfach=postfach,
        assignee=assignee,
        kunde=applicant,
        title=title,
        description=antrag.decision_note if task.with_decision_note else "",
        work_url=reverse(task.work, args=[antrag.pk]) if task.work else "",
    )


@transaction.atomic
def nachweis_settle(
    *, actor: User, antrag: Antrag, nachweis_id: int, received: bool, waived_reason: str = ""
) -> Nachweis:
    """One checklist item handed in, waived with a reason (rule R-AN-01), or open again."""
    require_perm(actor, "intake.edit_checklist", antrag)
    nachweis = (
        Nachweis.objects.select_for_update()
        .select_related("document_type")
        .filter(pk=nachweis_id, antrag=antrag)
        .first()
    )
    if nachweis is None:
        raise CaseConflict(_("Dieser Nachweis gehört nicht zu diesem Fall."))
    waived_reason = waived_reason.strip()
    if received:
        nachweis.received_on, nachweis.waived_reason, nachweis.waived_on = (
            timezone.localdate(),
            "",
            None,
        )
        what = _("eingegangen")
    elif waived_reason:
        nachweis.received_on, nachweis.waived_reason, nachweis.waived_on = (
            None,
            waived_reason[:300],
            timezone.localdate(),
        )
        what = _("verzichtbar: %(reason)s") % {"reason": nachweis.waived_reason}
    else:
        nachweis.received_on, nachweis.waived_reason, nachweis.waived_on = None, "", None
        what = _("wieder offen")
    nachweis.save(update_fields=["received_on", "waived_reason", "waived_on"])
    audit_record(
        actor=actor,
        action="change",
        target=antrag,
        summary=_("Nachweis „%(doc)s“ %(what)s")
        % {"doc": nachweis.document_type.name, "what": what},
    )
    return nachweis


def kunde_record_view(*, actor: User, kunde: Kunde, shown_ids=()) -> None:
    """Sozialdaten: who opened which customer record is kept, for the customer and for
    every other person the page shows (the members of the BG)."""
    audit_read(
        actor=actor,
        target=kunde,
        summary=_("Kundendatensatz geöffnet"),
        subject_ids=[kunde.pk, *shown_ids],
    )
