"""Each role lands on its work, and a task leads to its work (issue 12), in Chromium with
axe-core on every state: the IFK logs in and lands on "Heute" with the customer who has
just checked in on top; the team lead follows "Erstgespräch buchen" to the booking, books,
and sees the task close.

Time is fixed (Monday 23 March 2026, 08:00 in Berlin), in the same process as the server.
"""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from appointments.models import Absence, Appointment, Kind, ReleasedWindow
from appointments.services.first_consultation import eg_escalate
from jobcenter.models import OpeningHours, Standort
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from routing.models import Aufgabe
from tests.factories import person, register

from .conftest import login, submit, visit

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=BERLIN)


@pytest.fixture
def office(monkeypatch, staff, teams):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    jobcenter = staff["ez"].jobcenter
    apply_preset(jobcenter=jobcenter, name="demo")
    site = Standort.objects.create(
        jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1, 42103 Wuppertal"
    )
    for weekday in range(5):
        OpeningHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(12))
    teams["ue25"].standort = site
    teams["ue25"].lead = staff["teamleitung"]
    teams["ue25"].save()
    for weekday in (0, 1, 3, 4):
        ReleasedWindow.objects.create(
            caseworker=staff["ifk"],
            kind=Kind.ERSTGESPRAECH,
            weekday=weekday,
            starts=time(9),
            ends=time(10),
            standort=site,
            valid_from=date(2026, 1, 1),
        )
    return staff


def customer(staff, teams, first, last):
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person(first, last, date(1985, 3, 27), is_head=True)],
    )


def test_the_ifk_lands_on_heute_with_the_arrival_on_top(page: Page, live_server, office, teams):
    arrived = customer(office, teams, "Ayla", "Brandt").applicant
    Appointment.objects.create(
        jobcenter=arrived.jobcenter,
        kunde=arrived,
        caseworker=office["ifk"],
        kind=Kind.FOLGEGESPRAECH,
        starts_at=MONDAY + timedelta(hours=2),
        ends_at=MONDAY + timedelta(hours=2, minutes=45),
        invitation_occasion="folge",
        booked_by=office["ifk"],
        arrived_at=MONDAY - timedelta(minutes=5),
    )
    login(page, live_server, "ifk")
    expect(page).to_have_url(re.compile(r"/arbeitsliste/$"))
    expect(page.get_by_role("heading", name="Heute", level=1)).to_be_visible()
    expect(page.locator("#today-counts")).to_contain_text("1 Termin heute · 1 eingetroffen")
    first_row = page.get_by_role("region", name=re.compile("Eintr")).get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Brandt, Ayla")
    expect(first_row).to_contain_text("ist da seit 07:55")


def test_the_team_lead_follows_the_booking_task_and_sees_it_close(
    page: Page, live_server, office, teams
):
    antrag = customer(office, teams, "Tom", "Leer")
    # The IFK is away for three weeks: no slot within 10 working days, a ticket to the team.
    Absence.objects.create(
        caseworker=office["ifk"],
        starts_at=datetime(2026, 3, 23, tzinfo=BERLIN),
        ends_at=datetime(2026, 4, 11, tzinfo=BERLIN),
        reason="Urlaub",
        created_by=office["ifk"],
    )
    task = eg_escalate(actor=office["ez"], antrag_id=antrag.pk).aufgabe
    login(page, live_server, "teamleitung")
    expect(page).to_have_url(re.compile(r"/fristen/$"))
    visit(page, live_server.url + reverse("routing:item", args=[task.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erstgespräch buchen")
    submit(page, page.get_by_role("link", name="Zur Bearbeitung"))
    expect(page.get_by_role("heading", name="Tom Leer", level=1)).to_be_visible()
    page.get_by_role("radio").first.check()
    reason = page.get_by_label("Begründung, falls der Termin nach der Frist liegt")
    if reason.count():
        reason.fill("IFK im Urlaub")
    submit(page, page.get_by_role("button", name="Erstgespräch buchen"))
    task.refresh_from_db()
    assert task.status == Aufgabe.Status.DONE
    visit(page, live_server.url + reverse("routing:item", args=[task.pk]))
    # The task's state line says who closed it and how; the history below repeats it.
    expect(
        page.locator("p").filter(
            has_text=re.compile("erledigt durch die Buchung des Erstgesprächs am")
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Zur Bearbeitung")).to_have_count(0)
