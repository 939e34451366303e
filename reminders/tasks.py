"""The worker's part: find what is due (beat) and send each message once, with retries."""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_due_reminders() -> None:
    """Beat, every REMINDER_SCAN_INTERVAL seconds: make the rows of due reminders."""
    from .services import due_reminders

    due_reminders()


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8 … minutes after the first, second … failed attempt, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def send_message(self, pk: int) -> None:
    """Send one message. Idempotent: a redelivered or duplicated task finds it sent. A failed
    attempt is recorded on the row and tried again later, up to REMINDER_MAX_ATTEMPTS."""
    from .services import NotSent, deliver

    try:
        deliver(pk)
    except NotSent as error:
        attempts = self.request.retries + 1
        if attempts >= settings.REMINDER_MAX_ATTEMPTS:
            logger.error("message %s given up after %s attempts", pk, attempts)
            return
        raise self.retry(exc=error, countdown=backoff_seconds(attempts)) from None
