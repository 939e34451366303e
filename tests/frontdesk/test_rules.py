"""The front desk's permissions by role (frontdesk/rules.py), pinned as tables written by hand,
and one object permission asked by the page and by the service: the same answer."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from frontdesk.errors import FrontdeskError
from frontdesk.models import Visit, VisitState
from frontdesk.services.reception import visit_cancel
from jobcenter.models import User
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory

ROLES = ["empfang", "ez", "leistung", "ifk", "hotline", "teamleitung", "admin"]

# Without an object. Columns: receive_visitors, use_desk, see_visits, view_queue_live,
# view_queue_report.
T, F = True, False
WITHOUT_OBJECT = {
    #               receive use_desk see   live  report
    "empfang": (T, F, T, F, F),
    "ez": (T, T, T, F, F),
    "leistung": (F, T, T, F, F),
    "ifk": (F, T, T, F, F),
    "hotline": (F, F, F, F, F),
    "teamleitung": (T, T, T, T, T),
    "admin": (F, F, F, F, F),
}
PERMS_WITHOUT_OBJECT = [
    "frontdesk.receive_visitors",
    "frontdesk.use_desk",
    "frontdesk.see_visits",
    "frontdesk.view_queue_live",
    "frontdesk.view_queue_report",
]

# On a visit of the own Jobcenter. Columns: work_visit (the desk's steps), receive_visit
# (the reception's steps: settle, back from parking, cancel).
ON_A_VISIT = {
    "empfang": (F, T),
    "ez": (T, T),
    "leistung": (T, T),
    "ifk": (T, T),
    "hotline": (F, F),
    "teamleitung": (T, T),
    "admin": (F, F),
}


@pytest.fixture
def visit(check_in, desks):
    return check_in("unterlagen")


@pytest.fixture
def foreign_visit(visit):
    """A visit as if of another Jobcenter (only its jobcenter_id is asked)."""
    other = JobcenterFactory(slug="solingen", name="Jobcenter Solingen")
    return Visit(pk=visit.pk, jobcenter_id=other.pk, standort_id=visit.standort_id)


def _grant_employee_figures(user) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_employee_figures"))
    return User.objects.get(pk=user.pk)  # ModelBackend caches the permissions per instance


@pytest.mark.parametrize("role", ROLES)
def test_permissions_without_an_object_by_role(staff, role):
    user = staff[role]
    answers = tuple(user.has_perm(perm) for perm in PERMS_WITHOUT_OBJECT)
    assert answers == WITHOUT_OBJECT[role]


@pytest.mark.parametrize("role", ROLES)
def test_permissions_on_a_visit_by_role(staff, visit, foreign_visit, role):
    user = staff[role]
    assert (
        user.has_perm("frontdesk.work_visit", visit),
        user.has_perm("frontdesk.receive_visit", visit),
    ) == ON_A_VISIT[role]
    # Another Jobcenter's visit: nobody.
    assert not user.has_perm("frontdesk.work_visit", foreign_visit)
    assert not user.has_perm("frontdesk.receive_visit", foreign_visit)
    # Without a visit the object permissions answer no.
    assert not user.has_perm("frontdesk.work_visit")
    assert not user.has_perm("frontdesk.receive_visit")


@pytest.mark.parametrize(
    ("role", "without_grant", "with_grant"),
    [
        ("empfang", F, F),
        ("ez", F, F),
        ("leistung", F, F),
        ("ifk", F, F),
        ("hotline", F, F),
        ("teamleitung", F, T),
        ("admin", F, F),
    ],
)
def test_employee_figures_need_the_lead_and_the_granted_permission(
    staff, role, without_grant, with_grant
):
    user = staff[role]
    assert user.has_perm("frontdesk.see_employee_figures") is without_grant
    assert _grant_employee_figures(user).has_perm("frontdesk.see_employee_figures") is with_grant


def test_a_team_lead_steps_in_for_the_teams_they_belong_to_or_lead(staff, teams):
    lead, ez = staff["teamleitung"], staff["ez"]  # the lead: member of ez, leistung, ue25
    assert lead.has_perm("frontdesk.step_in_for_team", teams["ez"])
    assert lead.has_perm("frontdesk.step_in_for_team", teams["ue25"])
    assert not lead.has_perm("frontdesk.step_in_for_team", teams["leistung_b"])
    teams["leistung_b"].lead = lead
    assert lead.has_perm("frontdesk.step_in_for_team", teams["leistung_b"])
    # A member of the team who is no lead does not step in.
    assert not ez.has_perm("frontdesk.step_in_for_team", teams["ez"])
    assert not lead.has_perm("frontdesk.step_in_for_team", None)


def test_no_front_desk_permission_without_an_active_account_of_a_jobcenter(staff, visit):
    inactive = staff["teamleitung"]
    inactive.is_active = False
    homeless = UserFactory(username="ohne", jobcenter=None, role=Role.TEAMLEITUNG)
    superuser = UserFactory(username="root", role=Role.ADMINISTRATION, is_superuser=True)
    for user in (inactive, homeless, superuser):
        assert not any(user.has_perm(perm) for perm in PERMS_WITHOUT_OBJECT), user
        assert not user.has_perm("frontdesk.receive_visit", visit), user
        assert not user.has_perm("frontdesk.work_visit", visit), user
        assert not user.has_perm("frontdesk.see_employee_figures"), user


@pytest.mark.parametrize("role", [*ROLES, "other_jobcenter"])
def test_the_page_offers_the_cancel_exactly_when_the_service_allows_it(
    staff, check_in, desks, login, role
):
    """`frontdesk.receive_visit` asked by the visit page (its steps) and by the service
    (`visit_cancel` through the transition's permission): one answer for every role."""
    if role == "other_jobcenter":
        other = JobcenterFactory(slug="solingen", name="Jobcenter Solingen")
        user = UserFactory(username="ez_solingen", jobcenter=other, role=Role.EINGANGSZONE)
    else:
        user = staff[role]
    visit = check_in("unterlagen")
    # Assigned to the person, so a desk of Leistung or Integration sees it too: the page's
    # answer is then the permission's, not the visibility's.
    Visit.objects.filter(pk=visit.pk).update(
        assigned_to=user if role != "other_jobcenter" else None
    )
    visit.refresh_from_db()
    allowed = user.has_perm("frontdesk.receive_visit", visit)

    response = login(user).get(reverse("frontdesk:visit_detail", args=[visit.pk]))
    cancel_url = reverse("frontdesk:visit_cancel", args=[visit.pk])
    offered = response.status_code == 200 and cancel_url in response.content.decode()

    try:
        visit_cancel(actor=user, visit_id=visit.pk)
    except FrontdeskError:
        done = False
    else:
        done = True
    visit.refresh_from_db()

    assert offered is allowed
    assert done is allowed
    assert (visit.state == VisitState.CANCELLED) is allowed
    expected = {"hotline": False, "admin": False, "other_jobcenter": False}.get(role, True)
    assert allowed is expected
