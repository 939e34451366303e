"""The reception's details of issue 12 in real Chromium, every page state checked with axe.

At 1366×768 the submit button is on screen without scrolling; the "Heute" list shows a
customer checked in elsewhere (the Eingangszone, another reception PC) within seconds,
without a reload, keeps the keyboard where it was, and states the interpreter flag in words.
"""

import re

import pytest
from playwright.sync_api import expect

from frontdesk.models import Concern, Desk
from frontdesk.services.checkin import CheckIn, visit_check_in
from intake.models import Kunde
from jobcenter.models import Standort
from tests.factories import PASSWORD, register

from .conftest import axe_check, login, submit

pytestmark = pytest.mark.e2e

LIST_REFRESHED_WITHIN_MS = 20_000  # the list polls every 15 seconds


@pytest.fixture
def reception(jobcenter, teams, staff):
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    erika = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    Kunde.objects.filter(pk=erika.pk).update(needs_interpreter=True)
    return {"site": site, "erika": erika}


def check_in_elsewhere(staff, site, kunde=None):
    """Someone else checks a customer in (another reception PC, the Eingangszone)."""
    concern = Concern.objects.get(jobcenter=site.jobcenter, code="unterlagen")
    return visit_check_in(
        actor=staff["ez"], data=CheckIn(standort=site, concerns=[concern], kunde=kunde)
    )


def test_the_reception_at_1366_by_768(transactional_db, live_server, page, staff, reception):
    site, erika = reception["site"], reception["erika"]
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "empfang", PASSWORD)
    submit(page, page.get_by_role("navigation").get_by_role("link", name="Empfang"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung am Empfang")

    # The submit button is on screen without scrolling.
    button = page.get_by_role("button", name="Anmelden – Wartenummer vergeben")
    expect(button).to_be_in_viewport()
    expect(page.get_by_role("button", name="Am Empfang erledigt")).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") == 0

    # The "Heute" list updates itself: a check-in elsewhere appears without a reload.
    today = page.locator("#reception-today")
    expect(today).to_contain_text("Niemand wartet.")
    first = check_in_elsewhere(staff, site, kunde=erika)
    expect(today).to_contain_text(first.number, timeout=LIST_REFRESHED_WITHIN_MS)
    # The interpreter flag in words, not a colour alone.
    row = today.get_by_role("row", name=re.compile(first.number))
    expect(row).to_contain_text("Dolmetscher nötig")
    axe_check(page)

    # The keyboard stays where it was while the list refreshes.
    link = today.get_by_role("link", name=first.number)
    link.focus()
    second = check_in_elsewhere(staff, site)
    expect(today).to_contain_text(second.number, timeout=LIST_REFRESHED_WITHIN_MS)
    expect(today.get_by_role("link", name=first.number)).to_be_focused()
    axe_check(page)

    # Settled at the reception: no waiting number, no Wartemarke to print.
    page.get_by_role("checkbox", name="Vordrucke, Merkblätter oder Flyer abholen").check()
    submit(page, page.get_by_role("button", name="Am Empfang erledigt"))
    confirmation = page.locator("#last-visit")
    expect(confirmation).to_contain_text("Ohne Wartenummer")
    expect(confirmation.get_by_role("link", name=re.compile("Wartemarke"))).to_have_count(0)
