"""routing's permissions (routing/rules.py): who may do what, per role, as the role tuples
and `may_work_on` answered before; and one item's answer the same in view and service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.roles import Role
from routing.access import aufgaben_visible_to
from routing.models import Vermerk
from routing.services import RoutingError, aufgabe_claim, aufgabe_follow_up, vermerk_route
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("empfang", "ez", "leistung", "ifk", "hotline", "teamleitung", "admin")
DESKS = {"empfang", "ez", "leistung", "ifk", "hotline", "teamleitung"}  # the old DESK_ROLES

# Hand-written from the behaviour before the rules: the role tuples of views and models.
EXPECTED = {
    "routing.write_vermerk": DESKS,
    "routing.use_mailboxes": DESKS,
    # CONSULTATION_BLIND_ROLES = (EMPFANG, HOTLINE); the administration reads no customer's
    # note at all (intake.access.kunden_visible_to gives it none), so it needs none.
    "routing.read_consultation_notes": {"ez", "leistung", "ifk", "teamleitung"},
    # Only the reception is held to what the reception took in.
    "routing.read_notes_of_every_desk": DESKS - {"empfang"},
    "routing.use_worklist": {"leistung", "ifk"},
    "routing.read_rules": DESKS | {"admin"},
    "routing.edit_rules": {"admin"},
}


@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_each_role_holds_the_permissions_it_held_as_a_role_tuple(staff, perm):
    holders = {who for who in ROLES if staff[who].has_perm(perm)}
    assert holders == EXPECTED[perm]


@pytest.mark.parametrize("perm", sorted(set(EXPECTED) - {"routing.edit_rules"}))
def test_no_jobcenter_or_inactive_means_no_permission(jobcenter, perm):
    # role_required refused an account without a Jobcenter; has_role an inactive one.
    homeless = UserFactory(username="homeless", role=Role.TEAMLEITUNG, jobcenter=None)
    inactive = UserFactory(
        username="inactive", role=Role.TEAMLEITUNG, jobcenter=jobcenter, is_active=False
    )
    assert not homeless.has_perm(perm)
    assert not inactive.has_perm(perm)


def test_a_superuser_edits_the_rules_and_works_no_mailbox(jobcenter):
    root = UserFactory(
        username="root", role=Role.ADMINISTRATION, jobcenter=jobcenter, is_superuser=True
    )
    assert root.has_perm("routing.edit_rules")
    assert not root.has_perm("routing.use_mailboxes")


@pytest.fixture
def item(staff, kunde, types, teams):
    """A note's delivery in Team leistung's mailbox."""
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    return routed.vermerk.deliveries.get(postfach=teams["leistung"].postfach)


def test_work_aufgabe_is_the_visible_queryset_for_one_item(staff, item, outsider):
    for user in [*staff.values(), outsider]:
        visible = aufgaben_visible_to(user).filter(pk=item.pk).exists()
        assert user.has_perm("routing.work_aufgabe", item) == visible, user.username
    assert {w for w in staff if staff[w].has_perm("routing.work_aufgabe", item)} == {
        "leistung",
        "teamleitung",
    }


def test_acting_on_a_claimed_item_answers_the_same_in_view_and_service(
    login, staff, teams, item, outsider
):
    colleague = UserFactory(
        username="leistung2",
        role=Role.LEISTUNG,
        jobcenter=teams["leistung"].jobcenter,
        teams=[teams["leistung"]],
    )
    aufgabe_claim(actor=staff["leistung"], aufgabe_id=item.pk)
    item.refresh_from_db()
    people = {
        "holder": staff["leistung"],
        "colleague": colleague,
        "lead": staff["teamleitung"],
        "other team": staff["leistung_b"],
        "integration": staff["ifk"],
        "outsider": outsider,
    }
    # Today's behaviour: the holder and the team's lead act; a colleague waits; no one else.
    expected = {"holder", "lead"}
    tomorrow = timezone.localdate() + timedelta(days=1)
    for label, user in people.items():
        allowed = user.has_perm("routing.act_on_aufgabe", item)
        assert allowed == (label in expected), label
        # The view: the item page offers the steps (or the item does not exist for them).
        response = login(user).get(reverse("routing:item", args=[item.pk]))
        if response.status_code == 404:
            assert not allowed, label
        else:
            assert response.status_code == 200, label
            assert response.context["may_act"] == allowed, label
        # The service: a step on the item goes through or is refused.
        try:
            aufgabe_follow_up(actor=user, aufgabe_id=item.pk, on=tomorrow)
        except RoutingError:
            refused = True
        else:
            refused = False
        assert refused != allowed, label


@pytest.mark.rule("R-DS-01")
def test_reception_and_hotline_read_no_consultation_note(staff, kunde):
    vermerk = Vermerk.objects.create(
        kunde=kunde,
        kind=Vermerk.Kind.BERATUNG,
        subject="Beratung",
        known_on=timezone.localdate(),
        author=staff["ez"],
        source=Vermerk.Source.EINGANGSZONE,
    )
    for who in ("empfang", "hotline", "ez", "teamleitung"):
        user = staff[who]
        listed = Vermerk.objects.visible_to(user).filter(pk=vermerk.pk).exists()
        may = user.has_perm("routing.read_consultation_notes")
        assert listed == may == vermerk.is_visible_to(user) == (who in {"ez", "teamleitung"}), who
