"""Print the address of every waiting-room display (and create one per site if asked)."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from frontdesk.models import Display
from jobcenter.models import Jobcenter, Standort


class Command(BaseCommand):
    help = "Zeigt die Adressen der Aufrufanzeigen (mit --anlegen: eine je Standort ohne Anzeige)."

    def add_arguments(self, parser):
        parser.add_argument("--jobcenter", help="Kurzname (slug) des Jobcenters")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Adresse des Servers"
        )
        parser.add_argument(
            "--anlegen", action="store_true", help="Für jeden Standort ohne Anzeige eine anlegen"
        )

    def handle(self, *args, jobcenter=None, base_url: str, anlegen: bool, **options):
        sites = Standort.objects.select_related("jobcenter").order_by("jobcenter__name", "name")
        if jobcenter:
            if not Jobcenter.objects.filter(slug=jobcenter).exists():
                raise CommandError(f"Kein Jobcenter mit dem Kurznamen {jobcenter!r}.")
            sites = sites.filter(jobcenter__slug=jobcenter)
        if anlegen:
            for site in sites:
                if not site.displays.exists():
                    Display.objects.create(standort=site, name=f"Wartebereich {site.name}")
        displays = Display.objects.filter(standort__in=sites, active=True).select_related(
            "standort__jobcenter"
        )
        if not displays:
            self.stdout.write("Keine Aufrufanzeige angelegt (--anlegen legt eine je Standort an).")
        for display in displays.order_by("standort__jobcenter__name", "standort__name", "name"):
            url = base_url.rstrip("/") + reverse("frontdesk:display", args=[display.token])
            self.stdout.write(
                f"{display.standort.jobcenter.name} · {display.standort.name} · {display.name}: {url}"
            )
