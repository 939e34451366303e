"""The IFK's "Heute" read one page of customers at a time (issue 13): a customer's rows
never split across pages, page 2 continues page 1's order, the counters and the number of
queries stay those of one page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import deadline_open
from routing.services import aufgabe_create
from routing.worklist import build_worklist, merge_by_customer
from tests.factories import person, register

pytestmark = pytest.mark.django_db

URL = reverse("routing:worklist")
CUSTOMERS = 56  # more than one page of 50


def add_customers(staff, teams, start, count, now):
    """Customer i has an overdue task (due `200 - i` hours ago) and a second task due in
    three days: the overdue one leads, the second goes with it."""
    for i in range(start, start + count):
        kunde = register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            ifk=staff["ifk"],
            persons=[person("Kim", f"Kunde{i:03d}", born=date(1985, 3, 27), is_head=True)],
        ).applicant
        aufgabe_create(
            created_by=staff["ez"],
            assignee=staff["ifk"],
            kunde=kunde,
            title=f"Erste {i:03d}",
            due_at=now - timedelta(hours=200 - i),
        )
        aufgabe_create(
            created_by=staff["ez"],
            assignee=staff["ifk"],
            kunde=kunde,
            title=f"Zweite {i:03d}",
            due_at=now + timedelta(days=3, hours=i),
        )


@pytest.fixture
def crowd(staff, teams, jobcenter):
    now = timezone.now()
    add_customers(staff, teams, 0, CUSTOMERS, now)
    # The rules (after the customers: their cases open no deadlines of their own here).
    apply_preset(jobcenter=jobcenter, name="demo")
    # A contact the IFK owns without a customer: a row of its own.
    deadline_open(
        jobcenter=staff["ez"].jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=now - timedelta(days=170),
        team=teams["ue25"],
        owner_user=staff["ifk"],
    )
    return now


def _group(row):
    return f"k{row.kunde.pk}" if row.kunde is not None else row.key


def _pages(client, params):
    first = client.get(URL, params).context
    second = client.get(URL, {**params, "seite": 2}).context
    return first, second


def test_page_two_continues_page_one_and_a_customer_stays_on_one_page(login, staff, crowd):
    first, second = _pages(login(staff["ifk"]), {"sortierung": "faellig"})
    rows = [*first["rows"], *second["rows"]]
    assert len(first["rows"]) == 50
    assert first["page"].paginator.count == CUSTOMERS + 1
    named = [r.kunde_name for r in rows if r.kunde is not None]
    # By the most pressing row of each customer: the overdue tasks, oldest first.
    assert named == [f"Kunde{i:03d}, Kim" for i in range(CUSTOMERS)]
    # Every customer once, on one page, with both tasks.
    for row in rows:
        if row.kunde is not None:
            number = row.kunde_name[5:8]
            assert row.title == f"Erste {number}"
            assert [a.title for a in row.also] == [f"Zweite {number}"]
    assert sum(1 for r in rows if r.kunde is None) == 1


@pytest.mark.parametrize(
    "sort, descending",
    [
        ("heute", False),
        ("faellig", False),
        ("faellig", True),
        ("dringlichkeit", False),
        ("dringlichkeit", True),
        ("eingang", True),
        ("art", False),
        ("kunde", False),
        ("kunde", True),
    ],
)
def test_pages_are_those_of_the_whole_merged_list(login, staff, crowd, sort, descending):
    params = {"sortierung": sort, "richtung": "ab" if descending else ""}
    first, second = _pages(login(staff["ifk"]), params)
    # The whole list, read and merged in Python as before.
    whole = merge_by_customer(build_worklist(staff["ifk"], sort=sort, descending=descending))
    shown = [*first["rows"], *second["rows"]]
    assert [_group(r) for r in shown] == [_group(r) for r in whole[:100]]
    assert [sorted(a.key for a in [r, *r.also]) for r in shown] == [
        sorted(a.key for a in [r, *r.also]) for r in whole[:100]
    ]
    if sort != "kunde":  # a customer's rows tie by name: any of them may lead
        assert [r.key for r in shown] == [r.key for r in whole[:100]]


def test_counters_count_every_row(login, staff, teams, crowd):
    page = login(staff["ifk"]).get(URL).content.decode()
    today = timezone.localdate()
    sunday = today + timedelta(days=6 - today.weekday())
    # Due this week: the overdue tasks are not (they fell due before today), the second
    # tasks are when three days from now (plus i hours) is still this week.
    expected = sum(
        1
        for i in range(CUSTOMERS)
        if today <= timezone.localdate(crowd + timedelta(days=3, hours=i)) <= sunday
    )
    contacts = [
        d
        for d in Deadline.objects.filter(
            owner_user=staff["ifk"], kind=RuleKind.CONTACT_DENSITY, kunde=None
        )
        if today <= timezone.localdate(d.due_at) <= sunday
    ]
    assert f"{expected + len(contacts)} fällig diese Woche" in page


def test_past_the_last_page_shows_the_last(login, staff, crowd):
    context = login(staff["ifk"]).get(URL, {"seite": 9}).context
    assert context["page"].number == 2
    assert len(context["rows"]) == CUSTOMERS + 1 - 50


def test_queries_stay_those_of_one_page(login, staff, teams, crowd, django_assert_max_num_queries):
    client = login(staff["ifk"])
    pages = [{}, {"seite": 2, "sortierung": "kunde"}, {"sortierung": "dringlichkeit"}]
    client.get(URL)
    counts = []
    for params in pages:
        with django_assert_max_num_queries(40) as few:
            client.get(URL, params)
        counts.append(len(few))
    add_customers(staff, teams, CUSTOMERS, 40, crowd)
    # 96 customers and a contact: the second page holds 47.
    for params, n, shown in zip(pages, counts, [50, 47, 50], strict=True):
        with django_assert_max_num_queries(n):
            assert len(client.get(URL, params).context["rows"]) == shown


def test_mailbox_items_ordered_by_their_own_rules(login, staff):
    """The mailbox items, ordered in SQL, follow the item's rules: urgent and not taken is
    pressing, urgent but taken or a missed follow-up is a warning, the rest by moment."""
    now = timezone.now()
    ifk = staff["ifk"]

    def item(title, **kwargs):
        return aufgabe_create(created_by=staff["ez"], assignee=ifk, title=title, **kwargs)

    urgent = item("Dringend", urgent=True)
    taken = item("Dringend übernommen", urgent=True)
    taken.claimed_by = ifk
    taken.save(update_fields=["claimed_by"])
    missed = item("Wiedervorlage")
    missed.follow_up_on = timezone.localdate(now) - timedelta(days=1)
    missed.save(update_fields=["follow_up_on"])
    later = item("Später", due_at=now + timedelta(days=5))
    plain = item("Ohne Frist")
    ours = {f"aufgabe-{a.pk}": a.title for a in (urgent, taken, missed, later, plain)}
    client = login(ifk)

    def titles(sort, descending=False):
        params = {"sortierung": sort, "richtung": "ab" if descending else ""}
        rows = client.get(URL, params).context["rows"]
        return [ours[r.key] for r in rows if r.key in ours]

    assert titles("dringlichkeit") == [
        "Dringend",
        "Dringend übernommen",
        "Wiedervorlage",
        "Ohne Frist",
        "Später",
    ]
    # What falls due first, then the rest by arrival.
    assert titles("heute") == [
        "Später",
        "Dringend",
        "Dringend übernommen",
        "Wiedervorlage",
        "Ohne Frist",
    ]
    assert titles("eingang", descending=True) == [
        "Ohne Frist",
        "Später",
        "Wiedervorlage",
        "Dringend übernommen",
        "Dringend",
    ]
    for sort in ("dringlichkeit", "faellig", "art", "kunde"):
        whole = [r.key for r in build_worklist(ifk, sort=sort) if r.key in ours]
        assert [k for k in ours if k in whole] and titles(sort) == [ours[k] for k in whole]
