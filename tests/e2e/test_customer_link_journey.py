"""A customer opens the link from the invitation letter on a phone and moves the appointment
to another offered date (issue 16), in real Chromium, every page state checked with axe-core.
"""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.customer_codes import customer_link_url
from appointments.models import Appointment, Kind, ReleasedWindow
from jobcenter.models import Standort
from tests.factories import register

from .conftest import submit, visit

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_customer_moves_the_appointment_from_the_letters_link_on_a_phone(
    transactional_db, live_server, page, staff, teams
):
    ifk = staff["ifk"]
    ifk.first_name, ifk.last_name = "Anna", "Schmidt"
    ifk.save()
    site = Standort.objects.create(
        jobcenter=ifk.jobcenter, name="Hauptstelle", address="Am Markt 1, 42103 Wuppertal"
    )
    # Follow-up windows every weekday, whatever the day the suite runs.
    for weekday in range(5):
        ReleasedWindow.objects.create(
            caseworker=ifk,
            kind=Kind.FOLGEGESPRAECH,
            weekday=weekday,
            starts=time(10),
            ends=time(12),
            standort=site,
            outside_opening_hours=True,
            valid_from=date(2020, 1, 1),
        )
    erika = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    starts = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=3), time(15))
    )
    termin = Appointment.objects.create(
        jobcenter=ifk.jobcenter,
        kunde=erika,
        caseworker=ifk,
        kind=Kind.FOLGEGESPRAECH,
        standort=site,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        invitation_occasion="folge",
        booked_by=ifk,
    )
    page.set_viewport_size(PHONE)
    path = re.sub(r"^https?://[^/]+", "", customer_link_url(termin))

    visit(page, path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Termin")
    expect(page.get_by_text("Ihre Ansprechperson: Schmidt")).to_be_visible()
    expect(page.get_by_text("Anna")).to_have_count(0)
    # One column on a phone: nothing wider than the screen.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    submit(page, page.get_by_role("link", name="Anderen Termin wählen"))
    first = page.get_by_role("radio").first
    chosen = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    first.check()
    submit(page, page.get_by_role("button", name="Diesen Termin nehmen"))
    expect(page.get_by_role("status")).to_contain_text("Ihr Termin ist verlegt")
    expect(page.get_by_text("Sie haben am")).to_be_visible()

    termin.refresh_from_db()
    assert termin.starts_at != starts
    local = timezone.localtime(termin.starts_at)
    assert f"{local:%d.%m.%Y}, {local:%H:%M}" in chosen
    assert termin.customer_confirmed_at is not None
