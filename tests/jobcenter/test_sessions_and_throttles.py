"""Idle logout that polls cannot postpone, no-store, throttles, the error page, SQLite."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from jobcenter import throttle
from routing.services import api_client_create

from ..factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
POLL = {
    "HTTP_X_POLL": "1",
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_CURRENT_URL": "http://t/fristen/?q=Meier",
}


def _set_last_activity(client, seconds_ago):
    session = client.session
    session["last_activity"] = int(time.time()) - seconds_ago
    session.save()


def test_a_poll_does_not_renew_the_session(client, staff, settings):
    client.force_login(staff["teamleitung"])
    _set_last_activity(client, settings.SESSION_IDLE_SECONDS - 30)
    before = client.session["last_activity"]
    response = client.get(reverse("minimumstandards:dashboard_live"), **POLL)
    assert response.status_code == 200
    assert client.session["last_activity"] == before


def test_a_real_request_renews_the_session(client, staff, settings):
    client.force_login(staff["teamleitung"])
    _set_last_activity(client, settings.SESSION_IDLE_SECONDS - 30)
    before = client.session["last_activity"]
    assert client.get(reverse("minimumstandards:dashboard")).status_code == 200
    assert client.session["last_activity"] > before


def test_an_idle_session_ends_even_while_a_page_polls(client, staff, settings):
    client.force_login(staff["teamleitung"])
    _set_last_activity(client, settings.SESSION_IDLE_SECONDS + 1)
    response = client.get(reverse("minimumstandards:dashboard_live"), **POLL)
    # htmx is told to move the whole page to the login, not to swap the form into a region;
    # the query string (which may hold a searched name) is not carried along.
    assert response["HX-Redirect"] == reverse("login") + "?next=/fristen/"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("minimumstandards:dashboard")).status_code == 302


def test_pages_for_signed_in_staff_are_not_stored(client, staff):
    client.force_login(staff["ez"])
    response = client.get(reverse("intake:customer_search"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_failed_logins_are_capped_per_address_across_user_names(client, staff, password, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        response = client.post(reverse("login"), {"username": f"rate{n}", "password": "x"})
        assert response.status_code == 200
    # Even the right password of an existing user is refused from this address for now …
    response = client.post(reverse("login"), {"username": "ez", "password": password})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # … but a colleague at another PC is not affected.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert other.post(reverse("login"), {"username": "ez", "password": password}).status_code == 302


def test_nobody_can_lock_a_named_colleague_out_from_another_pc(staff, password, settings):
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post(reverse("login"), {"username": "ez", "password": "falsch"})
    colleague = Client(REMOTE_ADDR="10.0.0.7")
    response = colleague.post(reverse("login"), {"username": "ez", "password": password})
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


def test_behind_the_proxy_the_forwarded_address_counts(staff, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="10.0.0.66")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post(reverse("login"), {"username": "ez", "password": "falsch"})
    locked = attacker.post(reverse("login"), {"username": "ez", "password": password})
    assert locked.status_code == 429
    # A forged entry further left changes nothing: only the proxy's own entry counts.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="10.0.0.7, 10.0.0.66")
    assert (
        forged.post(reverse("login"), {"username": "ez", "password": password}).status_code == 429
    )
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="10.0.0.7")
    assert (
        colleague.post(reverse("login"), {"username": "ez", "password": password}).status_code
        == 302
    )


def test_the_api_answers_429_past_its_rate(client, jobcenter, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    _api_client, token = api_client_create(jobcenter=jobcenter, name="Fachverfahren")
    url = reverse("api_v1:information_types")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    answers = [client.get(url, **headers).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(url, **headers)
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert int(refused["Retry-After"]) > 0


def test_guessing_api_tokens_is_capped_per_address(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    url = reverse("api_v1:information_types")
    answers = [
        client.get(url, HTTP_AUTHORIZATION=f"Bearer falsch{n}").status_code for n in range(4)
    ]
    assert answers == [401, 401, 401, 429]


def test_throttle_counts_within_its_window():
    assert throttle.count("t", window=60) == 0
    assert [throttle.hit("t", window=60) for _ in range(3)] == [1, 2, 3]
    assert throttle.count("t", window=60) == 3


@pytest.mark.urls("tests.jobcenter.urls_error")
def test_an_error_shows_a_german_page_without_the_request(db, settings):
    settings.DEBUG = False
    user = UserFactory(username="fehler")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/boom/?name=Erika")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Ein Fehler ist aufgetreten" in body
    assert "Erika" not in body
    assert "Traceback" not in body


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_runs_without_debug():
    # A missing page in the demo gets the German error page, not Django's debug page.
    result = _run(
        """
        import django
        django.setup()
        from django.test import Client
        response = Client(HTTP_HOST="localhost").get("/static/gibt-es-nicht.css")
        body = response.content.decode()
        print(response.status_code, "Nicht gefunden" in body, "URLconf" in body, "DEBUG" in body)
        """,
        DJANGO_SETTINGS_MODULE="jobcenter.settings.local",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["404", "True", "False", "False"]


def test_two_writers_on_the_demo_sqlite_wait_instead_of_failing(tmp_path):
    # Each writer reads, pauses, then writes in one transaction: with SQLite's default
    # deferred transactions the second one fails at once with "database is locked".
    code = """
        import threading, time, django
        django.setup()
        from django.db import connection, transaction
        with connection.cursor() as c:
            c.execute("CREATE TABLE calls (n integer)")
        connection.close()
        errors = []
        def desk():
            try:
                with transaction.atomic():
                    with connection.cursor() as c:
                        c.execute("SELECT count(*) FROM calls")
                        time.sleep(0.3)
                        c.execute("INSERT INTO calls VALUES (1)")
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()
        threads = [threading.Thread(target=desk) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM calls")
            print(c.fetchone()[0], errors)
    """
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="jobcenter.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DEMO_BROKER_DIR=str(tmp_path / "broker"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 []"
