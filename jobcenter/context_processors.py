from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The main navigation: (URL name, label, the permission that opens it). Each person sees the
# places of their work only: an entry shows exactly when its page would let them in (the
# permission is the page's own, in the app's rules.py). Pages of apps not installed yet are
# left out (NoReverseMatch).
NAVIGATION = [
    ("frontdesk:checkin", _("Empfang"), "frontdesk.receive_visitors"),
    ("frontdesk:desk", _("Aufruf"), "frontdesk.use_desk"),
    ("intake:new", _("Antragsaufnahme"), "jobcenter.take_personal_intake"),
    ("intake:service_centre", _("Servicecenter"), "intake.take_phone_intake"),
    ("routing:ticket_new", _("Ticket aufnehmen"), "routing.take_ticket"),
    ("routing:worklist", _("Arbeitsliste"), "routing.use_worklist"),
    ("intake:case_list", _("Fälle"), "intake.list_antraege"),
    ("routing:mailboxes", _("Postfächer"), "routing.use_mailboxes"),
    ("routing:vermerk_new", _("Vermerk schreiben"), "routing.write_vermerk"),
    ("appointments:calendar", _("Kalender"), "appointments.use_calendar"),
    ("intake:customer_search", _("Kundensuche"), "intake.search_kunden"),
    ("frontdesk:live", _("Warteschlange"), "frontdesk.view_queue_live"),
    ("minimumstandards:dashboard", _("Fristen"), "minimumstandards.view_dashboard"),
    ("minimumstandards:fristenrechner", _("Fristenrechner"), "minimumstandards.use_calculator"),
    ("privacy:search", _("Datenschutz"), "privacy.use"),
    ("admin:index", _("Verwaltung"), "jobcenter.administer"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {"nav_items": []}
    items = []
    for name, label, perm in NAVIGATION:
        if not user.has_perm(perm):
            continue
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return {"nav_items": items}
