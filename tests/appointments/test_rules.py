"""appointments' permissions (appointments/rules.py): who may do what, per role and per
object, as CALENDAR_ROLES, the views' role tuples and the can_* functions answered before;
and cancelling one appointment answered the same in view, service and the page's form."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from appointments.models import GroupEvent, Kind
from appointments.services.first_consultation import eg_book
from appointments.services.outcomes import appointment_cancel
from jobcenter.roles import Role
from tests.factories import UserFactory, person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db

ROLES = ("empfang", "ez", "leistung", "ifk", "hotline", "teamleitung", "admin")

# Hand-written from the behaviour before the rules: the views' gates (role_required) and
# the role checks of the services and the case page's panel.
EXPECTED = {
    "appointments.use_calendar": {"ez", "ifk", "teamleitung"},  # CALENDAR_ROLES
    "appointments.hold_consultations": {"ifk"},  # worklist, own follow-ups
    "appointments.manage_calendar": {"ifk", "teamleitung"},  # windows, absences
    "appointments.record_outcome": {"ifk", "teamleitung"},  # held, no-show
    "appointments.cancel_appointment": {"ez", "ifk", "teamleitung"},  # the cancel view
    "appointments.book_by_hand": {"teamleitung"},  # eg_manual, is_lead
    "appointments.book_follow_up": {"ifk", "teamleitung"},  # can_book_follow_up
    "appointments.record_contact": {"ifk"},
    "appointments.work_contacts": {"ifk", "teamleitung"},  # contact page, contact density
    "appointments.invite_to_group_event": {"ez", "ifk", "teamleitung"},
    "appointments.manage_group_events": {"ifk", "teamleitung"},  # can_manage_group_events
    "appointments.see_group_coverage": {"ez", "teamleitung"},
    "appointments.view_figures": {"ifk", "teamleitung"},  # kpi_view
    "appointments.view_team_figures": {"teamleitung"},
    "appointments.record_group_event": set(),  # only with the event
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
def world(clock, profile, people, teams, site, outsider):
    # The lead is in EZ, Leistung and Ü25 (ifk, ifk2); ifk3 is in U25, not one of theirs.
    for key in ("ifk", "ifk3"):
        release(people[key], site)
    return {**people, "outsider": outsider}


def eg_with(world, teams, key, n):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person(f"Regel{n}", "Termin", date(1980, 1, 1 + n), is_head=True)],
        ifk=world[key],
    )
    return eg_book(
        actor=world["ez"],
        antrag_id=antrag.pk,
        caseworker=world[key],
        starts_at=at(date(2026, 3, 23), 9),
    )


@pytest.fixture
def own(world, teams):
    """A first consultation with ifk (the lead's team)."""
    return eg_with(world, teams, "ifk", 1)


@pytest.fixture
def foreign(world, teams):
    """A first consultation with ifk3 (another lead's team)."""
    return eg_with(world, teams, "ifk3", 2)


def holders(world, perm, obj) -> set[str]:
    return {who for who, user in world.items() if user.has_perm(perm, obj)}


def test_the_outcome_is_the_caseworkers_or_their_leads(world, own, foreign):
    assert holders(world, "appointments.record_outcome", own) == {"ifk", "teamleitung"}
    assert holders(world, "appointments.record_outcome", foreign) == {"ifk3"}


def test_who_cancels_which_appointment(world, own, foreign):
    # A first consultation: the EZ (who books it), the IFK who holds it, their lead.
    assert holders(world, "appointments.cancel_appointment", own) == {"ez", "ifk", "teamleitung"}
    assert holders(world, "appointments.cancel_appointment", foreign) == {"ez", "ifk3"}
    # A follow-up is not the EZ's to cancel; the customer's own IFK may, as the one holding it.
    own.kind = Kind.FOLGEGESPRAECH
    assert holders(world, "appointments.cancel_appointment", own) == {"ifk", "teamleitung"}
    foreign.kind = Kind.FOLGEGESPRAECH
    foreign.kunde.ifk = world["ifk2"]
    assert holders(world, "appointments.cancel_appointment", foreign) == {"ifk2", "ifk3"}


def test_whose_calendar_is_managed_by_whom(world):
    assert holders(world, "appointments.manage_calendar", world["ifk"]) == {"ifk", "teamleitung"}
    assert holders(world, "appointments.manage_calendar", world["ifk3"]) == {"ifk3"}
    # The EZ books in every calendar but releases no windows in any.
    assert holders(world, "appointments.manage_calendar", world["ez"]) == set()


def test_a_group_events_attendance_is_its_hosts_or_their_leads(world, site):
    def event(host):
        return GroupEvent.objects.create(
            jobcenter=site.jobcenter,
            standort=site,
            starts_at=at(date(2026, 3, 24), 10),
            ends_at=at(date(2026, 3, 24), 12),
            capacity=5,
            host=host,
            created_by=host,
        )

    perm = "appointments.record_group_event"
    assert holders(world, perm, event(world["ifk2"])) == {"ifk2", "teamleitung"}
    assert holders(world, perm, event(world["ifk3"])) == {"ifk3"}


def test_customer_and_site_permissions_stop_at_the_jobcenter(world, own, site):
    kunde = own.kunde
    both = {"ifk", "ifk2", "ifk3", "teamleitung"}
    assert holders(world, "appointments.book_follow_up", kunde) == both
    assert holders(world, "appointments.work_contacts", kunde) == both
    assert holders(world, "appointments.record_contact", kunde) == {"ifk", "ifk2", "ifk3"}
    assert holders(world, "appointments.invite_to_group_event", kunde) == both | {"ez"}
    assert holders(world, "appointments.manage_group_events", site) == both
    # Booking the first consultation is intake's permission, asked with the case.
    assert holders(world, "intake.book_first_consultation", own.antrag) == both | {"ez"}
    assert holders(world, "appointments.book_by_hand", own.antrag) == {"teamleitung"}


def test_cancelling_one_appointment_answers_the_same_in_view_service_and_page(world, own, login):
    # Today's behaviour: the EZ, the IFK who holds it and their lead; nobody else.
    expected = {"ez", "ifk", "teamleitung"}
    detail = reverse("appointments:detail", args=[own.pk])
    cancel = reverse("appointments:cancel", args=[own.pk])
    for who, user in world.items():
        allowed = user.has_perm("appointments.cancel_appointment", own)
        assert allowed == (who in expected), who
        # The service refuses (or not), and leaves the appointment as it was.
        try:
            with transaction.atomic():
                appointment_cancel(
                    actor=user, appointment_id=own.pk, by_customer=False, reason="Probe"
                )
                transaction.set_rollback(True)
        except PermissionDenied:
            refused = True
        else:
            refused = False
        assert refused == (not allowed), who
        # The page offers the cancel form exactly then (to those who see the appointment).
        response = login(user).get(detail)
        if response.status_code == 200:
            assert response.context["may_cancel"] == allowed, who
            assert (cancel in response.content.decode()) == allowed, who
        else:
            assert not allowed, who
