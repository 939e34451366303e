"""Two receptionists check the same appointment in at once: one visit, one refusal
(rule R-EM-01; real PostgreSQL row locks, real threads)."""

import threading

import pytest
from django.db import connections

from appointments.models import Appointment
from frontdesk.errors import FrontdeskError
from frontdesk.models import Visit
from frontdesk.selectors import appointment_for_checkin
from jobcenter.roles import Role
from tests.factories import UserFactory, register

from .conftest import at
from .test_appointment_arrival import book

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.rule("R-EM-01")]


def test_two_check_ins_at_once_for_one_appointment_make_one_visit(
    check_in, staff, teams, site, jobcenter
):
    kunde = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    termin = book(kunde, staff["ifk"], at(10, 30), standort=site)
    second_reception = UserFactory(username="empfang2", jobcenter=jobcenter, role=Role.EMPFANG)
    # Both lookups ran before either check-in: both offer the appointment as not arrived.
    offered = appointment_for_checkin(kunde, at(10).date(), site)
    barrier = threading.Barrier(2)
    results: dict = {}

    def receptionist(name, actor):
        def run():
            try:
                barrier.wait(timeout=10)
                results[name] = check_in(
                    kunde=kunde, appointment=offered, actor=actor, now=at(10, 5)
                )
            except FrontdeskError as error:
                results[name] = error
            finally:
                connections.close_all()

        return threading.Thread(target=run, name=name)

    threads = [receptionist("A", staff["empfang"]), receptionist("B", second_reception)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    visits = [r for r in results.values() if isinstance(r, Visit)]
    refused = [r for r in results.values() if isinstance(r, FrontdeskError)]
    assert (len(visits), len(refused)) == (1, 1)
    assert refused[0].message == (
        "Zu diesem Termin wurde die Person bereits um 10:05 Uhr angemeldet."
    )
    assert Visit.objects.count() == 1
    assert Appointment.objects.get(pk=termin.pk).arrived_at == at(10, 5)
