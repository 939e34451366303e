"""Deleting a customer where the law allows: every dependent handled, none in the way."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appointments.models import Appointment, ContactProfile
from frontdesk.models import Visit
from intake.models import Antrag, AntragPerson, Bedarfsgemeinschaft, Kunde
from jobcenter.models import AuditEvent
from minimumstandards.models import Deadline
from privacy.models import LegalHold, RetentionRun
from privacy.services import Grounds, kunde_erase
from routing.models import Aufgabe, Vermerk
from tests.factories import person, register

from .conftest import LAST_MONTH, LONG_AGO

pytestmark = pytest.mark.django_db


def test_a_person_registered_by_mistake_is_deleted_with_all_dependents(build_person, dsb):
    built = build_person(LAST_MONTH)
    pk = built.kunde.pk
    visits_before = Visit.objects.count()

    run = kunde_erase(
        actor=dsb,
        kunde=built.kunde,
        grounds=Grounds.REGISTERED_BY_MISTAKE,
        reason="doppelt angelegt",
    )

    assert not Kunde.objects.filter(pk=pk).exists()
    assert not Antrag.objects.filter(pk=built.antrag.pk).exists()
    assert not Appointment.objects.filter(pk=built.appointment.pk).exists()
    assert not Vermerk.objects.filter(pk=built.vermerk.pk).exists()
    assert not Aufgabe.objects.filter(pk=built.aufgabe.pk).exists()
    assert not ContactProfile.objects.filter(kunde_id=pk).exists()
    assert not Deadline.objects.filter(antrag_id=built.antrag.pk).exists()
    assert not Bedarfsgemeinschaft.objects.filter(pk=built.antrag.bedarfsgemeinschaft_id).exists()
    # The visit stays for the statistics, without the person.
    assert Visit.objects.count() == visits_before
    assert Visit.objects.get(pk=built.visit.pk).kunde_id is None
    # The read audit keeps who read, no longer whom.
    assert not AuditEvent.objects.filter(subject_id=pk).exists()
    assert run.trigger == RetentionRun.Trigger.ERASURE
    assert run.actor == dsb
    assert run.counts["persons"] == 1
    assert run.counts["cases"] == 1
    assert run.counts["appointments"] == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.actor == dsb
    assert "Kranich" not in f"{event.summary} {event.changes}"


def test_in_a_household_the_other_member_becomes_head(staff, teams, dsb, clock):
    clock(LAST_MONTH)
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person("Karla", "Kranich", date(1981, 7, 14), is_head=True),
            person("Paul", "Kranich", date(1979, 1, 2), relation_to_head="partner"),
        ],
    )
    head = antrag.applicant
    bg = antrag.bedarfsgemeinschaft
    partner = bg.members.exclude(pk=head.pk).get()

    kunde_erase(actor=dsb, kunde=head, grounds=Grounds.REGISTERED_BY_MISTAKE, reason="Testanlage")

    bg.refresh_from_db()
    assert bg.head_id == partner.pk
    assert list(bg.members.values_list("pk", flat=True)) == [partner.pk]
    assert not AntragPerson.objects.filter(kunde_id=head.pk).exists()


def test_expired_retention_is_checked(build_person, dsb):
    recent = build_person(LAST_MONTH, last_name="Neu")
    with pytest.raises(ValidationError):
        kunde_erase(
            actor=dsb, kunde=recent.kunde, grounds=Grounds.RETENTION_EXPIRED, reason="Frist"
        )
    assert Kunde.objects.filter(pk=recent.kunde.pk).exists()
    old = build_person(LONG_AGO)
    kunde_erase(actor=dsb, kunde=old.kunde, grounds=Grounds.RETENTION_EXPIRED, reason="Frist")
    assert not Kunde.objects.filter(pk=old.kunde.pk).exists()


def test_a_legal_hold_stops_the_erasure(build_person, dsb):
    built = build_person(LAST_MONTH)
    LegalHold.objects.create(kunde=built.kunde, reason="Klage", set_by=dsb)
    with pytest.raises(ValidationError):
        kunde_erase(actor=dsb, kunde=built.kunde, grounds=Grounds.REGISTERED_BY_MISTAKE, reason="x")
    assert Kunde.objects.filter(pk=built.kunde.pk).exists()


def test_only_the_data_protection_officer_erases(build_person, staff):
    built = build_person(LAST_MONTH)
    for role in ("admin", "teamleitung", "ez"):
        with pytest.raises(PermissionDenied):
            kunde_erase(
                actor=staff[role],
                kunde=built.kunde,
                grounds=Grounds.REGISTERED_BY_MISTAKE,
                reason="x",
            )
    assert Kunde.objects.filter(pk=built.kunde.pk).exists()
