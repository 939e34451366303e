"""The IFK's "Heute" (issue 12): arrivals and today's appointments first, then what falls
due, counters on top, and one row per customer carrying all of its reasons."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, Kind
from routing.services import aufgabe_create
from tests.factories import person, register

pytestmark = pytest.mark.django_db

URL = reverse("routing:worklist")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def customer(staff, teams, last):
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Kim", last, born=date(1985, 3, 27), is_head=True)],
    ).applicant


def appointment(staff, kunde, starts_at, arrived=False):
    return Appointment.objects.create(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        caseworker=staff["ifk"],
        kind=Kind.FOLGEGESPRAECH,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        invitation_occasion="folge",
        booked_by=staff["ifk"],
        arrived_at=timezone.now() if arrived else None,
    )


@pytest.fixture
def day(staff, teams):
    """Becker has checked in for an appointment and has a task due tonight; Adam has an
    appointment this morning; Zander a task due in eight days."""
    today = timezone.localdate()
    becker, adam, zander = (customer(staff, teams, n) for n in ("Becker", "Adam", "Zander"))
    appointment(staff, becker, local(today, 1, 0), arrived=True)
    aufgabe_create(
        created_by=staff["ez"],
        assignee=staff["ifk"],
        kunde=becker,
        title="Unterlagen prüfen",
        due_at=local(today, 23, 30),
    )
    appointment(staff, adam, local(today, 0, 15))
    aufgabe_create(
        created_by=staff["ez"],
        assignee=staff["ifk"],
        kunde=zander,
        title="Weiterbildung besprechen",
        due_at=local(today + timedelta(days=8), 10),
    )
    return {"becker": becker, "adam": adam, "zander": zander}


def test_heute_puts_the_arrival_first_and_merges_the_customer(login, staff, day):
    response = login(staff["ifk"]).get(URL)
    rows = response.context["rows"]
    # Becker checked in (first, although Adam's appointment was earlier), then Adam's
    # appointment of today, then what falls due later.
    assert [r.kunde_name for r in rows] == ["Becker, Kim", "Adam, Kim", "Zander, Kim"]
    assert rows[0].arrived
    assert [a.title for a in rows[0].also] == ["Unterlagen prüfen"]
    page = response.content.decode()
    assert page.count("Becker, Kim</a>") == 1
    assert "Unterlagen prüfen" in page


def test_heute_counters_on_top(login, staff, day):
    page = login(staff["ifk"]).get(URL).content.decode()
    # Two appointments today, one of them arrived; due this week: Becker's task tonight
    # (Zander's in eight days is next week at the earliest).
    assert "2 Termine heute · 1 eingetroffen · 1 fällig diese Woche" in page
    assert page.index('id="today-counts"') < page.index('id="worklist-caption"')


def test_heute_refresh_keeps_counters_and_merge(login, staff, day):
    partial = login(staff["ifk"]).get(URL, headers={"HX-Request": "true", "X-Poll": "1"})
    assert "2 Termine heute · 1 eingetroffen" in partial.content.decode()
    assert len(partial.context["rows"]) == 3


def test_leistung_keeps_its_case_list_unmerged(login, staff):
    response = login(staff["leistung"]).get(URL)
    assert response.context["today_counts"] is None
    assert "Arbeitsliste</h1>" in response.content.decode()
