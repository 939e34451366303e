"""The EZ sees a customer's consent to reminders and the messages sent, and records that
the customer withdrew the SMS consent (README "Erinnerungen"); axe on every state."""

import pytest
from playwright.sync_api import expect

from reminders.models import Einwilligung
from tests.factories import person, register

from .conftest import login, submit, visit

pytestmark = pytest.mark.e2e


def test_ez_records_a_withdrawn_sms_consent(transactional_db, live_server, page, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person(
                "Karla",
                "Kranich",
                is_head=True,
                phone="0171 2345678",
                email="karla@example.org",
                contact_consent=True,
            )
        ],
    )
    kunde = antrag.applicant
    login(page, live_server, "ez")
    visit(page, f"{live_server.url}/kunden/{kunde.pk}/")
    table = page.get_by_role("table", name="Einwilligung je Weg")
    expect(table.get_by_role("row", name="SMS")).to_contain_text("bei der Antragsaufnahme")
    expect(page.get_by_role("table", name="Gesendete Nachrichten")).to_contain_text("noch keine")
    submit(page, table.get_by_role("row", name="SMS").get_by_role("button"))
    expect(page.get_by_text("Einwilligung per SMS widerrufen.")).to_be_visible()
    expect(
        page.get_by_role("table", name="Einwilligung je Weg").get_by_role("row", name="SMS")
    ).to_contain_text("widerrufen am")
    assert Einwilligung.objects.get(kunde=kunde, channel="sms").withdrawn_on is not None
