"""The demo's cases are moved on by the case service, so they look as a user's work would."""

from io import StringIO

import pytest
from django.core.management import call_command

from intake.models import Antrag, AntragState, AntragTransition
from intake.steps import BY_NAME
from jobcenter.models import AuditEvent
from routing.models import Aufgabe

pytestmark = pytest.mark.django_db


def test_every_demo_step_has_its_history_audit_and_tasks():
    call_command("demo_jobcenter", "--customers", "40", stdout=StringIO())
    steps = AntragTransition.objects.exclude(transition="register")
    assert steps.exists()
    assert set(steps.values_list("transition", flat=True)) <= set(BY_NAME)
    # One audit row per step, in words (the service's), never the demo's own.
    assert AuditEvent.objects.filter(action="transition", summary__contains="→").count() >= (
        steps.count()
    )
    # A step that ends the case without entitlement carries its reason.
    for entry in steps.filter(transition__in=["reject", "deny_for_non_cooperation", "withdraw"]):
        assert entry.comment
    # Every case that reached a decision is complete on its checklist (rule R-AN-01).
    complete = Antrag.objects.filter(
        state__in=[AntragState.BEARBEITUNGSREIF, AntragState.BEWILLIGT, AntragState.AN_INTEGRATION]
    )
    assert complete.exists()
    for antrag in complete:
        assert all(n.settled for n in antrag.nachweise.all())
    # The tasks the steps raise, dated with their step: the booking's to the IFK, done
    # once the first consultation is held.
    booked = steps.filter(transition="book_first_consultation")
    assigned = Aufgabe.objects.filter(title__startswith="Neuer Kunde zugeordnet")
    assert assigned.count() == booked.count()
    held = steps.filter(transition="record_first_consultation_held").count()
    assert assigned.filter(status=Aufgabe.Status.DONE).count() == held
    assert {a.created_at for a in assigned} <= set(booked.values_list("at", flat=True))
