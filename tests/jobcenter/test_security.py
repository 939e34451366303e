import time

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


def test_session_expires_after_inactivity(client, staff, password):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post(reverse("login"), {"username": "leistung", "password": password})
    assert "_auth_user_id" in client.session
    # The server forgets the session within the hour even if no request comes to end it ...
    stored = Session.objects.get(session_key=client.session.session_key)
    assert timezone.now() < stored.expire_date <= timezone.now() + timedelta(hours=1)
    # ... and ends it at the first request after half an hour without one.
    session = client.session
    session["last_activity"] = int(time.time()) - 30 * 60 - 1
    session.save()
    response = client.get(reverse("intake:case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_content_security_policy_forbids_inline_and_foreign_sources(client):
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in header
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header


def test_healthz_needs_no_login(client):
    assert client.get(reverse("healthz_live")).content == b"ok"
    assert client.get(reverse("healthz")).status_code == 200


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


def test_administration_edits_opening_hours_postfach_and_deputies_inline(login, staff, teams):
    from jobcenter.models import Deputy, OpeningHours, Standort
    from tests.admin_forms import admin_form_data

    site = Standort.objects.create(jobcenter=staff["admin"].jobcenter, name="Hauptstelle")
    client = login(staff["admin"])

    def save(url, **changes):
        page = client.get(url)
        assert page.status_code == 200, url
        response = client.post(url, admin_form_data(page, **changes))
        assert response.status_code == 302, response.content.decode()[-3000:]

    save(
        reverse("admin:jobcenter_standort_change", args=[site.pk]),
        **{
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens": "08:00",
            "opening_hours-0-closes": "18:00",
        },
    )
    hours = OpeningHours.objects.get(standort=site)
    assert (hours.weekday, str(hours.opens), str(hours.closes)) == (0, "08:00:00", "18:00:00")
    team = teams["leistung"]
    save(
        reverse("admin:jobcenter_team_change", args=[team.pk]),
        **{"postfach-0-email": "leistung@jobcenter.example"},
    )
    team.postfach.refresh_from_db()
    assert team.postfach.email == "leistung@jobcenter.example"
    save(
        reverse("admin:jobcenter_user_change", args=[staff["ifk"].pk]),
        **{
            "deputy_entries-TOTAL_FORMS": "1",
            "deputy_entries-0-deputy": str(staff["ifk2"].pk),
            "deputy_entries-0-position": "1",
        },
    )
    assert list(Deputy.objects.filter(ifk=staff["ifk"]).values_list("deputy", flat=True)) == [
        staff["ifk2"].pk
    ]


def test_admin_changes_are_audited(login, staff, teams):
    from jobcenter.models import AuditEvent

    team = teams["leistung"]
    response = login(staff["admin"]).post(
        reverse("admin:jobcenter_team_change", args=[team.pk]),
        {
            "jobcenter": str(team.jobcenter_id),
            "name": "Leistung Nord",
            "kind": team.kind,
            "standort": "",
            "lead": "",
            "postfach-TOTAL_FORMS": "1",
            "postfach-INITIAL_FORMS": "1",
            "postfach-MIN_NUM_FORMS": "0",
            "postfach-MAX_NUM_FORMS": "1",
            "postfach-0-id": str(team.postfach.pk),
            "postfach-0-team": str(team.pk),
            "postfach-0-name": team.postfach.name,
            "postfach-0-email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(target_id=team.pk, action="change")
    assert event.actor == staff["admin"]
    assert "name" in event.changes["fields"]
