"""The demo fills the mailboxes with notes and tickets in every state."""

import random

import pytest

from demo.builders import intake
from demo.builders import routing as demo
from demo.builders.organisation import organisation, staff_of
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import ApiClient, Aufgabe, AufgabeEvent, Vermerk

pytestmark = pytest.mark.django_db


def test_demo_build_covers_every_state(capsys):
    jobcenter, _created = organisation()
    staff = staff_of(jobcenter)
    apply_preset(jobcenter=jobcenter, name="demo")
    intake.build(jobcenter=jobcenter, staff=staff, rng=random.Random(20261121), count=30)
    demo.build(jobcenter=jobcenter, staff=staff, rng=random.Random(20261121))

    client = ApiClient.objects.get(jobcenter=jobcenter)
    assert client.name == demo.DEMO_CLIENT
    assert client.token_prefix not in capsys.readouterr().out  # nothing secret printed
    routed = Aufgabe.objects.filter(vermerk__information_type__isnull=False)
    assert routed.count() >= 25
    assert {a.kind for a in routed} >= {Aufgabe.Kind.NOTE, Aufgabe.Kind.TICKET}
    assert routed.filter(status="done").exists()
    assert routed.filter(status="open", claimed_by__isnull=False).exists()
    assert routed.filter(status="open", claimed_by__isnull=True, urgent=True).exists()
    assert routed.filter(follow_up_on__isnull=False).exists()
    assert AufgabeEvent.objects.filter(action="rerouted").exists()
    assert AufgabeEvent.objects.filter(action="forwarded").exists()
    assert Vermerk.objects.filter(source=Vermerk.Source.API).exists()
    assert routed.filter(assignee__isnull=False).exists()  # HF: to the pAp personally
    ages = {a.created_at.date() for a in routed}
    assert len(ages) > 2
    assert Deadline.objects.filter(kind=RuleKind.CALLBACK, aufgabe__isnull=False).count() == 2
