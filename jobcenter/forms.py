"""Forms render as KERN UX markup, with errors and hints tied to their field for screen readers."""

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
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.HiddenInput):
            return attrs
        attrs["class"] = f"{attrs.get('class', '')} {_kern_class(widget, error=bool(self.errors))}"
        attrs["class"] = attrs["class"].strip()
        described = attrs.get("aria-describedby", "").split()
        if self.help_text and f"{self.auto_id}_helptext" not in described:
            described.append(f"{self.auto_id}_helptext")
        if self.errors:
            described.append(f"{self.auto_id}_error")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class KernForm(forms.Form):
    bound_field_class = KernBoundField
