"""No slot is booked twice: real threads, real PostgreSQL constraints and locks."""

import threading
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connections, transaction

from appointments.errors import AppointmentError
from appointments.models import Appointment, Kind
from appointments.services import first_consultation
from appointments.services.first_consultation import eg_book
from intake.models import Antrag, ErstgespraechState
from tests.factories import person, register

from .conftest import at, release

SLOT = at(date(2026, 3, 23), 9)


def _case(people, teams, first, born):
    return register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, "Gleichzeitig", born, is_head=True)],
        ifk=people["ifk"],
    )


def _run(attempts, monkeypatch):
    """Both workers pass the free-slot check before either inserts: only the database
    constraint can then keep the slot from being booked twice."""
    barrier = threading.Barrier(len(attempts), timeout=10)
    original = first_consultation.check_slot

    def check_then_wait(*args, **kwargs):
        slot = original(*args, **kwargs)
        barrier.wait()
        return slot

    monkeypatch.setattr(first_consultation, "check_slot", check_then_wait)
    results: list[str] = []

    def worker(actor, antrag_id, caseworker, starts_at):
        try:
            eg_book(actor=actor, antrag_id=antrag_id, caseworker=caseworker, starts_at=starts_at)
            results.append("booked")
        except AppointmentError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_once_one_wins(
    clock, profile, people, teams, site, monkeypatch
):
    release(people["ifk"], site)
    first = _case(people, teams, "Anna", date(1980, 1, 1))
    second = _case(people, teams, "Berta", date(1981, 1, 1))
    results = _run(
        [
            (people["ez"], first.pk, people["ifk"], SLOT),
            (people["teamleitung"], second.pk, people["ifk"], SLOT),
        ],
        monkeypatch,
    )
    assert results.count("booked") == 1 and len(results) == 2
    loser = next(r for r in results if r != "booked")
    assert "soeben anderweitig vergeben" in loser
    assert Appointment.objects.filter(caseworker=people["ifk"], starts_at=SLOT).count() == 1
    # The loser's case did not move: nothing half-saved.
    states = sorted(Antrag.objects.values_list("eg_state", flat=True))
    assert states == [ErstgespraechState.GEBUCHT, ErstgespraechState.OFFEN]


@pytest.mark.django_db(transaction=True)
def test_two_eg_bookings_for_one_case_at_once(clock, profile, people, teams, site, monkeypatch):
    """The case row lock queues the second booking; it then finds the first one."""
    release(people["ifk"], site)
    antrag = _case(people, teams, "Clara", date(1982, 1, 1))
    barrier_free = threading.Event()
    results: list[str] = []

    def worker(actor, starts_at):
        try:
            eg_book(actor=actor, antrag_id=antrag.pk, caseworker=people["ifk"], starts_at=starts_at)
            results.append("booked")
        except AppointmentError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    with transaction.atomic():
        Antrag.objects.select_for_update().get(pk=antrag.pk)  # both workers queue on it
        threads = [
            threading.Thread(target=worker, args=(people["ez"], SLOT)),
            threading.Thread(target=worker, args=(people["teamleitung"], SLOT + timedelta(days=1))),
        ]
        for thread in threads:
            thread.start()
        barrier_free.wait(0.5)
    for thread in threads:
        thread.join(timeout=20)
    assert results.count("booked") == 1
    assert any("bereits ein Erstgespräch gebucht" in r for r in results)
    assert Appointment.objects.filter(antrag=antrag).count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_appointments_of_one_caseworker_are_excluded(clock, people, teams, site):
    """Different starts, overlapping times (an EG 09:00–10:00 and a follow-up at 09:30):
    the PostgreSQL exclusion constraint refuses the second."""
    antrag = _case(people, teams, "Dora", date(1983, 1, 1))

    def make(start, minutes):
        return Appointment.objects.create(
            jobcenter=antrag.jobcenter,
            kunde=antrag.applicant,
            caseworker=people["ifk"],
            kind=Kind.FOLGEGESPRAECH,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            invitation_occasion="folge",
            booked_by=people["ifk"],
        )

    make(SLOT, 60)
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        make(SLOT + timedelta(minutes=30), 45)
    # Back to back is fine, and so is another caseworker at the same time.
    make(SLOT + timedelta(minutes=60), 45)
    assert Appointment.objects.count() == 2
