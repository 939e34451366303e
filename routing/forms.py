from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from intake.models import Kunde
from jobcenter.forms import DATE_INPUT_FORMATS, DateInput, KernForm
from jobcenter.hours import BERLIN
from jobcenter.models import Postfach

from .models import HotlineTicket, InformationType, RoutingRule
from .services import REACHABLE_ANYTIME, REACHABLE_WINDOW, TICKET_AREAS, check_note

REQUIRED = InformationType.Requirement.REQUIRED


def kunde_label(kunde: Kunde) -> str:
    bg = kunde.bedarfsgemeinschaft
    parts = [
        f"{kunde.last_name}, {kunde.first_name}",
        _("geb. %(d)s") % {"d": date_format(kunde.date_of_birth, "d.m.Y")},
        _("Kd.-Nr. %(nr)s") % {"nr": kunde.kundennummer},
    ]
    if bg is not None:
        parts.append(_("BG %(bg)s") % {"bg": bg.number})
    return " – ".join(str(p) for p in parts)


def type_group(information_type: InformationType) -> str:
    if not information_type.routed:
        return str(_("nur Eingangsvermerk, keine Weiterleitung"))
    sides = {r.side for r in information_type.rules.all() if r.active}
    targets = {r.target for r in information_type.rules.all() if r.active}
    if {"leistung", "integration"} <= sides:
        return str(_("an Leistung und Integration"))
    if targets == {RoutingRule.Target.IFK}:
        return str(_("an die Integrationsfachkraft persönlich (pAp)"))
    if sides == {"integration"}:
        return str(_("an Integration"))
    if sides == {"leistung"}:
        return str(_("an Leistung"))
    return str(_("an weitere Teams"))


def active_types(jobcenter_id: int | None):
    """The active information types of one Jobcenter's catalogue, with their rules."""
    return InformationType.objects.filter(jobcenter_id=jobcenter_id, active=True).prefetch_related(
        "rules"
    )


# Rule R-IA-01: a note about no information type (e.g. a failed phone attempt) is recorded
# on the customer too, and routed nowhere.
GENERAL = "-allgemein"


def grouped_type_choices(types) -> list:
    groups: dict[str, list] = {}
    for t in types:
        groups.setdefault(type_group(t), []).append((t.code, t.name))
    general = (
        _("ohne Informationsart"),
        [(GENERAL, _("Allgemeiner Vermerk, z. B. erfolgloser Anrufversuch (keine Weiterleitung)"))],
    )
    return [("", _("Bitte wählen")), *groups.items(), general]


class VermerkForm(KernForm):
    """The note of rule R-IA-01: who, since when, what, and where needed the text."""

    q = forms.CharField(
        label=_("Kundin oder Kunde suchen"),
        help_text=_("Name, BG-Nummer oder Kd.-Nr."),
        max_length=100,
        required=False,
    )
    kunde = forms.TypedChoiceField(
        label=_("Kundin oder Kunde"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Bitte eine Kundin oder einen Kunden suchen und auswählen."),
            "invalid_choice": _(
                "Diese Kundin oder dieser Kunde wurde nicht gefunden. Bitte erneut suchen."
            ),
        },
    )
    information_type = forms.ChoiceField(
        label=_("Informationsart"),
        error_messages={
            "required": _("Bitte die Informationsart wählen."),
            "invalid_choice": _(
                "Diese Informationsart gibt es nicht (mehr). Bitte eine aus der Liste wählen."
            ),
        },
    )
    known_on = forms.DateField(
        label=_("Bekannt geworden am"),
        help_text=_("Tag, an dem die Information eingegangen ist."),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": _("Bitte angeben, wann die Information bekannt wurde.")},
    )
    event_date = forms.DateField(
        label=_("Datum"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
    )
    reason = forms.CharField(label=_("Grund"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Information"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Was genau ist bekannt geworden? Bei manchen Informationsarten Pflicht."),
    )
    urgent = forms.BooleanField(
        label=_("Dringend (wird in den Postfächern hervorgehoben)"), required=False
    )
    attachment_ref = forms.CharField(
        label=_("Anlagen (Verweis)"),
        max_length=200,
        required=False,
        help_text=_("z. B. Dokumentnummer in der E-Akte oder „Original an Leistung“."),
    )

    def __init__(self, *args, kunden, jobcenter_id: int | None, search_results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kunden = kunden
        self.types = list(active_types(jobcenter_id))
        self.fields["information_type"].choices = grouped_type_choices(self.types)
        # htmx: choosing a type shows its hint and the fields it asks for.
        self.fields["information_type"].widget.attrs.update(
            {
                "hx-get": reverse("routing:type_details"),
                "hx-trigger": "change",
                "hx-target": "#type-details",
                "hx-include": "[name=information_type],[name=event_date],[name=reason]",
            }
        )
        self.fields["known_on"].initial = timezone.localdate()
        self.selected_kunde = self._selected_kunde()
        choices = {k.pk: kunde_label(k) for k in search_results}
        if self.selected_kunde is not None:
            choices = {self.selected_kunde.pk: kunde_label(self.selected_kunde), **choices}
        self.fields["kunde"].choices = list(choices.items())
        self.selected_type = self._selected_type()
        self._label_type_fields()

    def _raw(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name)

    def _selected_kunde(self) -> Kunde | None:
        raw = self._raw("kunde")
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            return None
        return self.kunden.filter(pk=pk).select_related("bedarfsgemeinschaft").first()

    def _selected_type(self) -> InformationType | None:
        raw = self._raw("information_type")
        return next((t for t in self.types if t.code == raw), None)

    def _label_type_fields(self) -> None:
        t = self.selected_type
        event_date, reason, text = (
            self.fields["event_date"],
            self.fields["reason"],
            self.fields["text"],
        )
        if t is None:
            event_date.help_text = _("Nur bei manchen Informationsarten, z. B. Ende am …")
            reason.help_text = _("Nur bei manchen Informationsarten, z. B. Grund der Beendigung.")
            return
        event_date.label = t.date_label
        reason.label = t.reason_field_label
        event_date.help_text = reason.help_text = ""
        event_date.required = t.event_date == REQUIRED
        reason.required = t.reason == REQUIRED
        text.required = t.text_required
        # The required-messages name the field and the type, as check_note does.
        for field, label in ((event_date, t.date_label), (reason, t.reason_field_label)):
            field.error_messages["required"] = _(
                "Bitte „%(label)s“ angeben: Pflichtangabe bei „%(type)s“."
            ) % {"label": label, "type": t}
        text.error_messages["required"] = _(
            "Bitte die Information beschreiben: bei „%(type)s“ ist ein Text nötig."
        ) % {"type": t}

    @property
    def shows_event_date(self) -> bool:
        return self.selected_type is None or self.selected_type.asks_date

    @property
    def shows_reason(self) -> bool:
        return self.selected_type is None or self.selected_type.asks_reason

    def clean_kunde(self) -> Kunde:
        if self.selected_kunde is None:
            raise ValidationError(self.fields["kunde"].error_messages["invalid_choice"])
        return self.selected_kunde

    @property
    def is_general(self) -> bool:
        return self._raw("information_type") == GENERAL

    def clean_information_type(self) -> InformationType | None:
        if self.is_general:
            return None
        if self.selected_type is None:
            raise ValidationError(self.fields["information_type"].error_messages["invalid_choice"])
        return self.selected_type

    def clean(self):
        cleaned = super().clean()
        errors = check_note(
            information_type=cleaned.get("information_type"),
            kunde=cleaned.get("kunde"),
            known_on=cleaned.get("known_on"),
            text=cleaned.get("text", ""),
            event_date=cleaned.get("event_date"),
            reason=cleaned.get("reason", ""),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        if self.is_general and not cleaned.get("text", "").strip() and "text" not in self.errors:
            self.add_error(
                "text", _("Bitte festhalten, worum es geht, z. B. „Anruf, nicht erreicht“.")
            )
        return cleaned

    def note_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "kunde": c["kunde"],
            "information_type": c["information_type"],
            "known_on": c["known_on"],
            "text": c["text"],
            "urgent": c["urgent"],
            "event_date": c["event_date"],
            "reason": c["reason"],
            "attachment_ref": c["attachment_ref"],
        }


class DoneForm(KernForm):
    person_label = _("Erledigt")  # names the form in the error summary
    note = forms.CharField(
        label=_("Was wurde getan?"),
        max_length=2000,
        # The mailbox's "Erledigt" shortcut (static/app/shortcuts.js) puts the keyboard here.
        widget=forms.Textarea(attrs={"rows": 2, "aria-keyshortcuts": "Alt+Shift+E"}),
        error_messages={"required": _("Bitte kurz festhalten, was getan wurde.")},
    )


class FollowUpForm(KernForm):
    person_label = _("Wiedervorlage")
    on = forms.DateField(
        label=_("Wiedervorlage am"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": _("Bitte das Datum der Wiedervorlage angeben.")},
    )
    note = forms.CharField(label=_("Anlass"), max_length=500, required=False)

    def clean_on(self) -> date:
        value = self.cleaned_data["on"]
        if value <= timezone.localdate():
            raise ValidationError(_("Die Wiedervorlage muss nach dem heutigen Tag liegen."))
        return value


class RerouteForm(KernForm):
    person_label = _("Umleiten")
    postfach = forms.ModelChoiceField(
        label=_("an Postfach"),
        queryset=Postfach.objects.none(),
        empty_label=_("Bitte wählen"),
        error_messages={
            "required": _("Bitte das Postfach wählen, an das umgeleitet wird."),
            "invalid_choice": _("Dieses Postfach gibt es nicht. Bitte aus der Liste wählen."),
        },
    )
    reason = forms.CharField(
        label=_("Begründung"),
        max_length=500,
        error_messages={"required": _("Bitte begründen, warum der Eintrag umgeleitet wird.")},
    )

    def __init__(self, *args, jobcenter_id: int, exclude_postfach_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Postfach.objects.filter(team__jobcenter_id=jobcenter_id).order_by("name")
        if exclude_postfach_id:
            qs = qs.exclude(pk=exclude_postfach_id)
        self.fields["postfach"].queryset = qs


class ForwardForm(KernForm):
    person_label = _("Weiterleiten")
    note = forms.CharField(label=_("Hinweis"), max_length=1000, required=False)


class TicketForm(KernForm):
    """A call the hotline takes (rules R-RU-01, R-OE-02): what kind, who, the number to call
    back and when the caller can be reached. The rules are the service's; the form only
    shapes the input (`routing.services.hotline_ticket_create`)."""

    kind = forms.ChoiceField(
        label=_("Art des Tickets"),
        choices=HotlineTicket.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte die Art des Tickets wählen.")},
    )
    q = forms.CharField(
        label=_("Kundin oder Kunde suchen"),
        help_text=_("Name, BG-Nummer oder Kd.-Nr., wie die anrufende Person sie nennt."),
        max_length=100,
        required=False,
    )
    kunde = forms.TypedChoiceField(
        label=_("Wer ruft an?"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "Diese Kundin oder dieser Kunde wurde nicht gefunden. Bitte erneut suchen."
            ),
        },
    )
    caller_name = forms.CharField(
        label=_("Name laut Anruf"),
        max_length=200,
        required=False,
        help_text=_("Nur wenn die Person nicht im Bestand ist (oder nicht gefunden wird)."),
    )
    caller_details = forms.CharField(
        label=_("Weitere Angaben zur Person"),
        max_length=300,
        required=False,
        help_text=_("z. B. Geburtsdatum oder BG-Nummer, falls genannt: hilft beim Zuordnen."),
    )
    callback_number = forms.CharField(
        label=_("Rückrufnummer"),
        max_length=40,
        help_text=_("Mit Vorwahl, so wie genannt, z. B. 0202 123456 oder +49 171 1234567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"required": _("Bitte die Rückrufnummer angeben.")},
    )
    area = forms.ChoiceField(
        label=_("Worum geht es?"),
        choices=list(TICKET_AREAS.items()),
        widget=forms.RadioSelect,
        initial="leistung",
        help_text=_(
            "Das Ticket geht an das zuständige Team; ist die Person nicht im Bestand, an die "
            "Eingangszone."
        ),
        error_messages={"required": _("Bitte wählen, welcher Bereich zurückruft.")},
    )
    concern = forms.CharField(
        label=_("Anliegen"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Bitte notieren, worum es geht.")},
    )
    reachable = forms.ChoiceField(
        label=_("Erreichbar"),
        choices=[
            (REACHABLE_ANYTIME, _("jederzeit in den Telefonzeiten")),
            (REACHABLE_WINDOW, _("nur in diesem Zeitraum:")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Pflicht bei einer Rückrufbitte. Der Zeitraum muss in den Telefonzeiten liegen."
        ),
    )
    reachable_date = forms.DateField(
        label=_("am"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
    )
    reachable_from = forms.TimeField(
        label=_("von"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reachable_until = forms.TimeField(
        label=_("bis"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reachable_note = forms.CharField(
        label=_("Hinweis zur Erreichbarkeit"),
        max_length=300,
        required=False,
        help_text=_("z. B. „nur Handy“, „nicht vor 10 Uhr“."),
    )

    def __init__(self, *args, kunden, search_results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kunden = kunden
        raw = self.data.get(self.add_prefix("kunde")) if self.is_bound else None
        self.selected_kunde = None
        if raw and raw.isdigit() and len(raw) <= 12:  # no number beyond a key's range
            self.selected_kunde = (
                kunden.filter(pk=int(raw)).select_related("bedarfsgemeinschaft").first()
            )
        choices = {k.pk: kunde_label(k) for k in search_results}
        if self.selected_kunde is not None:
            choices = {self.selected_kunde.pk: kunde_label(self.selected_kunde), **choices}
        self.fields["kunde"].choices = [
            ("", _("nicht im Bestand oder nicht gefunden: Name und Nummer genügen")),
            *choices.items(),
        ]
        self.fields["kunde"].initial = ""

    @property
    def reachable_window_fields(self):
        return [self["reachable_date"], self["reachable_from"], self["reachable_until"]]

    def clean_kunde(self):
        value = self.cleaned_data.get("kunde")
        if value is None:
            return None
        if self.selected_kunde is None or self.selected_kunde.pk != value:
            raise ValidationError(self.fields["kunde"].error_messages["invalid_choice"])
        return self.selected_kunde

    def _moment(self, day, at):
        if day is None or at is None:
            return None
        return datetime.combine(day, at, tzinfo=BERLIN)

    def ticket_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "kind": c["kind"],
            "kunde": c["kunde"],
            "caller_name": c["caller_name"],
            "caller_details": c["caller_details"],
            "callback_number": c["callback_number"],
            "area": c["area"],
            "concern": c["concern"],
            "reachable": c["reachable"],
            "reachable_from": self._moment(c["reachable_date"], c["reachable_from"]),
            "reachable_until": self._moment(c["reachable_date"], c["reachable_until"]),
            "reachable_note": c["reachable_note"],
        }


class IdentifyForm(KernForm):
    """Complete the identity of a caller not on file: the customer found by search."""

    person_label = _("Identität ergänzen")
    kunde = forms.TypedChoiceField(
        label=_("Gefunden"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Bitte eine Kundin oder einen Kunden auswählen."),
            "invalid_choice": _(
                "Diese Kundin oder dieser Kunde wurde nicht gefunden. Bitte erneut suchen."
            ),
        },
    )

    def __init__(self, *args, kunden, search_results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kunden = kunden
        self.fields["kunde"].choices = [(k.pk, kunde_label(k)) for k in search_results]

    def clean_kunde(self):
        kunde = self.kunden.filter(pk=self.cleaned_data["kunde"]).first()
        if kunde is None:
            raise ValidationError(self.fields["kunde"].error_messages["invalid_choice"])
        return kunde
