"""The first consultation end to end, in Chromium, every page state checked with axe-core.

The Eingangszone registers a new customer whose IFK is fully booked for the next 10 working
days and whose first deputy's only slot is taken: the booking chain finds the second deputy
(rule R-EG-03). The deputy sees the appointment on the calendar's worklist, records it as held;
the case moves to "Erstgespräch durchgeführt" and its deadline closes.

Time is fixed (Monday 23 March 2026, 08:00 in Berlin) and moved on to after the appointment,
in the same process as the live server.
"""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from appointments.models import Appointment, Kind, ReleasedWindow, Status
from appointments.selectors import eg_search
from appointments.services.first_consultation import eg_book
from intake.models import Antrag, ErstgespraechState
from jobcenter.models import Deputy, OpeningHours, Standort
from jobcenter.roles import Role
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import PASSWORD, UserFactory, person, register

from .conftest import axe_check, login, submit, visit

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=BERLIN)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = MONDAY

        def set(self, moment):
            self.now = moment

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def office(clock, staff, teams):
    jobcenter = staff["ez"].jobcenter
    apply_preset(jobcenter=jobcenter, name="demo")
    site = Standort.objects.create(
        jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1, 42103 Wuppertal"
    )
    for weekday in (0, 1, 3, 4):
        OpeningHours.objects.create(standort=site, weekday=weekday, opens=time(8), closes=time(12))
    for key in ("ue25", "u25"):
        teams[key].standort = site
        teams[key].save()
    names = {"ifk": ("Ines", "Fink"), "ifk2": ("Igor", "Feld")}
    for key, (first, last) in names.items():
        staff[key].first_name, staff[key].last_name = first, last
        staff[key].save()
    ifk3 = UserFactory(
        username="ifk3",
        first_name="Ida",
        last_name="Falk",
        jobcenter=jobcenter,
        role=Role.INTEGRATION,
        teams=[teams["u25"]],
    )
    Deputy.objects.create(ifk=staff["ifk"], deputy=staff["ifk2"], position=1)
    Deputy.objects.create(ifk=staff["ifk"], deputy=ifk3, position=2)
    for user in (staff["ifk"], staff["ifk2"], ifk3):
        for weekday in (0, 1, 3, 4):  # rule R-TE-01: Mo, Di, Do, Fr 09:00–10:00
            # Igor Feld has released only one Tuesday in the next ten working days.
            valid = (
                (date(2026, 3, 24), date(2026, 3, 24))
                if user == staff["ifk2"]
                else (date(2026, 1, 1), None)
            )
            if user == staff["ifk2"] and weekday != 1:
                continue
            ReleasedWindow.objects.create(
                caseworker=user,
                kind=Kind.ERSTGESPRAECH,
                weekday=weekday,
                starts=time(9),
                ends=time(10),
                standort=site,
                valid_from=valid[0],
                valid_until=valid[1],
            )
    # Ines Fink is fully booked: every EG slot of the next 10 working days is taken.
    for n in range(20):
        other = register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            ifk=staff["ifk"],
            persons=[
                person(f"Kunde{n}", "Vorher", date(1970, 1, 1) + timedelta(days=n), is_head=True)
            ],
        )
        found = eg_search(antrag=other).found
        if found is None or found.caseworker != staff["ifk"]:
            break
        eg_book(
            actor=staff["ez"],
            antrag_id=other.pk,
            caseworker=staff["ifk"],
            starts_at=found.slots[0].starts_at,
        )
    # ... and Igor Feld's one slot went to a follow-up of another customer.
    Appointment.objects.create(
        jobcenter=jobcenter,
        kunde=other.applicant,
        caseworker=staff["ifk2"],
        kind=Kind.FOLGEGESPRAECH,
        starts_at=datetime(2026, 3, 24, 9, tzinfo=BERLIN),
        ends_at=datetime(2026, 3, 24, 9, 45, tzinfo=BERLIN),
        invitation_occasion="folge",
        booked_by=staff["ifk2"],
    )
    return {**staff, "ifk3": ifk3}


def test_ez_books_eg_with_the_second_deputy_and_the_deputy_records_it(
    transactional_db, live_server, page: Page, clock, office, teams
):
    # --- the Eingangszone registers the new customer ------------------------------------
    login(page, live_server, "ez", PASSWORD)
    visit(page, "/antrag/neu/")
    group = page.get_by_role("group", name="Person 1", exact=True)
    group.get_by_label("Vorname").fill("Leyla")
    group.get_by_label("Nachname").fill("Demir")
    group.get_by_label("Geburtsdatum").fill("1988-09-14")
    group.get_by_label("Vorstand der Bedarfsgemeinschaft").check()
    page.get_by_label("Grund der Antragstellung").fill("Arbeitslosigkeit nach Befristung")
    page.get_by_label("zuständiges Leistungsteam").select_option(label="Team leistung")
    page.get_by_label("Hauptbetreuung (IFK)").select_option(label="Ines Fink")
    submit(page, page.get_by_role("button", name="Antrag aufnehmen"))
    antrag = Antrag.objects.get(applicant__last_name="Demir")
    expect(page).to_have_url(f"{live_server.url}/faelle/{antrag.pk}/")
    panel = page.get_by_role("region", name="Erstgespräch und Termine")
    # The first-consultation deadline, 15 AT from today (Easter does not count).
    expect(panel).to_contain_text("Frist für das Erstgespräch")
    expect(panel).to_contain_text("fällig Mi 15.04.2026 23:59")

    # --- the booking chain ------------------------------------------------------------------
    submit(page, panel.get_by_role("link", name="Erstgespräch buchen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leyla Demir")
    steps = page.get_by_role("region", name=re.compile(r"^Terminsuche bis")).get_by_role("listitem")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text(
        "Schritt 1: zuständige IFK: Ines Fink – kein freier Termin"
    )
    expect(steps.nth(1)).to_contain_text("Schritt 2: Vertretung 1: Igor Feld – kein freier Termin")
    expect(steps.nth(2)).to_contain_text(
        "Schritt 2: Vertretung 2: Ida Falk – freier Termin gefunden, frühestens Mo 23.03.2026 09:00"
    )
    expect(page.get_by_role("status")).to_contain_text(
        "Gefunden in Schritt 2: Vertretung 2 (Ida Falk)."
    )
    first_slot = page.get_by_role("radio", name="Montag, 23.03.2026, 09:00–10:00 Uhr (Ida Falk)")
    expect(first_slot).to_be_checked()
    submit(page, page.get_by_role("button", name="Erstgespräch buchen"))

    appointment = Appointment.objects.get(kunde=antrag.applicant)
    expect(page).to_have_url(f"{live_server.url}/termine/{appointment.pk}/")
    expect(page.locator("#messages")).to_contain_text(
        "Erstgespräch gebucht: 23.03.2026 09:00 bei Ida Falk (Schritt 2: Vertretung 2, Ida Falk)."
    )
    expect(
        page.get_by_text(
            "erste Einladung (Erstgespräch, Kooperationsplan): ohne Rechtsfolgenbelehrung"
        )
    ).to_be_visible()
    letter = page.request.get(
        page.get_by_role("link", name="Einladung (PDF)").get_attribute("href")
    )
    assert letter.ok and letter.headers["content-type"] == "application/pdf"
    ics = page.request.get(
        page.get_by_role("link", name="Kalenderdatei (iCal)").get_attribute("href")
    )
    assert ics.ok and "BEGIN:VEVENT" in ics.text()

    submit(page, page.get_by_role("link", name="zum Fall"))
    expect(page.get_by_text("Erstgespräch gebucht: 23.03.2026 09:00 (Ida Falk)")).to_be_visible()
    panel = page.get_by_role("region", name="Erstgespräch und Termine")
    expect(panel).to_contain_text("Erstgespräch gebucht: Mo 23.03.2026 09:00 bei Ida Falk")
    expect(panel).to_contain_text("fällig Mi 15.04.2026 23:59")

    # --- after the appointment: the deputy records it ----------------------------------------
    clock.set(datetime(2026, 3, 23, 10, 15, tzinfo=BERLIN))
    page.context.clear_cookies()
    login(page, live_server, "ifk3", PASSWORD)
    submit(
        page,
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Kalender"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Kalender")
    outcome_list = page.get_by_role("region", name="Ergebnis offen")
    week = page.get_by_role("region", name=re.compile(r"Woche vom 23\.03\. bis 27\.03\.2026"))
    expect(week.get_by_role("link", name="Erstgespräch: Demir, Leyla")).to_be_visible()
    submit(page, outcome_list.get_by_role("link", name=re.compile(r"Erstgespräch: Demir, Leyla")))

    held = page.get_by_role("form", name="Durchgeführt")
    expect(held.get_by_label("Dauer in Minuten")).to_have_value("60")
    expect(held.get_by_label("persönlich")).to_be_checked()
    held.get_by_label("Gesprächsinhalte (Vermerk)").fill(
        "Profiling und Stärkenanalyse; Kooperationsplan erstellt; zwei Vermittlungsvorschläge."
    )
    held.get_by_role("button", name="Als durchgeführt erfassen").click()  # htmx swaps the region
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("durchgeführt")
    expect(outcome).to_contain_text(
        "60 Minuten, persönlich – qualifizierter Kontakt (Beratungsvermerk)"
    )
    expect(outcome.get_by_role("form")).to_have_count(0)
    axe_check(page)

    submit(page, page.get_by_role("link", name="zum Fall"))
    expect(
        page.get_by_text("Erstgespräch durchgeführt: 23.03.2026 09:00 (Ida Falk)")
    ).to_be_visible()
    deadlines = page.get_by_role("region", name="Fristen (Mindeststandards)")
    expect(deadlines.get_by_role("row").filter(has_text="Erstgespräch")).to_contain_text(
        "fristgerecht erfüllt"
    )

    antrag.refresh_from_db()
    assert antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT
    assert (
        Deadline.objects.get(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION).status
        == Deadline.Status.MET
    )
    assert Appointment.objects.get(pk=appointment.pk).status == Status.DURCHGEFUEHRT
