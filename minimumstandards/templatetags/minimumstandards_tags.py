"""Deadline windows in words for staff screens: "15 Arbeitstage", not "15AT"."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..workdays import parse_window

register = template.Library()


@register.filter
def window_words(value) -> str:
    """``"15AT"`` → "15 Arbeitstage", ``"24KT"`` → "24 Kalendertage", ``"24h"`` → "24 Stunden"."""
    try:
        window = parse_window(str(value))
    except (TypeError, ValueError):
        return str(value)
    if window.kind == "24h":
        return _("24 Stunden")
    if window.kind == "AT":
        return ngettext("%(n)d Arbeitstag", "%(n)d Arbeitstage", window.n) % {"n": window.n}
    return ngettext("%(n)d Kalendertag", "%(n)d Kalendertage", window.n) % {"n": window.n}
