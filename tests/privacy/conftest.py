"""A person with a record in every model that stores something about a customer, made at a
moment of the test's choosing (the clock is frozen: nothing depends on when the suite runs)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from appointments.models import (
    Appointment,
    AvailabilityRestriction,
    BookingEscalation,
    ContactProfile,
    Kind,
    Kooperationsplan,
    MeasureParticipation,
    PlacementProposal,
    SchoolRecord,
    Status,
)
from frontdesk.models import Concern, Contact, Desk
from frontdesk.services.checkin import CheckIn, visit_check_in
from intake.models import Antrag, AntragTransition
from intake.states import AntragState
from jobcenter.models import Standort
from jobcenter.roles import Role
from minimumstandards.models import DeadlineAlert
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from privacy.models import LegalHold
from reminders.models import Einwilligung, Nachricht
from routing.models import ApiSubmission, AufgabeEvent, HotlineTicket, InformationType
from routing.services import api_client_create, vermerk_route
from tests.factories import UserFactory, person, register, seed_catalogues

# "Now" of every test here, and the moment the old records were made (seven years before).
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)
LONG_AGO = datetime(2019, 2, 4, 9, 0, tzinfo=BERLIN)
LAST_MONTH = datetime(2026, 2, 9, 9, 0, tzinfo=BERLIN)


@pytest.fixture
def clock(monkeypatch):
    """`clock(moment)` sets timezone.now (auto_now_add fields included)."""

    def set_to(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    set_to(NOW)
    return set_to


@pytest.fixture
def dsb(jobcenter):
    return UserFactory(username="dsb", jobcenter=jobcenter, role=Role.DATENSCHUTZ)


@pytest.fixture
def site(jobcenter, teams):
    standort = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    desk = Desk.objects.create(standort=standort, name="Schalter 1", position=1)
    desk.teams.set([teams["ez"]])
    return standort


@dataclass
class Built:
    kunde: object
    antrag: Antrag
    visit: object
    appointment: Appointment
    vermerk: object
    aufgabe: object


@pytest.fixture
def build_person(staff, teams, jobcenter, site, clock):
    """`build_person(at, last_name=…)`: a closed case and one record of every kind, all
    made at `at`; the clock is back at NOW afterwards."""
    seed_catalogues()
    apply_preset(jobcenter=jobcenter, name="demo", valid_from=date(2018, 1, 1))
    counter = iter(range(1, 100))

    def build(at: datetime, *, last_name="Kranich", first_name="Karla", closed=True) -> Built:
        clock(at)
        n = next(counter)
        ez, ifk = staff["ez"], staff["ifk"]
        antrag = register(
            actor=ez,
            leistung_team=teams["leistung"],
            ifk=ifk,
            persons=[person(first_name, last_name, date(1981, 7, 14), is_head=True)],
            reason=f"Kündigung; {first_name} {last_name} ruft zurück",
        )
        kunde = antrag.applicant
        if closed:
            # The case was withdrawn (a closed case: its retention runs).
            Antrag.objects.filter(pk=antrag.pk).update(
                state=AntragState.ZURUECKGENOMMEN, decision_note=f"{last_name} zog zurück"
            )
        AntragTransition.objects.create(
            antrag=antrag,
            transition="withdraw",
            source=AntragState.ERFASST,
            target=AntragState.ZURUECKGENOMMEN,
            actor=ez,
            comment=f"Telefonat mit {first_name} {last_name}",
        )
        start = at + timedelta(days=1, hours=n)
        appointment = Appointment.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            antrag=antrag,
            caseworker=ifk,
            kind=Kind.ERSTGESPRAECH,
            standort=site,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            booked_by=ez,
            booking_note=f"{first_name} {last_name} bringt den Bescheid mit",
            status=Status.DURCHGEFUEHRT,
            qualified=True,
            held_minutes=45,
        )
        concern = Concern.objects.of(jobcenter).filter(active=True).order_by("pk").first()
        visit = visit_check_in(
            actor=staff["ez"],
            data=CheckIn(
                standort=site,
                concerns=[concern],
                kunde=kunde,
                team=teams["ez"],
                priority_note=f"{last_name}: Rollstuhl",
            ),
            now=at,
        )
        type(visit).objects.filter(pk=visit.pk).update(appointment=appointment)
        # Waited 12 minutes, served for 8 (hand-set times the report computes from).
        Contact.objects.filter(visit=visit).update(
            queued_at=at, called_at=at + timedelta(minutes=12), ended_at=at + timedelta(minutes=20)
        )
        umzug = InformationType.objects.filter(jobcenter=jobcenter, code="umzug").first()
        routed = vermerk_route(
            author=ez,
            kunde=kunde,
            information_type=umzug,
            known_on=at.date(),
            event_date=at.date(),
            text=f"{first_name} {last_name} zieht in die Talstraße 5",
        )
        vermerk = routed.vermerk
        aufgabe = routed.aufgaben[0]
        type(aufgabe).objects.filter(pk__in=[a.pk for a in routed.aufgaben]).update(
            status="done", done_note=f"mit {last_name} gesprochen", created_at=at
        )
        # Their default is the function Django captured, which the clock does not reach.
        AufgabeEvent.objects.filter(aufgabe__in=routed.aufgaben).update(at=at)
        HotlineTicket.objects.create(
            aufgabe=aufgabe,
            kind="rueckrufbitte",
            caller_name=f"{first_name} {last_name}",
            callback_number="0202 555123",
        )
        client, _token = api_client_create(jobcenter=jobcenter, name=f"Portal {n}")
        ApiSubmission.objects.create(
            client=client, client_key=f"k{n}", payload_hash="h" * 64, vermerk=vermerk, response={}
        )
        BookingEscalation.objects.create(antrag=antrag, aufgabe=aufgabe, created_by=ez)
        ContactProfile.objects.create(
            kunde=kunde,
            jobcenter=jobcenter,
            since=at.date(),
            next_contact_due=at.date() + timedelta(days=90),
            interval_days=90,
            active=False,
            refusal_documentation=f"{last_name} lehnte ab",
        )
        Kooperationsplan.objects.create(
            kunde=kunde,
            jobcenter=jobcenter,
            outcome="vereinbart",
            on=at.date(),
            recorded_by=ifk,
            reason_text="Kinderbetreuung ungeklärt",
        )
        PlacementProposal.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            reference=f"VV-{n}",
            received_on=at.date(),
            created_by=ifk,
        )
        MeasureParticipation.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            title="Bewerbungstraining",
            ends_on=at.date(),
            created_by=ifk,
        )
        SchoolRecord.objects.create(jobcenter=jobcenter, kunde=kunde, leaving_year=1998)
        AvailabilityRestriction.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            since=at.date(),
            reason="Pflege der Mutter",
            evidence="Pflegegrad-Bescheid",
            last_reviewed_on=at.date(),
        )
        deadline = antrag.deadlines.order_by("pk").first()
        DeadlineAlert.objects.create(deadline=deadline, level="warning", created_at=at)
        LegalHold.objects.create(
            kunde=kunde,
            reason="Widerspruch (erledigt)",
            set_by=staff["admin"],
            lifted_by=staff["admin"],
            lifted_at=at,
        )
        Einwilligung.objects.create(
            kunde=kunde, channel="email", given_on=at.date(), given_via="intake"
        )
        Nachricht.objects.create(
            jobcenter=jobcenter,
            kunde=kunde,
            appointment=appointment,
            kind="reminder",
            channel="email",
            key=f"appointment:{appointment.pk}:reminder:1AT:email",
            status="sent",
            attempts=1,
        )
        clock(NOW)
        return Built(kunde, antrag, visit, appointment, vermerk, aufgabe)

    return build
