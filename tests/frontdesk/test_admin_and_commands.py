import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from frontdesk.models import Display, VisitState
from tests.admin_forms import admin_form_data

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, field, value",
    [
        ("concern", "name", "Unterlagen einwerfen"),
        ("concernclass", "name", "Schnelle Anliegen"),
        ("desk", "name", "Theke 9"),
        ("display", "name", "Foyer oben"),
        ("sitesettings", "number_prefix", "Z"),
    ],
)
def test_administration_edits_the_front_desk(
    login, staff, site, desks, display, catalogue, model, field, value
):
    from django.apps import apps

    from frontdesk.models import SiteSettings

    SiteSettings.objects.get_or_create(standort=site)
    client = login(staff["admin"])
    assert client.get(reverse(f"admin:frontdesk_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:frontdesk_{model}_add")).status_code == 200
    # A change posted from the change page is stored.
    obj = apps.get_model("frontdesk", model).objects.order_by("pk").first()
    change = reverse(f"admin:frontdesk_{model}_change", args=[obj.pk])
    response = client.post(change, admin_form_data(client.get(change), **{field: value}))
    assert response.status_code == 302, response.content.decode()[-3000:]
    obj.refresh_from_db()
    assert getattr(obj, field) == value


def _addresses(response) -> list[str]:
    """The display addresses among the admin's messages on a page (after a redirect)."""
    return sorted(
        set(re.findall(r'href="http://testserver(/anzeige/[^"/]+/)"', response.content.decode()))
    )


def test_display_keys_are_stored_only_as_a_hash(display):
    stored = Display.objects.filter(pk=display.pk).values().get()
    secret = display.token.partition(".")[2]
    assert len(secret) >= 43
    assert not any(secret in str(value) for value in stored.values())
    assert stored["token_hash"] == hashlib.sha256(display.token.encode()).hexdigest()
    assert display.token.startswith(stored["token_prefix"])


def test_display_admin_shows_the_address_only_once_and_renews_the_key(
    client, login, staff, display
):
    admin_client = login(staff["admin"])
    page = admin_client.get(reverse("admin:frontdesk_display_change", args=[display.pk]))
    body = page.content.decode()
    assert display.token not in body
    assert display.token_prefix in body and "Neuen Zugangsschlüssel erzeugen" in body
    response = admin_client.post(
        reverse("admin:frontdesk_display_changelist"),
        {"action": "new_token", "_selected_action": [display.pk]},
        follow=True,
    )
    [new] = _addresses(response)
    assert client.get(new).status_code == 200
    assert client.get(reverse("frontdesk:display", args=[display.token])).status_code == 404
    again = admin_client.get(reverse("admin:frontdesk_display_change", args=[display.pk]))
    assert new not in again.content.decode()


def test_display_admin_shows_the_address_of_a_new_display(client, login, staff, site):
    admin_client = login(staff["admin"])
    response = admin_client.post(
        reverse("admin:frontdesk_display_add"),
        {"standort": site.pk, "name": "Foyer", "active": "on"},
        follow=True,
    )
    assert response.redirect_chain
    [address] = _addresses(response)
    page = client.get(address)
    assert page.status_code == 200 and "Hauptstelle" in page.content.decode()
    assert Display.objects.get(name="Foyer").has_key


def test_other_jobcenters_admin_sees_none_of_our_displays(login, display):
    from jobcenter.roles import Role
    from tests.factories import UserFactory

    before = (display.name, display.token_hash)
    admin = UserFactory(role=Role.ADMINISTRATION)
    client = login(admin)
    page = client.get(reverse("admin:frontdesk_display_changelist")).content.decode()
    assert display.token_prefix not in page
    # Nor can they open, rename or re-key it.
    change = reverse("admin:frontdesk_display_change", args=[display.pk])
    assert client.get(change).status_code in (302, 404)
    client.post(change, {"standort": display.standort_id, "name": "Gekapert", "active": "on"})
    client.post(
        reverse("admin:frontdesk_display_changelist"),
        {"action": "new_token", "_selected_action": [display.pk]},
    )
    display.refresh_from_db()
    assert (display.name, display.token_hash) == before


def test_displays_command_creates_one_per_site_and_prints_the_address_once(
    client, site, other_site
):
    out = StringIO()
    call_command("frontdesk_displays", "--anlegen", stdout=out, stderr=StringIO())
    assert Display.objects.count() == 2
    addresses = re.findall(r"http://127\.0\.0\.1:8000(/anzeige/\S+/)", out.getvalue())
    assert len(addresses) == 2
    assert all(client.get(a).status_code == 200 for a in addresses)

    out = StringIO()
    call_command("frontdesk_displays", "--anlegen", stdout=out, stderr=StringIO())
    assert "/anzeige/" not in out.getvalue()
    assert out.getvalue().count("Schlüssel vorhanden") == 2
    assert "--neuer-schluessel" in out.getvalue()

    out = StringIO()
    call_command("frontdesk_displays", "--neuer-schluessel", stdout=out, stderr=StringIO())
    renewed = re.findall(r"http://127\.0\.0\.1:8000(/anzeige/\S+/)", out.getvalue())
    assert len(renewed) == 2 and not set(renewed) & set(addresses)
    assert all(client.get(a).status_code == 404 for a in addresses)
    assert all(client.get(a).status_code == 200 for a in renewed)


def test_displays_command_gives_a_key_to_a_display_without_one(client, site):
    Display.objects.create(standort=site, name="ohne Schlüssel")
    out = StringIO()
    call_command("frontdesk_displays", stdout=out)
    assert "noch kein Schlüssel" in out.getvalue() and "/anzeige/" not in out.getvalue()
    call_command("frontdesk_displays", "--anlegen", stdout=out, stderr=StringIO())
    [address] = re.findall(r"http://127\.0\.0\.1:8000(/anzeige/\S+/)", out.getvalue())
    assert client.get(address).status_code == 200


def test_close_day_ends_yesterdays_open_visits(check_in, staff, desks, open_desk):
    from frontdesk.services.calling import visit_call_next

    yesterday = at(9) - timedelta(days=1)
    check_in("unterlagen", now=yesterday)
    check_in("unterlagen", now=yesterday)
    open_desk(staff["ez"], desks["s1"], now=yesterday)
    called = visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=yesterday)
    waiting = check_in("unterlagen", now=yesterday)
    today = check_in("unterlagen", now=at(9))
    out = StringIO()
    call_command("frontdesk_close_day", stdout=out)
    assert "3 offene Besuche" in out.getvalue()
    for visit in (waiting, called, today):
        visit.refresh_from_db()
    assert waiting.state == called.state == VisitState.CANCELLED
    assert called.desk is None
    assert today.state == VisitState.WAITING
