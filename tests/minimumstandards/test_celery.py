"""The scan as production runs it: a task sent through a real Redis to a real Celery worker."""

import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from jobcenter.celery import app
from minimumstandards.models import DeadlineAlert
from minimumstandards.presets import apply_preset
from minimumstandards.tasks import scan_deadlines
from tests.factories import register

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def redis_app():
    if not REDIS_URL:
        pytest.fail("TEST_REDIS_URL is not set: run the suite with `make test`.")
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, result_backend=None)
    app.connection_for_write().ensure_connection(max_retries=3)
    yield app
    app.conf.update(previous)


@pytest.mark.django_db(transaction=True)
def test_beat_task_flags_deadlines_through_redis_and_a_worker(redis_app, jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        application_date=timezone.localdate() - timedelta(days=5),
        received_at=timezone.now() - timedelta(days=5),
    )
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        scan_deadlines.delay()
        deadline = time.monotonic() + 20
        while not DeadlineAlert.objects.exists():
            assert time.monotonic() < deadline, "the worker never ran the scan"
            time.sleep(0.1)
    assert DeadlineAlert.objects.filter(level="breach").exists()


def test_beat_schedules_the_scan(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["scan-deadlines"]
    assert entry["task"] == scan_deadlines.name
    assert entry["schedule"] == float(settings.DEADLINE_SCAN_INTERVAL)
