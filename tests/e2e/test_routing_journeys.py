"""Information reaches every team that needs it (rules R-IA-02, R-IA-03), in real Chromium.

The Eingangszone records that a customer is pregnant; the Leistung and the Integration
mailbox both show it; the IFK claims it from the worklist. Every page state, including
each htmx swap, is checked with axe-core.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from routing.models import Aufgabe
from tests.factories import PASSWORD, person, register
from tests.routing.conftest import ensure_catalogue

from .conftest import axe_check, login, submit

pytestmark = pytest.mark.e2e


def nav(page: Page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def logout(page: Page) -> None:
    submit(page, page.get_by_role("button", name=re.compile(r"^Abmelden")))


def open_mailbox(page: Page, name: str) -> None:
    submit(page, nav(page).get_by_role("link", name="Postfächer", exact=True))
    submit(page, page.get_by_role("link", name=name, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_ez_records_a_pregnancy_both_mailboxes_show_it_and_the_ifk_claims_it(
    transactional_db, live_server, page, staff, teams
):
    ensure_catalogue()
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Sabine", "Kowalski", is_head=True)],
    ).applicant

    # --- the Eingangszone writes the note ----------------------------------------------------
    login(page, live_server, "ez", PASSWORD)
    submit(page, nav(page).get_by_role("link", name="Vermerk schreiben"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vermerk schreiben")

    page.get_by_label("Kundin oder Kunde suchen").fill("Kowalski")
    choice = page.get_by_role("radio", name=re.compile(r"^Kowalski, Sabine"))
    expect(choice).to_be_visible()  # htmx put the matches in place
    axe_check(page)
    choice.check()

    page.get_by_label("Informationsart").select_option(label="Schwangerschaft")
    hint = page.get_by_text(re.compile(r"Den Mutterpass nicht anfordern"))
    expect(hint).to_be_visible()
    axe_check(page)
    page.get_by_label("voraussichtlicher Entbindungstermin").fill("2027-04-15")
    page.get_by_label(re.compile(r"^Information – optional")).fill(
        "Bescheinigung der Frauenärztin liegt vor."
    )

    # The dry run: where would it go, and why, before saving.
    page.get_by_role("button", name="Probelauf: Wohin geht das?").click()
    dry_run = page.locator("#dry-run")
    expect(dry_run).to_contain_text("Postfach Team leistung")
    expect(dry_run).to_contain_text("Postfach Team ue25")
    expect(dry_run).to_contain_text(f"BG {kunde.bedarfsgemeinschaft.number} gehört zum Team")
    axe_check(page)
    assert not Aufgabe.objects.filter(vermerk__isnull=False).exists()

    submit(page, page.get_by_role("button", name="Vermerk speichern und weiterleiten"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Vermerk gespeichert und weitergeleitet an:"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schwangerschaft")
    path = page.get_by_role("region", name="Weg des Vermerks")
    expect(path.get_by_role("row")).to_have_count(3)
    logout(page)

    # --- Leistung sees it in its mailbox -----------------------------------------------------
    login(page, live_server, "leistung", PASSWORD)
    open_mailbox(page, "Postfach Team leistung")
    row = page.get_by_role("row").filter(has_text="Schwangerschaft")
    expect(row).to_contain_text("Kowalski, Sabine")
    expect(row).to_contain_text("nicht übernommen")
    logout(page)

    # --- so does Integration, and the IFK claims it from the worklist ------------------------
    login(page, live_server, "ifk", PASSWORD)
    open_mailbox(page, "Postfach Team ue25")
    expect(page.get_by_role("row").filter(has_text="Schwangerschaft")).to_contain_text(
        "Kowalski, Sabine"
    )
    submit(page, nav(page).get_by_role("link", name="Arbeitsliste"))
    row = page.get_by_role("row").filter(has_text="Schwangerschaft")
    expect(row).to_contain_text("Kowalski, Sabine")
    claim = row.get_by_role("button", name=re.compile(r"^Übernehmen"))
    claim.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    expect(row).to_contain_text("von Ihnen übernommen")
    expect(row.get_by_role("link", name=re.compile(r"^Öffnen"))).to_be_focused()
    axe_check(page)
    item = Aufgabe.objects.get(postfach=teams["ue25"].postfach)
    assert item.claimed_by == staff["ifk"]
    # The Leistung copy is still waiting for Leistung.
    assert Aufgabe.objects.get(postfach=teams["leistung"].postfach).claimed_by is None

    # The item page shows the whole path and who has it.
    submit(page, row.get_by_role("link", name=re.compile(r"^Öffnen")))
    expect(page.get_by_text(re.compile(r"übernommen von .* am"))).to_be_visible()
    expect(page.get_by_role("region", name="Verlauf")).to_contain_text("zugestellt nach Regel")
