"""The main navigation shows each role the places of its work, and every entry opens."""

import pytest
from django.urls import reverse

from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory

pytestmark = pytest.mark.django_db

# Written out by hand from the pages' permissions (the README's role table).
EXPECTED = {
    Role.EMPFANG: ["Empfang", "Postfächer", "Vermerk schreiben", "Kundensuche", "Fristenrechner"],
    Role.EINGANGSZONE: [
        "Empfang",
        "Aufruf",
        "Antragsaufnahme",
        "Fälle",
        "Postfächer",
        "Vermerk schreiben",
        "Kalender",
        "Kundensuche",
        "Fristenrechner",
    ],
    Role.LEISTUNG: [
        "Aufruf",
        "Arbeitsliste",
        "Fälle",
        "Postfächer",
        "Vermerk schreiben",
        "Kundensuche",
        "Fristenrechner",
    ],
    Role.INTEGRATION: [
        "Aufruf",
        "Arbeitsliste",
        "Fälle",
        "Postfächer",
        "Vermerk schreiben",
        "Kalender",
        "Kundensuche",
        "Fristenrechner",
    ],
    Role.HOTLINE: [
        "Servicecenter",
        "Ticket aufnehmen",
        "Postfächer",
        "Vermerk schreiben",
        "Kundensuche",
        "Fristenrechner",
    ],
    Role.TEAMLEITUNG: [
        "Empfang",
        "Aufruf",
        "Antragsaufnahme",
        "Servicecenter",
        "Fälle",
        "Postfächer",
        "Vermerk schreiben",
        "Kalender",
        "Kundensuche",
        "Warteschlange",
        "Fristen",
        "Fristenrechner",
    ],
    Role.ADMINISTRATION: ["Fristenrechner", "Verwaltung"],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_places_and_each_opens(client, role):
    user = UserFactory(username=f"nav-{role}", role=role, jobcenter=JobcenterFactory())
    if role == Role.ADMINISTRATION:
        user.is_staff = True
        user.save()
    client.force_login(user)
    response = client.get(
        reverse("intake:customer_search")
        if role != Role.ADMINISTRATION
        else reverse("minimumstandards:fristenrechner")
    )
    items = response.context["nav_items"]
    assert [str(label) for _, label in items] == EXPECTED[role]
    for url, label in items:
        assert client.get(url).status_code == 200, label


def test_an_account_without_a_jobcenter_sees_no_place_of_work(client):
    user = UserFactory(username="nav-none", role=Role.LEISTUNG, jobcenter=None)
    client.force_login(user)
    response = client.get(reverse("minimumstandards:fristenrechner"))
    assert response.status_code == 403
    assert response.context["nav_items"] == []
