"""Every figure of the KPI page opens the customers or consultations behind it, and the
list is as long as the figure (issue 14). Hand-built data; clock frozen on Monday
23 March 2026 (conftest.clock). Per IFK only with the explicit right, as the page."""

import re
from datetime import date, datetime
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from appointments.models import GroupEvent
from jobcenter.models import Role
from minimumstandards.workdays import BERLIN
from tests.factories import UserFactory

from .test_kpi import _held, profile_for

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="kern-link" href="(/termine/kennzahlen/liste/\?[^"]+)"[^>]*>(\d+)</a>')


@pytest.fixture
def world(clock, people, teams, jobcenter, site):
    """ifk (lead's team Ü25): customers A (Ü25, 10 days), B (Ü25, never: in care 50 days),
    C (U25, 60 days); ifk2 (lead's team): D (Ü25, 100 days). ifk3 (U25 team, not the
    lead's): E. Consultations: ifk on A 2 Mar and 17 Mar, on C 18 Mar (unqualified: none);
    ifk2 on D 27 Feb and 16 Mar; ifk3 on E 17 Mar. A group event of ifk on 18 Mar."""
    a = profile_for(people, teams, date(1980, 1, 1), 10).kunde
    b = profile_for(people, teams, date(1980, 1, 2), None, since_days_ago=50).kunde
    c = profile_for(people, teams, date(2005, 1, 1), 60).kunde
    d = profile_for(people, teams, date(1970, 1, 1), 100, ifk="ifk2").kunde
    e = profile_for(people, teams, date(1970, 1, 2), 5, ifk="ifk3").kunde
    ifk, ifk2, ifk3 = people["ifk"], people["ifk2"], people["ifk3"]
    apps = {
        "a1": _held(jobcenter, a, ifk, datetime(2026, 3, 2, 9, tzinfo=BERLIN)),
        "a2": _held(jobcenter, a, ifk, datetime(2026, 3, 17, 9, tzinfo=BERLIN)),
        "c": _held(jobcenter, c, ifk, datetime(2026, 3, 18, 9, tzinfo=BERLIN), qualified=False),
        "d1": _held(jobcenter, d, ifk2, datetime(2026, 2, 27, 9, tzinfo=BERLIN)),
        "d2": _held(jobcenter, d, ifk2, datetime(2026, 3, 16, 9, tzinfo=BERLIN)),
        "e": _held(jobcenter, e, ifk3, datetime(2026, 3, 17, 9, tzinfo=BERLIN)),
    }
    event = GroupEvent.objects.create(
        jobcenter=jobcenter,
        standort=site,
        starts_at=datetime(2026, 3, 18, 10, tzinfo=BERLIN),
        ends_at=datetime(2026, 3, 18, 12, tzinfo=BERLIN),
        capacity=10,
        host=ifk,
        created_by=ifk,
        status=GroupEvent.EventStatus.DURCHGEFUEHRT,
    )
    return {"kunden": {"a": a, "b": b, "c": c, "d": d, "e": e}, "apps": apps, "event": event}


def lead_with_right(people):
    lead = people["teamleitung"]
    lead.user_permissions.add(Permission.objects.get(codename="view_employee_figures"))
    return type(lead).objects.get(pk=lead.pk)


def get_list(client, **params):
    response = client.get(reverse("appointments:kpi_list"), params)
    assert response.status_code == 200, params
    return response


def pks(response):
    return sorted(row.pk for row in response.context["page"].paginator.object_list)


def kunden(response):
    return sorted(p.kunde_id for p in response.context["page"].paginator.object_list)


def test_every_figure_links_to_a_list_of_its_length(login, people, world):
    for user in (people["teamleitung"], lead_with_right(people), people["ifk"]):
        client = login(user)
        page = client.get(reverse("appointments:kpi")).content.decode()
        links = LINK.findall(page)
        assert len(links) >= 4, user
        for href, count in links:
            response = client.get(unescape(href))
            assert response.status_code == 200, href
            context = response.context
            listed = context.get("total", context["page"].paginator.count)
            assert listed == int(count), href


def test_the_lists_hold_the_hand_picked_customers_and_consultations(login, people, world):
    k, apps = world["kunden"], world["apps"]
    client = login(people["teamleitung"])
    # The lead's teams: ifk and ifk2 (not ifk3 of U25).
    assert kunden(get_list(client, zahl="kunden", bereich="gesamt")) == sorted(
        x.pk for x in (k["a"], k["b"], k["c"], k["d"])
    )
    assert kunden(get_list(client, zahl="kunden", bereich="ue25")) == sorted(
        x.pk for x in (k["a"], k["b"], k["d"])
    )
    assert kunden(get_list(client, zahl="kunden", bereich="u25")) == [k["c"].pk]
    # The longest without a qualified contact first: D (100 days), C (60), B (50), A (10).
    rows = get_list(client, zahl="kunden", bereich="gesamt").context["page"].object_list
    assert [(p.kunde_id, p.days) for p in rows] == [
        (k["d"].pk, 100),
        (k["c"].pk, 60),
        (k["b"].pk, 50),
        (k["a"].pk, 10),
    ]
    march = get_list(client, zahl="monat", monat="2026-03")
    assert pks(march) == sorted(apps[x].pk for x in ("a1", "a2", "d2"))
    assert pks(get_list(client, zahl="monat", monat="2026-02")) == [apps["d1"].pk]
    assert pks(get_list(client, zahl="vermittlung")) == sorted(
        apps[x].pk for x in ("a1", "a2", "d1", "d2")
    )
    week = get_list(client, zahl="woche", woche="2026-03-16")
    assert pks(week) == sorted(apps[x].pk for x in ("a2", "d2"))
    assert [e.pk for e in week.context["events"]] == [world["event"].pk]
    assert week.context["total"] == 2 + 3  # the group event counts three


def test_team_level_lists_name_no_caseworker(login, people, world):
    html = get_list(login(people["teamleitung"]), zahl="monat", monat="2026-03").content.decode()
    assert people["ifk"].get_full_name() not in html
    assert world["apps"]["a1"].kunde.kundennummer in html


def test_per_ifk_lists_only_with_the_explicit_right(login, people, world):
    apps = world["apps"]
    ifk = people["ifk"]
    client = login(people["teamleitung"])
    response = client.get(reverse("appointments:kpi_list"), {"zahl": "vermittlung", "ifk": ifk.pk})
    assert response.status_code == 404
    client = login(lead_with_right(people))
    mine = get_list(client, zahl="vermittlung", ifk=ifk.pk)
    assert pks(mine) == sorted(apps[x].pk for x in ("a1", "a2"))
    assert ifk.get_full_name() in mine.content.decode()
    week = get_list(client, zahl="woche", woche="2026-03-16", ifk=ifk.pk)
    assert pks(week) == [apps["a2"].pk] and week.context["total"] == 1 + 3
    # ifk3 is not in the lead's teams, not even with the right.
    response = client.get(
        reverse("appointments:kpi_list"), {"zahl": "vermittlung", "ifk": people["ifk3"].pk}
    )
    assert response.status_code == 404


def test_an_ifk_lists_their_own_only(login, people, world):
    k, apps = world["kunden"], world["apps"]
    client = login(people["ifk"])
    assert kunden(get_list(client, zahl="kunden", bereich="gesamt")) == sorted(
        x.pk for x in (k["a"], k["b"], k["c"])
    )
    assert pks(get_list(client, zahl="monat", monat="2026-03")) == sorted(
        apps[x].pk for x in ("a1", "a2")
    )
    response = client.get(
        reverse("appointments:kpi_list"), {"zahl": "vermittlung", "ifk": people["ifk2"].pk}
    )
    assert response.status_code == 404


def test_other_roles_and_jobcenters_see_nothing(login, people, world):
    for who in ("ez", "empfang", "leistung"):
        response = login(people[who]).get(reverse("appointments:kpi_list"), {"zahl": "vermittlung"})
        assert response.status_code == 403, who
    outsider = UserFactory(role=Role.TEAMLEITUNG)
    response = login(outsider).get(
        reverse("appointments:kpi_list"), {"zahl": "kunden", "bereich": "gesamt"}
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_list_queries_are_bounded(login, people, world, django_assert_max_num_queries):
    client = login(lead_with_right(people))
    client.get(reverse("appointments:kpi_list"), {"zahl": "kunden", "bereich": "gesamt"})
    for params in (
        {"zahl": "kunden", "bereich": "gesamt"},
        {"zahl": "vermittlung"},
        {"zahl": "woche", "woche": "2026-03-16"},
    ):
        with django_assert_max_num_queries(16):
            get_list(client, **params)


def test_unknown_figures_are_404(login, people, world):
    client = login(people["teamleitung"])
    for params in (
        {"zahl": "x"},
        {"zahl": "monat", "monat": "nope"},
        {"zahl": "kunden", "bereich": "x"},
    ):
        assert client.get(reverse("appointments:kpi_list"), params).status_code == 404
