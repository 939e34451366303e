"""Each role lands on its own work after login (issue 12): reception on Empfang, team lead
on Fristen, Leistung on its open cases, the IFK on "Heute"."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username, landing",
    [
        ("empfang", "/empfang/"),
        ("teamleitung", "/fristen/"),
        ("leistung", "/faelle/"),
        ("ifk", "/arbeitsliste/"),
        ("ez", "/antrag/neu/"),
    ],
)
def test_after_login_each_role_lands_on_its_work(client, staff, password, username, landing):
    assert settings.LOGIN_REDIRECT_URL == "home"
    response = client.post(
        reverse("login"), {"username": username, "password": password}, follow=True
    )
    assert response.redirect_chain[0][0] == reverse("home")
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_the_ifk_lands_on_heute(client, staff, password):
    response = client.post(reverse("login"), {"username": "ifk", "password": password}, follow=True)
    assert '<h1 class="kern-heading-large kern-mb-sm">Heute</h1>' in response.content.decode()
