"""Invitation letters (PDF) and calendar files, with or without Rechtsfolgenbelehrung by the
rules in force on the day of the invitation (rule R-TE-05; the 2026 reform as a new row)."""

import io
from datetime import date, datetime, time

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from appointments.ical import appointment_ical
from appointments.invitations import Occasion
from appointments.letters import invitation_pdf
from appointments.models import Appointment, GroupEvent, InvitationRule
from appointments.services.first_consultation import eg_book
from appointments.services.group_events import group_event_invite
from appointments.services.outcomes import appointment_record_no_show
from minimumstandards.workdays import BERLIN
from tests.factories import person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db


def pdf_text(appointment: Appointment) -> str:
    data = invitation_pdf(appointment)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


@pytest.fixture
def letterhead(jobcenter):
    jobcenter.address = "Bachstraße 2\n42275 Wuppertal"
    jobcenter.phone = "0202 74763-0"
    jobcenter.email = "jobcenter@example.org"
    jobcenter.save()
    return jobcenter


@pytest.fixture
def booked(clock, profile, letterhead, people, teams, site):
    release(people["ifk"], site)
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Jürgen", "Größmann", date(1975, 6, 1), is_head=True)],
        ifk=people["ifk"],
        street="Kasinostraße 12",
        postcode="42103",
        city="Wuppertal",
    )
    return eg_book(
        actor=people["ez"],
        antrag_id=antrag.pk,
        caseworker=people["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )


def test_first_invitation_to_the_kooperationsplan_has_no_rfb(booked, people):
    assert booked.invitation_occasion == Occasion.ERSTEINLADUNG
    assert booked.with_rfb is False
    text = pdf_text(booked)
    for expected in (
        "Jobcenter Wuppertal",
        "Bachstraße 2",
        "42275 Wuppertal",
        "0202 74763-0",
        "Jürgen Größmann",
        "Kasinostraße 12",
        "42103 Wuppertal",
        "Einladung zum Erstgespräch",
        "Montag, 23.03.2026, 09:00 bis 10:00 Uhr",
        f"bei {people['ifk'].get_full_name()}",
        "Hauptstelle, Am Markt 1, 42103 Wuppertal",
        "Kooperationsplan",
        booked.kunde.kundennummer,
        booked.antrag.bedarfsgemeinschaft.number,
        "Diese Einladung enthält keine Rechtsfolgenbelehrung",
    ):
        assert expected in text, expected
    assert "§ 32" not in text


def test_after_a_no_show_the_invitation_carries_the_rfb(booked, clock, people):
    clock.set(datetime(2026, 3, 23, 10, 30, tzinfo=BERLIN))
    _missed, again = appointment_record_no_show(actor=people["ifk"], appointment_id=booked.pk)
    assert again.invitation_occasion == Occasion.NACH_MELDEVERSAEUMNIS
    assert again.with_rfb is True
    text = pdf_text(again)
    assert (
        "Rechtsfolgenbelehrung: Wenn Sie ohne wichtigen Grund nicht zu diesem Termin kommen" in text
    )
    assert "§ 32 SGB II" in text
    # Posted Monday 23 March, received Friday 27 March: the EG window of Monday 30 March.
    assert "Montag, 30.03.2026, 09:00 bis 10:00 Uhr" in text
    assert "keine Rechtsfolgenbelehrung" not in text


def test_rules_switch_by_their_valid_from_date(clock, profile, letterhead, people, teams, site):
    """The 2026 reform as data: from 1 July 2026 even the first invitation carries an RFB."""
    InvitationRule.objects.create(
        jobcenter=letterhead,
        occasion=Occasion.ERSTEINLADUNG,
        with_rfb=True,
        rfb_text="Rechtsfolgenbelehrung nach neuem Recht (Reform 2026): Termin ist verbindlich.",
        valid_from=date(2026, 7, 1),
        source="SGB-II-Reform 2026",
    )
    release(people["ifk"], site)
    before = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Vor", "Reform", is_head=True)],
        ifk=people["ifk"],
    )
    early = eg_book(
        actor=people["ez"],
        antrag_id=before.pk,
        caseworker=people["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    assert early.with_rfb is False

    clock.set(datetime(2026, 7, 1, 8, 0, tzinfo=BERLIN))  # a Wednesday
    after = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Nach", "Reform", is_head=True)],
        ifk=people["ifk"],
    )
    late = eg_book(
        actor=people["ez"],
        antrag_id=after.pk,
        caseworker=people["ifk"],
        starts_at=at(date(2026, 7, 2), 9),
    )
    assert late.with_rfb is True
    assert "Rechtsfolgenbelehrung nach neuem Recht (Reform 2026)" in pdf_text(late)
    # The invitation issued before keeps what it said.
    early.refresh_from_db()
    assert early.with_rfb is False


def test_group_event_invitation_with_rfb(clock, profile, letterhead, people, teams, site):
    antrag = register(actor=people["ez"], leistung_team=teams["leistung"], ifk=people["ifk"])
    GroupEvent.objects.create(
        jobcenter=letterhead,
        standort=site,
        starts_at=at(date(2026, 3, 26), 10),
        ends_at=at(date(2026, 3, 26), 12),
        capacity=10,
        host=people["ifk2"],
        created_by=people["teamleitung"],
    )
    invitation = group_event_invite(
        actor=people["ez"], kunde=antrag.applicant, standort=site, antrag=antrag
    )
    assert invitation.with_rfb is True
    text = pdf_text(invitation)
    assert "Einladung zur Gruppenveranstaltung für Neukunden" in text
    assert "Donnerstag, 26.03.2026, 10:00 bis 12:00 Uhr" in text
    assert "§ 32 SGB II" in text


def test_icalendar_file(booked):
    calendar = Calendar.from_ical(appointment_ical(booked))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtend").astimezone(BERLIN).time() == time(10)
    assert str(event["summary"]) == "Einladung zum Erstgespräch – Jobcenter Wuppertal"
    assert booked.kunde.last_name not in str(event["summary"])
    assert "Hauptstelle" in str(event["location"])
    assert "keine Rechtsfolgenbelehrung" in str(event["description"])
    assert str(event["uid"]).startswith(f"termin-{booked.pk}@")
    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/Berlin"
    assert {c.name for c in tz.subcomponents} == {"DAYLIGHT", "STANDARD"}
