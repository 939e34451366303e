import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.access import kunden_visible_to
from intake.forms import DATE_INPUT_FORMATS, DateInput
from intake.models import KUNDENNUMMER_PATTERN, Kunde
from intake.selectors import SearchKind, SearchResult, kunde_search, normalize_number
from jobcenter.forms import DateField, DateTimeInput, KernForm
from jobcenter.models import Team

from .models import Concern, Outcome, PriorityReason, attach_desk_choices
from .selectors import by_frequency

MAX_RESULTS = 8
MAX_REPORT_DAYS = 366


class _CatalogueIterator(forms.models.ModelChoiceIterator):
    """The choices from the concerns the form has already read (no query of its own)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.catalogue:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.catalogue) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.catalogue)


class ListedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that, given the rows already read (`set_catalogue`), renders and
    validates from them: two forms on one page share one query."""

    catalogue: list | None = None

    def set_catalogue(self, rows: list) -> None:
        self.catalogue = rows
        self.iterator = _CatalogueIterator
        self.widget.choices = self.choices

    def to_python(self, value):
        if self.catalogue is None or value in self.empty_values:
            return super().to_python(value)
        for row in self.catalogue:
            if str(row.pk) == str(value):
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ConcernChoiceField(forms.ModelMultipleChoiceField):
    """Concerns to tick. Given `catalogue` (the concerns read once for the request), it
    renders and validates from that list instead of asking the database again."""

    catalogue: list | None = None

    def set_catalogue(self, concerns: list) -> None:
        self.catalogue = concerns
        self.iterator = _CatalogueIterator
        self.widget.choices = self.choices

    def _check_values(self, value):
        if self.catalogue is None:
            return super()._check_values(value)
        by_pk = {str(c.pk): c for c in self.catalogue}
        chosen = []
        for pk in dict.fromkeys(str(v) for v in value):
            if not pk.isdigit():
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
            if pk not in by_pk:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
            chosen.append(by_pk[pk])
        return chosen

    default_error_messages = {
        "invalid_choice": _(
            "Ein gewähltes Anliegen wurde inzwischen aus dem Katalog genommen. "
            "Bitte die Auswahl prüfen."
        ),
        "required": _("Bitte mindestens ein Anliegen auswählen."),
    }

    def label_from_instance(self, obj: Concern) -> str:
        return obj.name


def group_concerns(bound_field) -> list[tuple[str, list]]:
    """The checkboxes of a concern field grouped by concern class, in the field's order: a
    class comes where its first concern does."""
    field = bound_field.field
    by_pk = {c.pk: c for c in (field.catalogue if field.catalogue is not None else field.queryset)}
    groups: dict[str, list] = {}
    for widget in bound_field.subwidgets:
        concern = by_pk.get(int(str(widget.data["value"])))
        if concern is not None:
            groups.setdefault(concern.concern_class.name, []).append((widget, concern))
    return list(groups.items())


def find_kunden(user, q: str, date_of_birth: date | None) -> SearchResult:
    """The reception's lookup: the one customer search, with the reception's short list."""
    return kunde_search(user=user, query=q, date_of_birth=date_of_birth, limit=MAX_RESULTS)


def add_type_fields(form, concerns, initial=None) -> None:
    """Rule R-IA-03: per concern that asks for it, "what was reported / handed in?" as a short
    choice, most frequent first; the mailboxes follow from routing's table."""
    initial = initial or {}
    concerns = list(concerns)
    attach_desk_choices(concerns)
    known = {name for name, _concern in getattr(form, "type_field_names", [])}
    form.type_field_names = [
        (name, c) for name, c in getattr(form, "type_field_names", []) if name in known
    ]
    for concern in concerns:
        if f"type_{concern.pk}" in known:
            continue
        if not concern.type_chosen_at_desk:
            continue
        name = f"type_{concern.pk}"
        form.fields[name] = forms.ChoiceField(
            label=_("%(concern)s: was genau?") % {"concern": concern.name},
            choices=[("", _("Bitte wählen"))]
            + [(str(c.information_type_id), str(c)) for c in concern.desk_choices],
            required=False,
            initial=initial.get(concern.pk),
        )
        form.type_field_names.append((name, concern))


def chosen_from(form) -> dict:
    """Concern pk → the chosen information type, from a valid form."""
    chosen = {}
    for name, concern in getattr(form, "type_field_names", []):
        value = form.cleaned_data.get(name)
        for choice in concern.desk_choices:
            if str(choice.information_type_id) == value:
                chosen[concern.pk] = choice.information_type
    return chosen


class CheckInForm(KernForm):
    standort = forms.ModelChoiceField(label=_("Standort"), queryset=None, empty_label=None)
    q = forms.CharField(
        label=_("Kd.-Nr. oder Name"),
        required=False,
        max_length=100,
        help_text=_("Kd.-Nr. genügt. Bei Namen das Geburtsdatum dazu. Leer: unbekannt."),
    )
    date_of_birth = DateField(label=_("Geburtsdatum"), required=False, widget=DateInput())
    kunde = forms.ModelChoiceField(
        label=_("Kundin / Kunde"), queryset=Kunde.objects.none(), required=False
    )
    with_appointment = forms.BooleanField(label=_("zum Termin anmelden"), required=False)
    concerns = ConcernChoiceField(
        label=_("Anliegen"),
        queryset=Concern.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    priority_reason = forms.ChoiceField(
        label=_("Vorrang"), choices=PriorityReason.choices, required=False
    )
    priority_note = forms.CharField(
        label=_("Erläuterung des Vorrangs"), required=False, max_length=200
    )
    team = forms.ModelChoiceField(
        label=_("Warteschlange"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("automatisch nach Anliegen"),
    )
    note = forms.CharField(
        label=_("Notiz"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Für Vermerk oder Ticket, z. B. Rückrufnummer."),
    )

    def __init__(self, *args, user, standorte, served_teams, frequency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["standort"].queryset = standorte
        self.fields["kunde"].queryset = kunden_visible_to(user)
        # The most frequent concerns at this site first (`concern_frequency`). Read once:
        # the checkboxes, their groups and the validation all use this list.
        field = self.fields["concerns"]
        field.queryset = Concern.objects.for_forms(user.jobcenter_id)
        self.results = None
        self.search = None
        self.whole_catalogue = not self.is_bound
        if self.is_bound:
            # A submitted check-in is checked against the concerns ticked only, and needs
            # only their choices (issue 13: not the whole catalogue on every check-in); the
            # page shown again with errors reads the whole catalogue (`order_by_frequency`,
            # `add_all_type_fields`).
            data = self.data
            ticked = data.getlist("concerns") if hasattr(data, "getlist") else []
            ticked = [pk for pk in ticked if str(pk).isdigit()]
            rows = field.queryset.filter(pk__in=ticked).with_choice_flag() if ticked else []
            field.set_catalogue(list(rows))
            add_type_fields(self, field.catalogue)
        else:
            catalogue = by_frequency(field.queryset.with_choice_flag(), frequency or {})
            field.set_catalogue(list(catalogue))
            add_type_fields(self, field.catalogue)
        self.fields["team"].queryset = served_teams

    def order_by_frequency(self, frequency: dict[int, int]) -> None:
        """For a page shown again: the whole catalogue, most frequent first, as
        `by_frequency` orders them."""
        field = self.fields["concerns"]
        if not self.whole_catalogue:
            field.set_catalogue(list(field.queryset.with_choice_flag()))
            self.whole_catalogue = True
        field.set_catalogue(sorted(field.catalogue, key=lambda c: -frequency.get(c.pk, 0)))

    def add_all_type_fields(self) -> None:
        self.type_field_names = []
        add_type_fields(self, self.fields["concerns"].catalogue)

    def type_fields(self):
        return [self[name] for name, _concern in self.type_field_names]

    def concern_groups(self):
        return group_concerns(self["concerns"])

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("priority_reason")
        if reason == PriorityReason.SONSTIGES and not cleaned.get("priority_note", "").strip():
            self.add_error("priority_note", _("Bitte den Grund des Vorrangs erläutern."))
        if cleaned.get("kunde") is None and (cleaned.get("q") or cleaned.get("date_of_birth")):
            search = find_kunden(self.user, cleaned.get("q", ""), cleaned.get("date_of_birth"))
            self.search = search
            self.results = search.kunden if search.kind != SearchKind.INVALID else None
            if search.kind == SearchKind.INVALID:
                self.add_error("q", search.message)
            elif search.identifies is not None:
                cleaned["kunde"] = search.identifies
            elif not search.kunden:
                self.add_error(
                    "q",
                    _(
                        "Keine Kundin und kein Kunde gefunden. Ohne Zuordnung anmelden: "
                        "das Feld leeren."
                    ),
                )
            elif search.kind == SearchKind.NAME and search.date_of_birth is None:
                # A name alone does not identify anyone: the matches are shown to choose from.
                self.add_error(
                    "date_of_birth",
                    _(
                        "Bei einer Suche nach dem Namen bitte auch das Geburtsdatum angeben "
                        "oder die Person aus den Treffern auswählen."
                    ),
                )
            else:
                self.add_error(
                    "kunde",
                    search.message or _("Mehrere Treffer: bitte die Person auswählen."),
                )
        return cleaned


class CustomerLookupForm(KernForm):
    q = forms.CharField(required=False, max_length=100)
    date_of_birth = DateField(
        required=False,
        error_messages={"invalid": _("Das Geburtsdatum bitte als TT.MM.JJJJ eingeben.")},
    )


class ReasonForm(KernForm):
    reason = forms.CharField(
        label=_("Grund"),
        max_length=200,
        help_text=_("Warum diese Person vor anderen aufgerufen wird."),
    )


class NoteForm(KernForm):
    note = forms.CharField(
        label=_("Notiz"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PassOnForm(KernForm):
    team = ListedChoiceField(label=_("an"), queryset=Team.objects.none())
    note = forms.CharField(
        label=_("Notiz für die nächste Stelle"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, jobcenter, teams: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(jobcenter=jobcenter).order_by("name")
        if teams is not None:  # the Jobcenter's teams by name, already read
            self.fields["team"].set_catalogue(teams)


class FinishForm(KernForm):
    outcome = forms.ChoiceField(
        label=_("Ergebnis"),
        choices=[
            (Outcome.RESOLVED, _("am Schalter erledigt")),
            (Outcome.TICKET, _("Ticket an den Fachbereich (Rückruf binnen 24 Stunden)")),
            (Outcome.APPOINTMENT, _("Termin vergeben")),
        ],
        widget=forms.RadioSelect,
        initial=Outcome.RESOLVED,
    )
    handled = forms.MultipleChoiceField(
        label=_("Bearbeitete Anliegen"), widget=forms.CheckboxSelectMultiple, required=False
    )
    extra = ConcernChoiceField(
        label=_("Weitere Anliegen, die dazukamen"),
        queryset=Concern.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    ticket_team = ListedChoiceField(
        label=_("Ticket an"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Nur bei Ticket: vorbelegt nach dem Anliegen."),
    )
    # Rule R-OE-02: a callback time the customer asks for lies within the phone hours.
    callback_at = forms.DateTimeField(
        label=_("Rückruf gewünscht am"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        widget=DateTimeInput(),
        help_text=_(
            "Nur bei Ticket, wenn die Person einen Zeitpunkt wünscht; er muss in den "
            "Telefonzeiten liegen. Leer: Rückruf bis zum letzten Zeitpunkt in den "
            "Telefonzeiten vor Ablauf der 24 Stunden."
        ),
    )
    note = forms.CharField(
        label=_("Notiz (für Vermerk oder Ticket)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args, visit, visit_concerns, jobcenter, teams=None, ticked_only=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["handled"].choices = [
            (str(vc.concern_id), vc.concern.name) for vc in visit_concerns
        ]
        self.fields["handled"].initial = [str(vc.concern_id) for vc in visit_concerns]
        on_visit = [vc.concern_id for vc in visit_concerns]
        extra = self.fields["extra"]
        extra.queryset = Concern.objects.for_forms(visit.jobcenter_id).exclude(pk__in=on_visit)
        if ticked_only and self.is_bound:
            # Only to validate a submitted form: the extra concerns ticked in it, not the
            # whole catalogue (mostly none: no query at all). A form shown again must be
            # built without this, with every concern to choose from.
            ticked = [v for v in self.data.getlist(self.add_prefix("extra")) if v.isdigit()]
            rows = extra.queryset.filter(pk__in=ticked).with_choice_flag() if ticked else []
        else:
            rows = extra.queryset.with_choice_flag()
        extra.set_catalogue(list(rows))
        self.fields["ticket_team"].queryset = Team.objects.filter(jobcenter=jobcenter).order_by(
            "name"
        )
        if teams is not None:  # the Jobcenter's teams by name, already read
            self.fields["ticket_team"].set_catalogue(teams)
        add_type_fields(
            self,
            [vc.concern for vc in visit_concerns] + extra.catalogue,
            {vc.concern_id: vc.information_type_id for vc in visit_concerns},
        )

    def type_fields(self):
        return [self[name] for name, _concern in self.type_field_names]

    def extra_groups(self):
        return group_concerns(self["extra"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("handled") and not cleaned.get("extra"):
            self.add_error("handled", _("Bitte mindestens ein bearbeitetes Anliegen ankreuzen."))
        if cleaned.get("outcome") == Outcome.TICKET and not cleaned.get("note", "").strip():
            self.add_error(
                "note",
                _(
                    "Für das Ticket bitte notieren, worum es geht und wie die Person erreichbar ist."
                ),
            )
        return cleaned


class CancelForm(KernForm):
    note = forms.CharField(label=_("Grund"), required=False, max_length=200)


class IdentifyForm(KernForm):
    kundennummer = forms.CharField(label=_("Kd.-Nr."), max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_kundennummer(self):
        # Typed as printed on letters ("962D 000151") or in lower case: the one normalisation.
        value = normalize_number(self.cleaned_data["kundennummer"])
        if not re.fullmatch(KUNDENNUMMER_PATTERN, value):
            raise ValidationError(_("Die Kd.-Nr. hat das Format 123A456789."))
        kunde = kunden_visible_to(self.user).filter(kundennummer=value).first()
        if kunde is None:
            raise ValidationError(_("Keine Kundin und kein Kunde mit dieser Kd.-Nr."))
        self.kunde = kunde
        return value


class DeskChoiceForm(KernForm):
    desk = forms.ModelChoiceField(label=_("Schalter"), queryset=None, empty_label=None)

    def __init__(self, *args, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = desks
        self.fields["desk"].label_from_instance = lambda d: f"{d.standort} – {d.name}"


class SiteForm(KernForm):
    standort = forms.ModelChoiceField(label=_("Standort"), queryset=None, empty_label=None)

    def __init__(self, *args, standorte, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standort"].queryset = standorte


class ReportForm(SiteForm):
    start = forms.DateField(label=_("von"), widget=DateInput(), input_formats=DATE_INPUT_FORMATS)
    end = forms.DateField(label=_("bis"), widget=DateInput(), input_formats=DATE_INPUT_FORMATS)
    je_mitarbeiter = forms.BooleanField(
        label=_("Zahlen je Mitarbeiterin / Mitarbeiter zeigen"), required=False
    )

    def __init__(self, *args, may_see_employees: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_employees:
            del self.fields["je_mitarbeiter"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Das Ende liegt vor dem Beginn."))
            elif (end - start).days >= MAX_REPORT_DAYS:
                self.add_error("end", _("Bitte höchstens ein Jahr auswählen."))
        return cleaned
