"""Each outcome and its consequences (rules R-TE-02 to R-TE-06, R-GV-01)."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from appointments.errors import AppointmentError
from appointments.models import (
    Appointment,
    ContactProfile,
    Delivery,
    GroupEvent,
    Kind,
    Status,
)
from appointments.selectors import eg_limits, eg_search
from appointments.services.first_consultation import eg_book
from appointments.services.follow_ups import follow_up_book
from appointments.services.group_events import group_event_invite
from appointments.services.outcomes import (
    appointment_cancel,
    appointment_record_held,
    appointment_record_no_show,
    group_event_record,
)
from intake.models import Antrag, ErstgespraechState
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.workdays import end_of_day
from routing.models import Aufgabe, Vermerk
from tests.factories import person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, profile, people, teams, site):
    for key in ("ifk", "ifk2"):
        release(people[key], site)
        release(
            people[key],
            site,
            kind=Kind.FOLGEGESPRAECH,
            days=[0, 1, 3],
            starts=time(10),
            ends=time(12),
        )
    return people


def book(world, teams, first="Erika", born=date(1985, 3, 27), when=None):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, "Muster", born, is_head=True)],
        ifk=world["ifk"],
    )
    when = when or eg_search(antrag=antrag).found.slots[0].starts_at
    return eg_book(actor=world["ez"], antrag_id=antrag.pk, caseworker=world["ifk"], starts_at=when)


def after(clock, appointment, minutes=90):
    clock.set(appointment.starts_at + timedelta(minutes=minutes))


@pytest.mark.rule("R-TE-04")
def test_eg_held_moves_the_case_closes_the_deadline_and_starts_contact_density(world, teams, clock):
    eg = book(world, teams)
    after(clock, eg)
    held = appointment_record_held(
        actor=world["ifk"],
        appointment_id=eg.pk,
        minutes=60,
        form="persoenlich",
        text="Profiling, Kooperationsplan erstellt.",
    )
    assert held.status == Status.DURCHGEFUEHRT and held.qualified
    assert held.vermerk.kind == Vermerk.Kind.BERATUNG
    assert held.vermerk.subject == "Erstgespräch am Mo 23.03.2026 09:00 (60 Min., persönlich)"
    antrag = Antrag.objects.get(pk=eg.antrag_id)
    assert antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT
    deadline = Deadline.objects.get(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION)
    assert deadline.status == Deadline.Status.MET
    profile = ContactProfile.objects.get(kunde=eg.kunde)
    assert profile.new_customer_since == date(2026, 3, 23)
    assert profile.last_qualified_contact_at == eg.starts_at
    # A new customer: monthly contacts recommended for six months (rule R-KD-01).
    assert profile.interval_days == 30
    assert profile.next_contact_due == date(2026, 4, 22)
    contact = Deadline.objects.get(kunde=eg.kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    # A new customer is seen monthly in the first six months (rule R-KD-01): the deadline's window.
    assert contact.due_at == end_of_day(date(2026, 3, 23) + timedelta(days=30))
    assert contact.owner_user == world["ifk"]


@pytest.mark.rule("R-TE-03")
@pytest.mark.rule("R-TE-04")
def test_short_consultation_is_a_general_note_unless_marked_qualified(world, teams, clock):
    eg = book(world, teams)
    after(clock, eg)
    held = appointment_record_held(
        actor=world["ifk"],
        appointment_id=eg.pk,
        minutes=20,
        form="telefon",
        text="Nur kurz telefoniert.",
    )
    assert not held.qualified
    assert held.vermerk.kind == Vermerk.Kind.ALLGEMEIN
    assert ContactProfile.objects.get(kunde=eg.kunde).last_qualified_contact_at is None

    second = book(world, teams, "Zweite", date(1990, 1, 1))
    after(clock, second)
    held = appointment_record_held(
        actor=world["ifk"],
        appointment_id=second.pk,
        minutes=25,
        form="video",
        text="Kurz, aber alles Wesentliche.",
        qualified_despite_short=True,
    )
    assert held.qualified and held.vermerk.kind == Vermerk.Kind.BERATUNG


def test_outcome_twice_and_before_the_start_are_refused(world, teams, clock):
    eg = book(world, teams)
    with pytest.raises(AppointmentError, match="erst ab Beginn des Termins"):
        appointment_record_held(
            actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="x"
        )
    after(clock, eg)
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="x"
    )
    with pytest.raises(AppointmentError, match="bereits ein Ergebnis erfasst: durchgeführt"):
        appointment_record_no_show(actor=world["ifk"], appointment_id=eg.pk)
    with pytest.raises(AppointmentError, match="bereits ein Ergebnis erfasst"):
        appointment_cancel(
            actor=world["ez"], appointment_id=eg.pk, by_customer=True, reason="zu spät"
        )
    assert Vermerk.objects.filter(kunde=eg.kunde, kind=Vermerk.Kind.BERATUNG).count() == 1


def test_only_the_caseworker_or_the_lead_records_the_outcome(world, teams, clock):
    eg = book(world, teams)
    after(clock, eg)
    with pytest.raises(PermissionDenied):
        appointment_record_held(
            actor=world["ifk2"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="x"
        )
    appointment_record_held(
        actor=world["teamleitung"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="x"
    )


@pytest.mark.rule("R-TE-06")
@pytest.mark.rule("R-TE-07")
def test_no_show_without_rfb_no_reduction_then_with_rfb_reduction_and_withdrawal(
    world, teams, clock
):
    # RL 2.5: "Erscheint eine Kundin/ ein Kunde ohne wichtigen Grund nicht auf eine Einladung
    # ohne Rechtsfolgenbelehrung, erfolgt die Folgeeinladung immer mit
    # Rechtsfolgenbelehrung." § 32 SGB II: a reduction only after an invitation with RFB.
    eg = book(world, teams)
    assert eg.with_rfb is False
    after(clock, eg)  # Monday 23 March 2026, 10:30
    missed, again = appointment_record_no_show(
        actor=world["ifk"], appointment_id=eg.pk, note="Telefonisch nicht erreicht"
    )
    assert missed.status == Status.MELDEVERSAEUMNIS
    assert again.with_rfb is True and again.previous == missed
    # Posted Monday 23 March, received Friday 27 March (§ 37 Abs. 2 SGB X), so the first EG
    # window after that day: Monday 30 March 09:00.
    assert again.starts_at == at(date(2026, 3, 30), 9)
    assert again.delivery == Delivery.POST
    antrag = Antrag.objects.get(pk=eg.antrag_id)
    assert antrag.eg_state == ErstgespraechState.GEBUCHT and antrag.eg_at == again.starts_at
    assert not Aufgabe.objects.filter(title__contains="Leistungsminderung").exists()
    note = Vermerk.objects.get(kunde=eg.kunde, subject__startswith="Meldeversäumnis")
    assert note.text == (
        "Telefonisch nicht erreicht\n"
        "Die Einladung enthielt keine Rechtsfolgenbelehrung: eine Leistungsminderung kommt "
        "nicht in Betracht. Die Folgeeinladung ergeht mit Rechtsfolgenbelehrung."
    )
    assert not Aufgabe.objects.filter(title__contains="Entziehung").exists()

    # The invitation with RFB is missed too: now a reduction is examined, and as a repeated
    # no-show a task to Leistung to examine withdrawing the benefits.
    after(clock, again)  # Monday 30 March 2026, 10:30
    _missed, third = appointment_record_no_show(actor=world["ifk"], appointment_id=again.pk)
    sanction = Aufgabe.objects.get(title__contains="Leistungsminderung")
    assert sanction.title == (
        "Meldeversäumnis am Mo 30.03.2026 09:00: Leistungsminderung prüfen (§ 32 SGB II)"
    )
    assert sanction.assignee == world["ifk"]
    withdraw = Aufgabe.objects.get(title__contains="Entziehung oder Versagung")
    assert withdraw.postfach == teams["leistung"].postfach
    assert withdraw.kunde == eg.kunde
    assert third.with_rfb is True
    # Posted Monday 30 March, received Friday 3 April (Good Friday: the fiction does not
    # move); Easter Monday 6 April is a holiday: Tuesday 7 April 09:00.
    assert third.starts_at == at(date(2026, 4, 7), 9)


@pytest.mark.rule("R-TE-06")
def test_no_show_on_an_invitation_with_rfb_raises_the_reduction_task(world, teams, clock):
    eg = book(world, teams)
    after(clock, eg)
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="EG"
    )
    follow = follow_up_book(
        actor=world["ifk"],
        kunde=eg.kunde,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 24), 10),
        with_rfb=True,
        delivery=Delivery.PERSOENLICH,
    )
    assert follow.with_rfb is True
    after(clock, follow)
    appointment_record_no_show(actor=world["ifk"], appointment_id=follow.pk)
    sanction = Aufgabe.objects.get(title__contains="Leistungsminderung")
    assert sanction.title == (
        "Meldeversäumnis am Di 24.03.2026 10:00: Leistungsminderung prüfen (§ 32 SGB II)"
    )
    assert "Die Einladung enthielt eine Rechtsfolgenbelehrung." in sanction.description
    note = Vermerk.objects.get(kunde=eg.kunde, subject__startswith="Meldeversäumnis")
    assert note.text == "Die Einladung enthielt eine Rechtsfolgenbelehrung."
    # One no-show after a held consultation is not yet a repeated one.
    assert not Aufgabe.objects.filter(title__contains="Entziehung").exists()


def test_group_event_no_show_is_invited_to_the_next_event(world, teams, clock, site):
    first, second = (
        GroupEvent.objects.create(
            jobcenter=site.jobcenter,
            standort=site,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            capacity=2,
            host=world["ifk2"],
            created_by=world["teamleitung"],
        )
        for day in (date(2026, 3, 24), date(2026, 4, 7))
    )
    antraege = [
        register(
            actor=world["ez"],
            leistung_team=teams["leistung"],
            persons=[person(n, "Gruppe", date(1980, 1, i + 1), is_head=True)],
            ifk=world["ifk"],
        )
        for i, n in enumerate(["Ali", "Bea", "Cem"])
    ]
    invitations = [
        group_event_invite(actor=world["ez"], kunde=a.applicant, standort=site, antrag=a)
        for a in antraege
    ]
    # Capacity 2: the third person goes to the next event.
    assert [i.group_event for i in invitations] == [first, first, second]

    clock.set(at(date(2026, 3, 24), 12, 30))
    group_event_record(
        actor=world["ifk2"],
        event_id=first.pk,
        present_ids={invitations[0].pk},
        text="Rechte und Pflichten, Angebote.",
    )
    present, absent = (Appointment.objects.get(pk=i.pk) for i in invitations[:2])
    assert present.status == Status.DURCHGEFUEHRT and present.qualified
    assert present.vermerk.kind == Vermerk.Kind.BERATUNG
    assert absent.status == Status.MELDEVERSAEUMNIS
    reinvite = Appointment.objects.get(previous=absent)
    assert reinvite.group_event == second and reinvite.with_rfb
    assert Aufgabe.objects.filter(kunde=absent.kunde, title__startswith="Meldeversäumnis").exists()
    first.refresh_from_db()
    assert first.status == GroupEvent.EventStatus.DURCHGEFUEHRT
    with pytest.raises(AppointmentError, match="bereits ein Ergebnis"):
        group_event_record(actor=world["ifk2"], event_id=first.pk, present_ids=set(), text="x")


def test_cancelled_by_the_jobcenter_frees_the_slot_and_sets_the_30_at_limit(world, teams, clock):
    eg = book(world, teams)
    cancelled = appointment_cancel(
        actor=world["ifk"], appointment_id=eg.pk, by_customer=False, reason="IFK erkrankt"
    )
    assert cancelled.status == Status.ABGESAGT_JC
    antrag = Antrag.objects.get(pk=eg.antrag_id)
    assert antrag.eg_state == ErstgespraechState.OFFEN and antrag.eg_at is None
    limits = eg_limits(antrag)
    # 30 AT after the registration on Monday 23 March 2026 (Easter and 1 May skipped).
    assert limits.rebook_until == end_of_day(date(2026, 5, 7))
    # Shown in parentheses on the case page and in the rebooking message: no "((…))".
    assert (
        limits.rebook_label == "30 Arbeitstage nach der Anmeldung, weil das Jobcenter abgesagt hat"
    )
    # The slot is free again: another customer gets it.
    other = book(world, teams, "Otto", date(1970, 2, 2), when=eg.starts_at)
    assert other.starts_at == eg.starts_at


def test_cancelled_by_the_customer_30_days_and_a_reason_when_later(world, teams, clock):
    eg = book(world, teams)
    with pytest.raises(AppointmentError, match="Grund der Absage"):
        appointment_cancel(actor=world["ez"], appointment_id=eg.pk, by_customer=True, reason=" ")
    appointment_cancel(
        actor=world["ez"],
        appointment_id=eg.pk,
        by_customer=True,
        reason="Kinderbetreuung fällt aus",
    )
    antrag = Antrag.objects.get(pk=eg.antrag_id)
    limits = eg_limits(antrag)
    assert limits.rebook_until == end_of_day(date(2026, 4, 22))
    assert limits.rebook_label == (
        "30 Tage nach der Anmeldung, weil die Kundin / der Kunde abgesagt hat"
    )
    # Leave until after the limit: a later slot needs the documented reason.
    from appointments.models import Absence

    Absence.objects.create(
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 23), 0),
        ends_at=at(date(2026, 4, 24), 0),
        reason="Elternzeit",
        created_by=world["ifk"],
    )
    for key in ("ifk2",):
        Absence.objects.create(
            caseworker=world[key],
            starts_at=at(date(2026, 3, 23), 0),
            ends_at=at(date(2026, 4, 24), 0),
            reason="Urlaub",
            created_by=world[key],
        )
    late = at(date(2026, 4, 24), 9)
    with pytest.raises(AppointmentError, match="nach der Grenze für die Neubuchung"):
        eg_book(
            actor=world["teamleitung"], antrag_id=antrag.pk, caseworker=world["ifk"], starts_at=late
        )
    again = eg_book(
        actor=world["teamleitung"],
        antrag_id=antrag.pk,
        caseworker=world["ifk"],
        starts_at=late,
        late_reason="IFK und Vertretung abwesend",
    )
    assert again.previous == eg
    note = Vermerk.objects.get(
        kunde=eg.kunde, kind=Vermerk.Kind.ALLGEMEIN, subject__contains="nach der Frist"
    )
    assert "nach der Grenze für die Neubuchung" in note.text
    assert "IFK und Vertretung abwesend" in note.text


def test_follow_up_booking_and_a_closed_case(world, teams, clock):
    eg = book(world, teams)
    after(clock, eg)
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="EG"
    )
    follow = follow_up_book(
        actor=world["ifk"],
        kunde=eg.kunde,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 24), 10),
        delivery=Delivery.PERSOENLICH,
    )
    assert follow.kind == Kind.FOLGEGESPRAECH and follow.ends_at - follow.starts_at == timedelta(
        minutes=45
    )
    assert follow.with_rfb is False
    with pytest.raises(
        AppointmentError, match="Folgegespräche buchen Sie in Ihrem eigenen Kalender"
    ):
        follow_up_book(
            actor=world["ifk2"],
            kunde=eg.kunde,
            caseworker=world["ifk"],
            starts_at=at(date(2026, 3, 24), 10, 45),
        )
    rejected = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Abge", "Lehnt", is_head=True)],
        ifk=world["ifk"],
    )
    from intake.services import antrag_transition

    antrag_transition(
        actor=world["leistung"],
        antrag_id=rejected.pk,
        name="withdraw",
        expected_state=None,
        comment="Verzicht",
    )
    with pytest.raises(AppointmentError, match="abgeschlossen ohne Leistungsanspruch"):
        follow_up_book(
            actor=world["ifk"],
            kunde=rejected.applicant,
            caseworker=world["ifk"],
            starts_at=at(date(2026, 3, 24), 10, 45),
        )


@pytest.mark.rule("R-TE-03")
def test_thirty_minutes_is_a_qualified_contact_twenty_nine_is_not(world, teams, clock):
    # DW GA 01/2023, 6: "Unter 30 Minuten ist ein Gespräch in der Regel kein qualifizierter
    # Kontakt": 30 minutes is one (consultation note), 29 is not (general note).
    thirty = book(world, teams)
    after(clock, thirty)
    held = appointment_record_held(
        actor=world["ifk"], appointment_id=thirty.pk, minutes=30, form="persoenlich", text="x"
    )
    assert held.qualified and held.vermerk.kind == Vermerk.Kind.BERATUNG
    twenty_nine = book(world, teams, "Zweite", date(1990, 1, 1))
    after(clock, twenty_nine)
    held = appointment_record_held(
        actor=world["ifk"], appointment_id=twenty_nine.pk, minutes=29, form="persoenlich", text="x"
    )
    assert not held.qualified and held.vermerk.kind == Vermerk.Kind.ALLGEMEIN
