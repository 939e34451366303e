"""Create a client system for the ticket API and print its token once.

python manage.py routing_api_client "Telefonanlage" [--jobcenter <slug>] [--rotate]
"""

from django.core.management.base import BaseCommand, CommandError

from jobcenter.models import Jobcenter
from routing.models import ApiClient
from routing.services import RoutingError, api_client_create, api_client_rotate


class Command(BaseCommand):
    help = (
        "Legt einen Schnittstellen-Zugang an (oder erneuert sein Token) und zeigt das Token einmal."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Name des anderen Systems, z. B. „Telefonanlage“")
        parser.add_argument("--jobcenter", help="Kurzname des Jobcenters (nötig bei mehreren)")
        parser.add_argument(
            "--rotate", action="store_true", help="Token eines bestehenden Zugangs erneuern"
        )

    def handle(self, *args, name: str, jobcenter: str | None, rotate: bool, **options):
        jobcenters = Jobcenter.objects.all()
        if jobcenter:
            jobcenters = jobcenters.filter(slug=jobcenter)
        found = list(jobcenters[:2])
        if not found:
            raise CommandError("Kein passendes Jobcenter gefunden.")
        if len(found) > 1:
            raise CommandError("Mehrere Jobcenter: bitte --jobcenter <Kurzname> angeben.")
        target = found[0]
        if rotate:
            client = ApiClient.objects.filter(jobcenter=target, name=name).first()
            if client is None:
                raise CommandError(f"Keinen Zugang „{name}“ gefunden.")
            token = api_client_rotate(client=client)
        else:
            try:
                client, token = api_client_create(jobcenter=target, name=name)
            except RoutingError as error:
                raise CommandError(error.message) from None
        self.stderr.write(
            f"Zugang „{client.name}“ ({target.name}). Das Token wird nur dieses eine Mal "
            "angezeigt; es wird nur als Hash gespeichert:"
        )
        self.stdout.write(token)
