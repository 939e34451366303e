import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from jobcenter.settings.env import envbool, envint, envlist

pytestmark = pytest.mark.django_db


def test_login_page_is_public_and_everything_else_needs_login(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_real_form_and_role_home(client, staff, password):
    response = client.post(reverse("login"), {"username": "leistung", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("intake:case_list")


def test_lockout_after_repeated_failed_logins(client, staff, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ez", "password": "falsch"})
    response = client.post(reverse("login"), {"username": "ez", "password": password})
    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_expires_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60


def test_content_security_policy_forbids_inline_and_foreign_sources(client):
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in header
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header


def test_healthz_needs_no_login(client):
    assert client.get(reverse("healthz")).content == b"ok"


@pytest.mark.parametrize("who, status", [("admin", 200), ("ez", 302), ("teamleitung", 302)])
def test_only_administration_reaches_the_admin(login, staff, who, status):
    assert login(staff[who]).get(reverse("admin:index")).status_code == status


def test_administration_sees_only_its_own_jobcenters_teams(login, staff, outsider):
    page = login(staff["admin"]).get(reverse("admin:jobcenter_team_changelist")).content.decode()
    assert "Team leistung" in page
    other_team_names = outsider.jobcenter.teams.values_list("name", flat=True)
    assert not any(name in page for name in other_team_names)


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "vielleicht")
    with pytest.raises(ImproperlyConfigured):
        envbool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "zehn")
    with pytest.raises(ImproperlyConfigured):
        envint("X_INT", 1)
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert envbool("X_BOOL", False) is True
    assert envlist("X_LIST") == ["a", "b", "c"]
