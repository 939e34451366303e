"""Rule R-RU-01 (Rhein-Lahn, Kundenprozess 4.4): "Die Kundin/ der Kunde erhält innerhalb von
24 Stunden eine telefonische Rückmeldung durch den Fachbereich"."""

from datetime import date

import pytest

from frontdesk.models import Outcome
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.rule("R-RU-01")
def test_the_ticket_is_due_24_hours_after_the_visit(check_in, jobcenter, teams, desks):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    # Tuesday 24 March 2026, 09:00 at the reception: 24 hours later is Wednesday 25 March
    # 2026, 09:00 (an ordinary working day, no holiday in between).
    tuesday = date(2026, 3, 24)
    check_in("pap", settle=Outcome.TICKET, note="Rückruf 0202 123", now=at(9, day=tuesday))
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert ticket.due_at == at(9, day=date(2026, 3, 25))
    deadline = Deadline.objects.get(aufgabe=ticket, kind=RuleKind.CALLBACK)
    assert deadline.due_at == at(9, day=date(2026, 3, 25))
