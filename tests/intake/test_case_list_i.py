"""Leistung's open cases (issue 12): a search box and the next due date per case, sorted by
it, in a fixed number of queries however many cases there are."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from minimumstandards.models import Deadline
from minimumstandards.presets import apply_preset
from tests.factories import person, register

pytestmark = pytest.mark.django_db

URL = reverse("intake:case_list")


def due(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def case(staff, teams, last, *due_days):
    """A case whose open deadlines fall due on `due_days` (the first deadline on the first
    day, the others on the last); no days: none of its deadlines is open."""
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Kim", last, born=date(1985, 3, 27), is_head=True)],
    )
    open_ones = antrag.deadlines.filter(status=Deadline.Status.OPEN).order_by("id")
    if not due_days:
        open_ones.update(status=Deadline.Status.CANCELLED)
        return antrag
    first, *others = open_ones
    Deadline.objects.filter(pk=first.pk).update(due_at=due(due_days[0]))
    Deadline.objects.filter(pk__in=[d.pk for d in others]).update(due_at=due(due_days[-1]))
    return antrag


@pytest.fixture
def cases(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    return {
        "spaet": case(staff, teams, "Spät", date(2027, 2, 1)),
        "ohne": case(staff, teams, "Ohnefrist"),
        "bald": case(staff, teams, "Bald", date(2027, 1, 20), date(2027, 1, 5)),
    }


def test_open_cases_show_the_next_due_date_and_are_sorted_by_it(login, staff, cases):
    assert cases["bald"].deadlines.filter(status="open").exists()
    response = login(staff["leistung"]).get(URL)
    names = [a.applicant.last_name for a in response.context["page"]]
    # Nearest first; a case without an open deadline last.
    assert names == ["Bald", "Spät", "Ohnefrist"]
    page = response.content.decode()
    assert "nächste Frist" in page
    # Bald: one deadline on 20.01.2027, the others on 05.01.2027 (the nearest).
    assert cases["bald"].deadlines.filter(status="open").count() > 1
    assert '<td class="kern-table__cell" data-next-due>05.01.2027</td>' in page
    assert '<td class="kern-table__cell" data-next-due>01.02.2027</td>' in page
    assert '<td class="kern-table__cell" data-next-due>–</td>' in page


def test_search_box_finds_by_name_and_customer_number(login, staff, cases):
    client = login(staff["leistung"])
    page = client.get(URL).content.decode()
    assert 'type="search" id="q" name="q"' in page
    found = client.get(URL, {"q": "spä"}).context["page"]
    assert [a.applicant.last_name for a in found] == ["Spät"]
    number = cases["bald"].applicant.kundennummer
    spaced = f"{number[:4]} {number[4:]}"
    found = client.get(URL, {"q": spaced}).context["page"]
    assert [a.applicant.last_name for a in found] == ["Bald"]
    partial = client.get(URL, {"q": "Ohne"}, headers={"HX-Request": "true"})
    assert "Ohnefrist" in partial.content.decode() and "Spät" not in partial.content.decode()


def test_case_list_queries_do_not_grow_with_cases(
    login, staff, teams, cases, django_assert_max_num_queries
):
    client = login(staff["leistung"])
    client.get(URL)
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    for i in range(6):
        case(staff, teams, f"Weitere{i}", date(2027, 3, 1 + i))
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert len(response.context["page"]) == 9
