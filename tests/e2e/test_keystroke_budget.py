"""Keystroke budget: the reception's three check-ins and the EZ's intake of one person, done
with the keyboard only in Chromium, may not take more keystrokes than the README's table
"Tastenanschläge" allows.

Every key goes through `Keys`, which counts it: a press (Tab, Enter, Space, an arrow) is one
keystroke, typed text one per character. Focus is moved with Tab as a person would, so a
page that puts more stops before the field a person needs costs keystrokes here too. Every
page state is checked with axe.
"""

import re
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from appointments.models import Appointment, Kind
from frontdesk.models import Desk, Visit, VisitState
from intake.models import Kunde
from jobcenter.models import OpeningHours, Standort
from minimumstandards.workdays import BERLIN
from tests.factories import PASSWORD, person, register

from .conftest import ROOT, axe_check, login, visit

pytestmark = pytest.mark.e2e

# Monday 23 March 2026, 09:30: the site is open, an appointment at 10:00.
MONDAY = datetime(2026, 3, 23, 9, 30, tzinfo=BERLIN)
MAX_TABS = 120


class Keys:
    """The keyboard, counted."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def tab_to(self, target: Locator) -> None:
        """Tab until `target` has the focus."""
        for _ in range(MAX_TABS):
            if target.evaluate("(el) => el === document.activeElement"):
                return
            self.press("Tab")
        pytest.fail(f"{target} not reached with Tab")

    def choose(self, radio: Locator) -> None:
        """Into a radio group with Tab, then the arrow keys to the wanted one."""
        name = radio.get_attribute("name")
        for _ in range(MAX_TABS):
            if self.page.evaluate(
                "(name) => document.activeElement && document.activeElement.name === name", name
            ):
                break
            self.press("Tab")
        for _ in range(20):
            if radio.is_checked():
                return
            self.press("ArrowUp")
        pytest.fail(f"{radio} not chosen with the arrow keys")

    def submit(self) -> None:
        """Enter on the focused button: a new page, checked with axe."""
        with self.page.expect_navigation():
            self.press("Enter")
        axe_check(self.page)


def budget() -> dict[str, int]:
    """The README's table "Tastenanschläge": task → most keystrokes allowed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("Tastenanschläge", 1)[1]
    rows = re.findall(r"^\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|", section, re.M)
    return {task: int(n) for task, n in rows}


TASKS = {
    "walk_in": "Empfang: Laufkundschaft nach Anliegen",
    "appointment": "Empfang: Kundin mit Termin",
    "settled": "Empfang: kurzes Anliegen am Empfang erledigt",
    "intake": "Eingangszone: Antragsaufnahme einer Person",
}


def within_budget(task: str, keys: Keys) -> None:
    allowed = budget()
    label = TASKS[task]
    assert label in allowed, f"README table Tastenanschläge has no row {label!r}"
    print(f"{label}: {keys.count} keystrokes")  # the measured count, for the README
    assert keys.count <= allowed[label], (
        f"{label}: {keys.count} keystrokes, the README allows {allowed[label]}"
    )


@pytest.fixture
def office(monkeypatch, staff, teams):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    jobcenter = staff["ez"].jobcenter
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1")
    for weekday in range(5):
        OpeningHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(12))
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    ifk = staff["ifk"]
    ifk.first_name, ifk.last_name, ifk.room = "Ines", "Fink", "Raum 2.14"
    ifk.save()
    walk_in = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Sabine", "Kowalski", date(1984, 5, 12), is_head=True)],
    ).applicant
    invited = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=ifk,
        persons=[person("Leyla", "Demir", date(1988, 9, 14), is_head=True)],
    ).applicant
    Appointment.objects.create(
        jobcenter=jobcenter,
        kunde=invited,
        caseworker=ifk,
        kind=Kind.FOLGEGESPRAECH,
        standort=site,
        starts_at=datetime(2026, 3, 23, 10, tzinfo=BERLIN),
        ends_at=datetime(2026, 3, 23, 10, 45, tzinfo=BERLIN),
        invitation_occasion="folge",
        booked_by=ifk,
    )
    return {"site": site, "walk_in": walk_in, "invited": invited}


def reception(page: Page, live_server) -> Keys:
    login(page, live_server, "empfang", PASSWORD)
    visit(page, "/empfang/")
    expect(page.locator("#id_q")).to_be_focused()  # the search field has the keyboard
    return Keys(page)


def test_walk_in_by_concern(transactional_db, live_server, page, office):
    keys = reception(page, live_server)
    keys.type("Kowalski")  # the name alone shows the matches to choose from
    kunde = page.get_by_role("radio", name=re.compile(r"^Kowalski, Sabine"))
    expect(kunde).to_be_visible()
    keys.choose(kunde)
    keys.tab_to(page.get_by_role("checkbox", name=re.compile(r"^Unterlagen abgeben")))
    keys.press("Space")
    keys.tab_to(page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
    keys.submit()
    visit_ = Visit.objects.get(kunde=office["walk_in"])
    assert visit_.state == VisitState.WAITING
    expect(page.locator("#last-visit")).to_contain_text(f"Wartenummer {visit_.number}")
    within_budget("walk_in", keys)


def test_appointment_customer(transactional_db, live_server, page, office):
    keys = reception(page, live_server)
    keys.type(office["invited"].kundennummer)
    appointment = page.get_by_role("checkbox", name=re.compile(r"^Zum Termin anmelden"))
    expect(appointment).to_be_checked()  # the default once the lookup knows the appointment
    keys.tab_to(page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
    keys.submit()
    expect(page.locator("#send-to")).to_contain_text("Ines Fink")
    assert Appointment.objects.get(kunde=office["invited"]).arrived_at is not None
    within_budget("appointment", keys)


def test_quick_concern_settled_at_reception(transactional_db, live_server, page, office):
    keys = reception(page, live_server)
    keys.tab_to(page.get_by_role("checkbox", name="Vordrucke, Merkblätter oder Flyer abholen"))
    keys.press("Space")
    keys.tab_to(page.get_by_role("button", name="Am Empfang erledigt"))
    keys.submit()
    expect(page.locator("#last-visit")).to_contain_text("Ohne Wartenummer")
    assert Visit.objects.get().state == VisitState.DONE
    within_budget("settled", keys)


def test_ez_intake_of_one_person(transactional_db, live_server, page, office):
    login(page, live_server, "ez", PASSWORD)
    visit(page, "/antrag/neu/")
    keys = Keys(page)
    group = page.get_by_role("group", name="Person 1", exact=True)
    keys.tab_to(group.get_by_label("Vorname"))
    keys.type("Jonas")
    keys.press("Tab")
    keys.type("Becker")
    keys.press("Tab")
    # Day and month alike: Chromium's date field takes the digits in its locale's order.
    keys.type("05051990")
    keys.tab_to(page.get_by_label("Grund der Antragstellung"))
    keys.type("Arbeitslosigkeit")
    keys.tab_to(page.get_by_label("zuständiges Leistungsteam"))
    keys.type("Team leistung")
    keys.tab_to(page.get_by_role("button", name="Antrag aufnehmen"))
    keys.submit()
    expect(page).to_have_url(re.compile(r"/faelle/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jonas Becker")
    assert Kunde.objects.get(last_name="Becker").date_of_birth == date(1990, 5, 5)
    within_budget("intake", keys)
