"""/healthz: every check of the system, and the deadline scan's age among them (issue 15)."""

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from minimumstandards import health as scan_health
from minimumstandards.tasks import scan_deadlines

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def scan_check_only(settings):
    settings.HEALTH_CHECKS = ["minimumstandards.health.DeadlineScanFresh"]
    settings.DEADLINE_SCAN_MAX_AGE = 360


def get(client, path, **extra):
    """The request in a thread of its own: health-check runs its checks through
    async_to_sync, which refuses a thread with a running event loop (Playwright's, once the
    browser journeys of the same session have started)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(client.get, path, **extra).result()


def test_liveness_touches_nothing_and_needs_no_login(client):
    # No django_db mark: a query here would fail the test.
    response = get(client, "/healthz/live")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_plain_text_with_each_check(client):
    response = get(client, "/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Database(alias='default'): OK\n"


def test_a_scan_older_than_its_limit_is_unhealthy(client, frozen, scan_check_only):
    scan_health.record_scan(NOW - timedelta(seconds=361))
    response = get(client, reverse("healthz"))
    assert response.status_code == 500
    assert response.content.decode() == (
        "DeadlineScan: Unavailable: last deadline scan 361 s ago (limit 360 s)\n"
    )


def test_a_fresh_scan_is_healthy(client, frozen, scan_check_only):
    scan_health.record_scan(NOW - timedelta(seconds=360))
    response = get(client, reverse("healthz"))
    assert response.status_code == 200
    assert response.content.decode() == "DeadlineScan: OK\n"


def test_no_scan_at_all_is_unhealthy(client, frozen, scan_check_only):
    response = get(client, reverse("healthz"), HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert response.json() == {"DeadlineScan": "Unavailable: no deadline scan recorded yet"}


@pytest.mark.django_db
def test_the_scan_task_records_when_it_ran(frozen):
    assert scan_health.last_scan_at() is None
    scan_deadlines()
    assert scan_health.last_scan_at() == NOW


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_broker_and_no_worker_are_unhealthy(client, settings):
    settings.HEALTH_CHECKS = ["jobcenter.health.Broker", "jobcenter.health.CeleryWorker"]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_free_port()}/0"
    from jobcenter.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = get(client, reverse("healthz"))
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 500
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Broker: ")
    assert lines[1].startswith("CeleryWorker: ")
    assert "OK" not in response.content.decode()


def test_the_broker_check_passes_against_a_running_redis(client, settings):
    if not REDIS_URL:
        pytest.fail("TEST_REDIS_URL is not set: run the suite with `make test`.")
    settings.HEALTH_CHECKS = ["jobcenter.health.Broker"]
    settings.CELERY_BROKER_URL = REDIS_URL
    response = get(client, reverse("healthz"))
    assert response.content.decode() == "Broker: OK\n"
    assert response.status_code == 200


def test_env_example_names_every_setting_production_reads():
    """Every environment variable of the production settings, gunicorn's config and the
    probe is in .env.example, with the default the code uses."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [
        root / "jobcenter" / "settings" / name
        for name in ("base.py", "celery.py", "logging.py", "production.py", "sso.py")
    ] + [root / "deploy" / "gunicorn.conf.py", root / "deploy" / "probe.py"]
    read = set()
    for source in sources:
        text = source.read_text()
        read |= set(re.findall(r'env(?:str|bool|int|list)\(\s*"([A-Z_0-9]+)"', text))
        read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_0-9]+)"', text))
    example = (root / ".env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z_0-9]+)=", example, re.M))
    assert read - named == set()
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "SITE_HOST"} <= named
