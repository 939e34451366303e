"""Every URL, for every role, its outsider of another team and its colleague of another
Jobcenter, against one table of who may (architecture.md point 13, domain.md §1 and §5).

The cases are generated from the URL configuration, not from a list: a URL without a row in
TABLE fails `test_every_url_has_exactly_one_row`, and so does a row without a URL. The table
says what the rules say, not what the code does: each role reaches its own work, need to know
narrows it to the own team (or the own customers) where the record belongs to a team, and
another Jobcenter's records are never reachable.

Actors: each of the 7 roles of jobcenter/roles.py as "<role>" (a member of the teams the
records belong to), "<role>:outsider" (same role and Jobcenter, a parallel team),
"<role>:other_jc" (same role in another Jobcenter), and "anonymous". The admin
(/verwaltung/) is one group: only the Administration role and superusers, each Jobcenter's
administration only its own rows.

GET: allowed is 200 (204 for a poll with nothing to show) or a redirect that is not the
login; denied is 403/404 (401 on the API, a redirect to the login for anonymous).
POST-only URLs answer GET with 405; they are also POSTed empty: a denied actor gets
403/404 and nothing changes, an allowed one passes the gate (no 401/403/404).
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from appointments.customer_codes import link_token
from appointments.models import Absence, Appointment, ReleasedWindow
from frontdesk.models import Desk, Visit
from intake.models import Antrag, Kunde, Nachweis
from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from minimumstandards.models import Deadline
from privacy.models import LegalHold
from routing.models import Aufgabe, Vermerk

from .url_permissions_world import MARKER, World, build

ROLES = list(Role.values)
E, EZ, L, IFK, H, TL, ADM, DS = (
    Role.EMPFANG,
    Role.EINGANGSZONE,
    Role.LEISTUNG,
    Role.INTEGRATION,
    Role.HOTLINE,
    Role.TEAMLEITUNG,
    Role.ADMINISTRATION,
    Role.DATENSCHUTZ,
)
ANY = "any"  # every member of the role in the Jobcenter
TEAM = "team"  # only who the record belongs to: its team (or, for an IFK, their customer)
ACTORS = [
    *(f"{role}{kind}" for role in ROLES for kind in ("", ":outsider", ":other_jc")),
    "anonymous",
]


@dataclass(frozen=True)
class Row:
    roles: dict[str, str]
    obj: str | None = None  # what the URL's `pk` names; None: a page of the own Jobcenter
    post: bool = False  # POST-only endpoint
    public: bool = False  # no login: everybody

    def expected(self, actor: str) -> bool:
        if self.public:
            return True
        if actor == "anonymous":
            return False
        role, _, kind = actor.partition(":")
        reach = self.roles.get(role)
        if reach is None:
            return False
        if kind == "other_jc":
            return self.obj is None
        if kind == "outsider":
            return reach == ANY
        return True


def row(*, obj=None, post=False, public=False, **roles) -> Row:
    return Row(roles=roles, obj=obj, post=post, public=public)


def everyone(**kw) -> Row:
    return row(**kw, **{r: ANY for r in ROLES})


# Who works where (domain.md §1): the groups of roles the rows below are made of.
CASE = {EZ: ANY, L: TEAM, IFK: TEAM, TL: ANY}  # a case: EZ and leads; Leistung its BG's team
CUSTOMER = {E: ANY, EZ: ANY, H: ANY, TL: ANY, L: TEAM, IFK: TEAM}
RECEPTION = {E: ANY, EZ: ANY, TL: ANY}
DESKS = {EZ: ANY, L: ANY, IFK: ANY, TL: ANY}
VISIT = {E: ANY, EZ: ANY, TL: ANY, L: TEAM, IFK: TEAM}  # who may open the customer (issue 9)
DESK_VISIT = {EZ: ANY, TL: ANY, L: TEAM, IFK: TEAM}
NOTE_DESKS = {E: ANY, EZ: ANY, L: ANY, IFK: ANY, H: ANY, TL: ANY}
# A consultation note: reception (and the phone) see that a customer exists, never the
# content of consultation notes (domain.md §5).
NOTE = {EZ: ANY, TL: ANY, L: TEAM, IFK: TEAM}
MAILBOX = {L: TEAM, TL: TEAM}  # the Leistung team's mailbox: its members and its lead
CALENDARS = {EZ: ANY, IFK: ANY, TL: ANY}
OWN_CALENDAR = {IFK: TEAM, TL: TEAM}  # the IFK themselves and the lead of their team
EG = {EZ: ANY, IFK: TEAM, TL: ANY}
APPOINTMENT = {EZ: ANY, IFK: TEAM, TL: TEAM}
LEAD = {TL: ANY}
STAFF = {E: ANY, EZ: ANY, L: ANY, IFK: ANY, H: ANY, TL: ANY}  # everyone but the administration

TABLE: dict[str, Row] = {
    "home": everyone(),
    "healthz": row(public=True),
    "healthz_live": row(public=True),
    "login": row(public=True),
    "logout": everyone(post=True),
    # OpenID Connect's login button and the provider's answer: off in the tests' settings
    # (404 for everybody); tests/jobcenter/test_sso_oidc.py and the SSO journey switch it on.
    "oidc_authentication_init": row(),
    "oidc_authentication_callback": row(),
    # Staff change their own password.
    "password_change": everyone(),
    "password_change_done": everyone(),
    # intake
    "intake:new": row(**{EZ: ANY, H: ANY, TL: ANY}),
    "intake:service_centre": row(**{H: ANY, TL: ANY}),
    "intake:case_list": row(**{EZ: ANY, L: ANY, IFK: ANY, TL: ANY}),
    "intake:case_detail": row(obj="antrag", **CASE),
    "intake:case_transition": row(obj="antrag", post=True, **CASE),
    "intake:nachweis_toggle": row(obj="antrag", post=True, **{EZ: ANY, L: TEAM, TL: ANY}),
    "intake:handout_letter": row(obj="antrag", **CASE),
    # The EZ schedules and records the ID check, and each person's Arbeitspaket (issue 11).
    "intake:id_check": row(obj="antrag", post=True, **{EZ: ANY, TL: ANY}),
    "intake:arbeitspaket_received": row(obj="antrag", post=True, **{EZ: ANY, TL: ANY}),
    "intake:customer_search": row(**NOTE_DESKS),
    "intake:customer_detail": row(obj="kunde", **CUSTOMER),
    # Master data corrected after intake (issue 12).
    "intake:customer_master_data": row(obj="kunde", post=True, **{EZ: ANY, TL: ANY}),
    # Consent to reminders and their language (README "Erinnerungen").
    "reminders:consent": row(obj="kunde", post=True, **{EZ: ANY, H: ANY, TL: ANY, IFK: TEAM}),
    "reminders:language": row(obj="kunde", post=True, **{EZ: ANY, H: ANY, TL: ANY, IFK: TEAM}),
    # front desk
    "frontdesk:checkin": row(**RECEPTION),
    "frontdesk:checkin_lookup": row(**RECEPTION),
    "frontdesk:checkin_today": row(**RECEPTION),
    "frontdesk:visit_detail": row(obj="visit", **VISIT),
    "frontdesk:ticket": row(obj="visit", **VISIT),
    "frontdesk:visit_cancel": row(obj="visit", post=True, **VISIT),
    "frontdesk:visit_come_back": row(obj="visit", post=True, **VISIT),
    "frontdesk:visit_identify": row(obj="visit", post=True, **VISIT),
    "frontdesk:desk": row(**DESKS),
    "frontdesk:desk_queue": row(**DESKS),
    "frontdesk:desk_open": row(post=True, **DESKS),
    "frontdesk:desk_close": row(post=True, **DESKS),
    "frontdesk:call_next": row(post=True, **DESKS),
    "frontdesk:call_visit": row(obj="visit", **DESK_VISIT),
    "frontdesk:pass_on": row(obj="visit", post=True, **DESK_VISIT),
    "frontdesk:finish": row(obj="visit", post=True, **DESK_VISIT),
    "frontdesk:visit_step": row(obj="visit", post=True, **DESK_VISIT),
    "frontdesk:live": row(**LEAD),
    "frontdesk:live_waiting": row(**LEAD),
    "frontdesk:report": row(**LEAD),
    "frontdesk:report_list": row(**LEAD),
    "frontdesk:report_export": row(**LEAD),
    # The waiting-room screen has no login: its key is the credential, names never show.
    "frontdesk:display": row(public=True),
    # The customer's appointment page behind the letter's QR code: the signed token is the key.
    "customer_link": row(public=True),
    "frontdesk:display_data": row(public=True),
    # The self check-in kiosk: no login either, its key is the credential (issue 16).
    "frontdesk:kiosk": row(public=True),
    "frontdesk:kiosk_code": row(public=True),
    "frontdesk:kiosk_walk_in": row(public=True),
    # The silent alarm: every member of staff; an alarm of their own site only.
    "frontdesk:alarm_raise": row(post=True, **STAFF),
    "frontdesk:alarm_region": row(**STAFF),
    "frontdesk:alarm_ack": row(obj="alarm", post=True, **STAFF),
    "frontdesk:alarm_end": row(obj="alarm", post=True, **STAFF),
    # routing
    "routing:vermerk_new": row(**NOTE_DESKS),
    # The hotline takes callback tickets (issue 12); the team completes a caller's identity.
    "routing:ticket_new": row(**{H: ANY}),
    "routing:kunde_search": row(**NOTE_DESKS),
    "routing:type_details": row(**NOTE_DESKS),
    "routing:vermerk_detail": row(obj="vermerk", **NOTE),
    "routing:mailboxes": row(**NOTE_DESKS),
    "routing:personal": row(**NOTE_DESKS),
    "routing:mailbox": row(obj="postfach", **MAILBOX),
    "routing:item": row(obj="aufgabe", **MAILBOX),
    "routing:item_claim": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_release": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_done": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_follow_up": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_reroute": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_identify": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:item_forward": row(obj="aufgabe", post=True, **MAILBOX),
    "routing:worklist": row(**{IFK: ANY, L: ANY}),
    "routing:rules": everyone(),
    # The API is for machines with a key of their Jobcenter, never for a session.
    "api_v1:tickets": row(post=True),
    "api_v1:information_types": row(),
    # The API's description (no data): open, like the API itself, to machines.
    "api_v1:openapi-json": row(public=True),
    # appointments
    "appointments:calendar": row(**CALENDARS),
    "appointments:worklist_panel": row(**{IFK: ANY}),
    "appointments:arrivals": row(**{IFK: ANY}),
    "appointments:kpi": row(**{TL: ANY, IFK: ANY}),
    "appointments:kpi_list": row(**{TL: ANY, IFK: ANY}),
    "appointments:windows": row(obj="caseworker", **OWN_CALENDAR),
    "appointments:window_add": row(obj="caseworker", post=True, **OWN_CALENDAR),
    "appointments:window_end": row(obj="caseworker", post=True, **OWN_CALENDAR),
    "appointments:absence_add": row(obj="caseworker", post=True, **OWN_CALENDAR),
    "appointments:absence_delete": row(obj="caseworker", post=True, **OWN_CALENDAR),
    "appointments:eg_search": row(obj="antrag", **EG),
    "appointments:eg_book": row(obj="antrag", post=True, **EG),
    "appointments:eg_escalate": row(obj="antrag", post=True, **EG),
    "appointments:eg_manual": row(obj="antrag", **LEAD),
    "appointments:group_invite": row(obj="antrag", post=True, **EG),
    "appointments:detail": row(obj="appointment", **APPOINTMENT),
    "appointments:record_held": row(obj="appointment", post=True, **OWN_CALENDAR),
    "appointments:record_no_show": row(obj="appointment", post=True, **OWN_CALENDAR),
    "appointments:cancel": row(obj="appointment", post=True, **APPOINTMENT),
    "appointments:letter": row(obj="appointment", **APPOINTMENT),
    "appointments:ical": row(obj="appointment", **APPOINTMENT),
    "appointments:contact": row(obj="kunde", **{IFK: TEAM, TL: ANY}),
    "appointments:contact_profile": row(obj="kunde", post=True, **{IFK: TEAM, TL: ANY}),
    "appointments:follow_up_book": row(obj="kunde", post=True, **{IFK: TEAM}),
    "appointments:contact_record": row(obj="kunde", post=True, **{IFK: TEAM}),
    "appointments:kooperationsplan_update": row(obj="kunde", post=True, **{IFK: TEAM}),
    "appointments:follow_up_record": row(obj="kunde", post=True, **{IFK: TEAM, TL: ANY}),
    "appointments:group_events": row(**CALENDARS),
    "appointments:group_event": row(obj="group_event", **CALENDARS),
    # minimum standards
    "minimumstandards:fristenrechner": everyone(),
    "minimumstandards:dashboard": row(**LEAD),
    "minimumstandards:dashboard_live": row(**LEAD),
    # The list behind the counts and the badge: whoever sees deadlines, their teams' only.
    "minimumstandards:deadline_list": row(**{EZ: ANY, L: ANY, IFK: ANY, TL: ANY}),
    "minimumstandards:forecast": row(**LEAD),
    "minimumstandards:dashboard_export": row(**LEAD),
    "minimumstandards:monthly_report": row(**LEAD),
    "minimumstandards:deadline_pause": row(obj="deadline", post=True, **{L: TEAM, TL: TEAM}),
    "minimumstandards:deadline_resume": row(obj="deadline", post=True, **{L: TEAM, TL: TEAM}),
    # privacy: the data-protection officer alone, each of their own Jobcenter (issue 15).
    "privacy:search": row(**{DS: ANY}),
    "privacy:person": row(obj="kunde", **{DS: ANY}),
    "privacy:export_pdf": row(obj="kunde", **{DS: ANY}),
    "privacy:export_json": row(obj="kunde", **{DS: ANY}),
    "privacy:hold_set": row(obj="kunde", post=True, **{DS: ANY}),
    "privacy:hold_lift": row(obj="kunde", post=True, **{DS: ANY}),
    "privacy:erase": row(obj="kunde", post=True, **{DS: ANY}),
}

# Holes of issue 9 that another part of the work closes: (url name, actor) -> reason.
KNOWN_HOLES: dict[tuple[str, str], str] = {}

# The admin: one rule for the whole namespace, and per registered model its pages.
ADMIN_ACTORS = [*ACTORS, "superuser"]
ADMIN_SITE_PAGES = {
    "admin:index": "site",
    "admin:app_list": "site",
    "admin:logout": "site-post",
    "admin:password_change": "site",
    "admin:password_change_done": "site",
    "admin:jsi18n": "site",
    "admin:autocomplete": "site",
    # "Who looked at this person": the data-protection officer's page, per Jobcenter.
    "admin:intake_subject_reads": "site",
    "admin:login": "public",
    # No model has a page of its own (get_absolute_url): the shortcut leads nowhere.
    "admin:view_on_site": "nobody",
}
MODEL_PAGE = re.compile(
    r"^admin:(?P<app>[a-z0-9_]+?)_(?P<model>[a-z0-9]+)_(?P<page>changelist|add|change|delete|history)$"
)
# Object pages a ModelAdmin adds itself: name -> (model, the page it counts as, its argument).
EXTRA_MODEL_PAGES = {"admin:auth_user_password_change": ("jobcenter.user", "change", "id")}
# Kept for the installation, not for one Jobcenter: only superusers.
INSTALLATION_MODELS = {
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
# Rules of single models: the audit trail is never written by hand; a new Jobcenter is set
# up (and closed) by the operator of the installation.
# Tasks are raised by the services and stay on record; catalogue entries are switched off,
# not deleted (visits and notes point to them); the login log is written by the login.
NOBODY_PAGES = {
    ("jobcenter.auditevent", "add"),
    ("jobcenter.auditevent", "delete"),
    ("frontdesk.staffalarm", "add"),
    ("frontdesk.staffalarm", "delete"),
    ("routing.aufgabe", "add"),
    # One row of retention periods per Jobcenter, made with it; the deletion log is written
    # by the retention alone.
    ("privacy.retentionpolicy", "add"),
    ("privacy.retentionpolicy", "delete"),
    ("privacy.retentionrun", "add"),
    ("privacy.retentionrun", "delete"),
    ("routing.aufgabe", "delete"),
    ("frontdesk.concern", "delete"),
    ("frontdesk.concernclass", "delete"),
    ("axes.accessattempt", "add"),
    ("axes.accesslog", "add"),
    ("axes.accessfailurelog", "add"),
}
SUPERUSER_PAGES = {("jobcenter.jobcenter", "add"), ("jobcenter.jobcenter", "delete")}


# --- the URL configuration ------------------------------------------------------------------


def url_names() -> dict[str, URLPattern]:
    """Every named pattern, with its namespace, walking includes recursively."""
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                walk(pattern, f"{namespace}{ns}:" if ns else namespace)
            elif pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", pattern)

    walk(get_resolver(), "")
    return found


URLS = url_names()
APP_URLS = sorted(n for n in URLS if not n.startswith("admin:"))
ADMIN_URLS = sorted(n for n in URLS if n.startswith("admin:"))


def _admin_model_page(name: str):
    if name in EXTRA_MODEL_PAGES:
        label, page, _arg = EXTRA_MODEL_PAGES[name]
    else:
        match = MODEL_PAGE.match(name)
        if not match:
            return None
        label, page = f"{match['app']}.{match['model']}", match["page"]
    for model in admin.site._registry:
        if model._meta.label_lower == label:
            return model, page
    return None


def test_every_url_has_exactly_one_row():
    assert set(APP_URLS) - set(TABLE) == set(), "URLs without a row in TABLE"
    assert set(TABLE) - set(APP_URLS) == set(), "rows in TABLE without a URL"
    unknown_admin = [
        n for n in ADMIN_URLS if n not in ADMIN_SITE_PAGES and _admin_model_page(n) is None
    ]
    assert unknown_admin == [], "admin URLs without a rule in ADMIN_SITE_PAGES"
    assert set(ADMIN_SITE_PAGES) - set(ADMIN_URLS) == set(), "admin rules without a URL"
    assert {a for a in ACTORS if a != "anonymous"} == {
        f"{r}{k}" for r in ROLES for k in ("", ":outsider", ":other_jc")
    }


def test_every_registered_model_has_its_admin_pages():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("changelist", "add", "change", "delete", "history"):
            assert f"admin:{info[0]}_{info[1]}_{page}" in URLS, (model, page)


# --- the shared world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint of it (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(world: World, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world.actors[actor])
    return client


def _pk(world: World, obj: str) -> int:
    return world.objects[obj].pk


# kwarg names of the URL patterns -> value, for the row's object.
def app_kwargs(world: World, name: str) -> dict:
    pattern = URLS[name]
    kwargs = {}
    row_ = TABLE[name]
    for key in pattern.pattern.converters:
        if key == "pk":
            assert row_.obj, f"{name}: the row must say what `pk` names (obj=...)"
            kwargs[key] = _pk(world, row_.obj)
        elif key == "name":
            kwargs[key] = "complete_entry_check"
        elif key == "nachweis_pk":
            kwargs[key] = _pk(world, "nachweis")
        elif key == "person_pk":
            kwargs[key] = world.objects["antrag"].persons.order_by("pk").first().pk
        elif key == "what":
            kwargs[key] = "erledigt"
        elif key == "step":
            kwargs[key] = "parken"
        elif key == "fmt":
            kwargs[key] = "csv"
        elif key == "token":
            kwargs[key] = world.kiosk_token if "kiosk" in name else world.display_token
        elif key == "link_token":
            kwargs[key] = link_token(world.objects["appointment"])
        elif key == "window_pk":
            kwargs[key] = _pk(world, "window")
        elif key == "absence_pk":
            kwargs[key] = _pk(world, "absence")
        else:
            raise AssertionError(f"{name}: no value for the URL argument {key!r}")
    return kwargs


def admin_kwargs(world: World, name: str) -> tuple[dict, str]:
    found = _admin_model_page(name)
    if found:
        model, page = found
        if page in ("change", "delete", "history"):
            arg = EXTRA_MODEL_PAGES[name][2] if name in EXTRA_MODEL_PAGES else "object_id"
            return {arg: world.admin_objects[model._meta.label_lower].pk}, ""
        return {}, ""
    if name == "admin:app_list":
        return {"app_label": "jobcenter"}, ""
    if name == "admin:view_on_site":
        kunde = world.objects["kunde"]
        return {
            "content_type_id": ContentType.objects.get_for_model(kunde).pk,
            "object_id": kunde.pk,
        }, ""
    if name == "admin:autocomplete":
        return {}, "?app_label=jobcenter&model_name=deputy&field_name=deputy"
    return {}, ""


# --- answers ----------------------------------------------------------------------------------


def _login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def _describe(response) -> str:
    return f"{response.status_code} {response.get('Location', '')}".strip()


def assert_allowed(response, *, post_only=False):
    if post_only:
        assert response.status_code == 405, _describe(response)
        return
    assert response.status_code in (200, 204, 302), _describe(response)
    assert not _login_redirect(response), _describe(response)


def assert_denied(response, actor: str):
    if actor == "anonymous" and _login_redirect(response):
        return
    assert response.status_code in (401, 403, 404), _describe(response)


def assert_no_leak(response):
    """A page of another Jobcenter shows nothing of ours."""
    if response.status_code == 200 and not response.streaming:
        page = response.content.decode(errors="replace")
        at = page.find(MARKER)
        assert at == -1, f"another Jobcenter's data on the page: …{page[at - 150 : at + 60]}…"


def snapshot(world: World) -> tuple:
    """What a refused POST must leave as it was."""
    o = world.objects
    return (
        AuditEvent.objects.count(),
        Aufgabe.objects.count(),
        Vermerk.objects.count(),
        Appointment.objects.count(),
        list(ReleasedWindow.objects.values()),
        Absence.objects.count(),
        list(Visit.objects.filter(pk=o["visit"].pk).values_list("state", "desk_id")),
        list(Aufgabe.objects.filter(pk=o["aufgabe"].pk).values()),
        list(Appointment.objects.filter(pk=o["appointment"].pk).values()),
        list(Antrag.objects.filter(pk=o["antrag"].pk).values()),
        list(Nachweis.objects.filter(antrag=o["antrag"]).values()),
        list(Deadline.objects.filter(pk=o["deadline"].pk).values()),
        list(Desk.objects.values_list("pk", "occupied_by_id")),
        LegalHold.objects.count(),
        Kunde.objects.count(),
    )


# --- the cases --------------------------------------------------------------------------------


def _marks(name: str, actor: str):
    reason = KNOWN_HOLES.get((name, actor))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def app_cases():
    for name in APP_URLS:
        if name not in TABLE:
            continue  # reported by test_every_url_has_exactly_one_row
        for actor in ACTORS:
            allowed = TABLE[name].expected(actor)
            yield pytest.param(
                name,
                actor,
                allowed,
                id=f"{name}-{actor}-{'allowed' if allowed else 'denied'}",
                marks=_marks(name, actor),
            )


def post_cases():
    for case in app_cases():
        name = case.values[0]
        if TABLE[name].post:
            yield case


@pytest.mark.django_db
@pytest.mark.parametrize("name, actor, allowed", list(app_cases()))
def test_get(world, name, actor, allowed):
    client = _client(world, actor)
    response = client.get(reverse(name, kwargs=app_kwargs(world, name)))
    if allowed:
        assert_allowed(response, post_only=TABLE[name].post)
        if actor.endswith(":other_jc") and not TABLE[name].public:
            assert_no_leak(response)
    elif TABLE[name].post and response.status_code == 405:
        pass  # refused by method before the role is asked; the POST case decides
    else:
        assert_denied(response, actor)


@pytest.mark.django_db
@pytest.mark.parametrize("name, actor, allowed", list(post_cases()))
def test_post(world, name, actor, allowed):
    client = _client(world, actor)
    before = snapshot(world)
    response = client.post(reverse(name, kwargs=app_kwargs(world, name)), {})
    assert response.status_code < 500, _describe(response)
    if allowed:
        assert response.status_code not in (401, 403, 404), _describe(response)
        if name != "logout":  # the one way whose answer is the login page
            assert not _login_redirect(response), _describe(response)
    else:
        assert_denied(response, actor)
        assert snapshot(world) == before


# --- the admin --------------------------------------------------------------------------------


def admin_expected(name: str, actor: str) -> str:
    """Whether `actor` may open the admin page `name`: "allowed" or "denied"."""
    if actor == "anonymous":
        return "allowed" if ADMIN_SITE_PAGES.get(name) == "public" else "denied"
    if ADMIN_SITE_PAGES.get(name) == "public":
        return "allowed"
    if ADMIN_SITE_PAGES.get(name) == "nobody":
        return "denied"
    administrator = actor == "superuser" or actor.split(":")[0] == ADM
    if not administrator:
        return "denied"
    found = _admin_model_page(name)
    if found is None:
        return "allowed"  # the site's own pages, each Jobcenter's administration its own
    model, page = found
    label = model._meta.label_lower
    if (label, page) in NOBODY_PAGES:
        return "denied"
    if actor == "superuser":
        return "allowed"
    if label in INSTALLATION_MODELS or (label, page) in SUPERUSER_PAGES:
        return "denied"
    if actor.endswith(":other_jc"):
        return "denied" if page in ("change", "delete", "history") else "allowed"
    return "allowed"


def _shared(name: str) -> bool:
    """A model the admin keeps for all Jobcenters at once (no owner): its rows are reachable
    from every Jobcenter. Issue 9 makes the catalogues per Jobcenter."""
    found = _admin_model_page(name)
    if not found:
        return False
    model, page = found
    return (
        page in ("change", "delete", "history")
        and model._meta.label_lower not in INSTALLATION_MODELS
        and not getattr(admin.site._registry[model], "jobcenter_path", "")
        and not any(f.name == "jobcenter" for f in model._meta.get_fields())
    )


def admin_cases():
    for name in ADMIN_URLS:
        if name not in ADMIN_SITE_PAGES and _admin_model_page(name) is None:
            continue  # reported by test_every_url_has_exactly_one_row
        for actor in ADMIN_ACTORS:
            expected = admin_expected(name, actor)
            marks = _marks(name, actor)
            if expected == "denied" and actor == f"{ADM}:other_jc" and _shared(name):
                marks = [
                    pytest.mark.xfail(
                        strict=True,
                        reason="catalogue shared by all Jobcenters (issue 9: per Jobcenter)",
                    )
                ]
            yield pytest.param(name, actor, expected, id=f"{name}-{actor}-{expected}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize("name, actor, expected", list(admin_cases()))
def test_admin(world, name, actor, expected):
    kwargs, query = admin_kwargs(world, name)
    client = _client(world, actor)
    response = client.get(reverse(name, kwargs=kwargs) + query)
    post_only = ADMIN_SITE_PAGES.get(name) == "site-post"
    if expected == "allowed":
        if post_only:
            assert response.status_code == 405, _describe(response)
        elif ADMIN_SITE_PAGES.get(name) == "public":
            assert_allowed(response)  # the login sends who is logged in on to the index
        else:
            assert response.status_code == 200, _describe(response)
        if actor.endswith(":other_jc"):
            assert_no_leak(response)
        return
    if _login_redirect(response) or response.status_code in (403, 404):
        return
    # The admin sends an object outside the own rows to its index ("does not exist").
    assert response.status_code == 302, _describe(response)
    assert response["Location"] == reverse("admin:index"), _describe(response)
