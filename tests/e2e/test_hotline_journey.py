"""The hotline's morning (issue 12, journeys.md "Hotline"), in real Chromium with axe on every
state: a caller not on file asks for a call back; a wish outside the phone hours is refused
at its field; the Rückrufbitte is taken by name and number and confirmed in that word; the
Eingangszone's mailbox shows it with its 24-hour clock (rules R-RU-01, R-OE-02); the team
completes the caller's identity on the ticket; the team lead sees it too.
"""

import re
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from jobcenter.hours import BERLIN
from jobcenter.models import PhoneHours, Standort
from minimumstandards.presets import apply_preset
from routing.models import HotlineTicket
from tests.factories import PASSWORD, person, register
from tests.routing.conftest import ensure_catalogue

from .conftest import axe_check, login, submit

pytestmark = [pytest.mark.e2e, pytest.mark.rule("R-RU-01", "R-OE-02")]

# Thursday 19 March 2026, 15:00: Friday's phone hours end at 14:00, before the 24 hours do.
THURSDAY_15 = datetime(2026, 3, 19, 15, 0, tzinfo=BERLIN)


def nav(page: Page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def logout(page: Page) -> None:
    submit(page, page.get_by_role("button", name=re.compile(r"^Abmelden")))


@pytest.fixture
def office(monkeypatch, jobcenter, staff, teams):
    monkeypatch.setattr(timezone, "now", lambda: THURSDAY_15)
    ensure_catalogue()
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle Am Markt")
    for weekday in range(4):
        PhoneHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(18))
    PhoneHours.objects.create(standort=site, weekday=4, opens=time(8), closes=time(14))
    for team in teams.values():
        team.standort = site
        team.save(update_fields=["standort"])
    apply_preset(jobcenter=jobcenter, name="rhein-lahn", valid_from=date(2026, 1, 1))
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Jana", "Neumann", is_head=True)],
    ).applicant
    return kunde


def test_the_hotline_takes_a_callback_for_an_unknown_caller_and_the_mailbox_shows_its_clock(
    transactional_db, live_server, page, staff, teams, office
):
    kunde = office

    # --- the hotline: from its start page to the ticket ------------------------------------------
    login(page, live_server, "hotline", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Servicecenter: Antrag per Telefon")
    submit(page, page.get_by_role("link", name="Ticket aufnehmen").last)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ticket aufnehmen: Rückrufbitte oder Sachstandsanfrage"
    )
    expect(page.get_by_text(re.compile(r"Telefonservice jetzt geöffnet bis 18:00"))).to_be_visible()

    page.get_by_role("radio", name="Rückrufbitte").check()
    # The caller is not found (a new name): the ticket is taken by name and number.
    page.get_by_label(re.compile(r"^Kundin oder Kunde suchen")).fill("Nowak")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text(re.compile(r"^Keine Kundin und kein Kunde gefunden"))).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name=re.compile(r"^nicht im Bestand")).check()
    page.get_by_label(re.compile(r"^Name laut Anruf")).fill("Jana Neumann")
    page.get_by_label(re.compile(r"^Weitere Angaben")).fill("geb. 27.03.1985")
    page.get_by_label("Rückrufnummer").fill("0202 123456")
    page.get_by_role("textbox", name="Anliegen").fill("Frage zum Bescheid vom März")

    # A wish outside the phone hours (Friday 15–16, the phone service closes at 14:00).
    page.get_by_role("radio", name="nur in diesem Zeitraum:").check()
    page.get_by_label("am", exact=True).fill("2026-03-20")
    page.get_by_label("von", exact=True).fill("15:00")
    page.get_by_label("bis", exact=True).fill("16:00")
    submit(page, page.get_by_role("button", name="Ticket anlegen"))
    expect(page.locator("#error-summary")).to_contain_text(
        "Außerhalb der Telefonzeiten: Mo–Do 08:00–18:00, Fr 08:00–14:00"
    )
    expect(page.get_by_label("Rückrufnummer")).to_have_value("0202 123456")
    assert not HotlineTicket.objects.exists()

    # Within them: Friday 10–12.
    page.get_by_label("von", exact=True).fill("10:00")
    page.get_by_label("bis", exact=True).fill("12:00")
    submit(page, page.get_by_role("button", name="Ticket anlegen"))
    expect(page.get_by_role("status").first).to_have_text(
        "Rückrufbitte angelegt: an Postfach Team ez, Rückruf bis Fr 20.03.2026 15:00."
    )
    expect(page.get_by_text("Vermerk gespeichert")).to_have_count(0)
    ticket = HotlineTicket.objects.get()
    assert ticket.aufgabe.kunde is None
    logout(page)

    # --- the Eingangszone's mailbox: the ticket with its clock -------------------------------------
    login(page, live_server, "ez", PASSWORD)
    submit(page, nav(page).get_by_role("link", name="Postfächer", exact=True))
    submit(page, page.get_by_role("link", name="Postfach Team ez", exact=True))
    row = page.get_by_role("row").filter(has_text="Rückrufbitte: Frage zum Bescheid vom März")
    expect(row).to_contain_text("Jana Neumann")
    expect(row).to_contain_text("nicht im Bestand")
    expect(row).to_contain_text("Rückruf auf ein Ticket bis 20.03.2026 15:00")

    # --- the ticket: number, reachability, the identity completed ---------------------------------
    submit(page, row.get_by_role("link", name="Rückrufbitte: Frage zum Bescheid vom März"))
    expect(page.get_by_role("link", name="0202 123456")).to_be_visible()
    expect(page.get_by_text("Fr 20.03.2026 10:00–12:00").first).to_be_visible()
    expect(page.get_by_text("Fr 20.03.2026 15:00").first).to_be_visible()
    page.get_by_label("Name, BG-Nummer oder Kd.-Nr.").fill("Neumann")
    submit(page, page.get_by_role("search").get_by_role("button", name="Suchen"))
    page.get_by_role("radio", name=re.compile(r"^Neumann, Jana")).check()
    submit(page, page.get_by_role("button", name="Zuordnen"))
    expect(page.get_by_role("status").first).to_contain_text("Identität ergänzt: Jana Neumann")
    expect(page.get_by_role("link", name="Neumann, Jana")).to_be_visible()
    ticket.aufgabe.refresh_from_db()
    assert ticket.aufgabe.kunde == kunde
    logout(page)

    # --- the team lead sees the ticket and its clock -----------------------------------------------
    login(page, live_server, "teamleitung", PASSWORD)
    submit(page, nav(page).get_by_role("link", name="Postfächer", exact=True))
    submit(page, page.get_by_role("link", name="Postfach Team ez", exact=True))
    row = page.get_by_role("row").filter(has_text="Rückrufbitte: Frage zum Bescheid vom März")
    expect(row).to_contain_text("Neumann, Jana")
    expect(row).to_contain_text("Rückruf auf ein Ticket bis 20.03.2026 15:00")
