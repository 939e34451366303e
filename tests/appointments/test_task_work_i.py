"""Every task leads to its work and closes itself when the work is done (issue 12): the
ticket "Erstgespräch buchen" opens the booking and is done with the booking, a rebooking
closes the earlier "Neuer Kunde zugeordnet", and a task names its real reason."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from appointments.services.first_consultation import eg_book, eg_escalate
from appointments.services.outcomes import appointment_cancel
from routing.models import Aufgabe, AufgabeEvent
from tests.factories import person, register

from .conftest import at, release
from .test_booking_chain import leave, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(clock, profile, people, site):
    for key in ("ifk", "ifk2", "ifk3"):
        release(people[key], site)
    return people


def test_the_booking_ticket_leads_to_the_booking_and_closes_with_it(chain, teams, client):
    for key in ("ifk", "ifk2", "ifk3"):
        leave(chain[key], date(2026, 3, 23), date(2026, 4, 10))
    antrag = new_case(chain, teams)
    task = eg_escalate(actor=chain["ez"], antrag_id=antrag.pk).aufgabe
    booking = reverse("appointments:eg_manual", args=[antrag.pk])
    assert task.work_url == booking
    client.force_login(chain["teamleitung"])
    page = client.get(reverse("routing:item", args=[task.pk])).content.decode()
    assert f'href="{booking}" id="work-link"' in page
    assert client.get(booking).status_code == 200

    eg_book(
        actor=chain["teamleitung"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk2"],
        starts_at=at(date(2026, 4, 13), 9),
        late_reason="Ganzes Team im Urlaub",
    )
    task.refresh_from_db()
    assert task.status == Aufgabe.Status.DONE
    assert task.done_by == chain["teamleitung"]
    assert task.done_note == "erledigt durch die Buchung des Erstgesprächs am 13.04.2026 09:00"
    assert task.events.filter(action=AufgabeEvent.Action.DONE).count() == 1
    page = client.get(reverse("routing:item", args=[task.pk])).content.decode()
    assert "work-link" not in page


def test_a_rebooking_closes_the_earlier_new_customer_task(chain, teams):
    antrag = new_case(chain, teams)
    first = eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    appointment_cancel(actor=chain["ez"], appointment_id=first.pk, by_customer=True, reason="krank")
    eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 24), 9),
    )
    tasks = Aufgabe.objects.filter(
        kunde=antrag.applicant, title__startswith="Neuer Kunde zugeordnet"
    ).order_by("created_at", "id")
    assert [(t.title, t.status) for t in tasks] == [
        ("Neuer Kunde zugeordnet: Erstgespräch am 23.03.2026 09:00", "done"),
        ("Neuer Kunde zugeordnet: Erstgespräch am 24.03.2026 09:00", "open"),
    ]
    assert tasks[0].done_note == (
        "erledigt durch die Umbuchung des Erstgesprächs auf 24.03.2026 09:00"
    )


def test_a_customer_without_an_ifk_is_not_told_no_free_slot(chain, teams):
    # Without an IFK the search offers any free IFK of the team (and assigns her with the
    # booking); only when the whole team is away does the ticket go to the team lead.
    for key in ("ifk", "ifk2", "ifk3"):
        leave(chain[key], date(2026, 3, 23), date(2026, 4, 10))
    antrag = register(
        actor=chain["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ohne", "Betreuung", date(1985, 3, 27), is_head=True)],
    )
    task = eg_escalate(actor=chain["ez"], antrag_id=antrag.pk).aufgabe
    bg = antrag.bedarfsgemeinschaft.number
    assert task.title == f"Erstgespräch buchen: keine IFK zugeordnet (BG {bg})"
    assert "kein freier Termin" not in task.title
    assert task.description.startswith("Der Kundin / dem Kunden ist keine IFK zugeordnet")


def test_other_open_tasks_of_the_customer_stay_open(chain, teams):
    antrag = new_case(chain, teams)
    other = Aufgabe.objects.create(
        created_by=chain["ez"],
        assignee=chain["ifk"],
        kunde=antrag.applicant,
        title="Rückruf erbeten",
        due_at=at(date(2026, 3, 20), 12) + timedelta(days=1),
    )
    eg_book(
        actor=chain["ez"],
        antrag_id=antrag.pk,
        caseworker=chain["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    other.refresh_from_db()
    assert other.status == Aufgabe.Status.OPEN
