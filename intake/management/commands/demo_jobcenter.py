"""Build the demo Jobcenter: organisation, staff, a few hundred customers, cases in every state.

Idempotent: a second run finds the Jobcenter and only resets the demo passwords.
"""

import importlib
import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from intake.models import Antrag, AntragState, AntragTransition, DocumentType
from intake.services import IntakeData, PersonData, antrag_register, move_clocks
from jobcenter.models import Deputy, Jobcenter, OpeningHours, Postfach, Standort, Team, User
from jobcenter.roles import Role
from jobcenter.seeding import seed_new_jobcenter
from minimumstandards.presets import apply_preset
from minimumstandards.services import calendar_for, scan

SLUG = "bergisch-land"
PASSWORD = "Demo-Jobcenter-2026"

FIRST_NAMES_F = [
    "Anna",
    "Maria",
    "Sabine",
    "Julia",
    "Leonie",
    "Fatma",
    "Elif",
    "Olena",
    "Katarzyna",
    "Petra",
    "Laura",
    "Sophie",
    "Mia",
    "Hannah",
    "Emily",
    "Aylin",
    "Nadine",
    "Monika",
]
FIRST_NAMES_M = [
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Lukas",
    "Jonas",
    "Mehmet",
    "Ahmad",
    "Oleksandr",
    "Piotr",
    "Daniel",
    "Markus",
    "Felix",
    "Paul",
    "Ben",
    "Yusuf",
    "Jan",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Yılmaz",
    "Kaya",
    "Nowak",
    "Kowalski",
    "Schmitz",
    "Krause",
    "Lehmann",
    "Köhler",
    "Kaiser",
]
STREETS = [
    "Friedrich-Ebert-Straße",
    "Hofaue",
    "Neumarkt",
    "Wall",
    "Kasinostraße",
    "Luisenstraße",
    "Gathe",
    "Uellendahler Straße",
    "Berliner Straße",
    "Schwelmer Straße",
]
REASONS = [
    "Arbeitslosigkeit nach Kündigung",
    "Einkommen reicht nicht aus (Aufstockung)",
    "Trennung vom Partner",
    "Zuzug aus einer anderen Stadt",
    "Ende des Arbeitslosengeldes",
    "Ende der Ausbildung",
    "Krankheit, Krankengeld ausgelaufen",
]

STAFF = [
    # username, first, last, role, team names
    ("empfang", "Erika", "Empfang", Role.EMPFANG, ["Empfang"]),
    ("ez", "Ella", "Zander", Role.EINGANGSZONE, ["Eingangszone"]),
    ("leistung", "Lars", "Leister", Role.LEISTUNG, ["Leistung 1 (A–K)"]),
    ("leistung2", "Lea", "Lorenz", Role.LEISTUNG, ["Leistung 2 (L–Z)"]),
    ("ifk", "Ines", "Fink", Role.INTEGRATION, ["Integration Ü25"]),
    ("ifk2", "Igor", "Feld", Role.INTEGRATION, ["Integration Ü25"]),
    ("ifk3", "Ida", "Falk", Role.INTEGRATION, ["Integration U25"]),
    ("hotline", "Hanna", "Hotz", Role.HOTLINE, ["Hotline"]),
    (
        "teamleitung",
        "Theo",
        "Lindner",
        Role.TEAMLEITUNG,
        [
            "Eingangszone",
            "Leistung 1 (A–K)",
            "Leistung 2 (L–Z)",
            "Integration Ü25",
            "Integration U25",
        ],
    ),
    ("admin", "Adam", "Admin", Role.ADMINISTRATION, []),
]
DEMO_MODULES = ["routing.demo", "appointments.demo", "frontdesk.demo"]
LOGIN_ROLES = ["empfang", "ez", "leistung", "ifk", "hotline", "teamleitung", "admin"]


class Command(BaseCommand):
    help = "Legt das Demo-Jobcenter an (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true")
        parser.add_argument(
            "--customers", type=int, default=120, help="Zahl der Bedarfsgemeinschaften"
        )

    def handle(self, *args, print_logins: bool, customers: int, **options):
        with transaction.atomic():
            jobcenter, created = self._organisation()
            staff = self._staff(jobcenter)
            if created:
                apply_preset(jobcenter=jobcenter, name="demo")
                self._cases(jobcenter, staff, customers)
                self._other_apps(jobcenter, staff)
        # Flag what is at risk or breached now (the running beat keeps doing this).
        scan()
        self.stdout.write(self.style.SUCCESS(f"Demo-Jobcenter „{jobcenter.name}“ bereit."))
        if print_logins:
            self.stdout.write("\nAnmeldungen (nur Demo):")
            for username in LOGIN_ROLES:
                user = staff[username]
                self.stdout.write(f"  {user.get_role_display():<24} {username:<12} {PASSWORD}")

    def _other_apps(self, jobcenter, staff):
        """Each app adds its part of the demo: `<app>.demo.build(jobcenter, staff, rng)`."""
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.build(jobcenter=jobcenter, staff=staff, rng=random.Random(20261121))

    def _organisation(self):
        jobcenter, created = Jobcenter.objects.get_or_create(
            slug=SLUG,
            defaults={
                "name": "Jobcenter Bergisch Land (Demo)",
                "bundesland": "NW",
                "dienststelle": "96201",
                "kundennummer_prefix": "962D",
                "address": "Am Markt 1\n42103 Wuppertal",
                "phone": "0202 000000",
                "email": "jobcenter-demo@example.org",
            },
        )
        # The Jobcenter's own catalogues (information types, concerns, checklist).
        seed_new_jobcenter(jobcenter)
        main, _ = Standort.objects.get_or_create(
            jobcenter=jobcenter, name="Hauptstelle Am Markt", defaults={"address": "Am Markt 1"}
        )
        south, _ = Standort.objects.get_or_create(
            jobcenter=jobcenter, name="Geschäftsstelle Süd", defaults={"address": "Südstraße 5"}
        )
        for site in (main, south):
            if not site.opening_hours.exists():
                for weekday in (0, 1, 3, 4):
                    OpeningHours.objects.create(
                        standort=site, weekday=weekday, opens=time(8), closes=time(12)
                    )
                OpeningHours.objects.create(
                    standort=site, weekday=3, opens=time(14), closes=time(17)
                )
        teams = [
            ("Empfang", Team.Kind.EMPFANG, main),
            ("Eingangszone", Team.Kind.EINGANGSZONE, main),
            ("Leistung 1 (A–K)", Team.Kind.LEISTUNG, main),
            ("Leistung 2 (L–Z)", Team.Kind.LEISTUNG, south),
            ("Integration U25", Team.Kind.INTEGRATION_U25, main),
            ("Integration Ü25", Team.Kind.INTEGRATION_UE25, south),
            ("Hotline", Team.Kind.HOTLINE, main),
            ("Bildung und Teilhabe", Team.Kind.BUT, main),
        ]
        for name, kind, site in teams:
            team, _ = Team.objects.get_or_create(
                jobcenter=jobcenter, name=name, defaults={"kind": kind, "standort": site}
            )
            Postfach.objects.get_or_create(
                team=team,
                defaults={"name": f"Postfach {name}", "email": f"postfach-{team.pk}@example.org"},
            )
        return jobcenter, created

    def _staff(self, jobcenter):
        staff = {}
        for username, first, last, role, team_names in STAFF:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "jobcenter": jobcenter,
                },
            )
            user.set_password(PASSWORD)
            user.is_active = True
            user.save()
            user.teams.set(Team.objects.filter(jobcenter=jobcenter, name__in=team_names))
            staff[username] = user
        lead = staff["teamleitung"]
        Team.objects.filter(jobcenter=jobcenter).exclude(kind=Team.Kind.HOTLINE).update(lead=lead)
        for ifk, deputies in (
            ("ifk", ["ifk2", "ifk3"]),
            ("ifk2", ["ifk", "ifk3"]),
            ("ifk3", ["ifk"]),
        ):
            for position, deputy in enumerate(deputies, start=1):
                Deputy.objects.get_or_create(
                    ifk=staff[ifk], deputy=staff[deputy], defaults={"position": position}
                )
        return staff

    def _cases(self, jobcenter, staff, count):
        rng = random.Random(20261121)
        today = timezone.localdate()
        leistung_teams = {
            "AK": Team.objects.get(jobcenter=jobcenter, name="Leistung 1 (A–K)"),
            "LZ": Team.objects.get(jobcenter=jobcenter, name="Leistung 2 (L–Z)"),
        }
        documents = list(DocumentType.objects.filter(jobcenter=jobcenter, active=True))
        ifks = [staff["ifk"], staff["ifk2"], staff["ifk3"]]
        used = set()
        for _ in range(count):
            last = rng.choice(LAST_NAMES)
            head_female = rng.random() < 0.5
            persons = []
            head_born = today - timedelta(days=rng.randint(19 * 365, 62 * 365))
            persons.append(self._person(rng, last, head_born, head_female, head=True, used=used))
            shape = rng.random()
            if shape > 0.55:  # a partner
                born = head_born + timedelta(days=rng.randint(-2000, 2000))
                persons.append(
                    self._person(rng, last, born, not head_female, head=False, used=used)
                )
            if shape > 0.75:  # children
                for _ in range(rng.randint(1, 3)):
                    born = today - timedelta(days=rng.randint(1 * 365, 17 * 365))
                    persons.append(
                        self._person(rng, last, born, rng.random() < 0.5, head=False, used=used)
                    )
            application_date = today - timedelta(days=rng.randint(0, 70))
            channel = rng.choice(
                [Antrag.Channel.PERSONAL] * 3
                + [Antrag.Channel.POSTAL, Antrag.Channel.DIGITAL, Antrag.Channel.PHONE]
            )
            team = leistung_teams["AK" if last[0] <= "K" else "LZ"]
            actor = staff["hotline"] if channel == Antrag.Channel.PHONE else staff["ez"]
            antrag = antrag_register(
                actor=actor,
                jobcenter=jobcenter,
                data=IntakeData(
                    kind=Antrag.Kind.ERSTANTRAG,
                    channel=channel,
                    application_date=application_date,
                    received_at=timezone.make_aware(
                        datetime.combine(
                            application_date, time(rng.randint(8, 11), rng.choice([0, 15, 30, 45]))
                        )
                    ),
                    reason=rng.choice(REASONS),
                    id_checked=channel == Antrag.Channel.PERSONAL,
                    return_date=application_date + timedelta(days=14),
                    persons=persons,
                    other_household_members=rng.choice([0, 0, 0, 1]),
                    street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                    postcode=f"421{rng.randint(0, 99):02d}",
                    city="Wuppertal",
                    leistung_team=team,
                    ifk=rng.choice(ifks),
                    documents=rng.sample(documents, rng.randint(2, 6)),
                ),
            )
            self._advance(rng, antrag, staff, application_date, today)

    def _person(self, rng, last, born, female, *, head, used):
        while True:
            first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            if (first, last, born) not in used:
                used.add((first, last, born))
                return PersonData(
                    first_name=first, last_name=last, date_of_birth=born, is_head=head
                )
            born += timedelta(days=1)

    def _advance(self, rng, antrag, staff, application_date, today):
        """Move a case on as far as its age makes plausible, with backdated history."""
        age = (today - application_date).days
        leistung = (
            staff["leistung"]
            if antrag.bedarfsgemeinschaft.leistung_team.name.startswith("Leistung 1")
            else staff["leistung2"]
        )
        steps = []
        day = application_date
        if age >= 1 and rng.random() < 0.9:
            day = application_date + timedelta(days=1)
            complete = rng.random() < 0.35
            steps.append(
                ("complete_entry_check", leistung, {"documents_complete": complete, "on": day})
            )
            if not complete and age >= 12 and rng.random() < 0.75:
                day = application_date + timedelta(days=rng.randint(7, min(age, 20)))
                steps.append(("confirm_documents_complete", leistung, {"on": day}))
                complete = True
            elif not complete and age >= 30 and rng.random() < 0.5:
                day = application_date + timedelta(days=25)
                steps.append(
                    (
                        "deny_for_non_cooperation",
                        leistung,
                        {"on": day, "note": "Keine Mitwirkung trotz Erinnerung"},
                    )
                )
            if complete and age >= 20 and rng.random() < 0.8:
                day = min(today, day + timedelta(days=rng.randint(5, 14)))
                roll = rng.random()
                if roll < 0.75:
                    steps.append(("approve", leistung, {"on": day, "note": ""}))
                    if rng.random() < 0.7:
                        steps.append(("hand_to_integration", leistung, {"on": day}))
                elif roll < 0.9:
                    steps.append(
                        ("reject", leistung, {"on": day, "note": "Einkommen übersteigt den Bedarf"})
                    )
                else:
                    steps.append(
                        (
                            "withdraw",
                            leistung,
                            {"on": day, "note": "Antragsverzicht: Arbeit aufgenommen"},
                        )
                    )
        for name, actor, kwargs in steps:
            self._apply(antrag, "state", name, actor, kwargs, kwargs["on"])
        # The first consultation is booked at intake (the demo follows Cottbus).
        if antrag.state not in (
            AntragState.ABGELEHNT,
            AntragState.VERSAGT,
            AntragState.ZURUECKGENOMMEN,
        ):
            # EG windows are on working days (rule R-TE-01: Mo, Di, Do, Fr 09:00-10:00).
            slot_day = calendar_for(antrag.jobcenter).add_working_days(
                application_date, rng.randint(3, 14)
            )
            while slot_day.weekday() == 2:  # no EG window on Wednesdays
                slot_day += timedelta(days=1)
            at = timezone.make_aware(datetime.combine(slot_day, time(9)))
            ifk = antrag.applicant.ifk or staff["ifk"]
            self._apply(
                antrag,
                "eg_state",
                "book_first_consultation",
                staff["ez"],
                {"at": at, "ifk": ifk},
                application_date,
            )
            if slot_day < today and rng.random() < 0.8:
                self._apply(antrag, "eg_state", "record_first_consultation_held", ifk, {}, slot_day)

    def _apply(self, antrag, field, name, actor, kwargs, day):
        source = getattr(antrag, field)
        getattr(antrag, name)(**kwargs)
        antrag.save()
        entry = AntragTransition.objects.create(
            antrag=antrag,
            field=field,
            transition=name,
            source=source,
            target=getattr(antrag, field),
            actor=actor,
            comment=kwargs.get("note", ""),
        )
        at = timezone.make_aware(datetime.combine(day, time(10, 30)))
        AntragTransition.objects.filter(pk=entry.pk).update(at=at)
        move_clocks(antrag, name, at)
