import logging

from celery import shared_task
from django.utils import timezone

from jobcenter.models import Standort

from .services.reception import visits_close_day

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def close_day() -> None:
    """Nightly: visits left open from earlier days are closed (safe to run twice)."""
    today = timezone.localdate()
    total = sum(
        visits_close_day(actor=None, standort=site, before=today) for site in Standort.objects.all()
    )
    logger.info("front desk day closed: %s open visits of earlier days", total)
