from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role

R = Role
# The main navigation: (URL name, label, roles that see it). Each person sees the places of
# their work only. Pages of apps not installed yet are left out (NoReverseMatch).
NAVIGATION = [
    ("frontdesk:checkin", _("Empfang"), {R.EMPFANG, R.EINGANGSZONE, R.TEAMLEITUNG}),
    ("frontdesk:desk", _("Aufruf"), {R.EINGANGSZONE, R.LEISTUNG, R.INTEGRATION, R.TEAMLEITUNG}),
    ("intake:new", _("Antragsaufnahme"), {R.EINGANGSZONE, R.TEAMLEITUNG}),
    ("intake:service_centre", _("Servicecenter"), {R.HOTLINE, R.TEAMLEITUNG}),
    ("routing:worklist", _("Arbeitsliste"), {R.INTEGRATION, R.LEISTUNG}),
    ("intake:case_list", _("Fälle"), {R.EINGANGSZONE, R.LEISTUNG, R.INTEGRATION, R.TEAMLEITUNG}),
    (
        "routing:mailboxes",
        _("Postfächer"),
        {R.EMPFANG, R.EINGANGSZONE, R.LEISTUNG, R.INTEGRATION, R.HOTLINE, R.TEAMLEITUNG},
    ),
    (
        "routing:vermerk_new",
        _("Vermerk schreiben"),
        {R.EMPFANG, R.EINGANGSZONE, R.LEISTUNG, R.INTEGRATION, R.HOTLINE, R.TEAMLEITUNG},
    ),
    ("appointments:calendar", _("Kalender"), {R.INTEGRATION, R.EINGANGSZONE, R.TEAMLEITUNG}),
    (
        "intake:customer_search",
        _("Kundensuche"),
        {R.EMPFANG, R.EINGANGSZONE, R.LEISTUNG, R.INTEGRATION, R.HOTLINE, R.TEAMLEITUNG},
    ),
    ("frontdesk:live", _("Warteschlange"), {R.TEAMLEITUNG}),
    ("minimumstandards:dashboard", _("Fristen"), {R.TEAMLEITUNG}),
    ("minimumstandards:fristenrechner", _("Fristenrechner"), set(R.values) - {R.ADMINISTRATION}),
    ("admin:index", _("Verwaltung"), {R.ADMINISTRATION}),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {"nav_items": []}
    items = []
    for name, label, roles in NAVIGATION:
        if not (user.role in roles or (name == "admin:index" and user.is_superuser)):
            continue
        if name != "admin:index" and user.jobcenter_id is None:
            continue
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return {"nav_items": items}
