from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from jobcenter.numbers import minutes_of

register = template.Library()

# The option templates whose output `option_tag` writes directly (Django's own).
_OPTION_TEMPLATES = {
    "django/forms/widgets/checkbox_option.html",
    "django/forms/widgets/radio_option.html",
}


@register.filter
def option_tag(widget) -> str:
    """`{{ widget.tag }}` of a checkbox or radio option, written here instead of through
    the form renderer's templates: the same HTML (input.html and attrs.html, attributes in
    their order), at a fraction of the cost. The desk page shows the whole concern
    catalogue as checkboxes (issue 13: template cost). Any other option template goes
    through `tag()` as before. `tag()` renders without the wrapping label whatever the
    option's `wrap_label` says (Django sets it True for every checkbox and radio option), so
    that flag is no reason to leave the direct path: it never wraps here either (before,
    checking it sent every option through the templates)."""
    data = widget.data
    if data.get("template_name") not in _OPTION_TEMPLATES:
        return widget.tag()
    parts = [f'<input type="{escape(data["type"])}" name="{escape(data["name"])}"']
    if data["value"] is not None:
        parts.append(f' value="{escape(str(data["value"]))}"')
    for name, value in data["attrs"].items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    parts.append(">")
    return mark_safe("".join(parts))  # every value above is escaped


@register.filter
def minutes(seconds) -> str:
    """A duration in seconds as minutes with one decimal, German style: "12,5 Min.".

    Rounded by `minutes_of`, as the exports round it: screen and file show the same figure.
    """
    if seconds is None or seconds == "":
        return "–"
    return _("%(n)s Min.") % {"n": number_format(minutes_of(seconds), 1)}


@register.filter
def whole_minutes(seconds) -> str:
    if seconds is None or seconds == "":
        return "–"
    return _("%(n)d Min.") % {"n": int(float(seconds) // 60)}


@register.simple_tag
def waiting_since(moment: datetime | None, now: datetime | None = None) -> str:
    """How long someone has been waiting, in whole minutes."""
    if moment is None:
        return "–"
    seconds = max(0, ((now or timezone.now()) - moment).total_seconds())
    return _("%(n)d Min.") % {"n": int(seconds // 60)}


@register.filter
def over(seconds, target_minutes) -> bool:
    return seconds is not None and float(seconds) > float(target_minutes) * 60


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def weekday(number) -> str:
    from jobcenter.models import OpeningHours

    return str(OpeningHours.Weekday(int(number)).label)


@register.filter
def isodate(value) -> str:
    """An ISO date string as the German date with its weekday, e.g. "Mo 09.03.2026"."""
    from datetime import date

    from django.utils.formats import date_format

    return date_format(date.fromisoformat(str(value)), "D d.m.Y")
