"""Every read of an appointment leaves a trace: page, invitation PDF, iCal, calendar,
worklist, contacts, the first-consultation search and a group event's participants."""

import pytest
from django.urls import reverse

from jobcenter.models import AuditEvent

from . import test_views

# The booked first consultation of the views' tests, reused as fixtures.
world = test_views.world
eg = test_views.eg

pytestmark = pytest.mark.django_db


def assert_read(actor, subject_id, summary):
    assert AuditEvent.objects.filter(
        action="view", actor=actor, subject_id=subject_id, summary=summary
    ).exists(), list(AuditEvent.objects.filter(action="view").values_list("summary", "subject_id"))


@pytest.mark.parametrize(
    "page, summary",
    [
        ("appointments:detail", "Termin eingesehen"),
        ("appointments:letter", "Einladung (PDF) abgerufen"),
        ("appointments:ical", "Termin (iCal) abgerufen"),
    ],
)
def test_appointment_page_and_files_are_audited(login, world, eg, page, summary):
    assert login(world["ez"]).get(reverse(page, args=[eg.pk])).status_code == 200
    assert_read(world["ez"], eg.kunde_id, summary)


def test_calendar_worklist_and_contacts_are_audited(login, world, eg):
    ifk = world["ifk"]
    client = login(ifk)
    assert client.get(reverse("appointments:calendar"), {"woche": "2026-03-23"}).status_code == 200
    assert_read(ifk, eg.kunde_id, "Terminkalender eingesehen")
    assert client.get(reverse("appointments:worklist_panel")).status_code == 200
    assert_read(ifk, eg.kunde_id, "Termine und fällige Kontakte eingesehen")
    assert client.get(reverse("appointments:contact", args=[eg.kunde_id])).status_code == 200
    assert_read(ifk, eg.kunde_id, "Kontakte und Kontaktdichte eingesehen")


def test_first_consultation_search_is_audited(login, world, eg):
    client = login(world["ez"])
    assert client.get(reverse("appointments:eg_search", args=[eg.antrag_id])).status_code == 200
    assert_read(world["ez"], eg.kunde_id, "Erstgespräch: Terminsuche geöffnet")
