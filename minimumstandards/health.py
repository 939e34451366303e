"""The deadline scan's heartbeat: when it last ran, and a health check on its age.

A scan that stopped (beat dead, worker dead, broker lost) lets deadlines pass unflagged:
that is an unhealthy system, so /healthz fails once the last completed scan is older than
settings.DEADLINE_SCAN_MAX_AGE. The time is read through `last_scan_at()` alone, so the
record can move (e.g. to a watermark row of the scan) without touching the check.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

_KEY = "minimumstandards:last-scan-at"


def record_scan(at: datetime) -> None:
    """Called after every completed scan (tasks.scan_deadlines). In production the cache is
    Redis, shared by every worker and web process; it never expires."""
    cache.set(_KEY, at, timeout=None)


def last_scan_at() -> datetime | None:
    return cache.get(_KEY)


class DeadlineScanFresh(HealthCheck):
    """The last deadline scan is at most DEADLINE_SCAN_MAX_AGE seconds old."""

    def run(self) -> None:
        try:
            last = last_scan_at()
        except Exception as error:  # the cache (Redis) is down: the Cache check says why
            raise ServiceUnavailable("time of the last deadline scan unreadable") from error
        if last is None:
            raise ServiceUnavailable("no deadline scan recorded yet")
        age = timezone.now() - last
        limit = timedelta(seconds=settings.DEADLINE_SCAN_MAX_AGE)
        if age > limit:
            raise ServiceUnavailable(
                f"last deadline scan {int(age.total_seconds())} s ago (limit {int(limit.total_seconds())} s)"
            )

    def __repr__(self) -> str:
        return "DeadlineScan"
