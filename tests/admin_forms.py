"""Post an admin page back as a browser would: the values it shows, with some changed."""

from django import forms


def _put(data: dict, form) -> None:
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            continue
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for i, part in enumerate(parts):
                if part is not None:
                    data[f"{bound.html_name}_{i}"] = str(part)
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)


def admin_form_data(page, **changes) -> dict:
    """The data of an admin add/change page's form and its inlines, updated by `changes`."""
    data: dict = {}
    _put(data, page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        _put(data, formset.management_form)
        for form in formset.initial_forms:
            _put(data, form)
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = str(formset.initial_form_count())
    data.update(changes)
    return data
