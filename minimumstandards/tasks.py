import logging

from celery import shared_task
from django.utils import timezone

from . import health, services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def scan_deadlines() -> None:
    """The beat's periodic scan; safe to run twice (advisory lock, unique alerts)."""
    started = timezone.now()
    counts = services.scan(now=started)
    if counts is None:
        logger.info("deadline scan skipped: another scan holds the lock")
    else:
        logger.info("deadline scan: %(warning)s warnings, %(breach)s breaches", counts)
        # The heartbeat /healthz reads (minimumstandards.health): a scan that skipped for
        # another one leaves it to that one.
        health.record_scan(started)
    emailed = services.alerts_send_emails()
    if emailed:
        logger.info("deadline alerts e-mailed: %s", emailed)


@shared_task(ignore_result=True)
def send_monthly_reports() -> None:
    """Daily at 06:30: on and after the first working day of a month, last month's
    minimum-standards report to each team's leads, once per team and month."""
    from .monthly import send_monthly_reports as send

    send()
