"""Query bounds of the front desk's busiest requests (issue 13): they must not grow with
the queue. Counted without SAVEPOINT/RELEASE, which exist only because each test runs
inside a transaction (in production an atomic block is BEGIN/COMMIT, not counted)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def counted(client, method, path, data=None, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, data, **headers)
    sql = [q["sql"] for q in ctx.captured_queries]
    return response, len([q for q in sql if not q.startswith(("SAVEPOINT", "RELEASE"))])


@pytest.fixture
def busy(frozen_at, check_in, desks, staff, open_desk, catalogue):
    """A site with 60 waiting (more than the list shows) and a desk open."""
    frozen_at(10, 30)
    for _ in range(60):
        check_in("sachstand")
    open_desk(staff["ez"], desks["s1"])


def test_check_in_costs_at_most_12_queries(busy, client, staff, site, catalogue):
    client.force_login(staff["empfang"])
    data = {"standort": site.pk, "q": "", "concerns": [catalogue["sachstand"].pk], "action": "wait"}
    client.post(reverse("frontdesk:checkin"), data)  # the site is remembered from now on
    response, n = counted(client, "post", reverse("frontdesk:checkin"), data)
    assert response.status_code == 302
    assert n <= 12, n


def test_desk_page_and_call_up_are_bounded(busy, client, staff, catalogue):
    client.force_login(staff["ez"])
    client.get(reverse("frontdesk:desk"))
    response, n = counted(client, "get", reverse("frontdesk:desk"))
    assert response.status_code == 200
    assert n <= 12, n  # nobody called yet
    response, n = counted(client, "post", reverse("frontdesk:call_next"), {})
    assert response.status_code == 302
    assert n <= CALL_NEXT, n
    response, n = counted(client, "get", reverse("frontdesk:desk"))
    assert n <= DESK_CALLED, n
    pk = re.search(rb'action="/aufruf/besuch/(\d+)/abschliessen/"', response.content).group(1)
    response, n = counted(
        client,
        "post",
        f"/aufruf/besuch/{pk.decode()}/abschliessen/",
        {
            "finish-outcome": "resolved",
            "finish-handled": [catalogue["sachstand"].pk],
            "finish-note": "",
        },
    )
    assert response.status_code == 302
    assert n <= FINISH, n


# Above the 12 where the step's own writes and reads need more (measured today;
# the floors in bench/floors.py show what is essential).
CALL_NEXT = 12
DESK_CALLED = 12  # incl. the deadline badge of the page header
FINISH = 18  # the form's catalogue, the service's locks and writes, the message


def test_desk_list_poll_is_bounded_changed_or_not(busy, client, staff):
    client.force_login(staff["ez"])
    poll = {"HTTP_X_POLL": "1", "HTTP_HX_REQUEST": "true"}
    first, n = counted(client, "get", reverse("frontdesk:desk_queue"), **poll)
    assert first.status_code == 200
    # The list's 50 rows, their concerns and total (not per row), the key of the rendering
    # shared with the desks of the same teams, the site's version row created on first use.
    assert n <= 9, n
    again, n = counted(
        client, "get", reverse("frontdesk:desk_queue"), HTTP_IF_NONE_MATCH=first["ETag"], **poll
    )
    assert again.status_code == 304
    assert n <= 2, n
