"""minimumstandards' permissions (minimumstandards/rules.py): who may do what, per role, as
WORKING_ROLES, PAUSE_ROLES and the views' role tuples answered before; and stopping one
clock answered the same in view, service and the case page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from jobcenter.roles import Role
from minimumstandards.access import deadlines_visible_to
from minimumstandards.models import RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import deadline_pause
from tests.factories import UserFactory, person, register

pytestmark = pytest.mark.django_db

ROLES = ("empfang", "ez", "leistung", "ifk", "hotline", "teamleitung", "admin")

# Hand-written from the behaviour before the rules.
EXPECTED = {
    "minimumstandards.view_deadlines": {"ez", "leistung", "ifk", "teamleitung"},  # WORKING_ROLES
    "minimumstandards.pause_deadline": {"leistung", "ifk", "teamleitung"},  # PAUSE_ROLES
    "minimumstandards.view_dashboard": {"teamleitung"},
    "minimumstandards.use_calculator": set(ROLES),  # role_required(*Role.values)
}


@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_each_role_holds_the_permissions_it_held_as_a_role_tuple(staff, perm):
    holders = {who for who in ROLES if staff[who].has_perm(perm)}
    assert holders == EXPECTED[perm]


@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_no_jobcenter_or_inactive_means_no_permission(jobcenter, perm):
    homeless = UserFactory(username="homeless", role=Role.TEAMLEITUNG, jobcenter=None)
    inactive = UserFactory(
        username="inactive", role=Role.TEAMLEITUNG, jobcenter=jobcenter, is_active=False
    )
    assert not homeless.has_perm(perm)
    assert not inactive.has_perm(perm)


@pytest.fixture
def antrag(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Frieda", "Frist", is_head=True)],
    )


def test_pausing_one_deadline_answers_the_same_in_view_service_and_case_page(
    login, staff, antrag, outsider
):
    deadline = antrag.deadlines.get(kind=RuleKind.ENTRY_CHECK)
    people = {who: staff[who] for who in ROLES} | {
        "leistung_b": staff["leistung_b"],
        "outsider": outsider,
    }
    # Today's behaviour: the case's Leistung team and its lead stop this clock, no one else.
    expected = {"leistung", "teamleitung"}
    url = reverse("minimumstandards:deadline_pause", args=[deadline.pk])
    for who, user in people.items():
        allowed = user.has_perm("minimumstandards.pause_deadline", deadline)
        assert allowed == (who in expected), who
        assert allowed == (
            user.has_perm("minimumstandards.pause_deadline")
            and deadlines_visible_to(user).filter(pk=deadline.pk).exists()
        ), who
        # The service refuses (or not), and leaves the clock as it was.
        try:
            with transaction.atomic():
                deadline_pause(actor=user, deadline_id=deadline.pk, reason="Probe")
                transaction.set_rollback(True)
        except PermissionDenied:
            refused = True
        else:
            refused = False
        assert refused != allowed, who
        # The view: the clock stops, or the request is refused (403, or 404 where the
        # deadline does not exist for them).
        response = login(user).post(url, {"reason": "Unterlagen angefordert"})
        deadline.refresh_from_db()
        if allowed:
            assert response.status_code == 302, who
            assert deadline.paused_at is not None, who
            deadline.paused_at, deadline.pause_reason = None, ""
            deadline.save(update_fields=["paused_at", "pause_reason"])
        else:
            assert response.status_code in (403, 404), who
            assert deadline.paused_at is None, who


def test_the_case_page_offers_pausing_to_whom_the_permission_allows(login, staff, antrag):
    page = reverse("intake:case_detail", args=[antrag.pk])
    for who in ("ez", "leistung", "teamleitung"):
        response = login(staff[who]).get(page)
        assert response.status_code == 200, who
        offered = "Frist anhalten" in response.content.decode()
        assert offered == staff[who].has_perm("minimumstandards.pause_deadline"), who


def test_admin_recompute_message_agrees_with_its_count():
    from minimumstandards.admin import recomputed

    assert recomputed(1) == "1 offene Frist neu berechnet."
    assert recomputed(2) == "2 offene Fristen neu berechnet."
    assert recomputed(0) == "0 offene Fristen neu berechnet."
