from io import StringIO

import pytest
from django.core.management import call_command

from intake.models import Antrag, AntragState, ErstgespraechState, Kunde
from jobcenter.models import User
from jobcenter.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_jobcenter_is_realistic_and_idempotent():
    out = StringIO()
    call_command("demo_jobcenter", "--customers", "60", "--print-logins", stdout=out)
    counts = (Kunde.objects.count(), Antrag.objects.count(), User.objects.count())
    call_command("demo_jobcenter", "--customers", "60", stdout=StringIO())
    assert (Kunde.objects.count(), Antrag.objects.count(), User.objects.count()) == counts

    assert Antrag.objects.count() == 60
    assert Kunde.objects.count() >= 60
    states = set(Antrag.objects.values_list("state", flat=True))
    assert {AntragState.ERFASST, AntragState.BEARBEITUNGSREIF, AntragState.AN_INTEGRATION} <= states
    eg_states = set(Antrag.objects.values_list("eg_state", flat=True))
    assert ErstgespraechState.DURCHGEFUEHRT in eg_states
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert "Demo-Jobcenter-2026" in out.getvalue()
