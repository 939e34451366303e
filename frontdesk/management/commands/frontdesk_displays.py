"""List the waiting-room displays; create them and issue or renew their keys.

A display's address holds its key, which is stored only as a hash: an address can be printed
only when its key is issued (--anlegen for new displays and displays without a key,
--neuer-schluessel for all selected displays, which revokes their old addresses).
"""

from django.core.management.base import BaseCommand, CommandError

from frontdesk.models import Display
from frontdesk.services.displays import display_create, display_new_key, display_path
from jobcenter.models import Jobcenter, Standort


class Command(BaseCommand):
    help = (
        "Zeigt die Aufrufanzeigen. Ihre Adressen enthalten einen Schlüssel, der nur als Hash "
        "gespeichert ist, und erscheinen daher nur, wenn ein Schlüssel erzeugt wird: mit "
        "--anlegen (eine Anzeige je Standort ohne Anzeige, Schlüssel für Anzeigen ohne "
        "Schlüssel) oder --neuer-schluessel (neue Adressen, die alten werden ungültig)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jobcenter", help="Kurzname (slug) des Jobcenters")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Adresse des Servers"
        )
        parser.add_argument(
            "--anlegen",
            action="store_true",
            help="Für jeden Standort ohne Anzeige eine anlegen, Anzeigen ohne Schlüssel einen "
            "geben, und deren Adressen einmal ausgeben",
        )
        parser.add_argument(
            "--neuer-schluessel",
            action="store_true",
            dest="rotate",
            help="Allen gewählten Anzeigen einen neuen Schlüssel geben und die neuen Adressen "
            "ausgeben (die alten Adressen werden ungültig)",
        )

    def handle(self, *args, jobcenter=None, base_url: str, anlegen: bool, rotate: bool, **opts):
        sites = Standort.objects.select_related("jobcenter").order_by("jobcenter__name", "name")
        if jobcenter:
            if not Jobcenter.objects.filter(slug=jobcenter).exists():
                raise CommandError(f"Kein Jobcenter mit dem Kurznamen {jobcenter!r}.")
            sites = sites.filter(jobcenter__slug=jobcenter)
        fresh: dict[int, str] = {}
        if anlegen:
            for site in sites:
                if not site.displays.exists():
                    display, token = display_create(standort=site, name=f"Wartebereich {site.name}")
                    fresh[display.pk] = token
        displays = Display.objects.filter(standort__in=sites, active=True).select_related(
            "standort__jobcenter"
        )
        if not displays:
            self.stdout.write("Keine Aufrufanzeige angelegt (--anlegen legt eine je Standort an).")
        for display in displays.order_by("standort__jobcenter__name", "standort__name", "name"):
            if display.pk not in fresh and (rotate or (anlegen and not display.has_key)):
                fresh[display.pk] = display_new_key(display=display)
            label = f"{display.standort.jobcenter.name} · {display.standort.name} · {display.name}"
            if display.pk in fresh:
                url = base_url.rstrip("/") + display_path(fresh[display.pk])
                self.stdout.write(f"{label}: {url}")
            elif display.has_key:
                self.stdout.write(
                    f"{label}: Schlüssel vorhanden ({display.token_prefix}…); die Adresse wird "
                    "nur beim Erzeugen angezeigt. Neue Adresse: --neuer-schluessel "
                    "(die alte wird ungültig)."
                )
            else:
                self.stdout.write(f"{label}: noch kein Schlüssel. Adresse erzeugen: --anlegen")
        if fresh:
            self.stderr.write(
                "Die Adressen werden nur dieses eine Mal angezeigt; gespeichert ist nur ein Hash."
            )
