"""The demo Jobcenter's organisation: the Jobcenter, its two sites, teams, mailboxes, staff."""

from datetime import time

from jobcenter.models import (
    Deputy,
    Jobcenter,
    OpeningHours,
    PhoneHours,
    Postfach,
    Standort,
    Team,
    User,
)
from jobcenter.roles import Role
from jobcenter.seeding import seed_new_jobcenter

SLUG = "bergisch-land"
PASSWORD = "Demo-Jobcenter-2026"

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
    # The data-protection officer: Art. 15 answers, legal holds, erasure (privacy).
    ("datenschutz", "Dana", "Schutz", Role.DATENSCHUTZ, []),
]
# Where the reception sends a customer who comes for an appointment.
ROOMS = {
    "ifk": "Raum 2.14, 2. OG",
    "ifk2": "Raum 2.16, 2. OG",
    "ifk3": "Raum 1.05, 1. OG",
    "empfang": "Empfangstresen, EG",
    "hotline": "Servicecenter, Raum 0.10",
    "leistung": "Raum 1.21, 1. OG",
    "teamleitung": "Raum 3.02, 3. OG",
}


def organisation() -> tuple[Jobcenter, bool]:
    """The demo Jobcenter, its sites and teams; `created` is whether it is new."""
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
        if not site.alarm_email:
            site.alarm_email = "sicherheitsdienst@example.org"  # the demo's mail goes to the log
            site.save(update_fields=["alarm_email"])
        if not site.opening_hours.exists():
            for weekday in (0, 1, 3, 4):
                OpeningHours.objects.create(
                    standort=site, weekday=weekday, opens=time(8), closes=time(12)
                )
            OpeningHours.objects.create(standort=site, weekday=3, opens=time(14), closes=time(17))
        # Phone hours as in Rhein-Lahn's instruction: Mo-Do 08-18, Fr 08-14 (rule R-OE-02).
        if not site.phone_hours.exists():
            for weekday in range(5):
                closes = time(14) if weekday == 4 else time(18)
                PhoneHours.objects.create(
                    standort=site, weekday=weekday, opens=time(8), closes=closes
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
    letters = {"Leistung 1 (A–K)": "A–K", "Leistung 2 (L–Z)": "L–Z"}
    for name, kind, site in teams:
        team, _ = Team.objects.get_or_create(
            jobcenter=jobcenter,
            name=name,
            defaults={"kind": kind, "standort": site, "surname_letters": letters.get(name, "")},
        )
        Postfach.objects.get_or_create(
            team=team,
            defaults={"name": f"Postfach {name}", "email": f"postfach-{team.pk}@example.org"},
        )
    return jobcenter, created


def staff_of(jobcenter: Jobcenter) -> dict[str, User]:
    """The demo staff by username, with the demo password (reset on every run)."""
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
        user.room = user.room or ROOMS.get(username, "")
        user.save()
        user.teams.set(Team.objects.filter(jobcenter=jobcenter, name__in=team_names))
        if user.standort_id is None:
            # Where the person works: their team's site, else the main site (the alarm goes
            # to the colleagues at this site).
            team = user.teams.exclude(standort=None).order_by("pk").first()
            user.standort = team.standort if team else jobcenter.standorte.order_by("pk").first()
            user.save(update_fields=["standort"])
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
