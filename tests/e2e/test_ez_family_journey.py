"""The Eingangszone's morning in Chromium: a family of three, each member's relation to the
Vorstand, the checklist proposed per person (the child of 16 needs WEP, not KI), and the
first consultation booked for a customer without an IFK, who gets one with the booking.
Every page state is checked with axe (visit()/submit())."""

import re
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from appointments.models import Appointment, Kind, ReleasedWindow
from intake.models import Antrag, Kunde
from jobcenter.models import OpeningHours, Standort
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import PASSWORD

from .conftest import login, submit, visit

pytestmark = pytest.mark.e2e

# Monday 23 March 2026, 08:00: the child born on 1 March 2010 is 16.
MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=BERLIN)


@pytest.fixture
def office(monkeypatch, staff, teams):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    jobcenter = staff["ez"].jobcenter
    apply_preset(jobcenter=jobcenter, name="demo")
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1")
    for weekday in (0, 1, 3, 4):
        OpeningHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(12))
    teams["ue25"].standort = site
    teams["ue25"].save()
    # The Ü25 team has no IFK this morning: Ines Fink has moved to another team, Igor Feld
    # joins later in the day (see the test).
    staff["ifk"].teams.clear()
    staff["ifk2"].teams.clear()
    for key, (first, last) in {"ifk": ("Ines", "Fink"), "ifk2": ("Igor", "Feld")}.items():
        user = staff[key]
        user.first_name, user.last_name = first, last
        user.save()
    for user in (staff["ifk2"],):
        for weekday in (0, 1, 3, 4):  # rule R-TE-01: Mo, Di, Do, Fr 09:00–10:00
            ReleasedWindow.objects.create(
                caseworker=user,
                kind=Kind.ERSTGESPRAECH,
                weekday=weekday,
                starts=time(9),
                ends=time(10),
                standort=site,
                valid_from=date(2026, 1, 1),
            )
    return staff


def person(page: Page, n: int):
    return page.get_by_role("group", name=f"Person {n}", exact=True)


def fill_person(page: Page, n: int, first: str, last: str, born: str, relation: str = ""):
    group = person(page, n)
    group.get_by_label("Vorname").fill(first)
    group.get_by_label("Nachname").fill(last)
    group.get_by_label("Geburtsdatum").fill(born)
    if relation:
        group.get_by_label("Beziehung zum Vorstand").select_option(label=relation)


def test_ez_registers_a_family_of_three_and_books_the_eg_for_a_customer_without_ifk(
    transactional_db, live_server, page: Page, office, teams
):
    login(page, live_server, "ez", PASSWORD)
    visit(page, "/antrag/neu/")
    fill_person(page, 1, "Katarzyna", "Nowak", "1985-04-02")
    person(page, 1).get_by_label("Vorstand der Bedarfsgemeinschaft").check()
    submit(page, page.get_by_role("button", name="Weitere Person hinzufügen"))
    fill_person(page, 2, "Piotr", "Nowak", "1983-10-17", "Partner/in")
    submit(page, page.get_by_role("button", name="Weitere Person hinzufügen"))
    fill_person(page, 3, "Zofia", "Nowak", "2010-03-01", "Kind")

    # The checklist proposed per person: the child of 16 files a WEP, no one a KI.
    submit(page, page.get_by_role("button", name="Unterlagen nach Personen vorschlagen"))
    expect(person(page, 3)).to_contain_text("Braucht: Anlage WEP")
    expect(person(page, 3)).not_to_contain_text("Anlage KI")
    expect(page.get_by_label("Hauptantrag", exact=True)).to_be_checked()
    expect(page.get_by_label("Anlage WEP – weitere Person ab 15 Jahren")).to_be_checked()
    expect(page.get_by_label("Anlage KI – Kind unter 15 Jahren")).not_to_be_checked()
    # What was typed survived the round trip, relations included.
    expect(person(page, 2).get_by_label("Beziehung zum Vorstand")).to_have_value("partner")
    expect(person(page, 3).get_by_label("Beziehung zum Vorstand")).to_have_value("kind")

    page.get_by_label("Grund der Antragstellung").fill("Arbeitslosigkeit nach Kündigung")
    page.get_by_label("zuständiges Leistungsteam").select_option(label="Team leistung")
    # No IFK chosen: the Hauptbetreuung is left to the booking.
    expect(page.get_by_label("Hauptbetreuung (IFK)")).to_have_value("")
    submit(page, page.get_by_role("button", name="Antrag aufnehmen"))

    antrag = Antrag.objects.get(applicant__first_name="Katarzyna")
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    members = page.get_by_role("region", name=re.compile(r"^Bedarfsgemeinschaft"))
    expect(members.get_by_role("row").filter(has_text="Nowak, Katarzyna")).to_contain_text(
        "(Vorstand)"
    )
    expect(members.get_by_role("row").filter(has_text="Nowak, Piotr")).to_contain_text(
        "(Partner/in)"
    )
    expect(members.get_by_role("row").filter(has_text="Nowak, Zofia")).to_contain_text("(Kind)")
    relations = dict(
        Kunde.objects.filter(last_name="Nowak").values_list("first_name", "relation_to_head")
    )
    assert relations == {"Katarzyna": "", "Piotr": "partner", "Zofia": "kind"}
    checklist = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Unterlage")
    )
    expect(checklist).to_contain_text("Anlage WEP – weitere Person ab 15 Jahren")
    expect(checklist).not_to_contain_text("Anlage KI")
    # Nobody in the Ü25 team at intake: the applicant has no IFK yet.
    assert Kunde.objects.get(first_name="Katarzyna").ifk is None

    # Igor Feld joins the Ü25 team. The EG for the applicant, who has no IFK: the booking
    # finds the IFK of her team and age group and assigns him, instead of "no free slot".
    office["ifk2"].teams.add(teams["ue25"])
    panel = page.get_by_role("region", name="Erstgespräch und Termine")
    submit(page, panel.get_by_role("link", name="Erstgespräch buchen"))
    expect(page.get_by_text("kein freier Termin", exact=False)).to_have_count(0)
    first_slot = page.get_by_role("radio", name=re.compile(r"^Montag, 23\.03\.2026, 09:00"))
    expect(first_slot).to_be_checked()
    submit(page, page.get_by_role("button", name="Erstgespräch buchen"))
    appointment = Appointment.objects.get(kunde=antrag.applicant)
    expect(page).to_have_url(f"{live_server.url}/termine/{appointment.pk}/")
    expect(page.locator("#messages")).to_contain_text(
        "Erstgespräch gebucht: 23.03.2026 09:00 bei Igor Feld"
    )
    assert Kunde.objects.get(first_name="Katarzyna").ifk == office["ifk2"]

    # The case shows the IFK the booking assigned; so does the customer's record.
    submit(page, page.get_by_role("link", name="zum Fall"))
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    panel = page.get_by_role("region", name="Erstgespräch und Termine")
    expect(panel).to_contain_text("Erstgespräch gebucht: Mo 23.03.2026 09:00 bei Igor Feld")
    expect(page.locator("#case-ifk")).to_have_text("Igor Feld")
    submit(page, members.get_by_role("link", name="Nowak, Katarzyna"))
    expect(page.get_by_text("Hauptbetreuung", exact=True).locator("xpath=..")).to_contain_text(
        "Igor Feld"
    )
