"""The silent alarm: the receptionist presses Alt+Shift+A while typing; her colleague's page
at the same site shows the alarm within seconds, he takes it over, she sees that help comes,
and it is ended. Every page state of both screens is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from jobcenter.models import Standort
from jobcenter.roles import Role
from tests.factories import UserFactory

from . import conftest as e2e
from .conftest import axe_check, login

pytestmark = pytest.mark.e2e

SHOWN_WITHIN_MS = 15_000  # every staff page polls the alarm region every 5 seconds


@pytest.fixture
def second_page(browser, live_server):
    """A second person's screen, checked like the first."""
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", timezone_id="Europe/Berlin"
    )
    page = context.new_page()
    page.route(
        f"**{e2e.AXE_URL_PATH}",
        lambda route: route.fulfill(path=e2e.AXE_JS, content_type="text/javascript; charset=utf-8"),
    )
    e2e._STATES[page] = e2e.PageStates()
    yield page
    del e2e._STATES[page]
    context.close()


def test_a_colleague_at_the_site_sees_the_alarm_within_seconds(page, second_page, live_server):
    jobcenter_user = UserFactory(username="empfang1", role=Role.EMPFANG, room="Raum 0.02")
    site = Standort.objects.create(jobcenter=jobcenter_user.jobcenter, name="Hauptstelle")
    jobcenter_user.standort = site
    jobcenter_user.save()
    UserFactory(
        username="ez1", role=Role.EINGANGSZONE, jobcenter=jobcenter_user.jobcenter, standort=site
    )

    login(second_page, live_server, "ez1")
    login(page, live_server, "empfang1")
    # She is typing in the search field when it gets tense: the shortcut works all the same.
    search = page.get_by_role("searchbox").or_(page.get_by_role("textbox")).first
    search.click()
    search.type("Mül")
    page.keyboard.press("Alt+Shift+A")
    own = page.locator("[data-alarm-own]")
    expect(own).to_contain_text("Gesendet", timeout=SHOWN_WITHIN_MS)
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing shouts on her own screen
    axe_check(page)

    alarm = second_page.get_by_role("alert").filter(has_text="NOTRUF")
    expect(alarm).to_contain_text("Raum 0.02", timeout=SHOWN_WITHIN_MS)
    axe_check(second_page)
    alarm.get_by_role("button", name="Ich komme").click()
    expect(alarm).to_contain_text(re.compile(r"Übernommen von"))
    axe_check(second_page)

    expect(own).to_contain_text("kommt", timeout=SHOWN_WITHIN_MS)
    own.get_by_role("button", name="Beenden").click()
    expect(own).to_have_count(0)
    axe_check(page)
    expect(second_page.get_by_role("alert").filter(has_text="NOTRUF")).to_have_count(
        0, timeout=SHOWN_WITHIN_MS
    )
    axe_check(second_page)
