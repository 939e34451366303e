from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobcenter.forms import (  # noqa: F401 (DateTimeInput re-exported for older imports)
    DATE_INPUT_FORMATS,
    DateField,
    DateInput,
    DateTimeInput,
    KernForm,
    NameField,
)
from jobcenter.models import Jobcenter, Team, User
from jobcenter.predicates import is_hotline
from jobcenter.roles import Role

from .models import Antrag, DocumentType, Kunde, kundennummer_validator
from .neukunde import age_on
from .services import IntakeData, NoDataReason, PersonData
from .states import EntryCheckPart
from .steps import Step

MAX_AGE = 120


def _date_field(label, **kwargs) -> forms.DateField:
    return DateField(label=label, widget=DateInput(), **kwargs)


class PersonForm(KernForm):
    kundennummer = forms.CharField(
        label=_("Kd.-Nr."),
        required=False,
        max_length=10,
        validators=[kundennummer_validator],
        help_text=_("Falls bekannt, z. B. 962D012345. Leer lassen bei neuen Personen."),
    )
    first_name = NameField(label=_("Vorname"), max_length=100)
    last_name = NameField(label=_("Nachname"), max_length=100)
    date_of_birth = _date_field(_("Geburtsdatum"))
    is_head = forms.BooleanField(label=_("Vorstand der Bedarfsgemeinschaft"), required=False)
    habitual_residence_in_germany = forms.BooleanField(
        label=_("gewöhnlicher Aufenthalt in Deutschland"), required=False, initial=True
    )
    last_benefit_end = _date_field(
        _("letzter Leistungsbezug endete am"),
        required=False,
        help_text=_("Nur bei früherem Leistungsbezug."),
    )
    self_employed = forms.BooleanField(label=_("selbständig"), required=False)
    aufstocker = forms.BooleanField(label=_("Aufstocker"), required=False)
    needs_interpreter = forms.BooleanField(label=_("braucht Dolmetscher"), required=False)
    # Rule R-AN-06: the EZ switches the Hauptbetreuung to the Jobcenter.
    rechtskreiswechsel = forms.BooleanField(
        label=_("Rechtskreiswechsel: Arbeitslosengeld ausgelaufen"),
        required=False,
        help_text=_("Die Hauptbetreuung wird auf das Jobcenter umgestellt."),
    )

    relation_to_head = forms.ChoiceField(
        label=_("Beziehung zum Vorstand"),
        choices=[("", "—"), *Kunde.Relation.choices],
        required=False,
        help_text=_("Nicht beim Vorstand selbst."),
    )
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=30,
        required=False,
        validators=[
            RegexValidator(
                r"^\+?[0-9 ()/-]{5,30}$",
                _("Bitte nur Ziffern, Leerzeichen und + ( ) / - eingeben."),
            )
        ],
    )
    email = forms.EmailField(label=_("E-Mail"), required=False)
    contact_consent = forms.BooleanField(
        label=_("willigt ein, per Telefon oder E-Mail kontaktiert und erinnert zu werden"),
        required=False,
    )

    def clean_kundennummer(self) -> str:
        return self.cleaned_data["kundennummer"].strip().upper()

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise ValidationError(_("Das Geburtsdatum liegt in der Zukunft."))
        if age_on(born, today) >= MAX_AGE:
            raise ValidationError(
                _("Das Geburtsdatum ergibt ein Alter über %(max)d Jahren: bitte prüfen."),
                params={"max": MAX_AGE},
            )
        return born

    def clean_last_benefit_end(self) -> date | None:
        value = self.cleaned_data.get("last_benefit_end")
        if value and value > timezone.localdate():
            raise ValidationError(_("Dieses Datum darf nicht in der Zukunft liegen."))
        return value

    @property
    def person_label(self) -> str:
        index = int(self.prefix.rsplit("-", 1)[-1]) if self.prefix else 0
        return _("Person %(n)d") % {"n": index + 1}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("aufstocker") and cleaned.get("rechtskreiswechsel"):
            self.add_error(
                "rechtskreiswechsel",
                _(
                    "Aufstocker beziehen noch Arbeitslosengeld; ein Rechtskreiswechsel folgt "
                    "erst, wenn es ausgelaufen ist. Bitte nur eines ankreuzen."
                ),
            )
        if cleaned.get("is_head") and cleaned.get("relation_to_head"):
            self.add_error(
                "relation_to_head",
                _("Der Vorstand hat keine Beziehung zu sich selbst: bitte leer lassen."),
            )
        elif not cleaned.get("is_head") and not cleaned.get("relation_to_head"):
            self.add_error("relation_to_head", _("Bitte die Beziehung zum Vorstand wählen."))
        has_contact = bool(cleaned.get("phone") or cleaned.get("email"))
        if has_contact and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _(
                    "Telefon und E-Mail werden nur mit Einwilligung gespeichert: "
                    "bitte ankreuzen oder die Angaben leeren."
                ),
            )
        elif (
            cleaned.get("contact_consent")
            and not has_contact
            and not (self.has_error("phone") or self.has_error("email"))
        ):
            self.add_error("phone", _("Bitte Telefon oder E-Mail angeben."))
        return cleaned

    def to_data(self) -> PersonData:
        return PersonData(**{k: v for k, v in self.cleaned_data.items() if k != "DELETE"})


class BasePersonFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        # Checked even while single fields are wrong, so every error shows at once.
        heads = sum(1 for form in self.forms if getattr(form, "cleaned_data", {}).get("is_head"))
        if heads != 1:
            raise ValidationError(
                _(
                    "Die Bedarfsgemeinschaft braucht genau einen Vorstand: "
                    "bitte bei einer Person „Vorstand“ ankreuzen."
                )
            )


PersonFormSet = forms.formset_factory(
    PersonForm,
    formset=BasePersonFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=20,
    validate_max=True,
)


class IntakeForm(KernForm):
    kind = forms.ChoiceField(
        label=_("Art des Antrags"), choices=Antrag.Kind.choices, initial=Antrag.Kind.ERSTANTRAG
    )
    channel = forms.ChoiceField(
        label=_("Eingangsweg"), choices=Antrag.Channel.choices, initial=Antrag.Channel.PERSONAL
    )
    application_date = _date_field(
        _("Tag der Antragstellung"), help_text=_("Bei Post: Tag des Posteingangs.")
    )
    received_time = forms.TimeField(
        label=_("Uhrzeit der Vorsprache"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Nur bei persönlicher Antragstellung an einem früheren Tag nötig."),
    )
    id_checked = forms.BooleanField(label=_("Identität geprüft (Ausweis)"), required=False)
    reason = forms.CharField(
        label=_("Grund der Antragstellung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postcode = forms.RegexField(
        label=_("PLZ"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Die Postleitzahl hat fünf Ziffern.")},
    )
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    other_household_members = forms.IntegerField(
        label=_("weitere Personen im Haushalt (nicht in der BG)"),
        min_value=0,
        max_value=20,
        initial=0,
    )
    leistung_team = forms.ModelChoiceField(
        label=_("zuständiges Leistungsteam"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_(
            "Leer lassen: bei einer bestehenden BG bleibt deren Team zuständig, "
            "sonst nach dem Nachnamen des Vorstands."
        ),
    )
    ifk = forms.ModelChoiceField(
        label=_("Hauptbetreuung (IFK)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leer lassen: nach Integrationsteam und Altersgruppe (U25/Ü25)."),
    )
    return_date = _date_field(_("Rückgabe der Unterlagen bis"))
    documents = forms.ModelMultipleChoiceField(
        label=_("Noch beizubringende Unterlagen (Checkliste)"),
        queryset=DocumentType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Rules R-AN-02 and R-AN-05: who applies, and the Zuzug with its evidence.
    applied_by = forms.ChoiceField(
        label=_("Antrag gestellt durch"),
        choices=Antrag.AppliedBy.choices,
        initial=Antrag.AppliedBy.SELF,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Ohne Angabe: die antragstellende Person selbst."),
    )
    moved_in = forms.BooleanField(
        label=_("Zuzug aus dem Bereich eines anderen Jobcenters"), required=False
    )
    residence_evidence = forms.ChoiceField(
        label=_("Zuständigkeit geprüft anhand"),
        choices=Antrag.ResidenceEvidence.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Nur bei Zuzug, dann Pflicht."),
    )

    def __init__(self, *args, jobcenter: Jobcenter, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobcenter = jobcenter
        today = timezone.localdate()
        self.fields["application_date"].initial = today
        self.fields["return_date"].initial = today + timedelta(days=jobcenter.return_period_days)
        self.fields["leistung_team"].queryset = Team.objects.filter(
            jobcenter=jobcenter, kind=Team.Kind.LEISTUNG
        )
        self.fields["ifk"].queryset = User.objects.filter(
            jobcenter=jobcenter, role=Role.INTEGRATION, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["documents"].queryset = DocumentType.objects.filter(
            jobcenter=jobcenter, active=True
        )
        if is_hotline(user):
            # The service centre takes applications by phone only (rule R-AN-02).
            self.fields["channel"].choices = [(Antrag.Channel.PHONE, Antrag.Channel.PHONE.label)]
            self.fields["channel"].initial = Antrag.Channel.PHONE

    def clean_applied_by(self) -> str:
        return self.cleaned_data.get("applied_by") or Antrag.AppliedBy.SELF

    def clean_application_date(self) -> date:
        value = self.cleaned_data["application_date"]
        if value > timezone.localdate():
            raise ValidationError(_("Das Antragsdatum darf nicht in der Zukunft liegen."))
        if value < timezone.localdate() - timedelta(days=365):
            raise ValidationError(
                _("Das Antragsdatum liegt mehr als ein Jahr zurück: bitte prüfen.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        application_date = cleaned.get("application_date")
        return_date = cleaned.get("return_date")
        if application_date and return_date and return_date < application_date:
            self.add_error(
                "return_date", _("Die Rückgabefrist darf nicht vor dem Antragsdatum liegen.")
            )
        if cleaned.get("moved_in") and not cleaned.get("residence_evidence"):
            self.add_error(
                "residence_evidence",
                _("Bei Zuzug bitte angeben, womit die Zuständigkeit geprüft wurde."),
            )
        if not cleaned.get("moved_in") and cleaned.get("residence_evidence"):
            self.add_error(
                "residence_evidence",
                _(
                    "Der Nachweis zur Zuständigkeit gehört nur zu einem Zuzug: bitte „Zuzug“ ankreuzen."
                ),
            )
        if cleaned.get("channel") == Antrag.Channel.PHONE and cleaned.get("id_checked"):
            self.add_error(
                "id_checked",
                _(
                    "Am Telefon lässt sich die Identität nicht prüfen: "
                    "die Eingangszone terminiert die ID-Prüfung."
                ),
            )
        if (
            application_date
            and cleaned.get("channel") == Antrag.Channel.PERSONAL
            and application_date != timezone.localdate()
            and cleaned.get("received_time") is None
        ):
            self.add_error(
                "received_time",
                _("Bitte die Uhrzeit der Vorsprache angeben: davon hängt die 24-Stunden-Frist ab."),
            )
        return cleaned

    def received_at(self) -> datetime:
        day = self.cleaned_data["application_date"]
        at = self.cleaned_data.get("received_time")
        if at is None:
            if day == timezone.localdate():
                return timezone.now()
            at = time(0, 0)
        return timezone.make_aware(datetime.combine(day, at))

    def to_data(self, persons: list[PersonData]) -> IntakeData:
        c = self.cleaned_data
        return IntakeData(
            kind=c["kind"],
            channel=c["channel"],
            application_date=c["application_date"],
            received_at=self.received_at(),
            reason=c["reason"],
            id_checked=c["id_checked"],
            return_date=c["return_date"],
            other_household_members=c["other_household_members"],
            street=c["street"],
            postcode=c["postcode"],
            city=c["city"],
            leistung_team=c["leistung_team"],
            ifk=c["ifk"],
            ifk_by_team=c["ifk"] is None,
            documents=list(c["documents"]),
            persons=persons,
            applied_by=c["applied_by"],
            moved_in=c["moved_in"],
            residence_evidence=c["residence_evidence"] if c["moved_in"] else "",
        )


class IdCheckScheduleForm(KernForm):
    """Rule R-AN-02: the EZ's appointment for the ID check."""

    planned_at = forms.DateTimeField(
        label=_("Termin zur ID-Prüfung"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        widget=DateTimeInput(),
    )


class IdCheckRecordForm(KernForm):
    """Rule R-AN-02: the ID check done at the EZ."""

    checked_on = _date_field(_("ID-Prüfung durchgeführt am"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()


class ServiceCentreReferralForm(KernForm):
    reason = forms.ChoiceField(
        label=_("Warum werden keine Daten aufgenommen?"),
        choices=NoDataReason.CHOICES,
        widget=forms.RadioSelect,
    )
    caller = forms.CharField(label=_("Name der anrufenden Person"), max_length=200)
    callback = forms.CharField(label=_("Rückrufnummer"), max_length=50)
    note = forms.CharField(
        label=_("Hinweis für die Eingangszone"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class StepForm(KernForm):
    """The form of one step of a case, built from its row in the step table
    (`intake.steps`): a reason where the step needs one and what else the step asks. A
    step's confirmation is asked on a page of its own (intake/confirm_step.html)."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Vermerk / Begründung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, prefix=step.name, **kwargs)
        self.step = step
        self.fields["comment"].required = step.needs_comment
        if step.needs_comment:
            self.fields["comment"].label = _("Begründung")
        if "documents_complete" in step.asks:
            self.fields["documents_complete"] = forms.TypedChoiceField(
                label=_("Ergebnis der Eingangsprüfung"),
                choices=[
                    ("0", _("Unterlagen fehlen noch")),
                    ("1", _("Unterlagen vollständig – entscheidungsreif")),
                ],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
            )
        if "entry_check_parts" in step.asks:
            # Rule R-FR-01: the five parts of the entry check, each ticked when done.
            self.fields["entry_check_parts"] = forms.MultipleChoiceField(
                label=_("Erledigte Teile der Eingangsprüfung"),
                choices=EntryCheckPart.choices,
                widget=forms.CheckboxSelectMultiple,
                required=True,
                error_messages={"required": _("Bitte die erledigten Teile ankreuzen.")},
            )
        if "notice_sent_on" in step.asks:
            # Rule R-FR-02: the written notice and the deadline it gives.
            self.fields["notice_sent_on"] = _date_field(_("Schreiben versandt am"))
            self.fields["notice_deadline"] = _date_field(
                _("Gesetzte Frist bis"),
                help_text=_("Nach Ablauf ohne die Unterlagen ist die Versagung möglich."),
            )

    def clean_entry_check_parts(self) -> list[str]:
        parts = self.cleaned_data["entry_check_parts"]
        missing = [str(p.label) for p in EntryCheckPart if p not in parts]
        if missing:
            raise ValidationError(
                _(
                    "Die Eingangsprüfung ist erst mit allen fünf Teilen abgeschlossen. Es fehlt: %(parts)s."
                )
                % {"parts": ", ".join(missing)}
            )
        return parts

    def clean(self):
        cleaned = super().clean()
        sent, deadline = cleaned.get("notice_sent_on"), cleaned.get("notice_deadline")
        if sent and deadline and deadline <= sent:
            self.add_error("notice_deadline", _("Die Frist muss nach dem Versanddatum enden."))
        return cleaned

    def step_params(self) -> dict:
        """What the service takes besides the reason: the fields the step asks."""
        return {name: self.cleaned_data[name] for name in self.step.asks}


class CustomerSearchForm(KernForm):
    q = forms.CharField(label=_("Kd.-Nr., BG-Nummer oder Name"), max_length=100, required=False)
    date_of_birth = _date_field(_("Geburtsdatum"), required=False)


class MasterDataForm(KernForm):
    """A customer's IFK, address and contact, corrected after intake (issue 12)."""

    ifk = forms.ModelChoiceField(
        label=_("Hauptbetreuung (IFK)"), queryset=User.objects.none(), required=False
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postcode = forms.RegexField(
        label=_("PLZ"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Die Postleitzahl hat fünf Ziffern.")},
    )
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    phone = PersonForm.base_fields["phone"]
    email = forms.EmailField(label=_("E-Mail"), required=False)
    contact_consent = forms.BooleanField(
        label=_("willigt ein, per Telefon oder E-Mail kontaktiert und erinnert zu werden"),
        required=False,
        help_text=_("Ohne Einwilligung werden Telefon und E-Mail gelöscht."),
    )

    def __init__(self, *args, kunde, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "ifk": kunde.ifk_id,
                "street": kunde.street,
                "postcode": kunde.postcode,
                "city": kunde.city,
                "phone": kunde.phone,
                "email": kunde.email,
                "contact_consent": kunde.contact_consent_on is not None,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["ifk"].queryset = User.objects.filter(
            jobcenter_id=kunde.jobcenter_id, role=Role.INTEGRATION, is_active=True
        ).order_by("last_name", "first_name")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("phone") or cleaned.get("email")) and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _(
                    "Telefon und E-Mail werden nur mit Einwilligung gespeichert: "
                    "bitte ankreuzen oder die Angaben leeren."
                ),
            )
        return cleaned
