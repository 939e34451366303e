"""Every count of the queue report opens the list behind it, and the list is as long as the
count (issue 14). Expected rows hand-listed from the scenario of test_stats."""

import re
from html import unescape

import pytest
from django.urls import reverse

from jobcenter.models import Role, Standort
from tests.factories import UserFactory

from .test_stats import MONDAY, THURSDAY, scenario  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

LINK = re.compile(
    r'<a class="kern-link" href="(/warteschlange/auswertung/liste/\?[^"]+)"[^>]*>(\d+)</a>'
)


def params(site, **extra):
    return {"standort": site.pk, "start": MONDAY.isoformat(), "end": THURSDAY.isoformat(), **extra}


def listed(client, site, **filters):
    response = client.get(reverse("frontdesk:report_list"), params(site, **filters))
    assert response.status_code == 200
    return response


def numbers(response) -> list[str]:
    """The visits of the list's rows (a contact: its visit), in order."""
    page = response.context["page"]
    return [getattr(item, "visit_id", None) or item.pk for item in page.object_list]


@pytest.fixture
def lead(login, staff):
    return login(staff["teamleitung"])


def test_every_count_on_the_report_links_to_a_list_of_that_length(lead, site, scenario):  # noqa: F811
    page = lead.get(reverse("frontdesk:report"), params(site)).content.decode()
    links = LINK.findall(page)
    # Top figures 4, per day 3 cols x 2 days + total 3, per concern 3 x 3 (less zeros),
    # per queue 2 x 2, half-days 3: plenty; each must hold.
    assert len(links) >= 20
    for href, count in links:
        response = lead.get(unescape(href))
        assert response.status_code == 200, href
        assert response.context["count"] == int(count), href
        assert len(response.context["page"].object_list) == int(count), href


def test_the_lists_hold_the_hand_counted_visits_and_contacts(lead, site, scenario):  # noqa: F811
    v1, v2, v3, v4, v5 = scenario
    by_number = lambda *vs: sorted(v.pk for v in vs)  # noqa: E731
    assert sorted(numbers(listed(lead, site, zahl="besuche"))) == by_number(v1, v2, v3, v4, v5)
    # Served: V1, V2 at Leistung, V4 at the reception, V5 (V2's first contact went on).
    assert sorted(numbers(listed(lead, site, zahl="bedient"))) == by_number(v1, v2, v4, v5)
    assert numbers(listed(lead, site, zahl="empfang")) == [v4.pk]
    assert numbers(listed(lead, site, zahl="nicht_erschienen")) == [v3.pk]
    # Contacts called at a desk: V1, V2 twice, V3, V5.
    assert sorted(numbers(listed(lead, site, zahl="kontakte"))) == by_number(v1, v2, v2, v3, v5)
    monday = listed(lead, site, zahl="besuche", tag=MONDAY.isoformat())
    assert sorted(numbers(monday)) == by_number(v1, v2, v3, v4)
    thursday = listed(lead, site, zahl="besuche", tag=THURSDAY.isoformat())
    assert numbers(thursday) == [v5.pk]


def test_lists_per_concern_queue_and_half_day(lead, site, scenario, catalogue, teams):  # noqa: F811
    v1, v2, v3, v4, v5 = scenario
    by_number = lambda *vs: sorted(v.pk for v in vs)  # noqa: E731
    unterlagen = v1.visit_concerns.get().concern_id
    sachstand = v4.visit_concerns.get().concern_id
    assert sorted(numbers(listed(lead, site, zahl="besuche", anliegen=unterlagen))) == by_number(
        v1, v3, v5
    )
    assert sorted(numbers(listed(lead, site, zahl="bedient", anliegen=unterlagen))) == by_number(
        v1, v5
    )
    # Sachstand: V4 at the reception and V5; one contact called at a desk (V5).
    assert sorted(numbers(listed(lead, site, zahl="bedient", anliegen=sachstand))) == by_number(
        v4, v5
    )
    assert numbers(listed(lead, site, zahl="kontakte", anliegen=sachstand)) == [v5.pk]
    ez = teams["ez"].pk
    assert sorted(numbers(listed(lead, site, zahl="kontakte", team=ez))) == by_number(
        v1, v2, v3, v5
    )
    assert sorted(numbers(listed(lead, site, zahl="bedient", team=ez))) == by_number(v1, v5)
    leistung = teams["leistung"].pk
    assert numbers(listed(lead, site, zahl="bedient", team=leistung)) == [v2.pk]
    morning = listed(lead, site, zahl="ankuenfte", wochentag=0, vormittag=1)
    assert sorted(numbers(morning)) == by_number(v1, v2, v4)
    afternoon = listed(lead, site, zahl="ankuenfte", wochentag=0, vormittag=0)
    assert numbers(afternoon) == [v3.pk]
    assert numbers(listed(lead, site, zahl="ankuenfte", wochentag=3, vormittag=1)) == [v5.pk]


def test_the_list_shows_numbers_not_names_and_leads_back(lead, site, scenario):  # noqa: F811
    response = listed(lead, site, zahl="besuche")
    html = response.content.decode()
    assert "Zurück zur Auswertung" in html
    assert f"/warteschlange/auswertung/?standort={site.pk}&amp;start={MONDAY}" in html
    assert "5 Besuche" in html
    for visit in scenario:
        if visit.kunde_id:
            assert visit.kunde.nachname not in html


def test_the_list_pages_and_its_queries_are_bounded(
    lead,
    site,
    scenario,  # noqa: F811
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(12):
        response = listed(lead, site, zahl="kontakte")
    assert response.context["count"] == 5
    with django_assert_max_num_queries(12):
        listed(lead, site, zahl="besuche")


def test_pages_of_fifty(lead, site, check_in, staff, desks, open_desk):
    from frontdesk.views import REPORT_LIST_PAGE_SIZE

    open_desk(staff["ez"], desks["s1"])
    for _ in range(REPORT_LIST_PAGE_SIZE + 2):
        check_in("unterlagen")
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    base = {"standort": site.pk, "start": today, "end": today, "zahl": "besuche"}
    first = lead.get(reverse("frontdesk:report_list"), base)
    assert first.context["count"] == 52
    assert len(first.context["page"].object_list) == 50
    second = lead.get(reverse("frontdesk:report_list"), base | {"seite": 2})
    assert len(second.context["page"].object_list) == 2


def test_nobody_else_sees_the_lists(login, staff, site, scenario):  # noqa: F811
    for who in ("ez", "empfang", "leistung", "ifk"):
        response = login(staff[who]).get(reverse("frontdesk:report_list"), params(site))
        assert response.status_code == 403, who
    # A team lead of another Jobcenter: our site is no choice, nothing listed.
    outsider = UserFactory(role=Role.TEAMLEITUNG)
    Standort.objects.create(jobcenter=outsider.jobcenter, name="Fremd")
    response = login(outsider).get(reverse("frontdesk:report_list"), params(site))
    assert response.status_code == 422
    assert "count" not in response.context
    assert "Kundenkontakt" not in response.content.decode()


def test_unknown_count_is_refused(lead, site):
    response = lead.get(reverse("frontdesk:report_list"), params(site, zahl="alles"))
    assert response.status_code == 422


def _grant_employee_figures(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_employee_figures"))
    return user


def test_per_employee_counts_open_their_contacts_only_with_the_right(
    login,
    staff,
    site,
    scenario,  # noqa: F811
):
    from jobcenter.models import AuditEvent

    v1, v2, v3, _v4, v5 = scenario
    by_number = lambda *vs: sorted(v.pk for v in vs)  # noqa: E731
    ez, room = staff["ez"], staff["leistung"]
    # Without the explicit right: no list per employee, even with the address typed in.
    plain = login(staff["teamleitung"])
    refused = plain.get(
        reverse("frontdesk:report_list"), params(site, zahl="kontakte", mitarbeiter=ez.pk)
    )
    assert refused.status_code == 403

    lead = login(_grant_employee_figures(staff["teamleitung"]))
    page = lead.get(reverse("frontdesk:report"), params(site, je_mitarbeiter="on")).content.decode()
    employee_links = [
        (unescape(href), int(count)) for href, count in LINK.findall(page) if "mitarbeiter=" in href
    ]
    # Kontakte and bedient for each of the two employees (hand-counted below).
    assert len(employee_links) == 4
    for href, count in employee_links:
        response = lead.get(href)
        assert response.status_code == 200, href
        assert response.context["count"] == count, href

    # The EZ colleague called V1, V2 (passed on), V3 (no-show) and V5; served V1 and V5.
    ez_contacts = listed(lead, site, zahl="kontakte", mitarbeiter=ez.pk)
    assert sorted(numbers(ez_contacts)) == by_number(v1, v2, v3, v5)
    assert sorted(numbers(listed(lead, site, zahl="bedient", mitarbeiter=ez.pk))) == by_number(
        v1, v5
    )
    # Leistung served V2's second contact.
    assert numbers(listed(lead, site, zahl="kontakte", mitarbeiter=room.pk)) == [v2.pk]
    assert AuditEvent.objects.filter(summary__contains="als Liste geöffnet").exists()
