import logging

from celery import shared_task

from .retention import retention_apply_all

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def apply_retention() -> None:
    """Nightly: what is past its retention period is deleted or anonymised (safe to run
    twice: a second run finds nothing left to do). Logs counts, never names."""
    runs = retention_apply_all()
    logger.info("retention applied: %s records", sum(run.total for run in runs))
