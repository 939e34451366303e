"""A team lead sees and acts on the appointments and group events of their teams only
(the IFKs in one of the lead's teams), not on those of the whole Jobcenter."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from appointments import access
from appointments.models import GroupEvent, Status
from appointments.services.first_consultation import eg_book
from appointments.services.outcomes import (
    appointment_cancel,
    appointment_record_held,
    group_event_record,
)
from jobcenter.roles import Role
from tests.factories import UserFactory, person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, profile, people, teams, site):
    # The lead leads EZ, Leistung and Ü25 (ifk, ifk2); ifk3 is in U25, another lead's team.
    for key in ("ifk", "ifk3"):
        release(people[key], site)
    return people


def booked_with(world, teams, key, n):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person(f"Team{n}", "Scope", date(1980, 1, 1 + n), is_head=True)],
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
    return booked_with(world, teams, "ifk", 1)


@pytest.fixture
def foreign(world, teams):
    return booked_with(world, teams, "ifk3", 2)


def test_the_lead_sees_the_appointments_of_their_teams_only(world, own, foreign, login):
    lead = world["teamleitung"]
    assert list(access.appointments_visible_to(lead)) == [own]
    # The EZ books for everyone and keeps seeing every appointment of the Jobcenter.
    assert set(access.appointments_visible_to(world["ez"])) == {own, foreign}
    client = login(lead)
    assert client.get(reverse("appointments:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("appointments:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("appointments:letter", args=[foreign.pk])).status_code == 404


def test_an_ifk_in_two_of_the_leads_teams_is_not_counted_twice(world, teams, own):
    world["ifk"].teams.add(teams["ez"])  # both Ü25 and EZ are led by the lead
    lead = type(world["teamleitung"]).objects.get(pk=world["teamleitung"].pk)
    assert access.appointments_visible_to(lead).count() == 1
    assert list(access.appointments_visible_to(lead)) == [own]


def test_the_lead_records_and_cancels_only_within_their_teams(world, own, foreign, clock):
    lead = world["teamleitung"]
    assert lead.has_perm("appointments.record_outcome", own) and lead.has_perm(
        "appointments.cancel_appointment", own
    )
    assert not lead.has_perm("appointments.record_outcome", foreign)
    assert not lead.has_perm("appointments.cancel_appointment", foreign)

    clock.set(at(date(2026, 3, 23), 10, 30))
    with pytest.raises(PermissionDenied):
        appointment_record_held(
            actor=lead, appointment_id=foreign.pk, minutes=45, form="persoenlich", text="x"
        )
    with pytest.raises(PermissionDenied):
        appointment_cancel(actor=lead, appointment_id=foreign.pk, by_customer=False, reason="x")
    foreign.refresh_from_db()
    assert foreign.status == Status.GEBUCHT

    held = appointment_record_held(
        actor=lead, appointment_id=own.pk, minutes=45, form="persoenlich", text="Beratung."
    )
    assert held.status == Status.DURCHGEFUEHRT
    # The IFK of the other team still acts on their own appointment.
    assert world["ifk3"].has_perm("appointments.record_outcome", foreign)


def test_the_lead_cannot_cancel_another_teams_appointment_through_the_page(world, foreign, login):
    response = login(world["teamleitung"]).post(
        reverse("appointments:cancel", args=[foreign.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.GEBUCHT


def group_event(site, host):
    return GroupEvent.objects.create(
        jobcenter=site.jobcenter,
        standort=site,
        starts_at=at(date(2026, 3, 24), 10),
        ends_at=at(date(2026, 3, 24), 12),
        capacity=5,
        host=host,
        created_by=host,
    )


def test_group_event_attendance_by_the_host_or_the_lead_of_the_hosts_team(
    world, site, clock, login
):
    lead = world["teamleitung"]
    own_event, foreign_event = group_event(site, world["ifk2"]), group_event(site, world["ifk3"])
    assert lead.has_perm("appointments.record_group_event", own_event)
    assert not lead.has_perm("appointments.record_group_event", foreign_event)
    assert world["ifk3"].has_perm("appointments.record_group_event", foreign_event)
    assert not world["ifk"].has_perm("appointments.record_group_event", own_event)
    assert not world["ez"].has_perm("appointments.record_group_event", own_event)

    clock.set(at(date(2026, 3, 24), 12, 30))
    client = login(lead)
    url = reverse("appointments:group_event", args=[foreign_event.pk])
    assert client.get(url).context["may_record"] is False
    assert client.post(url, {"gr-text": "Inhalte"}).status_code == 403
    with pytest.raises(PermissionDenied):
        group_event_record(actor=lead, event_id=foreign_event.pk, present_ids=set(), text="x")
    foreign_event.refresh_from_db()
    assert foreign_event.status == GroupEvent.EventStatus.GEPLANT

    own_url = reverse("appointments:group_event", args=[own_event.pk])
    assert client.get(own_url).context["may_record"] is True
    assert login(world["ifk3"]).get(url).context["may_record"] is True
    group_event_record(actor=lead, event_id=own_event.pk, present_ids=set(), text="Inhalte")
    own_event.refresh_from_db()
    assert own_event.status == GroupEvent.EventStatus.DURCHGEFUEHRT


def test_the_eg_caseworker_of_a_slot_is_looked_up_in_the_cases_jobcenter(world, teams):
    antrag = register(actor=world["ez"], leistung_team=teams["leistung"], ifk=world["ifk"])
    stranger = UserFactory(username="fremd", role=Role.INTEGRATION)
    assert access.eg_caseworker(antrag, world["ifk"].pk) == world["ifk"]
    assert access.eg_caseworker(antrag, stranger.pk) is None
    assert access.eg_caseworker(antrag, 10**9) is None
