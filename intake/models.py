from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jobcenter.models import Jobcenter, Team

# Moved to jobcenter.predicates; imported here until every caller imports it from there.
from jobcenter.predicates import user_team_ids  # noqa: F401
from jobcenter.roles import Role

from .states import (
    NEGATIVE_STATES,
    OPEN_STATES,
    AntragState,
    EntryCheckPart,
    ErstgespraechState,
)
from .steps import first_consultation_bookable, step

KUNDENNUMMER_PATTERN = r"^\d{3}[A-Z]\d{6}$"
BG_NUMMER_PATTERN = r"^\d{5}BG\d{7}$"

kundennummer_validator = RegexValidator(
    KUNDENNUMMER_PATTERN,
    _(
        "Die Kundennummer hat das Format 123A456789: drei Ziffern, ein Großbuchstabe, sechs Ziffern."
    ),
)
bg_nummer_validator = RegexValidator(
    BG_NUMMER_PATTERN,
    _("Die BG-Nummer hat das Format 12345BG1234567."),
)


class KundeQuerySet(models.QuerySet):
    def matching_person(self, *, first_name: str, last_name: str, date_of_birth: date):
        return self.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )


class Kunde(models.Model):
    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.PROTECT, related_name="kunden")
    kundennummer = models.CharField(
        _("Kd.-Nr."), max_length=10, validators=[kundennummer_validator]
    )
    first_name = models.CharField(_("Vorname"), max_length=100)
    last_name = models.CharField(_("Nachname"), max_length=100)
    date_of_birth = models.DateField(_("Geburtsdatum"))
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    habitual_residence_in_germany = models.BooleanField(
        _("gewöhnlicher Aufenthalt in Deutschland"), default=True
    )
    aufstocker = models.BooleanField(_("Aufstocker"), default=False)
    self_employed = models.BooleanField(_("selbständig"), default=False)
    needs_interpreter = models.BooleanField(_("braucht Dolmetscher"), default=False)
    represented_by_proxy = models.BooleanField(_("durch Bevollmächtigte vertreten"), default=False)
    last_benefit_end = models.DateField(
        _("letzter Leistungsbezug endete am"),
        null=True,
        blank=True,
        help_text=_("Leer, wenn die Person noch nie Leistungen bezogen hat."),
    )
    # Rule R-AN-06: after ALG I ran out the EZ switched the Hauptbetreuung to the Jobcenter.
    hauptbetreuung_switched_on = models.DateField(
        _("Hauptbetreuung auf das Jobcenter umgestellt am"),
        null=True,
        blank=True,
        help_text=_("Rechtskreiswechsel nach Auslaufen des Arbeitslosengeldes."),
    )
    # Rule R-FR-02: with a Versagung the registration for placement ends.
    placement_registration_ended_on = models.DateField(
        _("Anmeldung zur Arbeitsvermittlung beendet am"), null=True, blank=True
    )
    bedarfsgemeinschaft = models.ForeignKey(
        "Bedarfsgemeinschaft",
        verbose_name=_("Bedarfsgemeinschaft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    ifk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Hauptbetreuung (IFK)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kunden",
        limit_choices_to={"role": Role.INTEGRATION},
    )

    class Relation(models.TextChoices):
        """How a member of the BG is related to its Vorstand."""

        PARTNER = "partner", _("Partner/in")
        KIND = "kind", _("Kind")
        ELTERNTEIL = "elternteil", _("Elternteil")
        SONSTIGE = "sonstige", _("sonstige Person")

    # Empty for the Vorstand itself.
    relation_to_head = models.CharField(
        _("Beziehung zum Vorstand"), max_length=20, choices=Relation.choices, blank=True
    )
    phone = models.CharField(_("Telefon"), max_length=30, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    # The customer agreed to be contacted and reminded by phone or e-mail on this day.
    contact_consent_on = models.DateField(
        _("Einwilligung in Kontakt und Erinnerung am"), null=True, blank=True
    )
    # The language of confirmations and reminders, where the Jobcenter offers it
    # (Jobcenter.message_languages); German otherwise.
    message_language = models.CharField(
        _("Sprache der Erinnerungen"), max_length=2, blank=True, default="de", db_default="de"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KundeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kunde")
        verbose_name_plural = _("Kunden")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["jobcenter", "kundennummer"], name="uniq_kundennummer"),
        ]
        indexes = [models.Index(fields=["jobcenter", "last_name", "first_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.kundennummer})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Bedarfsgemeinschaft(models.Model):
    jobcenter = models.ForeignKey(
        Jobcenter, on_delete=models.PROTECT, related_name="bedarfsgemeinschaften"
    )
    number = models.CharField(_("BG-Nummer"), max_length=14, validators=[bg_nummer_validator])
    head = models.ForeignKey(
        Kunde,
        verbose_name=_("Vorstand"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    other_household_members = models.PositiveSmallIntegerField(
        _("weitere Personen im Haushalt"), default=0
    )
    leistung_team = models.ForeignKey(
        Team,
        verbose_name=_("zuständiges Leistungsteam"),
        on_delete=models.PROTECT,
        null=True,
        related_name="bedarfsgemeinschaften",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Bedarfsgemeinschaft")
        verbose_name_plural = _("Bedarfsgemeinschaften")
        # A BG number is unique within its Jobcenter only (each numbers its own BGs).
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "number"],
                name="uniq_bg_number",
                violation_error_message=_("Diese BG-Nummer gibt es in diesem Jobcenter bereits."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        moved = _changed(self, "leistung_team", "_saved_leistung_team_id", kwargs)
        super().save(*args, **kwargs)
        if moved:
            from minimumstandards.models import sync_case_team

            # The deadlines of the household's cases carry its team (Leistung's lists).
            sync_case_team(bg_id=self.pk)
        self._saved_leistung_team_id = self.leistung_team_id

    @classmethod
    def from_db(cls, db, field_names, values):
        bg = super().from_db(db, field_names, values)
        bg._saved_leistung_team_id = bg.__dict__.get("leistung_team_id")
        return bg


def _changed(obj: models.Model, field: str, saved: str, save_kwargs: dict) -> bool:
    """Whether this save writes a new value of the foreign key `field` over the one read
    (`saved`: the value kept by from_db and after the last save)."""
    if obj._state.adding or not hasattr(obj, saved):
        return False
    fields = save_kwargs.get("update_fields")
    if fields is not None and field not in fields and f"{field}_id" not in fields:
        return False
    return getattr(obj, f"{field}_id") != getattr(obj, saved)


class NumberSequence(models.Model):
    """Counters for Kd.-Nr. and BG-Nummer, drawn under a row lock."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE)
    name = models.CharField(max_length=20)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jobcenter", "name"], name="uniq_sequence")]

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class DocumentType(models.Model):
    """A document the applicant may owe (the checklist of rule R-AN-01), edited by each Jobcenter."""

    jobcenter = models.ForeignKey(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.CASCADE,
        related_name="document_types",
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Unterlage")
        verbose_name_plural = _("Unterlagen (Checkliste)")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "name"],
                name="uniq_document_type_name",
                violation_error_message=_("Diese Unterlage gibt es in diesem Jobcenter bereits."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AntragQuerySet(models.QuerySet):
    def open(self) -> "AntragQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def at_risk(self, now) -> "AntragQuerySet":
        """Cases with an open deadline whose warning moment has come (a semi-join: no
        DISTINCT over the whole list)."""
        from minimumstandards.models import Deadline

        return self.filter(
            models.Exists(
                Deadline.objects.filter(
                    antrag_id=models.OuterRef("pk"), status="open", warn_at__lte=now
                )
            )
        )

    def for_list(self) -> "AntragQuerySet":
        return self.select_related("applicant", "bedarfsgemeinschaft__leistung_team")


class Antrag(FSMModelMixin, models.Model):
    """An application and the new-customer case it opens (rules R-AN-01, R-EG-01)."""

    class Kind(models.TextChoices):
        ERSTANTRAG = "erstantrag", _("Erstantrag")
        WEITERBEWILLIGUNG = "weiterbewilligung", _("Weiterbewilligungsantrag")

    class Channel(models.TextChoices):
        PERSONAL = "personal", _("persönlich in der Eingangszone")
        DIGITAL = "digital", _("digital (jobcenter.digital)")
        POSTAL = "postal", _("schriftlich / Post")
        PHONE = "phone", _("telefonisch / Servicecenter")

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.PROTECT, related_name="antraege")
    bedarfsgemeinschaft = models.ForeignKey(
        Bedarfsgemeinschaft, on_delete=models.PROTECT, related_name="antraege"
    )
    applicant = models.ForeignKey(
        Kunde, verbose_name=_("Antragsteller/in"), on_delete=models.PROTECT, related_name="antraege"
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("Eingangsweg"), max_length=20, choices=Channel.choices)
    application_date = models.DateField(
        _("Tag der Antragstellung"),
        help_text=_("Bei Post: der Tag des Posteingangs."),
    )
    received_at = models.DateTimeField(
        _("Eingang (Zeitpunkt)"),
        help_text=_("Beginn der 24-Stunden-Frist bei persönlicher Antragstellung."),
    )
    reason = models.TextField(_("Grund der Antragstellung"))
    id_checked = models.BooleanField(_("Identität geprüft"), default=False)
    # Rule R-AN-02: the ID check of a phone or postal application, scheduled and done later.
    id_check_planned_at = models.DateTimeField(_("ID-Prüfung geplant am"), null=True, blank=True)
    id_checked_on = models.DateField(_("ID-Prüfung am"), null=True, blank=True)
    id_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ID-Prüfung durch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class AppliedBy(models.TextChoices):
        SELF = "self", _("die antragstellende Person selbst")
        PROXY = "proxy", _("Bevollmächtigte")
        THIRD_PARTY = "third_party", _("Dritte (Krankheit, Hospiz, stationärer Aufenthalt)")

    class ResidenceEvidence(models.TextChoices):
        ID_DOCUMENT = "id_document", _("Ausweisdokument")
        RENTAL_CONTRACT = "rental_contract", _("Mietvertrag")
        MELDEBESCHEINIGUNG = "meldebescheinigung", _("aktuelle Meldebescheinigung")

    applied_by = models.CharField(
        _("Antrag gestellt durch"), max_length=20, choices=AppliedBy.choices, default="self"
    )
    # Rule R-AN-05: on a Zuzug the Jobcenter's responsibility is checked by one document.
    moved_in = models.BooleanField(_("Zuzug"), default=False)
    residence_evidence = models.CharField(
        _("Zuständigkeit geprüft anhand"),
        max_length=20,
        choices=ResidenceEvidence.choices,
        blank=True,
    )
    return_date = models.DateField(_("Rückgabe der Unterlagen bis"))
    documents_complete_on = models.DateField(_("Unterlagen vollständig am"), null=True, blank=True)
    decided_on = models.DateField(_("entschieden am"), null=True, blank=True)
    decision_note = models.TextField(_("Begründung / Vermerk zur Entscheidung"), blank=True)
    handed_to_integration_on = models.DateField(
        _("an Integration übergeben am"), null=True, blank=True
    )
    # Rule R-FR-01: the parts of the entry check ticked when it was completed (EntryCheckPart).
    entry_check_parts = models.JSONField(_("Teile der Eingangsprüfung"), default=list, blank=True)
    # Rule R-FR-02: the written notice of § 66 Abs. 3 SGB I and the deadline it gives.
    cooperation_notice_sent_on = models.DateField(
        _("Aufforderung zur Mitwirkung versandt am"), null=True, blank=True
    )
    cooperation_notice_deadline = models.DateField(
        _("Frist zur Mitwirkung bis"), null=True, blank=True
    )
    # Rule R-EN-04: the benefit ended, and the Fallabschluss done.
    benefit_ended_on = models.DateField(_("Leistungsbezug beendet am"), null=True, blank=True)
    case_closed_on = models.DateField(_("Fallabschluss bearbeitet am"), null=True, blank=True)
    state = FSMField(
        _("Status"),
        max_length=30,
        choices=AntragState.choices,
        default=AntragState.ERFASST,
        protected=True,
        db_index=True,
    )
    eg_state = FSMField(
        _("Erstgespräch"),
        max_length=20,
        choices=ErstgespraechState.choices,
        default=ErstgespraechState.OFFEN,
        protected=True,
    )
    eg_at = models.DateTimeField(_("Erstgespräch am"), null=True, blank=True)
    eg_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Erstgespräch bei"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erstgespraeche",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AntragQuerySet.as_manager()

    class Meta:
        verbose_name = _("Antrag")
        verbose_name_plural = _("Anträge")
        ordering = ["application_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bedarfsgemeinschaft.number}"

    def save(self, *args, **kwargs):
        moved = _changed(self, "bedarfsgemeinschaft", "_saved_bg_id", kwargs)
        super().save(*args, **kwargs)
        if moved:
            from minimumstandards.models import sync_case_team

            # Its deadlines carry the Leistung team of its household (Leistung's lists).
            sync_case_team(antrag_ids=[self.pk])
        self._saved_bg_id = self.bedarfsgemeinschaft_id

    @classmethod
    def from_db(cls, db, field_names, values):
        antrag = super().from_db(db, field_names, values)
        antrag._saved_bg_id = antrag.__dict__.get("bedarfsgemeinschaft_id")
        return antrag

    # --- Leistung track -----------------------------------------------------------------

    @transition(field=state, **step("complete_entry_check").fsm())
    def complete_entry_check(
        self, *, documents_complete: bool, on: date, entry_check_parts=None
    ) -> str:
        if entry_check_parts is not None:
            self.entry_check_parts = [str(part) for part in entry_check_parts]
        if documents_complete:
            self.documents_complete_on = on
            return AntragState.BEARBEITUNGSREIF
        return AntragState.UNTERLAGEN_FEHLEN

    @transition(field=state, **step("confirm_documents_complete").fsm())
    def confirm_documents_complete(self, *, on: date) -> None:
        self.documents_complete_on = on

    @transition(field=state, **step("send_cooperation_notice").fsm())
    def send_cooperation_notice(self, *, notice_sent_on: date, notice_deadline: date) -> None:
        self.cooperation_notice_sent_on = notice_sent_on
        self.cooperation_notice_deadline = notice_deadline

    @transition(field=state, **step("approve").fsm())
    def approve(self, *, on: date, note: str = "") -> None:
        self._decide(on, note)

    @transition(field=state, **step("reject").fsm())
    def reject(self, *, on: date, note: str = "") -> None:
        self._decide(on, note)

    @transition(field=state, **step("deny_for_non_cooperation").fsm())
    def deny_for_non_cooperation(self, *, on: date, note: str = "") -> None:
        self._decide(on, note)

    @transition(field=state, **step("withdraw").fsm())
    def withdraw(self, *, on: date, note: str = "") -> None:
        self._decide(on, note)

    @transition(field=state, **step("hand_to_integration").fsm())
    def hand_to_integration(self, *, on: date) -> None:
        self.handed_to_integration_on = on

    @transition(field=state, **step("end_benefit").fsm())
    def end_benefit(self, *, on: date) -> None:
        self.benefit_ended_on = on

    @transition(field=state, **step("record_case_closure").fsm())
    def record_case_closure(self, *, on: date) -> None:
        self.case_closed_on = on

    @property
    def entry_check_part_labels(self) -> list[str]:
        labels = dict(EntryCheckPart.choices)
        return [str(labels.get(part, part)) for part in self.entry_check_parts or ()]

    def _decide(self, on: date, note: str) -> None:
        self.decided_on = on
        self.decision_note = note

    # --- Integration track: the first consultation (EG) ----------------------------------

    def first_consultation_bookable(self) -> bool:
        return first_consultation_bookable(self)

    @transition(field=eg_state, **step("book_first_consultation").fsm())
    def book_first_consultation(self, *, at, ifk) -> None:
        self.eg_at = at
        self.eg_with = ifk

    @transition(field=eg_state, **step("cancel_first_consultation").fsm())
    def cancel_first_consultation(self) -> None:
        self.eg_at = None
        self.eg_with = None

    @transition(field=eg_state, **step("record_first_consultation_held").fsm())
    def record_first_consultation_held(self) -> None:
        pass

    @property
    def is_closed(self) -> bool:
        return self.state in (*NEGATIVE_STATES, AntragState.FALL_ABGESCHLOSSEN) or (
            self.state == AntragState.AN_INTEGRATION
            and self.eg_state == ErstgespraechState.DURCHGEFUEHRT
        )


class AntragPerson(models.Model):
    """A member of the BG covered by an application, and whether they are a Neukunde."""

    antrag = models.ForeignKey(Antrag, on_delete=models.CASCADE, related_name="persons")
    kunde = models.ForeignKey(Kunde, on_delete=models.PROTECT, related_name="antrag_persons")
    is_neukunde = models.BooleanField(_("Neukunde"))
    neukunde_reasons = models.CharField(_("Begründung"), max_length=500)
    # Rule R-AN-01: each erwerbsfähige member gets an Arbeitspaket with a return date; the
    # EZ follows up its return. Empty for a child or a person past the age limit.
    arbeitspaket_due = models.DateField(_("Arbeitspaket zurück bis"), null=True, blank=True)
    arbeitspaket_received_on = models.DateField(
        _("Arbeitspaket eingegangen am"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("Person im Antrag")
        verbose_name_plural = _("Personen im Antrag")
        constraints = [
            models.UniqueConstraint(fields=["antrag", "kunde"], name="uniq_antrag_person")
        ]

    def __str__(self) -> str:
        return str(self.kunde)


class Nachweis(models.Model):
    """One line of the checklist: a document the applicant still owes, or has handed in."""

    antrag = models.ForeignKey(Antrag, on_delete=models.CASCADE, related_name="nachweise")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("eingegangen am"), null=True, blank=True)
    # Rule R-AN-01: an item the case does without counts as settled only with its reason.
    waived_reason = models.CharField(_("Verzicht, Begründung"), max_length=300, blank=True)
    waived_on = models.DateField(_("Verzicht am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Nachweis")
        verbose_name_plural = _("Nachweise")
        ordering = ["document_type__position", "document_type__name"]
        constraints = [
            models.UniqueConstraint(fields=["antrag", "document_type"], name="uniq_nachweis")
        ]

    def __str__(self) -> str:
        return self.document_type.name

    @property
    def settled(self) -> bool:
        return self.received_on is not None or bool(self.waived_reason)


class AntragTransition(models.Model):
    """The history of a case: who moved it, when, from where to where, and why."""

    antrag = models.ForeignKey(Antrag, on_delete=models.CASCADE, related_name="history")
    field = models.CharField(max_length=20, default="state")
    transition = models.CharField(max_length=50)
    source = models.CharField(max_length=30)
    target = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Statuswechsel")
        verbose_name_plural = _("Statuswechsel")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    def _label(self, value: str) -> str:
        choices = AntragState if self.field == "state" else ErstgespraechState
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    @property
    def source_label(self) -> str:
        return self._label(self.source)

    @property
    def target_label(self) -> str:
        return self._label(self.target)
