"""The desk list rendered once for every desk that shows the same list (issue 13).

A change of the queue reloads every desk's list of a site at once; desks serving the same
teams share one rendering, unless customers with an appointment wait for one person (then
that person's list is their own). Each person's poll still audits what it shows them."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk import versions
from frontdesk.models import Visit
from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from tests.factories import UserFactory, register

pytestmark = pytest.mark.django_db

POLL = {"HTTP_X_POLL": "1", "HTTP_HX_REQUEST": "true"}


@pytest.fixture
def two_desks(frozen_at, check_in, desks, staff, teams, jobcenter, open_desk, catalogue):
    frozen_at(10, 30)
    second = UserFactory(
        username="ez2", jobcenter=jobcenter, role=Role.EINGANGSZONE, teams=[teams["ez"]]
    )
    kunde = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    visits = [check_in("sachstand", kunde=kunde), check_in("sachstand"), check_in("sachstand")]
    open_desk(staff["ez"], desks["s1"])
    open_desk(second, desks["s2"])
    clients = []
    for user in (staff["ez"], second):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients, (staff["ez"], second), visits, kunde


def poll(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("frontdesk:desk_queue"), **POLL)
    queries = [q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "REL"))]
    assert response.status_code == 200
    return response, len(queries)


def test_desks_serving_the_same_teams_share_one_rendering(two_desks):
    (first, second), (user1, user2), visits, kunde = two_desks
    one, n_first = poll(first)
    two, n_second = poll(second)
    assert two.content == one.content
    assert all(v.number.encode() in two.content for v in visits)
    # The second desk reads no list: session, user, desk, the sharing key, its audit row.
    assert n_second <= 5 < n_first, (n_first, n_second)
    assert one["ETag"] != two["ETag"]  # each desk's own version tag
    # Each person's poll audits the customer it showed them.
    for user in (user1, user2):
        assert AuditEvent.objects.filter(action="view", actor=user, subject_id=kunde.pk).exists()


def test_a_customer_waiting_for_one_person_keeps_their_list_their_own(two_desks):
    (first, second), (_user1, user2), visits, _kunde = two_desks
    Visit.objects.filter(pk=visits[1].pk).update(assigned_to=user2)
    versions.bump(visits[1].standort_id)
    own, _n = poll(second)
    other, _n = poll(first)
    assert visits[1].number.encode() in own.content
    assert visits[1].number.encode() not in other.content
    assert visits[2].number.encode() in other.content


def test_a_change_of_the_queue_is_shown_to_the_next_poll(two_desks, check_in):
    (first, second), _users, _visits, _kunde = two_desks
    poll(first)
    poll(second)
    new = check_in("sachstand")
    assert new.number.encode() in poll(second)[0].content
