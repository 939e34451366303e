"""The team lead watches the minimum standards; staff use the Fristenrechner."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import scan
from tests.factories import PASSWORD, person, register

from .conftest import login, submit, visit

pytestmark = pytest.mark.e2e


def test_team_lead_sees_at_risk_cases_and_drills_into_one(
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
    scan()

    login(page, live_server, "teamleitung", PASSWORD)
    visit(page, "/fristen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fristen der Mindeststandards")
    counts = page.get_by_role("table").filter(has_text="droht abzulaufen").first
    entry_row = counts.get_by_role("row").filter(has_text="Eingangsprüfung")
    # Two entry checks open, the five-day-old one breached.
    expect(entry_row.get_by_role("cell").nth(0)).to_have_text("2")
    expect(entry_row.get_by_role("cell").nth(2)).to_have_text("1")

    urgent = page.get_by_role("region", name="Am dringendsten")
    first = urgent.get_by_role("row").nth(1)
    expect(first).to_contain_text("überfällig")
    expect(first).to_contain_text("Spät, Karl")
    submit(page, first.get_by_role("link", name="Spät, Karl"))
    expect(page).to_have_url(f"{live_server.url}/faelle/{late.pk}/")
    deadlines = page.get_by_role("region", name="Fristen (Mindeststandards)")
    expect(deadlines.get_by_role("row").filter(has_text="Eingangsprüfung")).to_contain_text(
        "überschritten"
    )

    # The lead pauses the Versagung clock with a documented reason, then resumes it.
    versagung = deadlines.get_by_role("row").filter(has_text="Versagung")
    versagung.get_by_label("Grund").fill("Mitwirkung schriftlich angefordert")
    submit(page, versagung.get_by_role("button", name="Frist anhalten"))
    expect(page.get_by_role("status")).to_have_text("Die Frist ist angehalten.")
    assert Deadline.objects.get(antrag=late, kind=RuleKind.VERSAGUNG).paused_at is not None
    versagung = page.get_by_role("row").filter(has_text="Versagung")
    submit(page, versagung.get_by_role("button", name="Frist fortsetzen"))
    expect(page.get_by_role("status")).to_contain_text("Die Frist läuft wieder")


def test_fristenrechner_explains_the_christmas_example(transactional_db, live_server, page, staff):
    login(page, live_server, "ez", PASSWORD)
    visit(page, "/fristenrechner/")
    expect(page.get_by_label("Beginn (Datum)")).to_be_visible()
    # The form sends GET, so a result is a link that can be passed on.
    visit(page, "/fristenrechner/?start=2026-12-16&frist=9AT&kalender=NW")
    expect(page.get_by_text("2027-01-04T23:59:59+01:00")).to_be_visible()
    skipped = page.get_by_role("table").filter(has_text="Schließtag")
    expect(skipped).to_contain_text("Weihnachtstag")
