"""Forms render as KERN UX markup."""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict


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


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


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
