"""Long lists in pages (issue 13): Leistung's worklist, the case list and a mailbox show 50
rows a page in their order, keep their filters in the pager's links, and cost the same
number of queries with 3 or 55 rows."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minimumstandards.models import Deadline
from minimumstandards.presets import apply_preset
from routing.services import aufgabe_create
from tests.factories import person, register

pytestmark = pytest.mark.django_db

WORKLIST = reverse("routing:worklist")
CASES = reverse("intake:case_list")
NOW = timezone.make_aware(datetime(2027, 1, 4, 9, 0))


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def case(staff, teams, n: int):
    """Case number n: all its open deadlines fall due n days after NOW (no warning yet)."""
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Kim", f"Fall{n:02d}", born=date(1985, 3, 27), is_head=True)],
    )
    due = NOW + timedelta(days=n, hours=3)
    antrag.deadlines.filter(status=Deadline.Status.OPEN).update(
        due_at=due, warn_at=due - timedelta(hours=1)
    )
    return antrag


@pytest.fixture
def many(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    return [case(staff, teams, n) for n in range(1, 56)]


def names(rows):
    return [r.kunde.last_name for r in rows]


def test_worklist_shows_the_cases_in_pages_of_50_in_due_order(login, staff, many):
    client = login(staff["leistung"])
    first = client.get(WORKLIST, {"art": "fall", "sortierung": "faellig"})
    assert names(first.context["rows"]) == [f"Fall{n:02d}" for n in range(1, 51)]
    html = first.content.decode()
    assert "55 Einträge" in html
    assert "Seite 1 von 2" in html
    # The pager keeps the filter and the order.
    assert "?art=fall&amp;sortierung=faellig&amp;seite=2" in html
    second = client.get(WORKLIST, {"art": "fall", "sortierung": "faellig", "seite": "2"})
    assert names(second.context["rows"]) == [f"Fall{n:02d}" for n in range(51, 56)]
    # Descending: the last due first.
    down = client.get(WORKLIST, {"art": "fall", "sortierung": "faellig", "richtung": "ab"})
    assert names(down.context["rows"])[:3] == ["Fall55", "Fall54", "Fall53"]


def test_worklist_by_urgency_puts_overdue_and_warned_cases_first(login, staff, many):
    overdue, warned = many[40], many[20]  # Fall41, Fall21
    overdue.deadlines.filter(status="open").update(due_at=NOW - timedelta(hours=2))
    warned.deadlines.filter(status="open").update(warn_at=NOW - timedelta(hours=1))
    rows = login(staff["leistung"]).get(WORKLIST, {"art": "fall"}).context["rows"]
    assert names(rows)[:4] == ["Fall41", "Fall21", "Fall01", "Fall02"]
    assert [r.level for r in rows[:3]] == ["danger", "warning", ""]


def test_worklist_by_name_and_state_filter(login, staff, many):
    client = login(staff["leistung"])
    rows = client.get(WORKLIST, {"art": "fall", "sortierung": "kunde"}).context["rows"]
    assert names(rows)[:2] == ["Fall01", "Fall02"]
    rows = client.get(WORKLIST, {"q": "fall07"}).context["rows"]
    assert names(rows) == ["Fall07"]


def test_worklist_queries_do_not_grow_with_cases(
    login, staff, teams, jobcenter, django_assert_max_num_queries
):
    apply_preset(jobcenter=jobcenter, name="demo")
    for n in range(1, 4):
        case(staff, teams, n)
    client = login(staff["leistung"])
    client.get(WORKLIST)
    with django_assert_max_num_queries(40) as few:
        client.get(WORKLIST)
    for n in range(4, 56):
        case(staff, teams, n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(WORKLIST, {"art": "fall"})
    assert len(response.context["rows"]) == 50


def test_case_list_pages_keep_state_and_search(login, staff, many):
    client = login(staff["leistung"])
    response = client.get(CASES, {"state": "open", "q": "Fall"})
    page = response.context["page"]
    assert [a.applicant.last_name for a in page][:2] == ["Fall01", "Fall02"]
    assert len(page) == 50
    html = response.content.decode()
    assert "?state=open&amp;q=Fall&amp;page=2" in html
    second = client.get(CASES, {"state": "open", "q": "Fall", "page": "2"}).context["page"]
    assert [a.applicant.last_name for a in second] == [f"Fall{n:02d}" for n in range(51, 56)]


def test_mailbox_in_pages_of_50(login, staff, teams, django_assert_max_num_queries):
    postfach = teams["leistung"].postfach
    for n in range(3):
        aufgabe_create(created_by=staff["empfang"], postfach=postfach, title=f"Eintrag {n}")
    client = login(staff["leistung"])
    url = reverse("routing:mailbox", args=[postfach.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(3, 55):
        aufgabe_create(created_by=staff["empfang"], postfach=postfach, title=f"Eintrag {n}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"sortierung": "neu"})
    assert len(response.context["items"]) == 50
    html = response.content.decode()
    assert "55 Einträge" in html
    assert "?ansicht=offen&amp;sortierung=neu&amp;seite=2" in html
    second = client.get(url, {"sortierung": "neu", "seite": "2"}).context["items"]
    assert [a.title for a in second] == [f"Eintrag {n}" for n in range(4, -1, -1)]


def test_worklist_search_orders_its_matches_by_urgency(
    login, staff, many, django_assert_max_num_queries
):
    """The text filter's cases come from one query in the list's own order."""
    many[40].deadlines.filter(status="open").update(due_at=NOW - timedelta(hours=2))  # Fall41
    client = login(staff["leistung"])
    client.get(WORKLIST, {"art": "fall", "q": "Fall4"})
    with django_assert_max_num_queries(40):
        response = client.get(WORKLIST, {"art": "fall", "q": "Fall4"})
    # Fall40..Fall49 match; the overdue one first, then by due day.
    expected = ["Fall41", "Fall40", *[f"Fall{n}" for n in range(42, 50)]]
    assert names(response.context["rows"]) == expected
    assert "10 Einträge" in response.content.decode()
    by_name = client.get(WORKLIST, {"art": "fall", "q": "Fall4", "sortierung": "kunde"})
    assert names(by_name.context["rows"])[:3] == ["Fall40", "Fall41", "Fall42"]


def test_worklist_finds_a_case_warned_by_a_later_deadline_with_a_long_lead(login, staff, many):
    """Fall30's clocks fall due in 30 days; one of them, due in 40 days, warns already:
    the case is warned (second group, before every case not warned)."""
    fall30 = many[29]
    clock = fall30.deadlines.filter(status="open").first()
    clock.due_at = NOW + timedelta(days=40)
    clock.warn_at = NOW - timedelta(hours=1)
    clock.save(update_fields=["due_at", "warn_at"])
    rows = login(staff["leistung"]).get(WORKLIST, {"art": "fall"}).context["rows"]
    assert names(rows)[:3] == ["Fall30", "Fall01", "Fall02"]
    assert [r.level for r in rows[:2]] == ["warning", ""]


def test_mailbox_done_view_newest_first_in_pages(
    login, staff, teams, django_assert_max_num_queries
):
    from routing.models import Aufgabe

    postfach = teams["leistung"].postfach
    for n in range(55):
        aufgabe_create(created_by=staff["empfang"], postfach=postfach, title=f"Erledigt {n}")
    for n, aufgabe in enumerate(Aufgabe.objects.filter(postfach=postfach).order_by("pk")):
        Aufgabe.objects.filter(pk=aufgabe.pk).update(
            status=Aufgabe.Status.DONE, done_at=NOW - timedelta(hours=100 - n)
        )
    client = login(staff["leistung"])
    url = reverse("routing:mailbox", args=[postfach.pk])
    client.get(url, {"ansicht": "erledigt"})
    with django_assert_max_num_queries(40):
        response = client.get(url, {"ansicht": "erledigt"})
    items = response.context["items"]
    assert len(items) == 50
    assert [a.title for a in items[:2]] == ["Erledigt 54", "Erledigt 53"]
    second = client.get(url, {"ansicht": "erledigt", "seite": "2"}).context["items"]
    assert [a.title for a in second] == [f"Erledigt {n}" for n in range(4, -1, -1)]
