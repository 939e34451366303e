"""The desk's details in real Chromium, every page state checked with axe-core (issue 12).

An Eingangszone desk opens the desk it used last, calls a customer (the keyboard lands on the
called customer, and stays where it was while the list refreshes), opens the customer's
record from their name, calls again (a double click is one call), may mark the no-show only
after three calls over two minutes; the waiting-room display marks the recall, drops the
number afterwards and guides in German and the Jobcenter's second languages, never with a
name.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from frontdesk.models import Concern, Desk, Visit, VisitState
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.displays import display_create, display_path
from frontdesk.services.reception import visit_cancel
from jobcenter.models import Standort
from tests.factories import PASSWORD, register, seed_catalogues

from .conftest import axe_check, login, submit, visit
from .test_frontdesk_journeys import another_browser

pytestmark = pytest.mark.e2e

SEEN_WITHIN_MS = 10_000  # the display polls every 3 seconds, the desk list every 5


@pytest.fixture
def desk_site(jobcenter, teams, staff):
    seed_catalogues()
    jobcenter.display_languages = "en,tr,ar"
    jobcenter.save()
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    for position, name in enumerate(["Schalter 1", "Schalter 2"]):
        desk = Desk.objects.create(standort=site, name=name, position=position)
        desk.teams.set([teams["ez"]])
    _display, key = display_create(standort=site, name="Wartebereich")
    erika = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    concern = Concern.objects.of(jobcenter).get(code="unterlagen")

    def check_in(**fields):
        return visit_check_in(
            actor=staff["empfang"], data=CheckIn(standort=site, concerns=[concern], **fields)
        )

    return {"site": site, "display_url": display_path(key), "erika": erika, "check_in": check_in}


def active_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def wait_for_queue_refresh(page: Page) -> None:
    with page.expect_response(re.compile(r"/aufruf/liste/$"), timeout=SEEN_WITHIN_MS):
        pass
    page.wait_for_timeout(200)  # htmx swaps right after the response


def test_the_desk_in_detail(transactional_db, live_server, page, browser, staff, desk_site):
    erika = desk_site["erika"]
    first = desk_site["check_in"](kunde=erika)
    second = desk_site["check_in"]()

    with another_browser(browser, live_server) as display:
        # --- the display: guidance in German and the chosen languages; Arabic right to left
        visit(display, desk_site["display_url"])
        guidance = display.locator("#guidance li")
        expect(guidance).to_have_count(4)
        expect(guidance.nth(0)).to_have_text("Bitte warten Sie, bis Ihre Nummer erscheint.")
        expect(guidance.nth(0)).to_have_attribute("lang", "de")
        expect(guidance.nth(1)).to_have_text("Please wait until your number appears.")
        expect(guidance.nth(1)).to_have_attribute("lang", "en")
        expect(guidance.nth(2)).to_have_attribute("lang", "tr")
        arabic = display.locator('#guidance li[lang="ar"]')
        expect(arabic).to_have_attribute("dir", "rtl")
        expect(arabic).to_have_text("يرجى الانتظار حتى يظهر رقمك.")
        expect(display.get_by_text("Noch kein Aufruf.")).to_be_visible()

        # --- the desk: opened once at Schalter 2, the choice starts there next time -------
        login(page, live_server, "ez", PASSWORD)
        submit(page, page.get_by_role("navigation").get_by_role("link", name="Aufruf"))
        page.get_by_role("combobox", name="Schalter").select_option(
            label="Hauptstelle – Schalter 2"
        )
        submit(page, page.get_by_role("button", name="Schalter öffnen"))
        submit(page, page.get_by_role("button", name="Schalter schließen"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Schalter öffnen")
        chosen = page.get_by_role("combobox", name="Schalter")
        expect(chosen.locator("option:checked")).to_have_text("Hauptstelle – Schalter 2")
        submit(page, page.get_by_role("button", name="Schalter öffnen"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Aufruf an Schalter 2")

        # --- call next with the keyboard: the keyboard lands on the called customer --------
        expect(page.get_by_role("button", name="Nächste Person aufrufen")).to_be_focused()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        axe_check(page)
        expect(
            page.get_by_role("heading", name=re.compile(rf"^Aufgerufen: {first.number}"))
        ).to_be_visible()
        assert active_id(page) == "h-current"
        expect(display.locator("#calls .fd-call").first).to_contain_text(
            first.number, timeout=SEEN_WITHIN_MS
        )
        expect(display.locator("#calls .fd-call").first).not_to_contain_text("erneuter Aufruf")
        axe_check(display)

        # The list refreshes while the keyboard is on a waiting customer: it stays there.
        pull = page.get_by_role("link", name=f"{second.number} vorziehen")
        pull.focus()
        wait_for_queue_refresh(page)
        assert active_id(page) == f"call-{second.pk}"
        # That customer leaves: the keyboard goes to the list's heading, not lost to the page.
        visit_cancel(actor=staff["empfang"], visit_id=second.pk, note="gegangen")
        wait_for_queue_refresh(page)
        expect(pull).to_have_count(0)
        assert active_id(page) == "h-queue"
        axe_check(page)

        # --- "nicht erschienen": disabled, with the reason ---------------------------------
        no_show = page.get_by_role("button", name="Nicht erschienen")
        expect(no_show).to_be_disabled()
        expect(page.get_by_text("erst nach 3 Aufrufen über mindestens 2 Minuten")).to_be_visible()

        # Recall: the display marks it. Clicked twice at once: one call. (Test set-up: the
        # call was ten seconds ago, longer than the five seconds a repeat click counts as.)
        Visit.objects.filter(pk=first.pk).update(
            last_called_at=Visit.objects.get(pk=first.pk).last_called_at - timedelta(seconds=10)
        )
        submit(page, page.get_by_role("button", name="Erneut aufrufen"))
        expect(page.get_by_role("status")).to_contain_text(f"{first.number} ist erneut aufgerufen.")
        assert active_id(page) == "h-current"
        submit(page, page.get_by_role("button", name="Erneut aufrufen"))
        expect(page.get_by_role("status")).to_contain_text("das zählt nicht als neuer Aufruf")
        expect(page.get_by_role("heading", name=re.compile("^Aufgerufen"))).to_contain_text(
            "2. Aufruf"
        )
        recalled = display.locator("#calls .fd-call").first
        expect(recalled).to_contain_text("erneuter Aufruf", timeout=SEEN_WITHIN_MS)
        expect(recalled).to_contain_text("Schalter 2")
        axe_check(display)

        # Test set-up: the first call was three minutes ago (the clock is not waited out).
        called = Visit.objects.get(pk=first.pk)
        Visit.objects.filter(pk=first.pk).update(
            called_at=called.called_at - timedelta(minutes=3),
            last_called_at=called.last_called_at - timedelta(seconds=10),
        )
        submit(page, page.get_by_role("button", name="Erneut aufrufen"))
        expect(page.get_by_role("heading", name=re.compile("^Aufgerufen"))).to_contain_text(
            "3. Aufruf"
        )
        expect(no_show).to_be_enabled()
        expect(page.get_by_text("erst nach 3 Aufrufen")).to_have_count(0)

        # --- the name opens the record (this role may open it) ----------------------------
        name = page.get_by_role("link", name=f"{erika.first_name} {erika.last_name}")
        record = reverse("intake:customer_detail", args=[erika.pk])
        expect(name).to_have_attribute("href", record)
        submit(page, name)
        expect(page).to_have_url(re.compile(re.escape(record) + "$"))
        page.go_back()
        axe_check(page)

        # --- the no-show: the display drops the number ---------------------------------------
        submit(page, page.get_by_role("button", name="Nicht erschienen"))
        expect(page.get_by_role("status")).to_contain_text(
            f"{first.number} ist als nicht erschienen erfasst."
        )
        expect(display.get_by_text("Noch kein Aufruf.")).to_be_visible(timeout=SEEN_WITHIN_MS)
        expect(display.locator("#calls .fd-call")).to_have_count(0)
        axe_check(display)

        # The display never showed a name.
        for secret in (erika.first_name, erika.last_name, erika.kundennummer):
            expect(display.locator("body")).not_to_contain_text(secret)

    assert Visit.objects.get(pk=first.pk).state == VisitState.NO_SHOW
