"""A morning at the front desk in real Chromium, every page state checked with axe-core.

Three people, three browsers: the reception checks three customers in, an Eingangszone desk
calls them (settles one, passes one on, marks one as no-show), and the waiting-room display
shows every call within seconds, through a network hiccup. The team lead's live view and
the report then agree with what happened.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from frontdesk.models import Desk, Outcome, SiteSettings, Visit, VisitState
from frontdesk.services.displays import display_create, display_path
from jobcenter.models import Standort
from routing.models import Aufgabe
from tests.factories import PASSWORD, person, register, seed_catalogues

from .conftest import _STATES, AXE_JS, AXE_URL_PATH, PageStates, axe_check, login, submit, visit

pytestmark = pytest.mark.e2e

CALL_SEEN_WITHIN_MS = 10_000  # the display polls every 3 seconds


@contextmanager
def another_browser(browser: Browser, live_server, *, offline_ok: bool = False) -> Iterator[Page]:
    """One more person's browser, instrumented like the `page` fixture: every navigation
    must be checked with axe_check(), and JavaScript errors, CSP violations and failed
    requests fail that check (requests failing while the test has cut the network are
    expected when `offline_ok`)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    states = PageStates()
    _STATES[page] = states
    page.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript; charset=utf-8"),
    )
    page.on(
        "framenavigated",
        lambda frame: states.navigated(frame.url) if frame == page.main_frame else None,
    )
    page.on("pageerror", lambda error: states.problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            states.problems.append(f"CSP violation: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            states.problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )

    def failed(request) -> None:
        if offline_ok and "ERR_INTERNET_DISCONNECTED" in (request.failure or ""):
            return
        # A background poll (the alarm, the queue) cut off by a navigation is no failure.
        if request.resource_type in ("fetch", "xhr") and "ERR_ABORTED" in (request.failure or ""):
            return
        states.problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", failed)
    try:
        yield page
        missed = [*states.skipped, *([states.unchecked] if states.unchecked else [])]
        assert not missed, f"page states never checked with axe_check(): {missed}"
    finally:
        context.close()
        del _STATES[page]


@pytest.fixture
def front_office(jobcenter, teams, staff):
    seed_catalogues()
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    display, display_key = display_create(standort=site, name="Wartebereich")
    erika = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    return {
        "site": site,
        "desk": desk,
        "display": display,
        "display_url": display_path(display_key),
        "erika": erika,
    }


def calls(display: Page):
    return display.locator("#calls .fd-call")


def expect_called(display: Page, number: str) -> None:
    """The number appears at the top of the display, highlighted, within seconds."""
    latest = calls(display).first
    expect(latest).to_contain_text(number, timeout=CALL_SEEN_WITHIN_MS)
    expect(latest).to_contain_text("Schalter 1")
    expect(latest).to_have_class(re.compile(r"\bfd-call--new\b"))
    axe_check(display)


def test_a_morning_at_the_front_desk(
    transactional_db, live_server, page, browser, staff, teams, front_office
):
    erika = front_office["erika"]
    display_url = front_office["display_url"]
    # The desk here calls again at once: every recall counts, no minutes between them (the
    # spread over time: tests/e2e/test_desk_details_journey.py).
    SiteSettings.objects.create(
        standort=front_office["site"], no_show_min_minutes=0, recall_ignored_seconds=0
    )

    with (
        another_browser(browser, live_server, offline_ok=True) as display,
        another_browser(browser, live_server) as desk,
    ):
        # --- the waiting-room screen: no login, a token -------------------------------------
        visit(display, display_url)
        expect(display.get_by_role("heading", level=1)).to_have_text("Hauptstelle")
        expect(display.get_by_text("Noch kein Aufruf.")).to_be_visible()
        display.get_by_role("button", name="Ton bei Aufruf").click()
        expect(display.get_by_role("button", name="Ton bei Aufruf")).to_have_attribute(
            "aria-pressed", "true"
        )
        axe_check(display)

        # --- the reception checks three customers in ---------------------------------------
        login(page, live_server, "empfang", PASSWORD)
        submit(page, page.get_by_role("navigation").get_by_role("link", name="Empfang"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung am Empfang")
        expect(page.get_by_label("Kd.-Nr. oder Name")).to_be_focused()

        # A check-in without concern is refused, and what was typed stays.
        page.get_by_label("Kd.-Nr. oder Name").fill(erika.kundennummer)
        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        summary = page.locator("#error-summary")
        expect(summary).to_contain_text("Bitte mindestens ein Anliegen auswählen.")
        expect(summary).to_be_focused()
        expect(page.get_by_label("Kd.-Nr. oder Name")).to_have_value(erika.kundennummer)
        assert not Visit.objects.exists()

        # 1. Erika Mustermann, known: the Kd.-Nr. finds her as you type (htmx).
        page.get_by_label("Kd.-Nr. oder Name").fill("")
        page.get_by_label("Kd.-Nr. oder Name").press_sequentially(erika.kundennummer)
        found = page.get_by_role("radio", name=re.compile(r"^Mustermann, Erika"))
        expect(found).to_be_checked()
        axe_check(page)
        page.get_by_role("checkbox", name="Unterlagen abgeben").check()
        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        expect(page.locator("#last-visit")).to_contain_text("Wartenummer A001")

        # The printable ticket: number and site, no name.
        submit(page, page.get_by_role("link", name="Wartemarke A001 drucken"))
        ticket = page.get_by_role("article")
        expect(ticket.get_by_role("heading", level=1)).to_have_text("A001")
        expect(ticket).not_to_contain_text("Mustermann")
        submit(page, page.get_by_role("link", name="Nächste Anmeldung"))

        # 2. An unknown walk-in.
        page.get_by_label("Bearbeitungsstand erfragen").check()
        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        expect(page.locator("#last-visit")).to_contain_text("Wartenummer A002")

        # 3. Acute lack of money: priority, with its reason.
        page.get_by_label("Akute Mittellosigkeit (Vorschuss, Abschlag, Gutschein)").check()
        page.get_by_role("combobox", name=re.compile(r"^Vorrang")).select_option(
            label="akute Mittellosigkeit"
        )
        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        expect(page.locator("#last-visit")).to_contain_text("Wartenummer A003")
        today = page.get_by_role("region", name=re.compile(r"^Heute in Hauptstelle"))
        expect(today.get_by_role("row")).to_have_count(4)  # the header and three waiting
        # Each visit has its page with every state change timestamped.
        submit(page, today.get_by_role("link", name="A002"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Besuch A002")
        expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
        expect(page.get_by_role("table")).to_contain_text("angemeldet")

        # --- the Eingangszone desk ----------------------------------------------------------
        login(desk, live_server, "ez", PASSWORD)
        submit(desk, desk.get_by_role("navigation").get_by_role("link", name="Aufruf"))
        desk.get_by_role("combobox", name="Schalter").select_option(
            label="Hauptstelle – Schalter 1"
        )
        submit(desk, desk.get_by_role("button", name="Schalter öffnen"))
        expect(desk.get_by_role("heading", level=1)).to_have_text("Aufruf an Schalter 1")
        waiting = desk.get_by_role("region", name="Wartende")
        rows = waiting.get_by_role("row")
        # The concern is visible before calling; priority first, then order of arrival.
        expect(rows.nth(1)).to_contain_text("A003")
        expect(rows.nth(1)).to_contain_text("Vorrang: akute Mittellosigkeit")
        expect(rows.nth(2)).to_contain_text("A001")
        expect(rows.nth(2)).to_contain_text("Unterlagen abgeben")
        expect(rows.nth(3)).to_contain_text("A002")

        # The list refreshes itself (htmx) without moving the keyboard; unchanged, the
        # server answers 304 to the version the page sent and the list stays (issue 13).
        with desk.expect_response(
            lambda r: r.url.endswith("/aufruf/liste/") and r.status == 304
        ) as unchanged:
            pass
        assert unchanged.value.request.headers.get("if-none-match", "").startswith('"fd-d')
        expect(rows.nth(1)).to_contain_text("A003")
        axe_check(desk)
        # Calling someone out of turn asks for a reason; here the desk thinks again.
        submit(desk, waiting.get_by_role("link", name="A002 vorziehen"))
        expect(desk.get_by_label("Grund")).to_be_visible()
        submit(desk, desk.get_by_role("link", name="Abbrechen"))

        # The keyboard is on "call next": Enter calls.
        call_next = desk.get_by_role("button", name="Nächste Person aufrufen")
        expect(call_next).to_be_focused()
        with desk.expect_navigation():
            desk.keyboard.press("Enter")
        axe_check(desk)
        expect(desk.get_by_role("heading", name=re.compile(r"^Aufgerufen: A003"))).to_be_visible()
        expect_called(display, "A003")

        # A003 goes on in person to Leistung, with a note.
        desk.get_by_label("an", exact=True).select_option(label="Team leistung")
        desk.get_by_label("Notiz für die nächste Stelle").fill("Vorschuss prüfen")
        submit(desk, desk.get_by_role("button", name="Weiterleiten", exact=True))
        expect(desk.get_by_role("status")).to_contain_text(
            "A003 ist persönlich an Team leistung weitergeleitet."
        )

        # A001 is settled at the desk.
        submit(desk, desk.get_by_role("button", name="Nächste Person aufrufen"))
        expect(desk.get_by_role("heading", name=re.compile(r"^Aufgerufen: A001"))).to_be_visible()
        expect(desk.get_by_text("Mustermann", exact=False).first).to_be_visible()
        expect_called(display, "A001")
        finish = desk.get_by_role("form", name="Abschließen")
        expect(finish.get_by_role("checkbox", name="Unterlagen abgeben")).to_be_checked()
        # The network of the waiting room drops for a moment: the screen keeps its numbers.
        display.context.set_offline(True)
        expect(display.locator("#status")).to_contain_text("Keine Verbindung", timeout=15_000)
        expect(calls(display).first).to_contain_text("A001")
        axe_check(display)

        finish.get_by_label("Notiz (für Vermerk oder Ticket)").fill("Kontoauszüge abgegeben")
        submit(desk, finish.get_by_role("button", name="Abschließen"))
        expect(desk.get_by_role("status")).to_contain_text(
            "A001 ist abgeschlossen: abschließend geklärt."
        )

        # A002 does not come: called three times, then no-show.
        submit(desk, desk.get_by_role("button", name="Nächste Person aufrufen"))
        expect(desk.get_by_role("heading", name=re.compile(r"^Aufgerufen: A002"))).to_be_visible()
        display.context.set_offline(False)
        expect(display.locator("#status")).to_have_text("", timeout=CALL_SEEN_WITHIN_MS * 3)
        expect_called(display, "A002")
        # A001 is finished: off the screen.
        expect(calls(display)).to_have_count(1)
        # "Nicht erschienen" only from the third call on (the server refuses it before, too).
        expect(desk.get_by_role("button", name="Nicht erschienen")).to_be_disabled()
        expect(desk.get_by_text("erst nach 3 Aufrufen")).to_be_visible()
        submit(desk, desk.get_by_role("button", name="Erneut aufrufen"))
        submit(desk, desk.get_by_role("button", name="Erneut aufrufen"))
        expect(desk.get_by_role("heading", name=re.compile(r"^Aufgerufen: A002"))).to_contain_text(
            "3. Aufruf"
        )
        submit(desk, desk.get_by_role("button", name="Nicht erschienen"))
        expect(desk.get_by_role("status")).to_contain_text("A002 ist als nicht erschienen erfasst.")
        # The queue is empty: a clear answer.
        submit(desk, desk.get_by_role("button", name="Nächste Person aufrufen"))
        expect(desk.get_by_role("status")).to_contain_text("Niemand wartet auf diesen Schalter.")

        # The display never showed a name.
        for secret in (erika.last_name, erika.kundennummer):
            expect(display.locator("body")).not_to_contain_text(secret)

        # A wrong token: a clear page, nothing else.
        response = display.goto("/anzeige/kein-gueltiger-schluessel/")
        assert response is not None and response.status == 404
        axe_check(display)
        expect(display.get_by_role("heading", level=1)).to_have_text(
            "Diese Anzeige ist nicht freigeschaltet"
        )

    states = dict(Visit.objects.values_list("number", "state"))
    assert states == {"A001": VisitState.DONE, "A002": VisitState.NO_SHOW, "A003": VisitState.DONE}
    assert Visit.objects.get(number="A003").outcome == Outcome.PASSED_ON
    assert Aufgabe.objects.filter(postfach=teams["leistung"].postfach).exists()

    # --- the team lead: live view and report agree with what happened ---------------------
    submit(page, page.get_by_role("button", name=re.compile(r"^Abmelden \(")))
    login(page, live_server, "teamleitung", PASSWORD)
    submit(page, page.get_by_role("navigation").get_by_role("link", name="Warteschlange"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Warteschlange – Live")
    live = {
        key: page.locator(f'[data-figure="{key}"]').inner_text()
        for key in ("waiting", "arrivals", "served", "desks")
    }
    assert live == {"waiting": "0", "arrivals": "3", "served": "2", "desks": "1"}
    hours = page.get_by_role("region", name="Ankünfte und Bediente je Stunde (heute)")
    current = hours.get_by_role("row").filter(has=page.locator("meter[value='3']"))
    expect(current).to_have_count(1)

    submit(page, page.get_by_role("link", name="Zur Auswertung"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Auswertung der Warteschlange")
    report = {
        key: page.locator(f'[data-figure="{key}"]').inner_text()
        for key in ("visits", "served", "no_shows")
    }
    assert report == {"visits": live["arrivals"], "served": live["served"], "no_shows": "1"}
    per_concern = page.get_by_role("region", name="Je Anliegen")
    expect(per_concern.get_by_role("row", name=re.compile(r"^Unterlagen abgeben"))).to_be_visible()
    # Team level: no one's name in the report.
    expect(page.locator("main")).not_to_contain_text(staff["ez"].get_full_name())


def test_reception_checks_in_against_todays_appointment(
    transactional_db, live_server, page, staff, teams, front_office
):
    from datetime import datetime, time

    from django.utils import timezone

    from intake.models import Antrag

    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Tom", "Termin", is_head=True)],
    )
    moment = timezone.make_aware(datetime.combine(timezone.localdate(), time(10, 30)))
    # Test set-up: an EG booked for today (the booking step refuses past times).
    Antrag.objects.filter(pk=antrag.pk).update(
        eg_state="gebucht", eg_at=moment, eg_with=staff["ifk"]
    )
    login(page, live_server, "empfang", PASSWORD)
    visit(page, "/empfang/")
    page.get_by_label("Kd.-Nr. oder Name").press_sequentially(antrag.applicant.kundennummer)
    expect(
        page.get_by_role("radio", name=re.compile(r"heute Erstgespräch um 10:30"))
    ).to_be_checked()
    axe_check(page)
    page.get_by_label("zum Termin anmelden").check()
    submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
    # No desk serves the IFK's team here: straight to the appointment, the IFK is told.
    expect(page.locator("#last-visit")).to_contain_text("A001: zum Termin geschickt")
    assert Aufgabe.objects.filter(assignee=staff["ifk"], title__contains="A001").exists()
