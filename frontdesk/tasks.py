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


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5
)
def alarm_notify(alarm_pk: int) -> None:
    """Tell the site's security contact by mail (the colleagues' pages see it themselves).

    The mail carries site, place and time only. Idempotent: a redelivered task finds the
    alarm already notified and sends nothing again.
    """
    from django.core.mail import send_mail
    from django.db import transaction
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from .models import StaffAlarm

    with transaction.atomic():
        alarm = (
            StaffAlarm.objects.select_for_update()
            .select_related("standort")
            .filter(pk=alarm_pk, notified_at__isnull=True)
            .first()
        )
        if alarm is None or not alarm.standort.alarm_email:
            return
        at = date_format(timezone.localtime(alarm.raised_at), "DATETIME_FORMAT")
        send_mail(
            subject=_("NOTRUF %(site)s: %(place)s")
            % {"site": alarm.standort, "place": alarm.place},
            message=_(
                "Am Standort %(site)s wurde um %(at)s ein Notruf ausgelöst.\n"
                "Ort: %(place)s\n\nBitte sofort hingehen."
            )
            % {"site": alarm.standort, "at": at, "place": alarm.place},
            from_email=None,
            recipient_list=[alarm.standort.alarm_email],
        )
        alarm.notified_at = timezone.now()
        alarm.save(update_fields=["notified_at"])
    logger.warning(
        "staff alarm %s raised at site %s: security contact told", alarm.pk, alarm.standort_id
    )
