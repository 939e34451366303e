"""Each Jobcenter has its own information types and routing rules (issue 9).

One Jobcenter's admin edits its table without changing what another Jobcenter sees, a new
Jobcenter starts with the defaults, and the data migration hands the once shared rows to
every Jobcenter with their notes and deliveries pointed at the own copy.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from jobcenter.models import Team
from jobcenter.roles import Role
from jobcenter.seeding import seed_new_jobcenter, seeders
from routing.forms import active_types
from routing.models import Aufgabe, InformationType, RoutingRule, Vermerk
from routing.services import RoutingError, vermerk_route
from tests.factories import JobcenterFactory, TeamFactory, UserFactory, person, register

from .test_admin import change_url, form_data
from .test_catalogue import EXPECTED_TARGETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    """A second Jobcenter with its admin, an EZ desk and a customer."""
    jobcenter = JobcenterFactory(slug="herford", name="Jobcenter Herford")
    leistung = TeamFactory(jobcenter=jobcenter, kind=Team.Kind.LEISTUNG, name="Leistung HF")
    TeamFactory(jobcenter=jobcenter, kind=Team.Kind.INTEGRATION_UE25, name="Integration HF")
    ez = UserFactory(username="ez_hf", jobcenter=jobcenter, role=Role.EINGANGSZONE)
    admin = UserFactory(username="admin_hf", jobcenter=jobcenter, role=Role.ADMINISTRATION)
    antrag = register(actor=ez, leistung_team=leistung, persons=[person(is_head=True)])
    return {"jobcenter": jobcenter, "ez": ez, "admin": admin, "kunde": antrag.applicant}


def umzug(jobcenter) -> InformationType:
    return InformationType.objects.prefetch_related("rules").get(jobcenter=jobcenter, code="umzug")


def test_every_jobcenter_has_its_own_rows_with_the_same_codes(jobcenter, other):
    ours = set(InformationType.objects.filter(jobcenter=jobcenter).values_list("code", flat=True))
    theirs = set(
        InformationType.objects.filter(jobcenter=other["jobcenter"]).values_list("code", flat=True)
    )
    assert ours == theirs == set(EXPECTED_TARGETS)
    assert {"schwangerschaft", "umzug", "krankengeld", "einstiegsgeld"} <= theirs
    assert umzug(jobcenter).pk != umzug(other["jobcenter"]).pk
    assert {r.target for r in umzug(other["jobcenter"]).rules.all()} == {"leistung", "integration"}


def test_admin_edit_of_one_jobcenter_leaves_the_other_alone(login, staff, jobcenter, other):
    ours, theirs = umzug(jobcenter), umzug(other["jobcenter"])
    rules = [
        {"id": r.pk, "information_type": ours.pk, "target": r.target, "active": "on"}
        for r in ours.rules.all()
    ]
    rules[0]["active"] = ""
    response = login(staff["admin"]).post(
        change_url(ours), form_data(ours, rules, name="Umzug (Wuppertal)", hint="Nur bei uns")
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.name, ours.hint) == ("Umzug (Wuppertal)", "Nur bei uns")
    assert theirs.name == "Umzug" and "Zusicherung" in theirs.hint
    assert all(r.active for r in theirs.rules.all())


def test_admin_sees_and_changes_only_the_own_catalogue(login, staff, jobcenter, other):
    client = login(staff["admin"])
    theirs = umzug(other["jobcenter"])
    page = client.get(reverse("admin:routing_informationtype_changelist"), {"q": "Umzug"})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert umzug(jobcenter) in shown and theirs not in shown
    assert {t.jobcenter_id for t in shown} == {jobcenter.pk}
    # Another Jobcenter's row does not exist for this admin: no page, no change.
    assert client.get(change_url(theirs)).status_code in (302, 404)
    response = client.post(change_url(theirs), form_data(theirs, [], name="Gekapert"))
    assert response.status_code in (302, 404)
    theirs.refresh_from_db()
    assert theirs.name == "Umzug"


def test_a_type_added_in_the_admin_belongs_to_the_admins_jobcenter(login, staff, jobcenter, other):
    client = login(staff["admin"])
    blank = InformationType(name="Pflegegrad", code="pflegegrad")
    response = client.post(
        reverse("admin:routing_informationtype_add"),
        form_data(blank, [{"target": "leistung", "active": "on"}], active="on"),
    )
    assert response.status_code == 302
    added = InformationType.objects.get(code="pflegegrad")
    assert added.jobcenter_id == jobcenter.pk
    # The same code twice in one Jobcenter is refused with a German message, not a 500 ...
    again = client.post(
        reverse("admin:routing_informationtype_add"),
        form_data(
            InformationType(name="Pflegegrad 2", code="pflegegrad"),
            [{"target": "leistung", "active": "on"}],
            active="on",
        ),
    )
    assert again.status_code == 200
    assert "gibt es in diesem Jobcenter bereits" in again.content.decode()
    # ... but another Jobcenter may use it.
    login(other["admin"]).post(
        reverse("admin:routing_informationtype_add"),
        form_data(blank, [{"target": "leistung", "active": "on"}], active="on"),
    )
    assert InformationType.objects.filter(code="pflegegrad").count() == 2


def test_note_form_and_api_offer_only_the_own_types(staff, jobcenter, other):
    assert {t.jobcenter_id for t in active_types(jobcenter.pk)} == {jobcenter.pk}
    theirs = umzug(other["jobcenter"])
    theirs.name = "Umzug nach Herford"
    theirs.save()
    assert "Umzug nach Herford" not in {t.name for t in active_types(jobcenter.pk)}


def test_a_note_with_another_jobcenters_type_is_refused(staff, kunde, other):
    notes = Vermerk.objects.count()
    with pytest.raises(RoutingError, match="nicht zu Ihrem Jobcenter"):
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=umzug(other["jobcenter"]),
            known_on=timezone.localdate(),
        )
    assert Vermerk.objects.count() == notes


def test_rules_page_lists_only_the_own_types(login, staff, jobcenter, other):
    theirs = umzug(other["jobcenter"])
    theirs.name = "Umzug nach Herford"
    theirs.save()
    page = login(staff["teamleitung"]).get(reverse("routing:rules")).content.decode()
    assert "Umzug nach Herford" not in page and "Umzug" in page


def test_a_new_jobcenter_is_seeded_from_the_defaults_once(db):
    assert any(getattr(s, "__module__", "") == "routing.services" for s in seeders())
    jobcenter = JobcenterFactory(catalogues=False)
    assert not InformationType.objects.filter(jobcenter=jobcenter).exists()
    seed_new_jobcenter(jobcenter)
    seed_new_jobcenter(jobcenter)  # idempotent
    types = InformationType.objects.filter(jobcenter=jobcenter)
    assert types.count() == len(EXPECTED_TARGETS)  # once each, not twice
    rules = RoutingRule.objects.filter(information_type__jobcenter=jobcenter)
    seeded = {}
    for code, target in rules.values_list("information_type__code", "target"):
        seeded.setdefault(code, []).append(target)
    expected = {code: targets for code, targets in EXPECTED_TARGETS.items() if targets}
    assert {code: set(targets) for code, targets in seeded.items()} == expected
    assert sorted(seeded["schwangerschaft"]) == ["integration", "leistung"]  # no rule twice
    assert rules.count() == sum(len(targets) for targets in EXPECTED_TARGETS.values())


def test_jobcenter_admin_seeds_a_new_jobcenter(client, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, role="")
    client.force_login(root)
    response = client.post(
        reverse("admin:jobcenter_jobcenter_add"),
        {
            "name": "Jobcenter Neu",
            "slug": "neu",
            "bundesland": "NW",
            "dienststelle": "12345",
            "kundennummer_prefix": "123A",
            "first_consultation_start": "application",
            "return_period_days": 14,
            "interruption_threshold_value": 3,
            "interruption_threshold_unit": "months",
            "full_time_weekly_hours": "39.0",
            "reminder_lead_working_days": 1,
            "document_reminder_working_days": 2,
        },
    )
    from jobcenter.models import Jobcenter

    created = Jobcenter.objects.filter(slug="neu").first()
    assert created is not None, response.content.decode()[:2000]
    assert InformationType.objects.filter(jobcenter=created, code="umzug").exists()


# Forward to every app's newest state, as the next tests expect: going back in routing also
# unapplies what depends on it (frontdesk's link from a concern to its information type).
MIGRATED = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
SHARED = [("routing", "0003_information_types")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_jobcenter_a_copy_and_points_its_notes_there(staff, kunde, other):
    ours_routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=umzug(kunde.jobcenter),
        known_on=timezone.localdate(),
    )
    theirs_routed = vermerk_route(
        author=other["ez"],
        kunde=other["kunde"],
        information_type=umzug(other["jobcenter"]),
        known_on=timezone.localdate(),
    )
    try:
        _migrate(SHARED)  # back to one shared table: the second Jobcenter's rows fold in
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM routing_informationtype WHERE code = 'umzug'")
            assert cursor.fetchone()[0] == 1
    finally:
        _migrate(MIGRATED)
    first, second = sorted([kunde.jobcenter_id, other["jobcenter"].pk])
    assert InformationType.objects.filter(code="umzug").count() == 2
    for routed, jobcenter_id in (
        (ours_routed, kunde.jobcenter_id),
        (theirs_routed, other["jobcenter"].pk),
    ):
        note = Vermerk.objects.get(pk=routed.vermerk.pk)
        assert note.information_type.jobcenter_id == jobcenter_id
        for aufgabe in Aufgabe.objects.filter(vermerk=note):
            assert aufgabe.rule.information_type.jobcenter_id == jobcenter_id
            assert all(
                e.rule is None or e.rule.information_type.jobcenter_id == jobcenter_id
                for e in aufgabe.events.all()
            )
    assert first < second
