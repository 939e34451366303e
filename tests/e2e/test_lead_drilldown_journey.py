"""The team lead follows a breached count to a case and back, then opens the breach
forecast; from the queue report and the KPI page a count to its list and back (issue 14);
axe checks every page state."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import ContactProfile
from minimumstandards.presets import apply_preset
from tests.factories import PASSWORD, person, register

from .conftest import axe_check, login, submit, visit
from .test_charts_journey import a_week_ago  # noqa: F401  (two visits a week ago)

pytestmark = pytest.mark.e2e


def test_team_lead_drills_from_a_breached_count_to_the_case_and_opens_the_forecast(
    transactional_db,
    live_server,
    page,
    jobcenter,
    staff,
    teams,
    a_week_ago,  # noqa: F811
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
    cared_for = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ida", "Kennzahl", is_head=True)],
        ifk=staff["ifk"],
    )
    customer = cared_for.applicant
    ContactProfile.objects.create(
        kunde=customer,
        jobcenter=jobcenter,
        since=timezone.localdate() - timedelta(days=30),
        next_contact_due=timezone.localdate(),
        interval_days=180,
    )

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
    # The backlog beside the coming breaches: the one breached entry check.
    expect(
        page.get_by_role("link", name="1 bereits überschritten: Eingangsprüfung")
    ).to_be_visible()

    # The queue report: a count opens the visits it counts, and back.
    visit(page, f"{live_server.url}/warteschlange/auswertung/?standort={a_week_ago.pk}")
    submit(page, page.get_by_role("link", name="2 Besuche: Gesamt").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Besuche: Liste zur Auswertung")
    expect(page.get_by_role("table")).to_contain_text("2 Besuche")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)
    submit(page, page.get_by_role("link", name="Zurück zur Auswertung"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Auswertung der Warteschlange")

    # The KPI page: the customers behind the average days since the last contact.
    visit(page, f"{live_server.url}/termine/kennzahlen/")
    submit(page, page.get_by_role("link", name="1 Kundin oder Kunde: gesamt"))
    expect(page.get_by_role("table")).to_contain_text("1 Kundin oder Kunde")
    expect(page.get_by_role("table")).to_contain_text(customer.kundennummer)
    submit(page, page.get_by_role("link", name="Zurück zur Beratungsaktivität"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratungsaktivität")
