from datetime import UTC, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from jobcenter.forms import DATE_INPUT_FORMATS, DateField, DateInput, DateTimeInput, KernForm
from jobcenter.models import Standort, User
from jobcenter.roles import Role
from minimumstandards.workdays import BERLIN

from .invitations import not_before_by_post
from .models import (
    ContactGroup,
    CourseKind,
    Delivery,
    Form,
    Kind,
    Kooperationsplan,
    LanguageLevel,
    ReleasedWindow,
    RemoteReason,
    Weekday,
)
from .slots import Slot

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]


def slot_value(slot: Slot) -> str:
    return f"{slot.caseworker_id}:{int(slot.starts_at.timestamp())}"


def slot_label(slot: Slot, *, with_person: str = "") -> str:
    local = slot.starts_at.astimezone(BERLIN)
    text = f"{date_format(local, 'l, d.m.Y')}, {local:%H:%M}–{slot.ends_at.astimezone(BERLIN):%H:%M} Uhr"
    return f"{text} ({with_person})" if with_person else text


def parse_slot(value: str) -> tuple[int, datetime]:
    try:
        caseworker, stamp = value.split(":")
        return int(caseworker), datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ValidationError(_("Bitte einen der angebotenen Termine wählen.")) from None


class SlotChoiceForm(KernForm):
    # The offered slots are the widget's choices; the service decides whether a posted slot
    # is still free and says why not (a slot taken meanwhile is no longer offered).
    slot = forms.CharField(
        label=_("Termin"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte einen Termin wählen.")},
    )
    form = forms.ChoiceField(
        label=_("Form des Gesprächs"),
        choices=Form.choices,
        initial=Form.PERSOENLICH,
        widget=forms.RadioSelect,
        help_text=_("Erstgespräche finden in der Regel persönlich statt."),
    )

    def __init__(self, *args, slots: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.choices = slots
        if slots and not self.is_bound:
            self.fields["slot"].initial = slots[0][0]

    def clean_slot(self):
        return parse_slot(self.cleaned_data["slot"])


class EgBookForm(SlotChoiceForm):
    # Where the Jobcenter holds first consultations in person (rule R-TE-08): the exception
    # that allows video or phone; the service decides whether it is needed and holds.
    remote_reason = forms.ChoiceField(
        label=_("Ausnahme, falls nicht persönlich"),
        choices=[("", _("– keine: das Gespräch findet persönlich statt –")), *RemoteReason.choices],
        required=False,
        help_text=_(
            "Erstgespräche finden in Präsenz statt. Per Video oder Telefon nur in diesen "
            "Ausnahmefällen."
        ),
    )
    activation_on = forms.DateField(
        label=_("Ende des § 10-Eintrags (Aktivierung)"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Nur bei Schüler/innen: mehr als 6 Monate nach dem Erstgespräch."),
    )
    late_reason = forms.CharField(
        label=_("Begründung, falls der Termin nach der Frist liegt"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wird als Allgemeiner Vermerk festgehalten."),
    )

    def __init__(self, *args, in_person_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_person_required:
            del self.fields["remote_reason"], self.fields["activation_on"]


class FollowUpBookForm(SlotChoiceForm):
    with_rfb = forms.BooleanField(
        label=_("Einladung mit Rechtsfolgenbelehrung"),
        required=False,
        help_text=_("Wenn sie nötig erscheint, um das Gespräch sicherzustellen."),
    )
    delivery = forms.ChoiceField(
        label=_("Einladung"),
        choices=Delivery.choices,
        initial=Delivery.POST,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen, wie die Einladung übergeben wird.")},
        help_text=_(
            "Per Post gilt die Einladung erst am vierten Tag nach der Aufgabe zur Post als "
            "bekanntgegeben; der Termin liegt danach."
        ),
    )

    def __init__(self, *args, slots: list[tuple[str, str]], rfb_required: bool = False, **kwargs):
        super().__init__(*args, slots=slots, **kwargs)
        if rfb_required:
            field = self.fields["with_rfb"]
            field.initial, field.disabled = True, True
            field.help_text = _(
                "Nach den Regeln dieses Jobcenters ergeht diese Einladung mit "
                "Rechtsfolgenbelehrung."
            )
        if not self.is_bound:
            # Preselect the first slot a posted invitation reaches in time (rule R-TE-07).
            not_before = not_before_by_post(timezone.localdate())
            in_time = [value for value, _label in slots if parse_slot(value)[1] >= not_before]
            if in_time:
                self.fields["slot"].initial = in_time[0]


class WindowForm(KernForm):
    kind = forms.ChoiceField(
        label=_("für"),
        choices=[(k, Kind(k).label) for k in (Kind.ERSTGESPRAECH, Kind.FOLGEGESPRAECH)],
    )
    weekday = forms.TypedChoiceField(
        label=_("Wochentag"), choices=Weekday.choices[:5], coerce=int, initial=0
    )
    starts = forms.TimeField(
        label=_("von"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("bis"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    standort = forms.ModelChoiceField(label=_("Standort"), queryset=Standort.objects.none())
    outside_opening_hours = forms.BooleanField(
        label=ReleasedWindow._meta.get_field("outside_opening_hours").verbose_name,
        required=False,
        # Not the model's help text, which still names its source (rule R-OE-01).
        help_text=_("Terminierte Beratung auch außerhalb der Öffnungszeiten."),
    )
    valid_from = forms.DateField(
        label=_("gültig ab"), widget=DateInput(), input_formats=DATE_INPUT_FORMATS
    )
    valid_until = forms.DateField(
        label=_("gültig bis"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        required=False,
    )

    def __init__(self, *args, caseworker: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standort"].queryset = Standort.objects.filter(
            jobcenter_id=caseworker.jobcenter_id
        ).order_by("name")
        team = caseworker.teams.exclude(standort=None).first()
        if team is not None:
            self.fields["standort"].initial = team.standort_id
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["starts"].initial = time(9)
        self.fields["ends"].initial = time(10)


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, BERLIN)


class AbsenceForm(KernForm):
    starts_at = forms.DateTimeField(
        label=_("von"), widget=DateTimeInput(), input_formats=DATETIME_INPUT_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("bis"), widget=DateTimeInput(), input_formats=DATETIME_INPUT_FORMATS
    )
    reason = forms.CharField(
        label=_("Grund"), max_length=200, help_text=_("z. B. Urlaub, Fortbildung, Teamtag")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned.get("ends_at"):
            cleaned["starts_at"] = _aware(cleaned["starts_at"])
            cleaned["ends_at"] = _aware(cleaned["ends_at"])
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        return cleaned


class HeldForm(KernForm):
    minutes = forms.IntegerField(
        label=_("Dauer in Minuten"),
        min_value=1,
        max_value=480,
        help_text=_("Unter 30 Minuten ist ein Gespräch in der Regel kein qualifizierter Kontakt."),
    )
    form = forms.ChoiceField(
        label=_("Form des Gesprächs"), choices=Form.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Gesprächsinhalte (Vermerk)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bezug auf das letzte Gespräch, heutige Inhalte, vereinbarte Schritte."),
    )
    qualified_despite_short = forms.BooleanField(
        label=_("trotz kurzer Dauer ein qualifizierter Kontakt"), required=False
    )
    # Only at an Erstgespräch (rule R-KO-01).
    kooperationsplan = forms.ChoiceField(
        label=_("Kooperationsplan"),
        choices=[
            (o.value, o.label)
            for o in Kooperationsplan.Outcome
            if o != Kooperationsplan.Outcome.FORTGESCHRIEBEN
        ],
        initial=Kooperationsplan.Outcome.VEREINBART,
        widget=forms.RadioSelect,
        help_text=_("Grundsätzlich wird im Erstgespräch ein Kooperationsplan vereinbart."),
    )
    kooperationsplan_reason = forms.CharField(
        label=_("anderer besonderer Umstand"),
        required=False,
        max_length=500,
        help_text=_("Nur wenn aus einem anderen Grund kein Kooperationsplan vereinbart wurde."),
    )

    def __init__(self, *args, first_consultation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not first_consultation:
            del self.fields["kooperationsplan"]
            del self.fields["kooperationsplan_reason"]


class NoShowForm(KernForm):
    note = forms.CharField(
        label=_("Vermerk zum Nichterscheinen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("z. B. Kontaktversuch per Telefon ohne Erfolg."),
    )


class CancelForm(KernForm):
    by = forms.ChoiceField(
        label=_("Abgesagt durch"),
        choices=[("jc", _("das Jobcenter")), ("kunde", _("die Kundin / den Kunden"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Grund der Absage"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GroupSeriesForm(KernForm):
    standort = forms.ModelChoiceField(label=_("Standort"), queryset=Standort.objects.none())
    host = forms.ModelChoiceField(label=_("durchführende Fachkraft"), queryset=User.objects.none())
    first_start = forms.DateTimeField(
        label=_("erste Veranstaltung (Beginn)"),
        widget=DateTimeInput(),
        input_formats=DATETIME_INPUT_FORMATS,
    )
    duration_minutes = forms.IntegerField(
        label=_("Dauer in Minuten"), min_value=15, max_value=480, initial=120
    )
    capacity = forms.IntegerField(label=_("Plätze"), min_value=1, max_value=200, initial=15)
    count = forms.IntegerField(label=_("Anzahl der Termine"), min_value=1, max_value=26, initial=6)
    every_days = forms.IntegerField(
        label=_("alle … Tage"),
        min_value=1,
        max_value=14,
        initial=14,
        help_text=_("Höchstens 14 Tage Abstand."),
    )

    def __init__(self, *args, jobcenter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standort"].queryset = Standort.objects.filter(jobcenter=jobcenter).order_by(
            "name"
        )
        self.fields["host"].queryset = User.objects.filter(
            jobcenter=jobcenter, role=Role.INTEGRATION, is_active=True
        ).order_by("last_name", "first_name")
        start = timezone.localdate() + timedelta(days=1)
        self.fields["first_start"].initial = datetime.combine(start, time(10))

    def clean_first_start(self):
        return _aware(self.cleaned_data["first_start"])


class GroupInviteForm(KernForm):
    standort = forms.ModelChoiceField(label=_("Standort"), queryset=Standort.objects.none())
    # Right after the application the customer is usually at the desk (rule R-GV-01).
    delivery = forms.ChoiceField(
        label=_("Einladung"),
        choices=Delivery.choices,
        initial=Delivery.PERSOENLICH,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen, wie die Einladung übergeben wird.")},
        help_text=_(
            "Per Post wird zu einer Veranstaltung nach dem Tag eingeladen, an dem die "
            "Einladung als bekanntgegeben gilt (vierter Tag nach der Aufgabe zur Post)."
        ),
    )

    def __init__(self, *args, jobcenter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standort"].queryset = Standort.objects.filter(jobcenter=jobcenter).order_by(
            "name"
        )


class GroupRecordForm(KernForm):
    present = forms.MultipleChoiceField(
        label=_("Anwesend"), required=False, widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(
        label=_("Inhalte der Veranstaltung (Beratungsvermerk)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (str(p.pk), f"{p.kunde.last_name}, {p.kunde.first_name} ({p.kunde.kundennummer})")
            for p in participants
        ]

    def clean_present(self):
        return {int(v) for v in self.cleaned_data["present"]}


class ContactProfileForm(KernForm):
    group = forms.ChoiceField(label=_("Kundengruppe"), choices=ContactGroup.choices, required=False)
    refusal_documented_on = forms.DateField(
        label=_("intensive Kontaktversuche dokumentiert am"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        required=False,
        help_text=_("Nur für Totalverweigerer."),
    )
    refusal_documentation = forms.CharField(
        label=_("dokumentierte Kontaktversuche"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nur für Totalverweigerer: welche Versuche wann, z. B. Einladungen, Anrufe."),
    )
    course_kind = forms.ChoiceField(
        label=_("abgeschlossene Maßnahme"),
        choices=[("", _("– keine –")), *CourseKind.choices],
        required=False,
    )
    language_level = forms.ChoiceField(
        label=_("im Sprachkurs erreichtes Sprachniveau"),
        choices=[("", _("– nur bei Sprachkurs –")), *LanguageLevel.choices],
        required=False,
        help_text=_("Monatliche Kontakte nach einem Sprachkurs ab Niveau A2."),
    )
    course_graduated_on = forms.DateField(
        label=_("Maßnahme abgeschlossen am"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        required=False,
        help_text=_("Danach sechs Monate lang monatliche Kontakte."),
    )
    last_contact_on = forms.DateField(
        label=_("letzter qualifizierter Kontakt vor der Erfassung hier"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        required=False,
        help_text=_("Nur beim ersten Erfassen; danach zählen die erfassten Gespräche."),
    )


class KooperationsplanUpdateForm(KernForm):
    on = forms.DateField(
        label=_("Kooperationsplan vereinbart oder fortgeschrieben am"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_(
            "Gemeinsam mit der Kundin / dem Kunden; danach spätestens in sechs Monaten wieder."
        ),
    )


class ContactRecordForm(KernForm):
    starts_at = forms.DateTimeField(
        label=_("Beginn"), widget=DateTimeInput(), input_formats=DATETIME_INPUT_FORMATS
    )
    minutes = forms.IntegerField(label=_("Dauer in Minuten"), min_value=1, max_value=480)
    form = forms.ChoiceField(
        label=_("Form des Gesprächs"), choices=Form.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Gesprächsinhalte (Vermerk)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_starts_at(self):
        return _aware(self.cleaned_data["starts_at"])


# --- follow-ups at the contacts (Nachhaltung, rules R-NH-01 to R-NH-05) ------------------


def _day(label, **kwargs) -> forms.DateField:
    return DateField(label=label, widget=DateInput(), input_formats=DATE_INPUT_FORMATS, **kwargs)


class FollowUpForm(KernForm):
    """A form of the Nachhaltung section; `kunde` narrows choices that belong to the customer."""

    def __init__(self, *args, kunde=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kunde = kunde


class ProposalForm(FollowUpForm):
    reference = forms.CharField(label=_("Stelle / Referenz"), max_length=200)
    received_on = _day(
        _("erhalten am"),
        help_text=_(
            "Im Gespräch übergeben: heute. Per Post: der Tag, an dem er als zugegangen gilt."
        ),
    )
    close_follow_up = forms.BooleanField(
        label=_("engere Nachhaltung: Rückmeldung innerhalb von 3 Wochen nach Erhalt"),
        required=False,
    )


class ProposalFeedbackForm(FollowUpForm):
    proposal = forms.ModelChoiceField(label=_("Vermittlungsvorschlag"), queryset=None)
    feedback_on = _day(_("Rückmeldung am"))
    feedback = forms.CharField(
        label=_("Stand der Bewerbung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kunde=None, **kwargs):
        super().__init__(*args, kunde=kunde, **kwargs)
        from .models import PlacementProposal

        self.fields["proposal"].queryset = PlacementProposal.objects.filter(
            kunde=kunde, close_follow_up=True, feedback_on__isnull=True
        )


class MeasureForm(FollowUpForm):
    title = forms.CharField(label=_("Maßnahme"), max_length=200)
    ends_on = _day(_("endet am"))


class SchoolForm(FollowUpForm):
    leaving_year = forms.IntegerField(
        label=_("Entlassjahr"),
        required=False,
        help_text=_(
            "Leer lassen, wenn die Schülerin / der Schüler nicht in einer Entlassklasse ist."
        ),
    )
    last_certificate_on = _day(_("letzte Schulbescheinigung vom"), required=False)


class CertificateForm(FollowUpForm):
    received_on = _day(_("Schulbescheinigung liegt vor, eingegangen am"))


class InvitationForm(FollowUpForm):
    invited_on = _day(_("zum persönlichen Beratungsgespräch eingeladen am"))


class RestrictionForm(FollowUpForm):
    since = _day(_("eingeschränkt verfügbar seit"))
    reason = forms.CharField(
        label=_("Grund der Einschränkung"),
        max_length=200,
        help_text=_("z. B. Pflege eines Angehörigen, Kinderbetreuung"),
    )
    evidence = forms.CharField(
        label=_("Nachweis"),
        max_length=300,
        help_text=_("z. B. Bescheid über den Pflegegrad"),
    )


class ReviewForm(FollowUpForm):
    reviewed_on = _day(_("überprüft am"))
    ended = forms.BooleanField(label=_("Die Einschränkung besteht nicht mehr."), required=False)
