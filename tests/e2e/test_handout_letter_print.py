"""The hand-out letter in the browser (issue 12): reached from the case page, axe-clean on
screen, and printed on A4 with the DIN 5008 (Form B) fields at their places."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from jobcenter.models import OpeningHours, Standort
from tests.factories import register

from .conftest import axe_check, login, submit, visit

pytestmark = pytest.mark.e2e

PX_PER_MM = 96 / 25.4  # CSS pixels per millimetre


def _mm(box: dict) -> dict:
    return {key: round(value / PX_PER_MM, 1) for key, value in box.items()}


def test_the_letter_prints_in_din_5008_form_b(transactional_db, live_server, page, staff, teams):
    jobcenter = staff["ez"].jobcenter
    jobcenter.phone = "0202 74763-0"
    jobcenter.save()
    site = Standort.objects.create(
        jobcenter=jobcenter, name="Barmen", address="Bachstraße 2\n42275 Wuppertal"
    )
    OpeningHours.objects.create(standort=site, weekday=0, opens=time(8), closes=time(12))
    teams["leistung"].standort = site
    teams["leistung"].save()
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])

    login(page, live_server, "ez")
    visit(page, f"/faelle/{antrag.pk}/")
    submit(page, page.get_by_role("link", name="Anschreiben zur Antragsausgabe (druckbar)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ihr Erstantrag")
    expect(page.get_by_text("Ihre Pflicht zur Mitwirkung")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Öffnungszeiten: Mo 08:00–12:00"))).to_be_visible()

    # No horizontal scrolling of the letter at 320 px (WCAG 1.4.10).
    page.set_viewport_size({"width": 320, "height": 800})
    article = page.get_by_role("article")
    assert article.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    assert article.evaluate("(el) => el.getBoundingClientRect().right <= 320")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.emulate_media(media="print")
    # The application's chrome is not printed.
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Drucken")).to_be_hidden()
    window = _mm(page.locator(".app-letter__window").bounding_box())
    assert (window["x"], window["y"], window["width"], window["height"]) == (20, 45, 85, 45)
    back = _mm(page.locator(".app-letter__return").bounding_box())
    recipient = _mm(page.locator(".app-letter__recipient").bounding_box())
    assert back["y"] == 45 and back["height"] == 17.7  # the Zusatz- und Vermerkzone
    assert recipient["y"] == 62.7  # the recipient below the return address
    info = _mm(page.locator(".app-letter__info").bounding_box())
    assert (info["x"], info["y"], info["width"]) == (125, 50, 75)
    subject = _mm(page.get_by_role("heading", level=1).bounding_box())
    assert subject["x"] == 25 and 98 <= subject["y"] <= 99.5
    size = page.locator(".app-letter__return").evaluate("(el) => getComputedStyle(el).fontSize")
    assert float(size.removesuffix("px")) < 10  # small type (7 pt)
    page.emulate_media(media="screen")
    axe_check(page)
