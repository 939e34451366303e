"""Issue 12, Leistung's morning with the keyboard only: from the entry check to the
decision, no mouse. Every control is reached with Tab and worked with Space or Enter; the
focus is checked where the page keeps or moves it, and axe checks every state (after each
navigation and after each htmx swap of the checklist).
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from intake.models import Antrag, AntragState
from tests.factories import PASSWORD, register

from .conftest import axe_check, visit

pytestmark = pytest.mark.e2e

# More than any page here has tab stops before the control a step needs.
TAB_LIMIT = 120


def tab_to(page: Page, control: Locator) -> None:
    """Press Tab until `control` has the keyboard focus (as a person tabbing would)."""
    expect(control).to_have_count(1)
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if control.evaluate("(el) => el === document.activeElement"):
            break
    expect(control).to_be_focused()


def press_and_load(page: Page, key: str = "Enter") -> None:
    """Press a key that loads a new page, then check that page with axe."""
    with page.expect_navigation():
        page.keyboard.press(key)
    axe_check(page)


def keyboard_login(page: Page, username: str) -> None:
    visit(page, "/anmelden/")
    tab_to(page, page.get_by_label("Benutzername"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passwort")).to_be_focused()
    page.keyboard.type(PASSWORD)
    press_and_load(page, "Enter")
    expect(page.get_by_role("button", name=re.compile(r"^Abmelden"))).to_be_visible()


def status(page: Page, state: str) -> Locator:
    return page.get_by_text(f"Status: {state}", exact=True)


def test_leistung_works_a_case_to_its_decision_with_the_keyboard_only(
    transactional_db, live_server, page, staff, teams
):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    documents = [n.document_type.name for n in antrag.nachweise.select_related("document_type")]
    assert len(documents) == 3  # none of them in yet

    keyboard_login(page, "leistung")
    expect(page).to_have_url(f"{live_server.url}/faelle/")  # Leistung lands on its cases

    # The case from the list: Tab to its link, Enter.
    tab_to(page, page.get_by_role("link", name="Mustermann, Erika"))
    press_and_load(page)
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    expect(status(page, "Eingangsprüfung offen")).to_be_visible()

    # The entry check: five parts ticked with Space, "documents missing" chosen, Enter.
    step = page.get_by_role("form", name="Eingangsprüfung abschließen")
    tab_to(page, step.get_by_label("Unterlagen fehlen noch"))
    page.keyboard.press("Space")
    expect(step.get_by_label("Unterlagen fehlen noch")).to_be_checked()
    parts = step.get_by_role("group", name="Erledigte Teile der Eingangsprüfung")
    boxes = parts.get_by_role("checkbox")
    expect(boxes).to_have_count(5)
    for i in range(5):
        page.keyboard.press("Tab")
        expect(boxes.nth(i)).to_be_focused()
        page.keyboard.press("Space")
        expect(boxes.nth(i)).to_be_checked()
    tab_to(page, step.get_by_role("button", name="Eingangsprüfung abschließen"))
    press_and_load(page)
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Unterlagen fehlen.")
    expect(status(page, "Unterlagen fehlen")).to_be_visible()

    # The checklist: each document ticked with Enter keeps the focus on its row's control;
    # after the last, the page offers "Unterlagen vollständig".
    offer = page.locator("#offer-documents-complete")
    for name in documents:
        tab_to(page, page.get_by_role("button", name=f"„{name}“ eingegangen"))
        page.keyboard.press("Enter")
        reopen = page.get_by_role("button", name=f"„{name}“ wieder offen")
        expect(reopen).to_be_focused()
        axe_check(page)
        if name != documents[-1]:
            expect(offer).to_have_count(0)
    expect(offer).to_be_visible()
    tab_to(page, offer)
    press_and_load(page)
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Entscheidungsreif.")
    expect(status(page, "Entscheidungsreif")).to_be_visible()

    # The decision: the reason typed, the button pressed, the confirmation asked first.
    step = page.get_by_role("form", name="Bewilligen")
    tab_to(page, step.get_by_label("Vermerk / Begründung"))
    page.keyboard.type("Bedarf festgestellt")
    tab_to(page, step.get_by_role("button", name="Bewilligen"))
    press_and_load(page)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Bitte bestätigen: Bewilligen")
    expect(heading).to_be_focused()  # the keyboard starts at what is asked
    expect(page.get_by_text("Bedarf festgestellt")).to_be_visible()

    # "Nein": back to the case, nothing decided, the reason still there, focus on the step.
    tab_to(page, page.get_by_role("button", name="Nein, zurück zum Fall"))
    press_and_load(page)
    expect(status(page, "Entscheidungsreif")).to_be_visible()
    step = page.get_by_role("form", name="Bewilligen")
    expect(step.get_by_role("heading", name="Bewilligen")).to_be_focused()
    expect(step.get_by_label("Vermerk / Begründung")).to_have_value("Bedarf festgestellt")
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF

    # Again, and this time "Ja, bestätigen" with Space.
    tab_to(page, step.get_by_role("button", name="Bewilligen"))
    press_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ja, bestätigen")).to_be_focused()
    press_and_load(page, "Space")
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Bewilligt.")
    expect(status(page, "Bewilligt")).to_be_visible()
    antrag = Antrag.objects.get(pk=antrag.pk)
    assert antrag.state == AntragState.BEWILLIGT
    assert antrag.decision_note == "Bedarf festgestellt"
