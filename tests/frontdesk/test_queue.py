"""The queue and every state change of a visit (rule R-WS-01): order, priority, desks, outcomes."""

from datetime import timedelta

import pytest

from frontdesk.errors import FrontdeskError, QueueEmpty
from frontdesk.models import Contact, Outcome, VisitEvent, VisitState
from frontdesk.selectors import waiting_for_desk
from frontdesk.services.calling import (
    visit_call,
    visit_call_next,
    visit_no_show,
    visit_park,
    visit_recall,
    visit_requeue,
)
from frontdesk.services.desks import desk_close
from frontdesk.services.outcomes import visit_finish, visit_pass_on
from frontdesk.services.reception import visit_cancel, visit_come_back, visit_identify
from routing.models import Aufgabe
from tests.factories import register

from .conftest import at

pytestmark = pytest.mark.django_db

A = VisitEvent.Action


@pytest.fixture
def ez(staff, desks, open_desk):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    return staff["ez"], desks["s1"]


def call_next(ez, minute):
    user, desk = ez
    return visit_call_next(actor=user, desk_id=desk.pk, now=at(9, minute))


def events(visit):
    return list(visit.events.values_list("action", "source", "target"))


# --- order -------------------------------------------------------------------------------


def test_called_in_order_of_arrival_with_priority_first(check_in, ez):
    first = check_in("unterlagen", now=at(9, 0))
    second = check_in("leistungsfrage", now=at(9, 1))
    urgent = check_in("sachstand", now=at(9, 2), priority_reason="behinderung")
    third = check_in("veraenderung", now=at(9, 3))

    order = []
    for minute in (10, 11, 12, 13):
        visit = call_next(ez, minute)
        order.append(visit.pk)
        visit_finish(
            actor=ez[0],
            desk_id=ez[1].pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
            now=at(9, minute, 30),
        )
    assert order == [urgent.pk, first.pk, second.pk, third.pk]
    with pytest.raises(QueueEmpty, match="Niemand wartet"):
        call_next(ez, 20)


def test_waiting_numbers_per_site_and_day(check_in, site, other_site, teams, desks):
    from frontdesk.models import Desk, SiteSettings

    SiteSettings.objects.create(standort=other_site, number_prefix="S")
    Desk.objects.create(standort=other_site, name="Süd").teams.set([teams["ez"]])
    a = check_in("unterlagen", now=at(9))
    b = check_in("unterlagen", now=at(9, 5))
    s = check_in("unterlagen", standort=other_site, now=at(9, 6))
    tomorrow = check_in("unterlagen", now=at(9) + timedelta(days=1))
    assert [a.number, b.number, s.number, tomorrow.number] == ["A001", "A002", "S001", "A001"]


@pytest.mark.rule("R-EM-01")
def test_each_desk_sees_only_its_queues_at_its_site(
    check_in, staff, desks, open_desk, catalogue, site
):
    ez_visit = check_in("unterlagen", now=at(9))
    # An application is passed on in person to Leistung (rule R-EM-02): a desk here serves it.
    leistung_visit = check_in("antrag", now=at(9, 1))
    assert ez_visit.team.kind == "eingangszone"
    assert leistung_visit.team.kind == "leistung"
    open_desk(staff["leistung"], desks["leistung"], now=at(8))
    open_desk(staff["ez"], desks["s1"], now=at(8))
    day = at(9).date()
    assert list(waiting_for_desk(desks["s1"], staff["ez"], day)) == [ez_visit]
    assert list(waiting_for_desk(desks["leistung"], staff["leistung"], day)) == [leistung_visit]


def test_application_waits_for_the_eingangszone_when_no_leistung_desk(check_in, desks):
    desks["leistung"].active = False
    desks["leistung"].save()
    assert check_in("antrag", now=at(9)).team.kind == "eingangszone"


def test_known_customer_waits_for_their_bgs_leistung_team(check_in, staff, teams, desks):
    desks["leistung"].teams.add(teams["leistung_b"])
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung_b"])
    visit = check_in("mittellosigkeit", kunde=antrag.applicant, now=at(9))
    assert visit.team == teams["leistung_b"]


def test_yesterdays_leftovers_are_not_called(check_in, ez):
    check_in("unterlagen", now=at(9) - timedelta(days=1))
    with pytest.raises(QueueEmpty):
        call_next(ez, 0)


# --- every state change --------------------------------------------------------------------


def test_call_recall_no_show_after_three_calls(check_in, ez):
    user, desk = ez
    visit = check_in("unterlagen", now=at(9))
    call_next(ez, 1)
    with pytest.raises(FrontdeskError, match="erst nach 3 Aufrufen"):
        visit_no_show(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at(9, 2))
    visit_recall(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at(9, 2))
    visit_recall(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at(9, 3))
    visit = visit_no_show(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at(9, 4))
    assert visit.state == VisitState.NO_SHOW
    assert visit.finished_at == at(9, 4)
    assert events(visit) == [
        (A.CHECK_IN, "", "waiting"),
        (A.CALL, "waiting", "called"),
        (A.RECALL, "called", "called"),
        (A.RECALL, "called", "called"),
        (A.NO_SHOW, "called", "no_show"),
    ]
    contact = visit.contacts.get()
    assert (contact.called_at, contact.ended_at, contact.call_count, contact.outcome) == (
        at(9, 1),
        at(9, 4),
        3,
        Outcome.NO_SHOW,
    )
    # Every change is timestamped.
    assert list(visit.events.values_list("at", flat=True)) == [
        at(9),
        at(9, 1),
        at(9, 2),
        at(9, 3),
        at(9, 4),
    ]


def test_requeue_keeps_the_customers_place(check_in, ez):
    user, desk = ez
    first = check_in("unterlagen", now=at(9))
    check_in("unterlagen", now=at(9, 1))
    call_next(ez, 2)
    visit_requeue(actor=user, desk_id=desk.pk, visit_id=first.pk, note="falsch", now=at(9, 3))
    first.refresh_from_db()
    assert (first.state, first.desk, first.call_count) == (VisitState.WAITING, None, 0)
    assert call_next(ez, 4) == first
    contact = first.contacts.get()
    assert contact.called_at == at(9, 4)  # the waiting time runs on to the real call


def test_park_and_come_back_keeps_the_place_and_starts_a_new_contact(check_in, ez, staff):
    user, desk = ez
    parked = check_in("unterlagen", now=at(9))
    later = check_in("unterlagen", now=at(9, 1))
    call_next(ez, 2)
    visit_park(
        actor=user, desk_id=desk.pk, visit_id=parked.pk, note="holt Kontoauszüge", now=at(9, 5)
    )
    parked.refresh_from_db()
    assert parked.state == VisitState.PARKED
    # While parked, the next one is called.
    assert call_next(ez, 6) == later
    visit_finish(
        actor=user,
        desk_id=desk.pk,
        visit_id=later.pk,
        outcome=Outcome.RESOLVED,
        handled=list(later.visit_concerns.values_list("concern_id", flat=True)),
        now=at(9, 8),
    )
    visit_come_back(actor=staff["empfang"], visit_id=parked.pk, now=at(9, 20))
    parked.refresh_from_db()
    assert parked.state == VisitState.WAITING
    assert parked.queued_at == at(9)  # still first in line
    assert call_next(ez, 21) == parked
    contacts = list(parked.contacts.order_by("queued_at"))
    assert [(c.queued_at, c.called_at, c.ended_at, c.outcome) for c in contacts] == [
        (at(9), at(9, 2), at(9, 5), Outcome.PARKED),
        (at(9, 20), at(9, 21), None, ""),
    ]


def test_parked_customer_can_be_called_directly(check_in, ez):
    user, desk = ez
    visit = check_in("unterlagen", now=at(9))
    call_next(ez, 1)
    visit_park(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at(9, 2))
    visit = visit_call(
        actor=user, desk_id=desk.pk, visit_id=visit.pk, reason="zurück", now=at(9, 10)
    )
    assert visit.state == VisitState.CALLED
    assert visit.contacts.filter(ended_at__isnull=True).get().queued_at == at(9, 10)


def test_pass_on_to_a_queue_served_here(check_in, ez, teams, staff, desks, open_desk):
    user, desk = ez
    visit = check_in("leistungsfrage", now=at(9))
    call_next(ez, 5)
    visit = visit_pass_on(
        actor=user,
        desk_id=desk.pk,
        visit_id=visit.pk,
        team=teams["leistung"],
        note="Bescheid unklar",
        now=at(9, 10),
    )
    assert (visit.state, visit.team, visit.queued_at) == (
        VisitState.WAITING,
        teams["leistung"],
        at(9, 10),
    )
    open_desk(staff["leistung"], desks["leistung"], now=at(8))
    called = visit_call_next(actor=staff["leistung"], desk_id=desks["leistung"].pk, now=at(9, 30))
    assert called == visit
    contacts = list(visit.contacts.order_by("queued_at"))
    assert [(c.team, c.queued_at, c.called_at, c.ended_at, c.outcome) for c in contacts] == [
        (teams["ez"], at(9), at(9, 5), at(9, 10), Outcome.FORWARDED),
        (teams["leistung"], at(9, 10), at(9, 30), None, ""),
    ]
    assert visit.events.get(action=A.PASS_ON).note == "Bescheid unklar"


def test_pass_on_to_a_team_without_desk_hands_over_in_person(check_in, ez, teams):
    user, desk = ez
    visit = check_in("pap", now=at(9))
    call_next(ez, 1)
    visit = visit_pass_on(
        actor=user,
        desk_id=desk.pk,
        visit_id=visit.pk,
        team=teams["ue25"],
        note="möchte mit der pAp sprechen",
        now=at(9, 4),
    )
    assert (visit.state, visit.outcome) == (VisitState.DONE, Outcome.PASSED_ON)
    task = Aufgabe.objects.get(postfach=teams["ue25"].postfach)
    assert "möchte mit der pAp sprechen" in task.description
    assert visit.number in task.title


def test_pass_on_needs_a_note(check_in, ez, teams):
    user, desk = ez
    visit = check_in("pap", now=at(9))
    call_next(ez, 1)
    with pytest.raises(FrontdeskError, match="Notiz"):
        visit_pass_on(actor=user, desk_id=desk.pk, visit_id=visit.pk, team=teams["ue25"], note=" ")


def test_finish_records_outcome_and_concerns_handled(check_in, ez, catalogue):
    user, desk = ez
    visit = check_in("unterlagen", "sachstand", now=at(9))
    call_next(ez, 2)
    visit = visit_finish(
        actor=user,
        desk_id=desk.pk,
        visit_id=visit.pk,
        outcome=Outcome.RESOLVED,
        handled=[catalogue["unterlagen"].pk],
        extra=[catalogue["kopien"]],
        now=at(9, 9),
    )
    assert (visit.state, visit.outcome, visit.finished_at) == (
        VisitState.DONE,
        Outcome.RESOLVED,
        at(9, 9),
    )
    rows = {vc.concern.code: (vc.stated, vc.handled) for vc in visit.visit_concerns.all()}
    assert rows == {
        "unterlagen": (True, True),
        "sachstand": (True, False),
        "kopien": (False, True),
    }


def test_finishing_twice_is_refused(check_in, ez):
    user, desk = ez
    visit = check_in("sachstand", now=at(9))
    call_next(ez, 1)
    kwargs = {
        "actor": user,
        "desk_id": desk.pk,
        "visit_id": visit.pk,
        "outcome": Outcome.RESOLVED,
        "handled": list(visit.visit_concerns.values_list("concern_id", flat=True)),
    }
    visit_finish(**kwargs, now=at(9, 2))
    with pytest.raises(FrontdeskError, match=f"{visit.number} ist bereits abgeschlossen"):
        visit_finish(**kwargs, now=at(9, 3))
    assert visit.events.filter(action=A.FINISH).count() == 1
    assert Contact.objects.filter(visit=visit).count() == 1


def test_finish_needs_a_handled_concern(check_in, ez):
    user, desk = ez
    visit = check_in("sachstand", now=at(9))
    call_next(ez, 1)
    with pytest.raises(FrontdeskError, match="mindestens ein bearbeitetes Anliegen"):
        visit_finish(
            actor=user, desk_id=desk.pk, visit_id=visit.pk, outcome=Outcome.RESOLVED, handled=[]
        )


def test_another_desk_cannot_act_on_my_customer(check_in, ez, staff, desks, open_desk):
    visit = check_in("sachstand", now=at(9))
    call_next(ez, 1)
    open_desk(staff["teamleitung"], desks["s2"], now=at(8))
    with pytest.raises(FrontdeskError, match="an Schalter 1 aufgerufen, nicht an Ihrem"):
        visit_finish(
            actor=staff["teamleitung"],
            desk_id=desks["s2"].pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=[],
        )


def test_one_customer_at_a_time_per_desk(check_in, ez):
    check_in("sachstand", now=at(9))
    check_in("sachstand", now=at(9, 1))
    call_next(ez, 2)
    with pytest.raises(FrontdeskError, match="noch A001 aufgerufen"):
        call_next(ez, 3)
    with pytest.raises(FrontdeskError, match="A001 ist noch aufgerufen"):
        desk_close(actor=ez[0], desk_id=ez[1].pk)


def test_acting_without_an_open_desk_is_refused(check_in, staff, desks):
    check_in("sachstand", now=at(9))
    with pytest.raises(FrontdeskError, match="keinen Schalter geöffnet"):
        visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk)


def test_calling_out_of_turn_needs_a_reason(check_in, ez):
    user, desk = ez
    check_in("sachstand", now=at(9))
    second = check_in("sachstand", now=at(9, 1))
    with pytest.raises(FrontdeskError, match="Grund"):
        visit_call(actor=user, desk_id=desk.pk, visit_id=second.pk, reason="")
    visit = visit_call(
        actor=user, desk_id=desk.pk, visit_id=second.pk, reason="Dolmetscher da", now=at(9, 2)
    )
    assert visit.events.get(action=A.CALL_SPECIFIC).note == "Dolmetscher da"


def test_cancel_while_waiting_and_not_while_called(check_in, ez, staff):
    first = check_in("sachstand", now=at(9))
    left = check_in("sachstand", now=at(9, 1))
    visit_cancel(actor=staff["empfang"], visit_id=left.pk, note="gegangen", now=at(9, 5))
    left.refresh_from_db()
    assert left.state == VisitState.CANCELLED
    assert left.contacts.get().outcome == Outcome.CANCELLED
    call_next(ez, 6)
    with pytest.raises(FrontdeskError, match="gerade an Schalter 1 aufgerufen"):
        visit_cancel(actor=staff["empfang"], visit_id=first.pk)
    with pytest.raises(FrontdeskError, match="bereits abgemeldet"):
        visit_cancel(actor=staff["empfang"], visit_id=left.pk)


def test_identity_added_later(check_in, staff, teams, desks):
    visit = check_in("unterlagen", now=at(9))
    assert visit.kunde is None
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    visit = visit_identify(actor=staff["empfang"], visit_id=visit.pk, kunde=antrag.applicant)
    assert visit.kunde == antrag.applicant
    assert visit.events.filter(action=A.IDENTIFY).exists()


def test_concern_removed_from_catalogue_while_waiting(check_in, ez, catalogue):
    user, desk = ez
    visit = check_in("sachstand", now=at(9))
    concern = catalogue["sachstand"]
    concern.active = False
    concern.save()
    # The waiting customer keeps the concern: called and finished as usual.
    assert call_next(ez, 1) == visit
    visit = visit_finish(
        actor=user,
        desk_id=desk.pk,
        visit_id=visit.pk,
        outcome=Outcome.RESOLVED,
        handled=[concern.pk],
        now=at(9, 2),
    )
    assert visit.visit_concerns.get().handled is True
    # New check-ins cannot choose it any more.
    with pytest.raises(FrontdeskError, match="aus dem Katalog genommen"):
        check_in("sachstand", now=at(9, 3))


def test_appointment_visit_is_called_only_by_the_holder(
    check_in, staff, teams, site, open_desk, desks
):
    from frontdesk.models import Desk
    from frontdesk.selectors import appointment_for_checkin

    room = Desk.objects.create(standort=site, name="Raum 312")
    room.teams.set([teams["ue25"]])
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    # Test set-up: an EG booked for 10:00 today (the booking service refuses past times).
    type(antrag).objects.filter(pk=antrag.pk).update(
        eg_state="gebucht", eg_at=at(10), eg_with=staff["ifk"]
    )
    appointment = appointment_for_checkin(antrag.applicant, at(9).date())
    assert appointment.with_user == staff["ifk"]
    visit = check_in(kunde=antrag.applicant, appointment=appointment, now=at(9, 50))
    assert (visit.team, visit.assigned_to, visit.appointment_at) == (
        teams["ue25"],
        staff["ifk"],
        at(10),
    )
    assert [vc.concern.code for vc in visit.visit_concerns.all()] == ["termin"]
    open_desk(staff["ifk2"], room, now=at(8))
    with pytest.raises(QueueEmpty):
        visit_call_next(actor=staff["ifk2"], desk_id=room.pk, now=at(9, 55))
    desk_close(actor=staff["ifk2"], desk_id=room.pk)
    open_desk(staff["ifk"], room, now=at(9, 56))
    assert visit_call_next(actor=staff["ifk"], desk_id=room.pk, now=at(9, 57)) == visit


# --- calling out of turn: only from the desk's queues, and appointments for their person ---


def _in_queue(visit, team, assigned_to=None):
    type(visit).objects.filter(pk=visit.pk).update(team=team, assigned_to=assigned_to)
    return visit


def test_out_of_turn_a_desk_calls_only_from_the_queues_it_serves(check_in, ez, teams):
    user, desk = ez
    other_queue = _in_queue(check_in("sachstand", now=at(9)), teams["leistung"])
    with pytest.raises(FrontdeskError, match="bedient diese Warteschlange nicht"):
        visit_call(actor=user, desk_id=desk.pk, visit_id=other_queue.pk, reason="x", now=at(9, 1))
    other_queue.refresh_from_db()
    assert other_queue.state == VisitState.WAITING and other_queue.desk is None


def test_out_of_turn_an_appointment_only_for_the_person_booked(check_in, ez, teams, staff):
    user, desk = ez
    booked = _in_queue(check_in("sachstand", now=at(9)), teams["ez"], staff["ifk"])
    with pytest.raises(FrontdeskError, match="Termin bei"):
        visit_call(actor=user, desk_id=desk.pk, visit_id=booked.pk, reason="x", now=at(9, 1))
    booked.refresh_from_db()
    assert booked.state == VisitState.WAITING
    mine = _in_queue(check_in("sachstand", now=at(9)), teams["ez"], user)
    called = visit_call(actor=user, desk_id=desk.pk, visit_id=mine.pk, reason="x", now=at(9, 2))
    assert called.state == VisitState.CALLED


def test_out_of_turn_a_team_lead_may_call_for_their_teams(check_in, staff, teams, desks, open_desk):
    lead = staff["teamleitung"]  # member of ez, leistung, ue25
    open_desk(lead, desks["s2"], now=at(8))  # an Eingangszone counter
    booked = _in_queue(check_in("sachstand", now=at(9)), teams["leistung"], staff["ifk"])
    called = visit_call(
        actor=lead, desk_id=desks["s2"].pk, visit_id=booked.pk, reason="IFK krank", now=at(9, 1)
    )
    assert called.state == VisitState.CALLED
    visit_requeue(actor=lead, desk_id=desks["s2"].pk, visit_id=called.pk, now=at(9, 2))

    elsewhere = _in_queue(check_in("sachstand", now=at(9)), teams["leistung_b"])
    with pytest.raises(FrontdeskError, match="bedient diese Warteschlange nicht"):
        visit_call(
            actor=lead, desk_id=desks["s2"].pk, visit_id=elsewhere.pk, reason="x", now=at(9, 3)
        )
    type(teams["leistung_b"]).objects.filter(pk=teams["leistung_b"].pk).update(lead=lead)
    called = visit_call(
        actor=lead, desk_id=desks["s2"].pk, visit_id=elsewhere.pk, reason="x", now=at(9, 4)
    )
    assert called.state == VisitState.CALLED


def test_the_audit_lines_of_a_visit_read_in_german():
    from frontdesk.services.recording import visit_summary

    assert visit_summary("A019", "call", "waiting", "called") == (
        "A019: aufgerufen (wartet → aufgerufen)"
    )
    assert visit_summary("A020", "check_in", "", "waiting") == "A020: angemeldet (wartet)"
