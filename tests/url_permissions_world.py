"""The world of the URL permission test (tests/test_url_permissions.py), built once per run.

Two Jobcenters of identical shape. In each, every role has two members: one in the teams a
record of the first Jobcenter belongs to ("own") and one in a parallel team ("outsider").
Every object a URL names (case, customer, visit, note, mailbox item, appointment, deadline,
calendar, desk, display, and one row of every model in the admin) belongs to the first
Jobcenter and to the own teams. Everything of the first Jobcenter carries the word MARKER,
so that a page of another Jobcenter can be searched for leaks.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.utils import timezone

from appointments.models import (
    Absence,
    Appointment,
    GroupEvent,
    InvitationRule,
    Kind,
    ReleasedWindow,
)
from frontdesk.models import Concern, Desk, StaffAlarm
from frontdesk.selectors import site_settings
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.displays import display_create
from frontdesk.services.kiosk import kiosk_create
from jobcenter.models import DirectoryGroupMapping, Jobcenter, Standort, Team, User
from jobcenter.roles import Role
from minimumstandards.models import ClosingDay
from minimumstandards.presets import apply_preset
from privacy.models import RetentionRun
from privacy.retention import policy_of
from routing.models import InformationType, Vermerk
from routing.services import api_client_create, vermerk_create, vermerk_route
from tests.factories import JobcenterFactory, TeamFactory, UserFactory, person, register

MARKER = "Zettelkamp"

# Team keys of one Jobcenter: each role's own team and the parallel one of its outsider.
TEAM_KINDS = {
    "empfang": Team.Kind.EMPFANG,
    "ez": Team.Kind.EINGANGSZONE,
    "leistung": Team.Kind.LEISTUNG,
    "ue25": Team.Kind.INTEGRATION_UE25,
    "hotline": Team.Kind.HOTLINE,
}
PARALLEL = {
    "empfang": ("empfang_b", Team.Kind.EMPFANG),
    "ez": ("ez_b", Team.Kind.EINGANGSZONE),
    "leistung": ("leistung_b", Team.Kind.LEISTUNG),
    "ue25": ("u25", Team.Kind.INTEGRATION_U25),
    "hotline": ("hotline_b", Team.Kind.HOTLINE),
}
ROLE_TEAMS = {
    Role.EMPFANG: ["empfang"],
    Role.EINGANGSZONE: ["ez"],
    Role.LEISTUNG: ["leistung"],
    Role.INTEGRATION: ["ue25"],
    Role.HOTLINE: ["hotline"],
    Role.TEAMLEITUNG: ["empfang", "ez", "leistung", "ue25", "hotline"],
    Role.ADMINISTRATION: [],
    Role.DATENSCHUTZ: [],
}


@dataclass
class World:
    actors: dict[str, User]
    objects: dict[str, object]
    display_token: str
    kiosk_token: str = ""
    admin_objects: dict[str, Model] = field(default_factory=dict)


def _organisation(jobcenter: Jobcenter, label: str, prefix: str) -> dict[str, User]:
    site = Standort.objects.create(jobcenter=jobcenter, name=f"Standort {label}")
    teams = {}
    for key, kind in TEAM_KINDS.items():
        teams[key] = TeamFactory(jobcenter=jobcenter, kind=kind, name=f"{label} {key}")
        other, other_kind = PARALLEL[key]
        teams[other] = TeamFactory(jobcenter=jobcenter, kind=other_kind, name=f"{label} {other}")
    for team in teams.values():
        team.standort = site
        team.save()
    users = {}
    for role, keys in ROLE_TEAMS.items():
        own = UserFactory(
            username=f"{prefix}{role}",
            last_name=f"{label} {role}",
            jobcenter=jobcenter,
            role=role,
            teams=[teams[k] for k in keys],
            standort=site,
        )
        outsider = UserFactory(
            username=f"{prefix}{role}-outsider",
            last_name=f"{label} {role} b",
            jobcenter=jobcenter,
            role=role,
            teams=[teams[PARALLEL[k][0]] for k in keys],
            standort=site,
        )
        users[role] = own
        users[f"{role}:outsider"] = outsider
    for key in ROLE_TEAMS[Role.TEAMLEITUNG]:
        Team.objects.filter(pk=teams[key].pk).update(lead=users[Role.TEAMLEITUNG])
        Team.objects.filter(pk=teams[PARALLEL[key][0]].pk).update(
            lead=users[f"{Role.TEAMLEITUNG}:outsider"]
        )
    users["_site"] = site
    users["_teams"] = teams
    return users


def _ours(model: type[Model], jobcenter: Jobcenter, **filters):
    """Rows of a catalogue: the Jobcenter's own where catalogues are kept per Jobcenter."""
    qs = model._default_manager.filter(**filters).order_by("pk")
    if any(f.name == "jobcenter" for f in model._meta.get_fields()):
        qs = qs.filter(jobcenter=jobcenter)
    return qs


def _admin_object(model: type[Model], model_admin, jobcenter: Jobcenter) -> Model | None:
    """The row of `jobcenter` the admin's change URL is opened for; for a model the admin
    keeps per Jobcenter (`jobcenter_path`), one of ours, else any row (a shared one)."""
    path = getattr(model_admin, "jobcenter_path", None)
    qs = model._default_manager.order_by("pk")
    if path:
        qs = qs.filter(**{path: jobcenter.pk})
    elif any(f.name == "jobcenter" for f in model._meta.get_fields()):
        qs = qs.filter(jobcenter=jobcenter.pk)
    return qs.first()


def build() -> World:
    today = timezone.localdate()
    jc = JobcenterFactory(slug="zettelkamp", name=f"Jobcenter {MARKER}", bundesland="NW")
    other = JobcenterFactory(slug="nebenan", name="Jobcenter Nebenan", bundesland="NI")
    ours = _organisation(jc, MARKER, "")
    theirs = _organisation(other, "Nebenan", "x-")
    site, teams = ours.pop("_site"), ours.pop("_teams")
    theirs.pop("_site"), theirs.pop("_teams")
    for j in (jc, other):
        apply_preset(jobcenter=j, name="demo", valid_from=date(2020, 1, 1))

    actors: dict[str, User] = {}
    for role in Role.values:
        actors[role] = ours[role]
        actors[f"{role}:outsider"] = ours[f"{role}:outsider"]
        actors[f"{role}:other_jc"] = theirs[role]
    actors["superuser"] = UserFactory(
        username="root", jobcenter=None, role="", is_superuser=True, is_staff=True
    )

    ez, ifk = ours[Role.EINGANGSZONE], ours[Role.INTEGRATION]
    antrag = register(
        actor=ez,
        leistung_team=teams["leistung"],
        ifk=ifk,
        persons=[person("Karla", MARKER, date(1984, 5, 6), is_head=True)],
    )
    kunde = antrag.applicant
    deadline = antrag.deadlines.filter(team=teams["leistung"]).order_by("pk").first()
    assert deadline is not None, "the demo preset opens no Leistung deadline at intake"

    desk = Desk.objects.create(standort=site, name=f"Schalter {MARKER}", position=1)
    desk.teams.set([teams["ez"]])
    concern = _ours(Concern, jc, active=True).first()
    visit = visit_check_in(
        actor=ours[Role.EMPFANG],
        data=CheckIn(standort=site, concerns=[concern], kunde=kunde, team=teams["ez"]),
    )

    umzug = _ours(InformationType, jc, code="umzug").first()
    assert umzug is not None, "the seeded information type 'umzug' is missing"
    routed = vermerk_route(
        author=ez,
        kunde=kunde,
        information_type=umzug,
        known_on=today,
        event_date=today,
    )
    # The note the URL opens: a consultation note, the one reception must never read.
    consultation = vermerk_create(
        kunde=kunde,
        author=ifk,
        subject=f"Beratung {MARKER}",
        text="Profiling und Kooperationsplan besprochen.",
        known_on=today,
        kind=Vermerk.Kind.BERATUNG,
    )
    postfach = teams["leistung"].postfach
    aufgabe = next(a for a in routed.aufgaben if a.postfach_id == postfach.pk)

    soon = timezone.make_aware(datetime.combine(today + timedelta(days=3), time(9)))
    appointment = Appointment.objects.create(
        jobcenter=jc,
        kunde=kunde,
        antrag=antrag,
        caseworker=ifk,
        kind=Kind.ERSTGESPRAECH,
        standort=site,
        starts_at=soon,
        ends_at=soon + timedelta(minutes=60),
        booked_by=ez,
    )
    group_event = GroupEvent.objects.create(
        jobcenter=jc,
        standort=site,
        title=f"Infoveranstaltung {MARKER}",
        starts_at=soon + timedelta(days=1),
        ends_at=soon + timedelta(days=1, hours=2),
        capacity=10,
        host=ifk,
        created_by=ifk,
    )
    window = ReleasedWindow.objects.create(
        caseworker=ifk,
        kind=Kind.ERSTGESPRAECH,
        weekday=0,
        starts=time(9),
        ends=time(10),
        standort=site,
        valid_from=date(2020, 1, 1),
    )
    absence = Absence.objects.create(
        caseworker=ifk,
        starts_at=soon + timedelta(days=7),
        ends_at=soon + timedelta(days=8),
        reason="Fortbildung",
        created_by=ifk,
    )
    display, token = display_create(standort=site, name=f"Anzeige {MARKER}")
    kiosk, kiosk_token = kiosk_create(standort=site, name=f"Kiosk {MARKER}")
    alarm = StaffAlarm.objects.create(standort=site, raised_by=ez, place=f"Raum {MARKER}")

    # Rows the admin needs a change page of.
    site_settings(site).save()
    ClosingDay.objects.get_or_create(jobcenter=jc, day=date(today.year + 1, 6, 15))
    if not InvitationRule.objects.filter(jobcenter=jc).exists():
        InvitationRule.objects.create(
            jobcenter=jc,
            occasion=InvitationRule.Occasion.values[0],
            with_rfb=True,
            rfb_text=f"Rechtsfolgenbelehrung {MARKER}",
            valid_from=date(2020, 1, 1),
        )
    api_client_create(jobcenter=jc, name=f"Portal {MARKER}")
    policy_of(jc)
    RetentionRun.objects.create(jobcenter=jc, trigger=RetentionRun.Trigger.SCHEDULE, counts={})
    DirectoryGroupMapping.objects.get_or_create(
        jobcenter=jc, group=f"JC-Leistung {MARKER}", defaults={"role": Role.LEISTUNG}
    )
    Group.objects.get_or_create(name="Auswertungen")
    _axes_rows()

    objects = {
        "antrag": antrag,
        "kunde": kunde,
        "nachweis": antrag.nachweise.order_by("pk").first(),
        "deadline": deadline,
        "visit": visit,
        "vermerk": consultation,
        "postfach": postfach,
        "aufgabe": aufgabe,
        "appointment": appointment,
        "group_event": group_event,
        "caseworker": ifk,
        "window": window,
        "absence": absence,
        "desk": desk,
        "display": display,
        "kiosk": kiosk,
        "alarm": alarm,
    }
    world = World(actors=actors, objects=objects, display_token=token, kiosk_token=kiosk_token)
    for model, model_admin in admin.site._registry.items():
        obj = _admin_object(model, model_admin, jc)
        assert obj is not None, (
            f"No {model._meta.label} of the Jobcenter: add one to tests/url_permissions_world.py"
        )
        world.admin_objects[model._meta.label_lower] = obj
    return world


def _axes_rows() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    common = {"user_agent": "pytest", "ip_address": "10.0.0.1", "username": "ez", "http_accept": ""}
    AccessAttempt.objects.create(
        **common, path_info="/anmelden/", get_data="", post_data="", failures_since_start=1
    )
    AccessLog.objects.create(**common, path_info="/anmelden/", attempt_time=now)
    AccessFailureLog.objects.create(**common, path_info="/anmelden/", attempt_time=now)
