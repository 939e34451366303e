"""The data-protection officer answers a request for information (Art. 15 DSGVO): finds
the person, downloads the PDF, which holds the person's records (issue 15)."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from tests.factories import UserFactory, person, register

from .conftest import axe_check, login, submit, visit

pytestmark = pytest.mark.e2e


def test_officer_finds_a_person_and_downloads_the_art_15_pdf(
    transactional_db, live_server, page, staff, teams
):
    jobcenter = staff["ez"].jobcenter
    UserFactory(username="dsb", jobcenter=jobcenter, role=Role.DATENSCHUTZ)
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Karla", "Kranich", is_head=True)],
        reason="Kündigung zum Monatsende",
    )
    kunde = antrag.applicant

    login(page, live_server, "dsb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Datenschutz: Auskunft und Löschung")
    page.get_by_label("Kd.-Nr. oder Nachname").fill("Kran")
    submit(page, page.get_by_role("button", name="Suchen"))
    submit(page, page.get_by_role("link", name="Kranich, Karla"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Karla Kranich")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Auskunft als PDF herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == f"auskunft-{kunde.kundennummer}.pdf"
    reader = PdfReader(download.path())
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Auskunft nach Art. 15 DSGVO" in text
    assert "Karla Kranich" in text
    assert "Kündigung zum Monatsende" in text
    assert AuditEvent.objects.filter(
        subject_id=kunde.pk, summary="Auskunft nach Art. 15 DSGVO (PDF)"
    ).exists()

    # A legal hold from the same page.
    page.get_by_label("Grund des Sperrvermerks").fill("Klage anhängig")
    submit(page, page.get_by_role("button", name="Sperrvermerk setzen"))
    expect(page.get_by_text("Sperrvermerk gesetzt")).to_be_visible()
    axe_check(page)
    visit(page, f"{live_server.url}/datenschutz/kunden/{kunde.pk}/")
