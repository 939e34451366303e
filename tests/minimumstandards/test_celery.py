"""The scan as production runs it: a task sent through a real Redis to a real Celery worker."""

import copy
import os
import time
from datetime import timedelta

import pytest
from celery.beat import Scheduler
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
    _forget_connections()
    app.connection_for_write().ensure_connection(max_retries=3)
    yield app
    app.conf.update(previous)
    _forget_connections()


def _forget_connections() -> None:
    """The app caches its connection and producer pools with the broker of their first use
    (an earlier test's task may have made them): drop them, so the new broker_url counts."""
    app._pool = None
    app.amqp._producer_pool = None


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


def _beat_entry(task_name):
    """The entry the beat builds from the app's schedule, and a clock to ask it with."""
    scheduler = Scheduler(app, lazy=True)
    scheduler.merge_inplace(app.conf.beat_schedule)
    [entry] = [e for e in scheduler.schedule.values() if e.task == task_name]
    assert entry.task in app.tasks  # the worker knows the task the beat sends

    def due(now, last_run_at):
        schedule = copy.copy(entry.schedule)
        schedule.nowfun = lambda: now
        return schedule.is_due(last_run_at).is_due

    return due


def test_beat_schedules_the_scan():
    due = _beat_entry(scan_deadlines.name)
    now = timezone.now()
    assert due(now, now - timedelta(minutes=2, seconds=1))
    assert not due(now, now - timedelta(minutes=1))
