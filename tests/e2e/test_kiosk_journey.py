"""A walk-in checks in at the kiosk in Arabic (right to left), gets a number and a printable
ticket, and the number is in the Eingangszone's queue at once. Every state checked by axe."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdesk.models import Desk
from frontdesk.services.desks import desk_open
from frontdesk.services.kiosk import kiosk_create, kiosk_path
from jobcenter.models import Standort
from tests.factories import seed_catalogues

from .conftest import login, submit, visit
from .test_alarm_journey import second_page  # noqa: F401  (a second person's screen)

pytestmark = pytest.mark.e2e
# Set KIOSK_SHOTS=/tmp/shots-kiosk to keep screenshots of the pages for a look.
SHOTS = os.environ.get("KIOSK_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_walk_in_checks_in_in_arabic_and_is_in_the_ez_queue(
    page,
    second_page,  # noqa: F811
    live_server,
    jobcenter,
    teams,
    staff,
):
    seed_catalogues()
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    desk_open(actor=staff["ez"], desk_id=desk.pk)
    _kiosk, token = kiosk_create(standort=site, name="Eingang")

    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, f"{live_server.url}{kiosk_path(token)}")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    shot(page, "kiosk-de")
    submit(page, page.get_by_role("link", name="العربية"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    shot(page, "kiosk-ar")
    submit(page, page.get_by_role("link", name="لدي طلب"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "kiosk-ar-concerns")
    submit(page, page.get_by_role("button", name="تسليم مستندات"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    ticket = page.locator(".kiosk__ticket")
    expect(ticket.locator(".kiosk__number")).to_have_text("A001")
    expect(ticket).to_contain_text("دورك بعد قليل")  # nobody ahead: "you are next"
    shot(page, "kiosk-ar-ticket")
    page.emulate_media(media="print")
    expect(page.locator(".kiosk__header")).to_be_hidden()
    expect(ticket.locator(".kiosk__number")).to_be_visible()
    shot(page, "kiosk-ar-ticket-print")
    page.emulate_media(media="screen")

    login(second_page, live_server, "ez")
    visit(second_page, "/aufruf/")
    expect(second_page.get_by_text("A001", exact=True).first).to_be_visible()
