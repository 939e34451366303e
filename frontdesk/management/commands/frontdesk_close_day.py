"""End of day: close visits still open from earlier days (run nightly, e.g. by cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from frontdesk.services.reception import visits_close_day
from jobcenter.models import Standort


class Command(BaseCommand):
    help = "Meldet Besuche früherer Tage ab, die noch offen sind (Tagesabschluss)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        total = 0
        for site in Standort.objects.all():
            total += visits_close_day(actor=None, standort=site, before=today)
        self.stdout.write(f"{total} offene Besuche früherer Tage abgemeldet.")
