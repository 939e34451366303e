"""The team lead follows a breached count to a case and back, then opens the breach
forecast (issue 14); axe checks every page state."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minimumstandards.presets import apply_preset
from tests.factories import PASSWORD, person, register

from .conftest import axe_check, login, submit, visit

pytestmark = pytest.mark.e2e


def test_team_lead_drills_from_a_breached_count_to_the_case_and_opens_the_forecast(
    transactional_db, live_server, page, jobcenter, staff, teams
):
    apply_preset(jobcenter=jobcenter, name="demo")
    late = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Karl", "Spät", is_head=True)],
        application_date=timezone.localdate() - timedelta(days=5),
        received_at=timezone.now() - timedelta(days=5),
    )
    register(actor=staff["ez"], leistung_team=teams["leistung"])

    login(page, live_server, "teamleitung", PASSWORD)
    visit(page, "/fristen/")
    counts = page.get_by_role("region", name="Stand je Regel")
    entry_row = counts.get_by_role("row").filter(has_text="Eingangsprüfung")
    # The breached count is a link to exactly that one deadline.
    submit(page, entry_row.get_by_role("link", name="1 überschritten: Eingangsprüfung"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fristenliste")
    expect(page.get_by_role("table")).to_contain_text("1 Frist")
    listed = page.get_by_role("table").get_by_role("row")
    expect(listed).to_have_count(2)  # header and one deadline
    kundennummer = late.applicant.kundennummer
    expect(listed.nth(1)).to_contain_text(kundennummer)
    expect(listed.nth(1)).to_contain_text(late.bedarfsgemeinschaft.number)

    submit(page, listed.nth(1).get_by_role("link", name=f"Fall von {kundennummer} öffnen"))
    expect(page).to_have_url(f"{live_server.url}/faelle/{late.pk}/")
    # Back to the list, the filters kept, then back to the dashboard.
    with page.expect_navigation():
        page.go_back()
    axe_check(page)
    expect(page).to_have_url(re.compile(r"zustand=ueberschritten"))
    expect(page.get_by_label("Stand")).to_have_value("ueberschritten")
    submit(page, page.get_by_role("link", name="Zurück zur Fristen-Übersicht"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fristen der Mindeststandards")

    submit(page, page.get_by_role("link", name="Prognose: drohende Fristüberschreitungen"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prognose: drohende Fristüberschreitungen"
    )
    page.get_by_label("Vorschau über").select_option("5")
    submit(page, page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_label("Vorschau über")).to_have_value("5")
    expect(page.get_by_role("columnheader")).not_to_have_count(0)
