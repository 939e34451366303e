"""Build the demo Jobcenter: organisation, staff, a few hundred customers, cases in every state.

Idempotent: a second run finds the Jobcenter and only resets the demo passwords.
Everything is dated relative to one moment, `now` (the clock by default; `--jetzt` or
`call_command(..., now=...)` pins it), so the demo is plausible at whatever hour it starts.
"""

import random
from contextlib import contextmanager
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from appointments.presets import apply_seed_preset
from demo.builders import appointments, frontdesk, intake, reminders, routing
from demo.builders.organisation import PASSWORD, organisation, staff_of
from minimumstandards.services import scan
from reminders.services import due_reminders

LOGIN_ROLES = [
    "empfang",
    "ez",
    "leistung",
    "ifk",
    "hotline",
    "teamleitung",
    "admin",
    "datenschutz",
]
# After the cases: each app's part, `build(jobcenter, staff, rng, now)`, in this order.
PARTS = [routing, appointments, frontdesk, reminders]
SEED = 20261121


class Command(BaseCommand):
    help = "Legt das Demo-Jobcenter an (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true")
        parser.add_argument(
            "--customers", type=int, default=120, help="Zahl der Bedarfsgemeinschaften"
        )
        parser.add_argument(
            "--jetzt",
            dest="now",
            type=_moment,
            default=None,
            help="Zeitpunkt, zu dem die Demo spielt (z. B. 2026-12-02T01:00), sonst jetzt",
        )

    def handle(self, *args, print_logins: bool, customers: int, now=None, **options):
        now = now or timezone.now()
        with _clock_at(now), transaction.atomic():
            jobcenter, created = organisation()
            staff = staff_of(jobcenter)
            if created:
                apply_seed_preset(jobcenter=jobcenter, name="demo")
                intake.build(
                    jobcenter=jobcenter,
                    staff=staff,
                    rng=random.Random(SEED),
                    count=customers,
                    now=now,
                )
                for part in PARTS:
                    part.build(jobcenter=jobcenter, staff=staff, rng=random.Random(SEED), now=now)
        # Flag what is at risk or breached now (the running beat keeps doing this).
        with _clock_at(now):
            scan()
            # Reminders due now go to the worker, which writes them to .demo/mail and .demo/sms.
            due_reminders(now)
        self.stdout.write(self.style.SUCCESS(f"Demo-Jobcenter „{jobcenter.name}“ bereit."))
        if print_logins:
            self.stdout.write("\nAnmeldungen (nur Demo):")
            for username in LOGIN_ROLES:
                user = staff[username]
                self.stdout.write(f"  {user.get_role_display():<24} {username:<12} {PASSWORD}")


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Zeitpunkt nicht lesbar: {text}") from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@contextmanager
def _clock_at(moment: datetime):
    """While the demo is built, the services' clock reads `moment` as well: they stamp
    their records with it and check dates against it (a note may not be dated before its
    customer was registered). Demo only; the clock is given back afterwards."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real
