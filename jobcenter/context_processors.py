from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import Role


def navigation(request: HttpRequest) -> dict:
    """The main navigation, by role: each person sees the places of their work only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_role(Role.EINGANGSZONE, Role.TEAMLEITUNG):
        items.append((reverse("intake:new"), _("Antragsaufnahme")))
    if user.has_role(Role.HOTLINE, Role.TEAMLEITUNG):
        items.append((reverse("intake:service_centre"), _("Servicecenter")))
    if user.has_role(
        Role.EINGANGSZONE, Role.LEISTUNG, Role.INTEGRATION, Role.TEAMLEITUNG, Role.EMPFANG
    ):
        items.append((reverse("intake:case_list"), _("Fälle")))
        items.append((reverse("intake:customer_search"), _("Kundensuche")))
    if user.has_role(Role.TEAMLEITUNG):
        items.append((reverse("minimumstandards:dashboard"), _("Fristen")))
    if user.jobcenter_id:
        items.append((reverse("minimumstandards:fristenrechner"), _("Fristenrechner")))
    if user.has_role(Role.ADMINISTRATION) or user.is_superuser:
        items.append((reverse("admin:index"), _("Verwaltung")))
    return {"nav_items": items}
