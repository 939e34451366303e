"""Compute a due moment the way the deadlines do, for administrators and scripts.

    python manage.py fristenrechner --land NW --start 2026-12-16 --frist 9AT
    python manage.py fristenrechner --jobcenter wuppertal --start 2026-04-02T10:30 --frist 24h

The first line is the due moment in ISO 8601 with the Berlin offset (``format_due``); the
lines after it explain. Every malformed argument is a German error and exit status 2.
"""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobcenter.models import Jobcenter
from minimumstandards.fristenrechner import (
    calculate,
    calendar_label_for_jobcenter,
    calendar_label_for_land,
    parse_frist,
)
from minimumstandards.services import calendar_for
from minimumstandards.workdays import LAENDER, get_calendar

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def parse_start(text: str) -> tuple[date, time | None]:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (Berlin local time)."""
    for fmt, has_time in (("%Y-%m-%d", False), ("%Y-%m-%dT%H:%M", True)):
        try:
            moment = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return moment.date(), (moment.time() if has_time else None)
    raise _fail(
        _(
            "Ungültiger Beginn %(text)r: erwartet JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM "
            "(Ortszeit Berlin), z. B. 2026-12-16 oder 2026-04-02T10:30"
        )
        % {"text": text}
    )


class Command(BaseCommand):
    help = (
        "Fristenrechner: Fälligkeit einer Frist (24h, <n>AT, <n>KT) nach dem Kalender eines "
        "Bundeslandes oder eines Jobcenters. Erste Zeile: Fälligkeit in ISO 8601."
    )

    def add_arguments(self, parser):
        # Required-ness and exclusivity are checked in handle(), not by argparse: argparse
        # errors end with status 1 under call_command, and every usage error here is 2.
        parser.add_argument("--start", help="JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM (Ortszeit Berlin)")
        parser.add_argument("--frist", help="24h, <n>AT (Arbeitstage) oder <n>KT (Kalendertage)")
        parser.add_argument(
            "--land",
            help="Bundesland (z. B. NW): dessen Feiertage und die Schließtage 24.12./31.12.",
        )
        parser.add_argument(
            "--jobcenter", help="Kurzname (slug) eines Jobcenters: dessen eigener Kalender"
        )

    def handle(self, *args, **options):
        start, frist = options["start"], options["frist"]
        land, slug = options["land"], options["jobcenter"]
        if (land is None) == (slug is None):
            raise _fail(_("Bitte genau eine der Optionen --land oder --jobcenter angeben."))
        if not start:
            raise _fail(_("Bitte --start angeben (JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM)."))
        if not frist:
            raise _fail(_("Bitte --frist angeben (24h, <n>AT oder <n>KT)."))

        day, clock = parse_start(start)
        try:
            window = parse_frist(frist)
        except ValueError as exc:
            raise _fail(str(exc)) from exc

        jobcenter = None
        if land is not None:
            code = land.strip().upper()
            if code not in LAENDER:
                raise _fail(
                    _("Unbekanntes Bundesland %(land)r; erlaubt: %(codes)s")
                    % {"land": land, "codes": ", ".join(sorted(LAENDER))}
                )
            calendar = get_calendar(code)
            label = calendar_label_for_land(code)
        else:
            jobcenter = Jobcenter.objects.filter(slug=slug.strip()).first()
            if jobcenter is None:
                raise _fail(_("Kein Jobcenter mit dem Kurznamen %(slug)r.") % {"slug": slug})
            calendar = calendar_for(jobcenter)
            label = calendar_label_for_jobcenter(jobcenter)

        try:
            result = calculate(
                calendar, day, clock, window, calendar_label=label, jobcenter=jobcenter
            )
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        for line in result.lines():
            self.stdout.write(line)
