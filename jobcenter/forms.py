"""Forms render as KERN UX markup."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _


def _kern_class(widget: forms.Widget, *, error: bool) -> str:
    # CheckboxSelectMultiple is a subclass of RadioSelect: test for checkboxes first.
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        base = "kern-form-check__checkbox"
    elif isinstance(widget, forms.RadioSelect):
        base = "kern-form-check__radio"
    elif isinstance(widget, forms.Select):
        base = "kern-form-input__select"
    else:
        base = "kern-form-input__input"
    return f"{base} {base}--error" if error else base


class KernBoundField(BoundField):
    # Django 5.2 already ties hint and error to the control (aria-describedby, aria-invalid);
    # fieldsets of radios and checkboxes get theirs in templates/includes/field.html.
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if not isinstance(widget, forms.HiddenInput):
            kern = _kern_class(widget, error=bool(self.errors))
            attrs["class"] = f"{attrs.get('class', '')} {kern}".strip()
        return attrs


class KernForm(forms.Form):
    bound_field_class = KernBoundField


# Four-digit years only: "31.12.99" read as 1999 (or 2099) is a wrong birth date, silently.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TWO_DIGIT_YEAR = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2}\s*$")


class DateField(forms.DateField):
    """A date typed by hand in German order; a two-digit year is refused with a hint."""

    input_formats = DATE_INPUT_FORMATS

    def to_python(self, value):
        if isinstance(value, str) and TWO_DIGIT_YEAR.match(value):
            raise ValidationError(
                _("Bitte das Jahr vierstellig angeben, z. B. 31.12.1999."), code="two_digit_year"
            )
        return super().to_python(value)


# Line breaks, other control characters and the bidirectional overrides and marks
# (U+200E/F, U+202A–U+202E, U+2066–U+2069) have no place in a name: they break letters and
# lists, and a right-to-left override shows a name other than the one stored.
_BIDI_CONTROLS = {
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def _is_control(char: str) -> bool:
    # Zero-width (non-)joiners (U+200C/D) are format characters that Persian and Indic
    # names legitimately carry; every other control or format character is refused.
    return unicodedata.category(char) in ("Cc", "Cf") and char not in "\u200c\u200d"


def validate_name(value: str) -> None:
    if any(c in _BIDI_CONTROLS or _is_control(c) for c in value):
        raise ValidationError(
            _(
                "Der Name enthält einen Zeilenumbruch oder ein unsichtbares Steuerzeichen. "
                "Bitte nur den Namen eingeben."
            ),
            code="control_character",
        )


class NameField(forms.CharField):
    default_validators = [validate_name]


class DateInput(forms.DateInput):
    """The browser's date picker; German input typed by hand is accepted too."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def quiet(form: forms.BaseForm) -> forms.BaseForm:
    """A bound form that shows what was typed but no errors yet (e.g. "add a row")."""
    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form
