from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from frontdesk.models import Desk, Display, Visit, VisitState
from jobcenter.models import Standort

pytestmark = pytest.mark.django_db


# A Thursday at 11:00: the sites are open (the demo has no queue when they are closed).
OPEN_MORNING = datetime(2026, 12, 3, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_demo_has_a_morning_in_every_state_and_past_days(catalogue, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: OPEN_MORNING)
    call_command("demo_jobcenter", "--customers", "20", now=OPEN_MORNING, stdout=StringIO())
    today = timezone.localdate()
    states = set(Visit.objects.filter(day=today).values_list("state", flat=True))
    assert states == set(VisitState.values)
    assert Visit.objects.filter(day__lt=today).count() > 50
    assert Display.objects.count() == Standort.objects.count() == 2
    assert Desk.objects.filter(occupied_by__isnull=False).exists()

    out = StringIO()
    call_command("frontdesk_displays", "--anlegen", "--base-url", "https://jc.example", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert all("https://jc.example/anzeige/" in line for line in lines)
