"""Check-in at the reception (rules R-WS-01, R-EM-02): concerns, priority, settling at once, tickets,
appointments, and the catalogue behind it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from frontdesk.errors import FrontdeskError
from frontdesk.models import Concern, ConcernClass, Contact, Outcome, VisitState
from frontdesk.selectors import appointment_for_checkin, appointments_for_checkin
from frontdesk.services.calling import visit_call_next
from frontdesk.services.outcomes import visit_finish
from intake.models import Antrag
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe, Vermerk
from tests.factories import person, register

from .conftest import at

pytestmark = pytest.mark.django_db


def book_eg(antrag, ifk, moment):
    """Test set-up: an EG booked at `moment` (the booking service refuses past times)."""
    Antrag.objects.filter(pk=antrag.pk).update(eg_state="gebucht", eg_at=moment, eg_with=ifk)


# --- the catalogue ------------------------------------------------------------------------


def test_catalogue_has_rhein_lahns_four_classes_and_herfords_tasks(catalogue):
    assert list(ConcernClass.objects.values_list("name", flat=True)) == [
        "Schnellanliegen",
        "Antragstellung / akute Mittellosigkeit",
        "Leistungsanliegen",
        "Sonstige Anliegen",
    ]
    c = catalogue
    # Rule R-EM-02: quick concerns closed at the reception; applications passed on the same day;
    # anything else by ticket with a call back within 24 h.
    assert (c["unterlagen"].handled_by, c["unterlagen"].route) == ("empfang", "desk")
    assert (c["antrag"].handled_by, c["antrag"].route) == ("leistung", "in_person")
    assert (c["mittellosigkeit"].route, c["sonstiges"].route) == ("in_person", "ticket")
    # Herford (rule R-EM-02): U25 moving requests to the Sachbearbeitung, BuT to its team, sick notes to
    # the pAp.
    assert c["umzug_u25"].handled_by == "sachbearbeitung"
    assert c["but"].handled_by == "but"
    # What a sick note records is routing's AU type; its rules send it to Integration.
    assert c["au"].information_type.code == "arbeitsunfaehigkeit"
    for concern in c.values():
        assert concern.target_wait_minutes > 0
        assert concern.reference


def test_catalogue_cannot_be_deleted_in_the_admin(rf, login, staff, catalogue):
    from django.contrib import admin

    request = rf.get("/")
    request.user = staff["admin"]
    model_admin = admin.site._registry[Concern]
    assert model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request, catalogue["sachstand"])
    # Posted as the admin would: refused, and the concern stays.
    client = login(staff["admin"])
    delete = reverse("admin:frontdesk_concern_delete", args=[catalogue["sachstand"].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:frontdesk_concern_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [catalogue["sachstand"].pk],
            "post": "yes",
        },
    )
    assert bulk.status_code in (200, 302, 403)
    assert Concern.objects.filter(pk=catalogue["sachstand"].pk).exists()


# --- check-in ------------------------------------------------------------------------------


def test_unknown_walk_in_gets_a_number(check_in, desks):
    visit = check_in("sachstand", now=at(9))
    assert (visit.number, visit.kunde, visit.state) == ("A001", None, VisitState.WAITING)
    contact = visit.contacts.get()
    assert (contact.queued_at, contact.called_at) == (at(9), None)


def test_priority_needs_a_known_reason(check_in, desks):
    visit = check_in("mittellosigkeit", now=at(9), priority_reason="mittellosigkeit")
    assert visit.priority
    with pytest.raises(FrontdeskError, match="erläutern"):
        check_in("sachstand", priority_reason="sonstiges")
    visit = check_in("sachstand", priority_reason="sonstiges", priority_note="Rollstuhl")
    assert (visit.priority, visit.priority_note) == (True, "Rollstuhl")


def test_a_check_in_without_concern_is_refused(check_in, desks):
    with pytest.raises(FrontdeskError, match="mindestens ein Anliegen"):
        check_in()


def test_no_queue_at_the_site_is_explained(check_in):
    with pytest.raises(FrontdeskError, match="keine Warteschlange"):
        check_in("sachstand")


def test_only_reception_roles_check_in(check_in, staff, desks):
    with pytest.raises(FrontdeskError, match="Anmelden dürfen nur"):
        check_in("sachstand", actor=staff["leistung"])


@pytest.mark.rule("R-EM-01")
def test_settled_at_reception_records_a_vermerk_and_informs_leistung(check_in, staff, teams, desks):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    visit = check_in(
        "unterlagen",
        kunde=antrag.applicant,
        settle=Outcome.RESOLVED,
        note="Kontoauszüge März abgegeben",
        now=at(9),
    )
    assert (visit.state, visit.outcome, visit.settled_at_reception) == (
        VisitState.DONE,
        Outcome.RESOLVED,
        True,
    )
    contact = visit.contacts.get()
    assert contact.at_reception and contact.desk is None
    # Documents handed in record routing's generic type; its rules decide the mailboxes.
    # Settled on the spot: no waiting number was drawn (issue 12).
    assert visit.number == ""
    vermerk = Vermerk.objects.get(kunde=antrag.applicant, text__contains="am Empfang")
    assert vermerk.information_type.code == "sonstiges"
    assert "Kontoauszüge März abgegeben" in vermerk.text
    task = Aufgabe.objects.get(postfach=teams["leistung"].postfach, vermerk=vermerk)
    assert task.kunde == antrag.applicant


def test_unknown_customers_note_goes_to_the_mailbox(check_in, teams, desks):
    check_in("wertgutschein", settle=Outcome.RESOLVED, note="Gutschein", now=at(9))
    # No record to write a Vermerk to: the handling team's mailbox gets the note.
    task = Aufgabe.objects.get(title__contains="am Empfang")
    assert "nicht zugeordnet" in task.description
    assert not Vermerk.objects.exists()


@pytest.mark.rule("R-RU-01")
def test_ticket_at_the_reception_opens_the_callback_clock(check_in, jobcenter, teams, desks):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")  # has the 24 h callback (rule R-RU-01)
    visit = check_in("pap", settle=Outcome.TICKET, note="Rückruf 0202 123", now=at(9))
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert ticket.postfach == teams["ue25"].postfach
    assert "Rückruf 0202 123" in ticket.description
    deadline = Deadline.objects.get(aufgabe=ticket)
    assert deadline.kind == RuleKind.CALLBACK
    assert ticket.due_at == deadline.due_at > at(9)
    assert visit.outcome == Outcome.TICKET


@pytest.mark.rule("R-EM-03")
def test_ticket_without_named_department_goes_to_the_eingangszone(check_in, teams, desks):
    check_in("sonstiges", settle=Outcome.TICKET, note="Frage", now=at(9))
    # Rule R-EM-03: the Eingangszone distributes the tickets.
    assert Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET).postfach == teams["ez"].postfach


def test_ticket_at_the_desk(check_in, staff, desks, open_desk, teams):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    visit = check_in("ortsabwesenheit", now=at(9))
    visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=at(9, 5))
    visit_finish(
        actor=staff["ez"],
        desk_id=desks["s1"].pk,
        visit_id=visit.pk,
        outcome=Outcome.TICKET,
        handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
        note="Urlaub 1.–14. Juli, Tel. 0202 555",
        now=at(9, 10),
    )
    ticket = Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET)
    assert ticket.postfach == teams["ue25"].postfach
    assert ticket.due_at is not None  # 24 h even without a rule in the profile


def test_ticket_needs_a_note(check_in, staff, desks, open_desk):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    visit = check_in("pap", now=at(9))
    visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=at(9, 5))
    with pytest.raises(FrontdeskError, match="Ticket"):
        visit_finish(
            actor=staff["ez"],
            desk_id=desks["s1"].pk,
            visit_id=visit.pk,
            outcome=Outcome.TICKET,
            handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
        )


# --- appointments ------------------------------------------------------------------------


def test_appointment_for_checkin_reads_todays_first_consultation(staff, teams):
    today = at(9).date()
    a = register(actor=staff["ez"], leistung_team=teams["leistung"])
    b = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Max", "Morgen", is_head=True)],
    )
    c = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Nina", "Ohne", is_head=True)],
    )
    book_eg(a, staff["ifk"], at(10, 30))
    book_eg(b, staff["ifk2"], at(10) + timedelta(days=1))  # tomorrow
    found = appointments_for_checkin([a.applicant_id, b.applicant_id, c.applicant_id], today)
    assert set(found) == {a.applicant_id}
    appointment = appointment_for_checkin(a.applicant, today)
    assert (appointment.at, appointment.with_user, appointment.label) == (
        at(10, 30),
        staff["ifk"],
        "Erstgespräch",
    )
    assert appointment_for_checkin(None, today) is None


@pytest.mark.rule("R-EM-01")
def test_appointment_without_a_desk_for_the_holder_is_sent_straight_there(
    check_in, staff, teams, desks
):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    book_eg(antrag, staff["ifk"], at(10))
    appointment = appointment_for_checkin(antrag.applicant, at(9).date())
    visit = check_in(kunde=antrag.applicant, appointment=appointment, now=at(9, 50))
    # Rule R-EM-01: customers with an appointment are sent on directly; the IFK gets a task.
    assert (visit.state, visit.outcome, visit.settled_at_reception) == (
        VisitState.DONE,
        Outcome.TO_APPOINTMENT,
        True,
    )
    task = Aufgabe.objects.get(assignee=staff["ifk"], title__contains=visit.number)
    assert "10:00" in task.title
    assert Contact.objects.get(visit=visit).at_reception
