"""Keyboard shortcuts at the desk and in the mailbox; the mailbox refreshes itself (issue 12).

At the desk, Alt+Shift+N calls the next customer, Alt+Shift+R calls again, Alt+Shift+E
finishes; none of them fires while the person types a note. In the team mailbox a new urgent
item created while the page is open appears without a reload, the polite live region
announces it once (not on every poll), and the keyboard stays where it was; then the item is
opened, taken and done with the keyboard. Every page state is checked with axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontdesk.models import Visit, VisitState
from routing.models import Aufgabe, InformationType
from routing.services import vermerk_route
from tests.factories import PASSWORD, person, register
from tests.routing.conftest import ensure_catalogue

from .conftest import axe_check, login, submit
from .test_desk_details_journey import desk_site  # noqa: F401 (the desk, its site, check-ins)

pytestmark = pytest.mark.e2e

POLL_WITHIN_MS = 20_000  # the mailbox list polls every 10 seconds

# Counts the form submissions a key press caused: the handler of a shortcut runs within the
# key event, so the count is final when the press returns.
COUNT_SUBMITS = """() => {
    window.submits = 0;
    document.addEventListener('submit', () => { window.submits += 1; }, true);
}"""


def active_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def press(page: Page, keys: str) -> None:
    """A shortcut that loads a new page: wait for it and check it."""
    with page.expect_navigation():
        page.keyboard.press(keys)
    axe_check(page)


def press_while_typing_changes_nothing(page: Page, keys: str) -> None:
    page.evaluate(COUNT_SUBMITS)
    page.keyboard.press(keys)
    assert page.evaluate("() => window.submits") == 0


def next_swap(page: Page) -> None:
    """Wait for the next htmx swap (a poll) to have settled."""
    page.evaluate(
        """(ms) => new Promise((resolve, reject) => {
            document.addEventListener('htmx:afterSettle', resolve, {once: true});
            setTimeout(() => reject(new Error('no refresh within ' + ms + ' ms')), ms);
        })""",
        POLL_WITHIN_MS,
    )


def test_the_desk_calls_again_and_finishes_with_the_keyboard(
    transactional_db,
    live_server,
    page,
    staff,
    desk_site,  # noqa: F811
):
    first = desk_site["check_in"](kunde=desk_site["erika"])

    login(page, live_server, "ez", PASSWORD)
    submit(page, page.get_by_role("navigation").get_by_role("link", name="Aufruf"))
    page.get_by_role("combobox", name="Schalter").select_option(label="Hauptstelle – Schalter 1")
    submit(page, page.get_by_role("button", name="Schalter öffnen"))

    # The shortcuts are listed on the page and declared on their buttons.
    shortcuts = page.locator("#shortcuts")
    expect(shortcuts).to_contain_text("Tastenkürzel:")
    expect(shortcuts).to_contain_text("Alt+Umschalt+N nächste Person aufrufen")
    call_next = page.get_by_role("button", name="Nächste Person aufrufen")
    expect(call_next).to_have_attribute("aria-keyshortcuts", "Alt+Shift+N")

    # The keyboard is elsewhere on the page: the shortcut still calls the next customer.
    page.locator("#main").focus()
    press(page, "Alt+Shift+N")
    expect(
        page.get_by_role("heading", name=re.compile(rf"^Aufgerufen: {first.number}"))
    ).to_be_visible()
    assert Visit.objects.get(pk=first.pk).state == VisitState.CALLED

    # Typing a note: the shortcuts keep out of the way.
    note = page.get_by_label(re.compile(r"^Notiz \(für Vermerk oder Ticket\)"))
    note.fill("Unterlagen abgegeben")
    note.focus()
    press_while_typing_changes_nothing(page, "Alt+Shift+E")
    press_while_typing_changes_nothing(page, "Alt+Shift+R")
    expect(note).to_be_focused()
    assert Visit.objects.get(pk=first.pk).call_count == 1

    # Call again (test set-up: the call was ten seconds ago, longer than a repeat click).
    Visit.objects.filter(pk=first.pk).update(
        last_called_at=Visit.objects.get(pk=first.pk).last_called_at - timedelta(seconds=10)
    )
    page.locator("#h-current").focus()
    expect(page.get_by_role("button", name="Erneut aufrufen")).to_have_attribute(
        "aria-keyshortcuts", "Alt+Shift+R"
    )
    press(page, "Alt+Shift+R")
    expect(page.get_by_role("status")).to_contain_text(f"{first.number} ist erneut aufgerufen.")
    assert Visit.objects.get(pk=first.pk).call_count == 2

    # Finish as chosen (at the desk, resolved): the desk is free for the next one.
    press(page, "Alt+Shift+E")
    assert Visit.objects.get(pk=first.pk).state == VisitState.DONE
    expect(page.get_by_role("button", name="Nächste Person aufrufen")).to_be_visible()


def test_the_mailbox_shows_a_new_urgent_item_announces_it_once_and_keeps_the_keyboard(
    transactional_db, live_server, page, staff, teams, jobcenter
):
    ensure_catalogue()
    types = {t.code: t for t in InformationType.objects.filter(jobcenter=jobcenter)}
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Sabine", "Kowalski", is_head=True)],
    ).applicant
    moving = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    ).vermerk.deliveries.get(postfach=teams["leistung"].postfach)

    login(page, live_server, "leistung", PASSWORD)
    submit(page, page.get_by_role("navigation").get_by_role("link", name="Postfächer", exact=True))
    submit(page, page.get_by_role("link", name="Postfach Team leistung", exact=True))
    expect(page.locator("#shortcuts")).to_contain_text("Alt+Umschalt+N nächsten Eintrag öffnen")
    announce = page.locator("#mailbox-announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_have_text("")

    # The keyboard rests on the item already there; everything the region says is recorded.
    page.locator(f"#item-{moving.pk}-act").focus()
    page.evaluate(
        """() => {
            window.announced = [];
            const region = document.getElementById('mailbox-announce');
            new MutationObserver(() => {
                if (region.textContent) { window.announced.push(region.textContent); }
            }).observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )

    # Meanwhile the Eingangszone records a death, urgently.
    urgent = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["tod"],
        known_on=timezone.localdate(),
        event_date=timezone.localdate(),
        urgent=True,
    ).vermerk.deliveries.get(postfach=teams["leistung"].postfach)
    message = f"Neue dringende Aufgabe: {urgent.title}"

    row = page.locator(f"#item-{urgent.pk}")
    expect(row).to_be_visible(timeout=POLL_WITHIN_MS)  # no reload
    expect(row).to_contain_text("dringend, nicht übernommen")
    expect(announce).to_have_text(message)
    assert active_id(page) == f"item-{moving.pk}-act"  # the keyboard stayed
    axe_check(page)

    # Two more refreshes: nothing new, nothing said again; the keyboard still there.
    next_swap(page)
    next_swap(page)
    assert page.evaluate("() => window.announced") == [message]
    assert active_id(page) == f"item-{moving.pk}-act"
    axe_check(page)

    # --- open the next item, take it, do it: with the keyboard -------------------------
    expect(page.locator("#mailbox-next")).to_have_attribute("aria-keyshortcuts", "Alt+Shift+N")
    press(page, "Alt+Shift+N")
    expect(page.get_by_role("heading", level=1)).to_have_text(urgent.title)
    expect(page.locator("#shortcuts")).to_contain_text("Tastenkürzel:")

    press(page, "Alt+Shift+U")
    expect(page.get_by_role("status").first).to_contain_text(f"Übernommen: {urgent.title}")
    assert Aufgabe.objects.get(pk=urgent.pk).claimed_by == staff["leistung"]

    page.keyboard.press("Alt+Shift+E")
    done_note = page.get_by_label("Was wurde getan?")
    expect(done_note).to_be_focused()
    page.keyboard.type("Sterbeurkunde angefordert")
    press_while_typing_changes_nothing(page, "Alt+Shift+N")
    expect(done_note).to_be_focused()

    submit(page, page.get_by_role("button", name="Als erledigt markieren"))
    expect(page.get_by_role("status").first).to_contain_text(f"Erledigt: {urgent.title}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Postfach Team leistung")
    assert Aufgabe.objects.get(pk=urgent.pk).status == Aufgabe.Status.DONE


def test_the_overview_of_mailboxes_refreshes_and_names_the_mailbox_with_news(
    transactional_db, live_server, page, staff, teams, jobcenter
):
    ensure_catalogue()
    death = InformationType.objects.get(jobcenter=jobcenter, code="tod")
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Jonas", "Brandt", is_head=True)],
    ).applicant

    login(page, live_server, "teamleitung", PASSWORD)
    submit(page, page.get_by_role("navigation").get_by_role("link", name="Postfächer", exact=True))
    postfach = teams["leistung"].postfach
    row = page.locator(f"#postfach-{postfach.pk}")
    expect(row).to_have_attribute("data-urgent-count", "0")
    link = page.locator(f"#postfach-{postfach.pk}-link")
    link.focus()

    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=death,
        known_on=timezone.localdate(),
        event_date=timezone.localdate(),
        urgent=True,
    )
    expect(row).to_have_attribute("data-urgent-count", "1", timeout=POLL_WITHIN_MS)
    # A death goes to Leistung and to Integration: the lead leads both, both are named.
    integration = teams["ue25"].postfach
    expect(page.locator("#mailbox-announce")).to_have_text(
        f"Neue dringende Aufgabe im {postfach.name}. Neue dringende Aufgabe im {integration.name}"
    )
    expect(link).to_be_focused()
    # Counts only: the overview names no customer.
    expect(page.locator("main")).not_to_contain_text("Brandt")
    axe_check(page)
