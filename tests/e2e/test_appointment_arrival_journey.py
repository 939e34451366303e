"""A customer comes for an appointment (rule R-EM-01, issue 12), in real Chromium, every page
state checked with axe-core.

The IFK has the worklist open. The reception finds the customer, the appointment is
offered as the default, one click checks her in; reception is told where to send her,
and the IFK's worklist shows "ist da" without a reload. A second check-in is refused.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment, Kind
from frontdesk.models import Desk, Outcome, Visit
from jobcenter.models import Standort
from tests.factories import PASSWORD, register

from .conftest import axe_check, login, submit, visit
from .test_frontdesk_journeys import another_browser

pytestmark = [pytest.mark.e2e, pytest.mark.rule("R-EM-01")]

# The worklist refreshes itself every 15 seconds.
ARRIVAL_SEEN_WITHIN_MS = 25_000


def test_reception_checks_in_an_appointment_customer_and_the_ifk_sees_her_arrive(
    transactional_db, live_server, page, browser, staff, teams
):
    site = Standort.objects.create(jobcenter=staff["ifk"].jobcenter, name="Hauptstelle")
    Desk.objects.create(standort=site, name="Schalter 1").teams.set([teams["ez"]])
    ifk = staff["ifk"]
    ifk.first_name, ifk.last_name, ifk.room = "Anna", "Schmidt", "Raum 2.14, 2. OG"
    ifk.save()
    erika = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    starts = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 45)))
    termin = Appointment.objects.create(
        jobcenter=ifk.jobcenter,
        kunde=erika,
        caseworker=ifk,
        kind=Kind.FOLGEGESPRAECH,
        standort=site,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=10),
        invitation_occasion="folge",
        booked_by=ifk,
    )

    with another_browser(browser, live_server) as desk:
        # --- the IFK has the worklist open: nobody has arrived yet --------------------------
        login(desk, live_server, "ifk", PASSWORD)
        visit(desk, reverse("routing:worklist"))
        table = desk.locator("#worklist-table")
        expect(table).not_to_contain_text("ist da")

        # --- the reception: the lookup offers the appointment as the default ---------------
        login(page, live_server, "empfang", PASSWORD)
        submit(page, page.get_by_role("navigation").get_by_role("link", name="Empfang"))
        page.get_by_label("Kd.-Nr. oder Name").press_sequentially(erika.kundennummer)
        offered = page.get_by_role(
            "checkbox", name="Zum Termin anmelden: Folgegespräch um 23:45 bei Anna Schmidt"
        )
        expect(offered).to_be_checked()
        expect(page.get_by_text("Bitte zu Anna Schmidt, Raum 2.14, 2. OG.")).to_be_visible()
        axe_check(page)

        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        confirmation = page.locator("#last-visit")
        expect(confirmation).to_contain_text("A001: zum Termin geschickt")
        expect(confirmation).to_contain_text("Bitte zu Anna Schmidt, Raum 2.14, 2. OG.")

        # --- the IFK's worklist shows the arrival without a reload -------------------------
        arrived = (
            table.get_by_role("row")
            .filter(has_text="Mustermann, Erika")
            .filter(has_text="ist da seit")
        )
        expect(arrived).to_be_visible(timeout=ARRIVAL_SEEN_WITHIN_MS)
        expect(arrived).to_contain_text("Folgegespräch um 23:45: ist da")
        axe_check(desk)
        submit(desk, arrived.get_by_role("link", name="Folgegespräch um 23:45: ist da"))
        expect(desk.get_by_role("heading", level=1)).to_have_text("Erika Mustermann")
        expect(desk.locator("#arrived")).to_contain_text(re.compile(r"ist da seit \d\d:\d\d"))

        # --- a second check-in for the same appointment is refused -------------------------
        page.get_by_label("Kd.-Nr. oder Name").press_sequentially(erika.kundennummer)
        expect(page.locator("#id_with_appointment")).to_contain_text(
            re.compile(r"Zum Folgegespräch um 23:45 bei Anna Schmidt bereits um \d\d:\d\d Uhr")
        )
        axe_check(page)
        submit(page, page.get_by_role("button", name="Anmelden – Wartenummer vergeben"))
        expect(page.locator("#error-summary")).to_contain_text(
            re.compile(r"Zu diesem Termin wurde die Person bereits um \d\d:\d\d Uhr angemeldet\.")
        )

    assert Visit.objects.get().outcome == Outcome.TO_APPOINTMENT
    termin.refresh_from_db()
    assert termin.arrived_at is not None
