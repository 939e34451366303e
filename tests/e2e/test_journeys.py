"""Real browser journeys through the front office, each page state checked with axe-core.

Helpers (conftest.py): `visit()` opens and checks a page, `submit()` clicks what loads a new
page and checks it, `login()` goes through the real login form.
"""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from intake.models import Antrag, AntragState, Kunde
from minimumstandards.presets import apply_preset
from tests.factories import PASSWORD, register, settle_checklist

from .conftest import ROOT, assert_styled, login, submit, visit

pytestmark = pytest.mark.e2e

KUNDENNUMMER = re.compile(r"^\d{3}[A-Z]\d{6}$")
BG_NUMMER = r"\d{5}BG\d{7}"


def person(page: Page, n: int):
    """The fieldset of the n-th person (1-based) on the intake form."""
    return page.get_by_role("group", name=f"Person {n}", exact=True)


def fill_person(page: Page, n: int, first: str, last: str, born: str) -> None:
    group = person(page, n)
    group.get_by_label("Vorname").fill(first)
    group.get_by_label("Nachname").fill(last)
    group.get_by_label("Geburtsdatum").fill(born)


def add_person(page: Page, expected_count: int) -> None:
    submit(page, page.get_by_role("button", name="Weitere Person hinzufügen"))
    expect(page.get_by_role("group", name=re.compile(r"^Person \d+$"))).to_have_count(
        expected_count
    )
    new_row = person(page, expected_count)
    # app.js puts the keyboard into the new row.
    expect(new_row.get_by_label("Vorname")).to_be_focused()
    # A new row starts with the same defaults as the first one: most people live here.
    expect(new_row.get_by_label("gewöhnlicher Aufenthalt in Deutschland")).to_be_checked()
    expect(new_row.get_by_label("Vorstand der Bedarfsgemeinschaft")).not_to_be_checked()


def status_badge(page: Page, state: str):
    return page.get_by_text(f"Status: {state}", exact=True)


def history(page: Page):
    return page.get_by_role("region", name="Verlauf").get_by_role("listitem")


# --- a. The Eingangszone registers a family of three -----------------------------------------


def test_ez_registers_family_of_three(transactional_db, live_server, page, staff, teams):
    apply_preset(jobcenter=staff["ez"].jobcenter, name="demo")  # the clocks start at intake
    login(page, live_server, "ez", PASSWORD)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    submit(page, nav.get_by_role("link", name="Antragsaufnahme"))
    expect(page).to_have_url(f"{live_server.url}/antrag/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Antragsaufnahme: neue Kundin / neuer Kunde"
    )

    fill_person(page, 1, "Sabine", "Kowalski", "1984-05-12")
    person(page, 1).get_by_label("Vorstand der Bedarfsgemeinschaft").check()

    add_person(page, 2)
    # The round trip kept what was typed, and flagged nothing yet.
    expect(person(page, 1).get_by_label("Vorname")).to_have_value("Sabine")
    expect(person(page, 1).get_by_label("Geburtsdatum")).to_have_value("1984-05-12")
    expect(person(page, 1).get_by_label("Vorstand der Bedarfsgemeinschaft")).to_be_checked()
    expect(page.locator("#error-summary")).to_have_count(0)
    fill_person(page, 2, "Tomasz", "Kowalski", "1982-11-03")
    person(page, 2).get_by_label("Beziehung zum Vorstand").select_option(label="Partner/in")

    add_person(page, 3)
    expect(person(page, 2).get_by_label("Nachname")).to_have_value("Kowalski")
    expect(person(page, 2).get_by_label("Vorstand der Bedarfsgemeinschaft")).not_to_be_checked()
    fill_person(page, 3, "Mia", "Kowalski", "2015-08-20")
    person(page, 3).get_by_label("Beziehung zum Vorstand").select_option(label="Kind")

    page.get_by_label("Grund der Antragstellung").fill("Arbeitslosigkeit nach Insolvenz")
    page.get_by_label("zuständiges Leistungsteam").select_option(label="Team leistung")
    page.get_by_label("Hauptantrag", exact=True).check()
    page.get_by_label("Anlage KI – Kind unter 15 Jahren").check()
    submit(page, page.get_by_role("button", name="Antrag aufnehmen"))

    # The case page.
    antrag = Antrag.objects.get()
    relations = dict(antrag.persons.values_list("kunde__first_name", "kunde__relation_to_head"))
    assert relations == {"Sabine": "", "Tomasz": "partner", "Mia": "kind"}
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    expect(page.get_by_role("status")).to_have_text(
        re.compile(rf"Antrag für die BG {BG_NUMMER} aufgenommen\.")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sabine Kowalski")
    expect(status_badge(page, "Eingangsprüfung offen")).to_be_visible()

    table = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Kd.-Nr."))
    expect(table.locator("tbody").get_by_role("row")).to_have_count(3)
    for name in ("Kowalski, Sabine", "Kowalski, Tomasz", "Kowalski, Mia"):
        row = table.get_by_role("row").filter(has_text=name)
        expect(row.get_by_role("cell").nth(2)).to_have_text(KUNDENNUMMER)
    expect(table.get_by_role("row").filter(has_text="Kowalski, Sabine")).to_contain_text(
        "(Vorstand)"
    )
    # The Neukunde decision per person: adults applying for the first time are new.
    for name, neukunde in (
        ("Kowalski, Sabine", "ja – Erstantrag"),
        ("Kowalski, Tomasz", "ja – Erstantrag"),
        ("Kowalski, Mia", "nein – unter 15 Jahre alt"),
    ):
        row = table.get_by_role("row").filter(has_text=name)
        expect(row.get_by_role("cell").nth(3)).to_have_text(neukunde)
    numbers = set(Kunde.objects.values_list("kundennummer", flat=True))
    assert len(numbers) == 3

    checklist = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Unterlage")
    )
    expect(checklist.get_by_role("row", name=re.compile(r"^Hauptantrag"))).to_contain_text("offen")
    expect(checklist).to_contain_text("Anlage KI – Kind unter 15 Jahren")
    expect(history(page)).to_have_count(1)
    expect(history(page).first).to_contain_text("Eingangsprüfung offen")

    if os.environ.get("E2E_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=ROOT / "docs" / "screenshot.png", full_page=True)

    # The printable hand-out letter.
    submit(page, page.get_by_role("link", name=re.compile(r"^Anschreiben zur Antragsausgabe")))
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/anschreiben/")
    letter = page.get_by_role("article")
    return_date = date_format(antrag.return_date, "d.m.Y")
    expect(letter).to_contain_text(
        f"Wir erwarten den Eingang Ihrer Antragsunterlagen bis zum {return_date}."
    )
    for name in ("Sabine Kowalski", "Tomasz Kowalski", "Mia Kowalski, geboren am 20.08.2015"):
        expect(letter).to_contain_text(name)
    documents = letter.get_by_role("list").filter(has_text="☐").get_by_role("listitem")
    # Proposed per person: WEP for Tomasz (a further adult), KI for Mia (11).
    expect(documents).to_have_text(
        [
            "☐ Hauptantrag",
            "☐ Anlage WEP – weitere Person ab 15 Jahren",
            "☐ Anlage KI – Kind unter 15 Jahren",
        ]
    )


# --- b. Bad input is shown, kept and not saved ----------------------------------------------


def test_intake_with_bad_input_saves_nothing(transactional_db, live_server, page, staff, teams):
    login(page, live_server, "ez", PASSWORD)
    visit(page, "/antrag/neu/")
    future = (timezone.localdate() + timedelta(days=30)).isoformat()

    fill_person(page, 1, "Jonas", "Becker", future)
    person(page, 1).get_by_label("Vorstand der Bedarfsgemeinschaft").uncheck()
    page.get_by_label("Grund der Antragstellung").fill("Trennung")
    submit(page, page.get_by_role("button", name="Antrag aufnehmen"))

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Es wurde nichts gespeichert.")
    expect(summary.get_by_role("link")).to_contain_text(
        ["Geburtsdatum (Person 1): Das Geburtsdatum liegt in der Zukunft."]
    )
    expect(summary).to_be_focused()  # app.js moves the keyboard to the summary
    expect(person(page, 1).get_by_label("Vorname")).to_have_value("Jonas")
    expect(person(page, 1).get_by_label("Nachname")).to_have_value("Becker")
    expect(person(page, 1).get_by_label("Geburtsdatum")).to_have_value(future)
    expect(person(page, 1).get_by_label("Geburtsdatum")).to_have_attribute(
        "aria-describedby", re.compile(r"id_person-0-date_of_birth_error")
    )
    expect(page.get_by_label("Grund der Antragstellung")).to_have_value("Trennung")
    assert not Kunde.objects.exists()
    assert not Antrag.objects.exists()

    # Correct the date: now the missing head of the BG is reported, still nothing saved.
    person(page, 1).get_by_label("Geburtsdatum").fill("1990-01-15")
    submit(page, page.get_by_role("button", name="Antrag aufnehmen"))
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="genau einen Vorstand")).to_be_visible()
    expect(person(page, 1).get_by_label("Vorname")).to_have_value("Jonas")
    assert not Kunde.objects.exists()
    assert not Antrag.objects.exists()


# --- c. Leistung decides a case and hands it to Integration -------------------------------


def test_leistung_decides_and_hands_over(transactional_db, live_server, page, staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    settle_checklist(antrag)  # every document in (rule R-AN-01)
    login(page, live_server, "leistung", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/faelle/")  # their start page

    visit(page, "/faelle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neukundenfälle")
    row = page.get_by_role("row").filter(has_text=antrag.bedarfsgemeinschaft.number)
    expect(row).to_contain_text("Eingangsprüfung offen")
    submit(page, row.get_by_role("link", name="Mustermann, Erika"))
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    expect(status_badge(page, "Eingangsprüfung offen")).to_be_visible()
    expect(history(page)).to_have_count(1)

    # Submitting the entry check without a result: the step says what is missing.
    step = page.get_by_role("form", name="Eingangsprüfung abschließen")
    submit(page, step.get_by_role("button", name="Eingangsprüfung abschließen"))
    step = page.get_by_role("form", name="Eingangsprüfung abschließen")
    result = step.get_by_role("group", name="Ergebnis der Eingangsprüfung")
    expect(result).to_have_attribute("aria-describedby", re.compile(r"_error\b"))
    expect(result.locator(".kern-error")).to_have_text("Dieses Feld ist zwingend erforderlich.")
    expect(status_badge(page, "Eingangsprüfung offen")).to_be_visible()
    expect(history(page)).to_have_count(1)

    # The five parts of the entry check (rule R-FR-01), each ticked when done.
    parts = step.get_by_role("group", name="Erledigte Teile der Eingangsprüfung")
    for part in parts.get_by_role("checkbox").all():
        part.check()
    step.get_by_label("Unterlagen vollständig – entscheidungsreif").check()
    submit(page, step.get_by_role("button", name="Eingangsprüfung abschließen"))
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Entscheidungsreif.")
    expect(status_badge(page, "Entscheidungsreif")).to_be_visible()
    expect(history(page)).to_have_count(2)
    expect(history(page).nth(1)).to_contain_text("Eingangsprüfung offen → Entscheidungsreif")

    step = page.get_by_role("form", name="Bewilligen")
    step.get_by_label("Vermerk / Begründung").fill("Bedarf festgestellt")
    submit(page, step.get_by_role("button", name="Bewilligen"))
    # The decision asks first (issue 12): nothing is saved until it is confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte bestätigen: Bewilligen")
    expect(
        page.get_by_text("Ich habe den Anspruch geprüft und bewillige den Antrag.")
    ).to_be_visible()
    submit(page, page.get_by_role("button", name="Ja, bestätigen"))
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Bewilligt.")
    expect(status_badge(page, "Bewilligt")).to_be_visible()
    expect(history(page)).to_have_count(3)
    expect(history(page).nth(2)).to_contain_text("Entscheidungsreif → Bewilligt")
    expect(history(page).nth(2)).to_contain_text("Bedarf festgestellt")

    step = page.get_by_role("form", name="An Integration übergeben")
    submit(page, step.get_by_role("button", name="An Integration übergeben"))
    expect(page.get_by_role("status")).to_have_text("Gespeichert: An Integration übergeben.")
    expect(status_badge(page, "An Integration übergeben")).to_be_visible()
    expect(history(page)).to_have_count(4)
    expect(history(page).nth(3)).to_contain_text("Bewilligt → An Integration übergeben")

    antrag.refresh_from_db()
    assert antrag.state == AntragState.AN_INTEGRATION
    assert antrag.decided_on == antrag.handed_to_integration_on == timezone.localdate()


# --- d. Logged out ----------------------------------------------------------------------------


def test_logged_out_visitor_is_sent_to_login(transactional_db, live_server, page, staff):
    visit(page, "/faelle/")
    expect(page).to_have_url(f"{live_server.url}/anmelden/?next=/faelle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_have_count(0)
    assert_styled(page)

    # After logging in, they arrive where they wanted to go.
    page.get_by_label("Benutzername").fill("leistung")
    page.get_by_label("Passwort").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Anmelden", exact=True))
    expect(page).to_have_url(f"{live_server.url}/faelle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neukundenfälle")
