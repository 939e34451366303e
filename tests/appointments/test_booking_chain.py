"""The booking chain of the first consultation (rule R-EG-03) at each of its three steps,
and the bad input it refuses with nothing half-saved."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from appointments import selectors
from appointments.errors import AppointmentError
from appointments.models import Absence, Appointment, BookingEscalation, BookingStep, Kind, Status
from appointments.selectors import eg_search
from appointments.services import booking, group_events
from appointments.services.first_consultation import eg_book, eg_escalate
from intake.models import Antrag, AntragState, ErstgespraechState
from intake.services import CaseConflict, antrag_transition
from jobcenter.models import AuditEvent, Jobcenter
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Aufgabe, Vermerk
from tests.factories import completes_documents, person, register, settle_checklist

from .conftest import at, release

pytestmark = pytest.mark.django_db

EG_AT_9 = time(9)


def new_case(people, teams, first="Erika", last="Mustermann", born=date(1985, 3, 27), **kwargs):
    return register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, last, born, is_head=True)],
        ifk=people["ifk"],
        **kwargs,
    )


def leave(user, first: date, last: date, reason="Urlaub"):
    return Absence.objects.create(
        caseworker=user,
        starts_at=at(first, 0),
        ends_at=at(last + timedelta(days=1), 0),
        reason=reason,
        created_by=user,
    )


@pytest.fixture
def chain(clock, profile, people, teams, site):
    """Windows Mo/Di/Do/Fr 09–10 for ifk, ifk2 and ifk3."""
    for key in ("ifk", "ifk2", "ifk3"):
        release(people[key], site)
    return people


@pytest.mark.rule("R-AN-03")
@pytest.mark.rule("R-TE-03")
def test_step_1_the_responsible_ifk(chain, teams):
    antrag = new_case(chain, teams)
    result = eg_search(antrag=antrag)
    assert result.found.step == BookingStep.IFK
    assert result.found.caseworker == chain["ifk"]
    assert result.found.slots[0].starts_at == at(date(2026, 3, 23), 9)
    # 10 AT from Monday 23 March: Good Friday and Easter Monday do not count.
    assert result.horizon == end_of_day(date(2026, 4, 8))

    appointment = eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    assert appointment.booking_step == BookingStep.IFK
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=60)
    antrag.refresh_from_db()
    assert antrag.eg_state == ErstgespraechState.GEBUCHT
    assert antrag.eg_at == appointment.starts_at
    assert antrag.eg_with == chain["ifk"]
    # Rule R-AN-03: the IFK is told about the newly assigned customer.
    task = Aufgabe.objects.get(assignee=chain["ifk"], kunde=antrag.applicant)
    assert task.title.startswith("Neuer Kunde zugeordnet: Erstgespräch am 23.03.2026 09:00")


def test_step_2_deputies_in_their_order_when_the_ifk_is_fully_booked(chain, teams):
    # The IFK is fully booked for the next 10 AT: every EG slot taken by other customers.
    full = eg_search(antrag=new_case(chain, teams, "Voll", "Gebucht"), alternatives=50).found.slots
    assert len(full) == 8
    for index, slot in enumerate(full):
        other = new_case(
            chain, teams, f"Kunde{index}", "Anders", date(1980, 1, 1) + timedelta(days=index)
        )
        eg_book(
            actor=chain["ez"], antrag_id=other.pk, caseworker=chain["ifk"], starts_at=slot.starts_at
        )
    assert (
        eg_search(antrag=new_case(chain, teams, "Noch", "Jemand")).found.caseworker != chain["ifk"]
    )
    # Deputy 1 has one window in the horizon, and that slot is taken too.
    for window in chain["ifk2"].released_windows.all():
        window.valid_from = window.valid_until = (
            date(2026, 3, 24) if window.weekday == 1 else date(2025, 1, 1)
        )
        window.save()
    taken = new_case(chain, teams, "Schon", "Da", date(1970, 5, 5))
    Appointment.objects.create(
        jobcenter=taken.jobcenter,
        kunde=taken.applicant,
        caseworker=chain["ifk2"],
        kind=Kind.FOLGEGESPRAECH,
        starts_at=at(date(2026, 3, 24), 9),
        ends_at=at(date(2026, 3, 24), 9, 45),
        invitation_occasion="folge",
        booked_by=chain["ifk2"],
    )
    antrag = new_case(chain, teams, "Neu", "Kundin", date(1990, 2, 2))
    result = eg_search(antrag=antrag)
    assert [(s.step, s.caseworker, bool(s.slots)) for s in result.steps] == [
        (BookingStep.IFK, chain["ifk"], False),
        (BookingStep.VERTRETUNG, chain["ifk2"], False),
        (BookingStep.VERTRETUNG, chain["ifk3"], True),
    ]
    assert result.found.label == "Schritt 2: Vertretung 2"
    appointment = eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk3"],
        starts_at=result.found.slots[0].starts_at,
    )
    assert appointment.booking_step == BookingStep.VERTRETUNG
    assert appointment.booking_note == f"Schritt 2: Vertretung 2, {chain['ifk3']}"  # no ((…))
    antrag.refresh_from_db()
    assert antrag.eg_with == chain["ifk3"]
    assert antrag.applicant.ifk == chain["ifk"]  # the responsible IFK stays
    assert Aufgabe.objects.filter(
        assignee=chain["ifk3"], title__startswith="Neuer Kunde zugeordnet"
    ).exists()


def test_the_ez_may_not_skip_the_ifk_for_a_deputy(chain, teams):
    antrag = new_case(chain, teams)
    with pytest.raises(AppointmentError, match="Bitte einen der angebotenen Termine bei"):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk2"],
            starts_at=at(date(2026, 3, 23), 9),
        )
    assert not Appointment.objects.exists()


def test_step_3_ticket_to_the_team_mailbox_and_the_lead_books_by_hand(chain, teams):
    for key in ("ifk", "ifk2", "ifk3"):
        leave(chain[key], date(2026, 3, 23), date(2026, 4, 10))
    antrag = new_case(chain, teams)
    result = eg_search(antrag=antrag)
    assert result.found is None
    assert [s.step for s in result.steps] == [
        BookingStep.IFK,
        BookingStep.VERTRETUNG,
        BookingStep.VERTRETUNG,
        BookingStep.TEAMLEITUNG,
    ]
    with pytest.raises(AppointmentError, match="Ticket an das Teampostfach"):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 4, 13), 9),
        )

    escalation = eg_escalate(actor=chain["ez"], antrag_id=antrag.pk)
    task = escalation.aufgabe
    assert task.postfach == teams["ue25"].postfach
    assert task.assignee == chain["teamleitung"]  # the team lead is informed
    assert task.kunde == antrag.applicant
    assert "kein freier Termin innerhalb von 10 Arbeitstagen" in task.title
    assert (
        task.due_at == Deadline.objects.get(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION).due_at
    )
    # A second search raises no second ticket.
    assert eg_escalate(actor=chain["ez"], antrag_id=antrag.pk) == escalation
    assert Aufgabe.objects.filter(title__contains="kein freier Termin").count() == 1

    # The lead books by hand: any free EG slot in the team, here after the leave.
    groups = dict(selectors.team_slots(antrag=antrag))
    slot = groups[chain["ifk2"]][0]
    assert slot.starts_at == at(date(2026, 4, 13), 9)
    appointment = eg_book(
        actor=chain["teamleitung"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk2"],
        starts_at=slot.starts_at,
        late_reason="Ganzes Team im Urlaub",
    )
    assert appointment.booking_step == BookingStep.TEAMLEITUNG
    escalation.refresh_from_db()
    assert escalation.resolved_by == appointment
    assert not BookingEscalation.objects.filter(resolved_by__isnull=True).exists()


def test_without_an_ifk_in_team_and_age_group_the_chain_goes_to_the_team(chain, teams):
    teams["ue25"].members.clear()  # no IFK in the Ü25 team to assign
    antrag = register(
        actor=chain["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ohne", "Betreuung", is_head=True)],
    )
    result = eg_search(antrag=antrag)
    assert result.found is None
    assert result.steps[0].note == "Keine Hauptbetreuung (IFK) zugeordnet."


def test_booking_for_a_customer_without_an_ifk_assigns_one_first(chain, teams):
    # ifk already looks after a customer; of the Ü25 team ifk2 has the fewest.
    new_case(chain, teams, first="Schon", last="Betreut")
    antrag = register(
        actor=chain["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ohne", "Betreuung", is_head=True)],
    )
    result = eg_search(antrag=antrag)
    assert result.found.step == BookingStep.IFK
    assert result.found.caseworker == chain["ifk2"]
    assert (
        result.found.note == "Noch keine Hauptbetreuung: nach Team und Altersgruppe vorgeschlagen."
    )
    eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk2"],
        starts_at=result.found.slots[0].starts_at,
    )
    antrag.applicant.refresh_from_db()
    assert antrag.applicant.ifk == chain["ifk2"]
    assert AuditEvent.objects.filter(
        subject_id=antrag.applicant_id,
        summary="Hauptbetreuung nach Team und Altersgruppe zugeordnet",
    ).exists()


def test_a_slot_after_the_deadline_needs_a_documented_reason(chain, teams):
    # Applied three weeks ago: the 15 AT for the EG end tonight (rule R-EG-01).
    antrag = new_case(
        chain,
        teams,
        application_date=date(2026, 3, 2),
        received_at=datetime(2026, 3, 2, 9, tzinfo=BERLIN),
    )
    deadline = Deadline.objects.get(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION)
    assert deadline.due_at == end_of_day(date(2026, 3, 23))
    tuesday = at(date(2026, 3, 24), 9)
    with pytest.raises(AppointmentError) as refused:
        eg_book(actor=chain["ez"], antrag_id=antrag.pk, caseworker=chain["ifk"], starts_at=tuesday)
    assert refused.value.field == "late_reason"
    assert "nach der Frist für das Erstgespräch" in refused.value.message
    assert not Appointment.objects.exists()

    appointment = eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=tuesday,
        late_reason="Kundin ist heute verhindert (Vorstellungsgespräch)",
    )
    assert appointment.late_reason.startswith("Kundin ist heute verhindert")
    note = Vermerk.objects.get(
        kunde=antrag.applicant, kind=Vermerk.Kind.ALLGEMEIN, subject__contains="nach der Frist"
    )
    assert appointment.late_reason in note.text
    assert "nach der Frist für das Erstgespräch (fällig Mo 23.03.2026 23:59)" in note.text
    # Today's slot is within the deadline and needs no reason.
    other = new_case(
        chain,
        teams,
        "Zweite",
        "Person",
        application_date=date(2026, 3, 2),
        received_at=datetime(2026, 3, 2, 9, tzinfo=BERLIN),
    )
    eg_book(
        actor=chain["ez"],
        antrag_id=other.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )


def test_rhein_lahn_books_only_after_the_entitlement(chain, teams, jobcenter):
    jobcenter.first_consultation_start = Jobcenter.FirstConsultationStart.ENTITLEMENT
    jobcenter.save()
    antrag = new_case(chain, teams)
    with pytest.raises(AppointmentError, match="erst nach dem bestätigten Leistungsanspruch"):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 3, 23), 9),
        )
    for name, params in (
        ("complete_entry_check", {"documents_complete": True}),
        ("approve", {}),
        ("hand_to_integration", {}),
    ):
        if completes_documents(name, params):
            settle_checklist(antrag)
        antrag_transition(
            actor=chain["leistung"], antrag_id=antrag.pk, name=name, expected_state=None, **params
        )
    appointment = eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    assert appointment.status == Status.GEBUCHT


@pytest.mark.parametrize(
    "when, message",
    [
        (datetime(2026, 3, 20, 9, tzinfo=BERLIN), "in der Vergangenheit"),
        (datetime(2026, 3, 25, 9, tzinfo=BERLIN), "kein Zeitfenster"),
        (datetime(2026, 3, 26, 9, tzinfo=BERLIN), "abwesend (Arzttermin)"),
        (datetime(2026, 4, 6, 9, tzinfo=BERLIN), "kein Arbeitstag (Feiertag: Ostermontag)"),
    ],
)
def test_bad_times_are_refused_and_nothing_is_saved(chain, teams, when, message):
    Absence.objects.create(
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 26), 8),
        ends_at=at(date(2026, 3, 26), 11),
        reason="Arzttermin",
        created_by=chain["ifk"],
    )
    antrag = new_case(chain, teams)
    with pytest.raises(AppointmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        eg_book(
            actor=chain["teamleitung"], antrag_id=antrag.pk, caseworker=chain["ifk"], starts_at=when
        )
    antrag.refresh_from_db()
    assert antrag.eg_state == ErstgespraechState.OFFEN
    assert not Appointment.objects.exists()


def test_the_same_slot_twice(chain, teams):
    first, second = (
        new_case(chain, teams),
        new_case(chain, teams, "Max", "Muster", date(1979, 1, 1)),
    )
    slot = at(date(2026, 3, 23), 9)
    eg_book(actor=chain["ez"], antrag_id=first.pk, caseworker=chain["ifk"], starts_at=slot)
    with pytest.raises(AppointmentError, match="bereits vergeben"):
        eg_book(
            actor=chain["teamleitung"], antrag_id=second.pk, caseworker=chain["ifk"], starts_at=slot
        )


def test_a_second_eg_for_a_case_that_has_one_booked(chain, teams):
    antrag = new_case(chain, teams)
    eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    with pytest.raises(
        AppointmentError, match=r"bereits ein Erstgespräch gebucht .*23\.03\.2026 09:00"
    ):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 3, 24), 9),
        )
    assert Appointment.objects.count() == 1


def test_closed_case_gets_no_appointment(chain, teams):
    antrag = new_case(chain, teams)
    antrag_transition(
        actor=chain["leistung"],
        antrag_id=antrag.pk,
        name="withdraw",
        expected_state=None,
        comment="Arbeit aufgenommen",
    )
    with pytest.raises(AppointmentError, match="Der Fall ist abgeschlossen"):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 3, 23), 9),
        )
    with pytest.raises(AppointmentError, match="abgeschlossen"):
        group_events.group_event_invite(
            actor=chain["ez"],
            kunde=antrag.applicant,
            standort=chain["ifk"].teams.first().standort,
            antrag=antrag,
        )


def test_leistung_may_not_book(chain, teams):
    antrag = new_case(chain, teams)
    with pytest.raises(PermissionDenied):
        eg_book(
            actor=chain["leistung"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 3, 23), 9),
        )


def test_a_failing_case_step_rolls_the_appointment_back(chain, teams, monkeypatch):
    antrag = new_case(chain, teams)

    def refuse(**kwargs):
        raise CaseConflict("Der Fall wurde inzwischen bearbeitet.")

    monkeypatch.setattr(booking, "antrag_transition", refuse)
    with pytest.raises(AppointmentError, match="inzwischen bearbeitet"):
        eg_book(
            actor=chain["ez"],
            antrag_id=antrag.pk,
            caseworker=chain["ifk"],
            starts_at=at(date(2026, 3, 23), 9),
        )
    assert not Appointment.objects.exists()
    assert Antrag.objects.get(pk=antrag.pk).eg_state == ErstgespraechState.OFFEN
    assert Antrag.objects.get(pk=antrag.pk).state == AntragState.ERFASST
