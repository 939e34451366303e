"""Forms render as KERN UX markup."""

from django import forms
from django.forms.boundfield import BoundField


def _kern_class(widget: forms.Widget, *, error: bool) -> str:
    if isinstance(widget, forms.RadioSelect):
        base = "kern-form-check__radio"
    elif isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        base = "kern-form-check__checkbox"
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
