"""The appointments part of the demo Jobcenter is consistent with its cases."""

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from appointments import kpi
from appointments.models import (
    Appointment,
    ContactProfile,
    GroupEvent,
    Kind,
    ReleasedWindow,
    Status,
)
from appointments.selectors import group_event_coverage
from intake.models import Antrag, ErstgespraechState
from jobcenter.models import Jobcenter, User

pytestmark = pytest.mark.django_db


def test_demo_calendars_appointments_and_profiles(client):
    call_command("demo_jobcenter", "--customers", "40", stdout=StringIO())
    jobcenter = Jobcenter.objects.get(slug="bergisch-land")
    for username in ("ifk", "ifk2", "ifk3"):
        eg_windows = ReleasedWindow.objects.filter(
            caseworker__username=username, kind=Kind.ERSTGESPRAECH
        )
        assert sorted(eg_windows.values_list("weekday", flat=True)) == [0, 1, 3, 4]
        assert set(eg_windows.values_list("starts", "ends")) == {(time(9), time(10))}
    # Every EG appointment agrees with its case.
    for appointment in Appointment.objects.filter(kind=Kind.ERSTGESPRAECH).select_related("antrag"):
        held = appointment.status == Status.DURCHGEFUEHRT
        assert held == (appointment.antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT)
        assert appointment.caseworker_id == appointment.antrag.eg_with_id
    assert Antrag.objects.filter(eg_state=ErstgespraechState.DURCHGEFUEHRT).exists()
    # Group events at both sites, one of them with the next event missing.
    assert GroupEvent.objects.values("standort").distinct().count() == 2
    assert [c.missing for c in group_event_coverage(jobcenter=jobcenter)].count(True) == 1
    # The KPI has numbers.
    averages = kpi.beratungsaktivitaet(ContactProfile.objects.all(), timezone.localdate())
    assert all(a.count and a.days is not None for a in averages)
    client.force_login(User.objects.get(username="ifk"))
    assert client.get(reverse("appointments:calendar")).status_code == 200
    client.force_login(User.objects.get(username="teamleitung"))
    assert client.get(reverse("appointments:kpi")).status_code == 200
