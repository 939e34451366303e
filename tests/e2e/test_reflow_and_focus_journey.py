"""Reflow and visible focus (WCAG 1.4.10, 2.4.7), in Chromium with axe on every state.

Each role's main pages at 320 × 640 CSS pixels (a 1280 px screen zoomed to 400 %): the page
itself never scrolls sideways; a wide table may scroll inside its own wrapper, which is then
a keyboard stop (tabindex=0) with a name. A date field shows a focus ring with at least 3:1
against the page when it has the keyboard focus.

Time is fixed (Monday 23 March 2026, 09:30 in Berlin), in the same process as the server.
"""

from datetime import datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontdesk.models import Concern, Desk
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.desks import desk_open
from jobcenter.models import OpeningHours, Standort
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import person, register

from .conftest import PASSWORD, login, submit, visit

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 23, 9, 30, tzinfo=BERLIN)
NARROW = {"width": 320, "height": 640}

# What sticks out to the right of the viewport, outside a scrolling wrapper: the culprits
# when the page scrolls sideways.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const wrapper = el.closest('.kern-table-responsive');
        if (wrapper && wrapper !== el) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 0.5) {
            const text = (el.textContent || '').trim().slice(0, 30);
            out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text}"`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, culprits: out.slice(-6)};
}"""

# Every table wrapper that actually scrolls must be reachable and named.
SCROLLERS_JS = """() => [...document.querySelectorAll('.kern-table-responsive')]
    .filter((el) => el.scrollWidth > el.clientWidth)
    .map((el) => ({
        tabindex: el.getAttribute('tabindex'),
        role: el.getAttribute('role'),
        named: Boolean(el.getAttribute('aria-labelledby') || el.getAttribute('aria-label')),
    }))"""


def sideways_scrolling(page: Page) -> list[str]:
    """What makes the page wider than the viewport, and unreachable or unnamed scrollers."""
    found = page.evaluate(OVERFLOW_JS)
    problems = []
    if found["scrollWidth"] > NARROW["width"]:
        problems.append(f"{page.url}: {found['scrollWidth']} px wide, {found['culprits']}")
    for scroller in page.evaluate(SCROLLERS_JS):
        if scroller != {"tabindex": "0", "role": "region", "named": True}:
            problems.append(f"{page.url}: table wrapper {scroller}")
    return problems


@pytest.fixture
def office(monkeypatch, staff, teams):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    jobcenter = staff["ez"].jobcenter
    apply_preset(jobcenter=jobcenter, name="demo")
    site = Standort.objects.create(
        jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1, 42103 Wuppertal"
    )
    for weekday in range(5):
        OpeningHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(16))
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    case = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[
            person("Maximiliane", "Schwarzenberg-Müllerhausen", is_head=True),
            person("Konstantin", "Schwarzenberg-Müllerhausen"),
        ],
    )
    concern = Concern.objects.of(jobcenter).first()
    for kunde in (case.applicant, None):
        visit_check_in(
            actor=staff["empfang"],
            data=CheckIn(standort=site, concerns=[concern], kunde=kunde),
        )
    desk_open(actor=staff["ez"], desk_id=desk.pk)
    return {"case": case}


def test_every_roles_main_pages_reflow_at_320_px(page: Page, live_server, office):
    page.set_viewport_size(NARROW)
    case = office["case"]

    problems: list[str] = []

    def login_as(username: str) -> None:
        page.context.clear_cookies()  # the next person at this screen
        login(page, live_server, username, PASSWORD)
        problems.extend(sideways_scrolling(page))  # where the role lands

    def open_narrow(path: str) -> None:
        visit(page, path)
        problems.extend(sideways_scrolling(page))

    login_as("empfang")
    open_narrow("/empfang/")
    expect(page.locator("#reception-today").get_by_role("row")).not_to_have_count(0)

    login_as("ez")
    open_narrow("/aufruf/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aufruf an Schalter 1")

    login_as("leistung")
    open_narrow("/faelle/")
    open_narrow(f"/faelle/{case.pk}/")
    open_narrow("/postfaecher/")
    submit(page, page.get_by_role("link", name="Postfach Team leistung", exact=True))
    problems.extend(sideways_scrolling(page))

    login_as("ifk")
    open_narrow("/arbeitsliste/")

    login_as("teamleitung")
    open_narrow("/fristen/")
    open_narrow("/fristenrechner/?start=2026-12-16&frist=9AT&kalender=NW")

    assert not problems, "\n".join(problems)


def contrast(a: list[int], b: list[int]) -> float:
    """WCAG contrast ratio of two sRGB colours given as [r, g, b, …] (0–255)."""

    def luminance(rgb: list[int]) -> float:
        channels = [c / 255 for c in rgb[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The focus ring of an element and the colour behind it, as sRGB (KERN writes its colours in
# oklch(); a 1×1 canvas converts whatever the browser computed).
RING_JS = """(el) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const srgb = (colour) => {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = colour;
        ctx.fillRect(0, 0, 1, 1);
        return [...ctx.getImageData(0, 0, 1, 1).data];
    };
    let behind = 'rgb(255, 255, 255)';
    for (let p = el.parentElement; p; p = p.parentElement) {
        const c = getComputedStyle(p).backgroundColor;
        if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { behind = c; break; }
    }
    const s = getComputedStyle(el);
    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
            colour: srgb(s.outlineColor), behind: srgb(behind)};
}"""


def tab_to(page: Page, field) -> None:
    """Move the keyboard focus to `field` with Tab from the top, as a keyboard user does
    (a keyboard focus is what :focus-visible answers to)."""
    page.get_by_role("link", name="Zum Inhalt springen").focus()
    for _ in range(40):
        if field.evaluate("(el) => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(field).to_be_focused()


def assert_visible_focus(page: Page, field) -> None:
    tab_to(page, field)
    ring = field.evaluate(RING_JS)
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    assert ring["colour"][3] == 255, ring  # opaque, so the ratio below is what one sees
    assert contrast(ring["colour"], ring["behind"]) >= 3, ring


def test_date_and_time_fields_show_their_keyboard_focus(page: Page, live_server, office):
    login(page, live_server, "teamleitung", PASSWORD)
    visit(page, "/fristenrechner/")
    start, clock = page.get_by_label("Beginn (Datum)"), page.get_by_label("Uhrzeit")
    assert (start.get_attribute("type"), clock.get_attribute("type")) == ("date", "time")
    assert start.evaluate("(el) => getComputedStyle(el).outlineStyle") == "none"  # unfocused
    assert_visible_focus(page, start)
    assert_visible_focus(page, clock)
    # With an error the field is red; its focus ring must still stand out.
    visit(page, "/fristenrechner/?start=30.02.2026&frist=9AT&kalender=NW")
    expect(page.locator("#error-summary")).to_contain_text("Beginn (Datum)")
    assert_visible_focus(page, page.get_by_label("Beginn (Datum)"))
