"""Create the self check-in kiosks (one per site) and print their addresses (issue 16).

As with the displays, a kiosk's address holds its key, stored only as a hash: an address
is printed only when a key is issued (--anlegen for sites without a kiosk,
--neuer-schluessel for all, which revokes the old addresses).
"""

from django.core.management.base import BaseCommand, CommandError

from frontdesk.models import Kiosk
from frontdesk.services.kiosk import kiosk_create, kiosk_new_key, kiosk_path
from jobcenter.models import Jobcenter, Standort


class Command(BaseCommand):
    help = (
        "Zeigt die Kiosks (Selbst-Check-in). Adressen erscheinen nur, wenn ein Schlüssel "
        "erzeugt wird: --anlegen (ein Kiosk je Standort ohne Kiosk) oder --neuer-schluessel."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jobcenter", help="Kurzname (slug) des Jobcenters")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--anlegen", action="store_true")
        parser.add_argument("--neuer-schluessel", action="store_true", dest="rotate")

    def handle(self, *args, jobcenter=None, base_url: str, anlegen: bool, rotate: bool, **opts):
        sites = Standort.objects.select_related("jobcenter").order_by("jobcenter__name", "name")
        if jobcenter:
            if not Jobcenter.objects.filter(slug=jobcenter).exists():
                raise CommandError(f"Kein Jobcenter mit dem Kurznamen {jobcenter!r}.")
            sites = sites.filter(jobcenter__slug=jobcenter)
        fresh: dict[int, str] = {}
        if anlegen:
            for site in sites:
                if not site.kiosks.exists():
                    kiosk, token = kiosk_create(standort=site, name=f"Eingang {site.name}")
                    fresh[kiosk.pk] = token
        kiosks = Kiosk.objects.filter(standort__in=sites, active=True).select_related(
            "standort__jobcenter"
        )
        if not kiosks:
            self.stdout.write("Kein Kiosk angelegt (--anlegen legt einen je Standort an).")
        for kiosk in kiosks.order_by("standort__jobcenter__name", "standort__name", "name"):
            if kiosk.pk not in fresh and rotate:
                fresh[kiosk.pk] = kiosk_new_key(kiosk=kiosk)
            label = f"{kiosk.standort.jobcenter.name} · {kiosk.standort.name} · {kiosk.name}"
            if kiosk.pk in fresh:
                self.stdout.write(f"{label}: {base_url.rstrip('/')}{kiosk_path(fresh[kiosk.pk])}")
            else:
                self.stdout.write(
                    f"{label}: Schlüssel vorhanden ({kiosk.token_prefix}…); neue Adresse: "
                    "--neuer-schluessel (die alte wird ungültig)."
                )
