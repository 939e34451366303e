from datetime import date, timedelta

import pytest
from django.utils import timezone

from intake.models import Antrag, AntragState, Bedarfsgemeinschaft, Kunde
from intake.services import IntakeError, antrag_register, service_centre_refer
from jobcenter.models import AuditEvent
from routing.models import Aufgabe, Vermerk
from tests.factories import intake_data, person, register

pytestmark = pytest.mark.django_db

FAMILY = [
    person("Erika", "Mustermann", date(1985, 3, 27), is_head=True),
    person("Max", "Mustermann", date(1983, 7, 1)),
    person("Mia", "Mustermann", date(2014, 5, 5)),
]


def test_family_of_three_is_registered_with_bg_checklist_and_history_note(staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"], persons=FAMILY)

    bg = antrag.bedarfsgemeinschaft
    assert bg.number.startswith(f"{staff['ez'].jobcenter.dienststelle}BG")
    assert bg.head.first_name == "Erika"
    assert antrag.applicant == bg.head
    assert antrag.state == AntragState.ERFASST
    assert bg.members.count() == 3
    assert antrag.nachweise.count() == 3
    neukunde = {p.kunde.first_name: p.is_neukunde for p in antrag.persons.select_related("kunde")}
    # The child is under 15: not a Neukunde (rule R-NK-01).
    assert neukunde == {"Erika": True, "Max": True, "Mia": False}
    note = Vermerk.objects.get(kunde=bg.head)
    for kunde in bg.members.all():
        assert kunde.kundennummer in note.text
        assert kunde.first_name in note.text
    assert "Weitere Personen im Haushalt: 0" in note.text
    assert "Arbeitslosigkeit nach Kündigung" in note.text
    assert antrag.history.get().target == AntragState.ERFASST
    assert AuditEvent.objects.filter(action="create", target_id=antrag.pk).exists()


def test_kundennummern_are_new_and_well_formed(staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"], persons=FAMILY)
    numbers = list(antrag.bedarfsgemeinschaft.members.values_list("kundennummer", flat=True))
    assert len(set(numbers)) == 3
    prefix = staff["ez"].jobcenter.kundennummer_prefix
    assert all(n.startswith(prefix) and len(n) == 10 for n in numbers)


def test_known_person_by_name_and_birth_date_is_refused_as_duplicate(staff, teams):
    register(actor=staff["ez"], leistung_team=teams["leistung"])
    kunden_before = Kunde.objects.count()
    with pytest.raises(IntakeError, match="bereits als Kunde erfasst"):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person("erika", "MUSTERMANN", date(1985, 3, 27), is_head=True)],
        )
    assert Kunde.objects.count() == kunden_before
    assert Antrag.objects.count() == 1


def test_known_person_with_kundennummer_reuses_record_and_bg(staff, teams):
    first = register(actor=staff["ez"], leistung_team=teams["leistung"])
    kunde = first.applicant
    # The first application ends (withdrawn), a new one comes months later.
    Antrag.objects.filter(pk=first.pk).update(state=AntragState.ZURUECKGENOMMEN)
    second = register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        persons=[
            person(kundennummer=kunde.kundennummer, is_head=True),
            person("Paul", "Mustermann", date(1984, 1, 2)),
        ],
    )
    assert second.applicant == kunde
    assert second.bedarfsgemeinschaft == first.bedarfsgemeinschaft
    # The BG keeps its Leistung team.
    assert second.bedarfsgemeinschaft.leistung_team == teams["leistung"]
    assert Bedarfsgemeinschaft.objects.count() == 1


def test_open_application_of_the_same_bg_is_refused(staff, teams):
    first = register(actor=staff["ez"], leistung_team=teams["leistung"])
    with pytest.raises(IntakeError, match="bereits ein Antrag in Bearbeitung"):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(kundennummer=first.applicant.kundennummer, is_head=True)],
        )


def test_kundennummer_of_someone_else_is_refused(staff, teams):
    first = register(actor=staff["ez"], leistung_team=teams["leistung"])
    with pytest.raises(IntakeError, match="gehört zu Erika Mustermann") as info:
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[
                person("Hans", "Anders", date(1970, 1, 1), is_head=True),
                person(
                    "Otto", "Anders", date(1971, 1, 1), kundennummer=first.applicant.kundennummer
                ),
            ],
        )
    assert info.value.person_index == 1


@pytest.mark.parametrize(
    "persons, message",
    [
        ([person()], "genau einen Vorstand"),
        (
            [person(is_head=True), person("Max", born=date(1980, 1, 1), is_head=True)],
            "genau einen Vorstand",
        ),
        ([person(is_head=True), person(is_head=False)], "zweimal eingetragen"),
        ([], "mindestens eine Person"),
    ],
)
def test_bad_bg_is_refused_and_nothing_is_saved(staff, teams, persons, message):
    with pytest.raises(IntakeError, match=message):
        register(actor=staff["ez"], leistung_team=teams["leistung"], persons=persons)
    assert not Kunde.objects.exists()
    assert not Bedarfsgemeinschaft.objects.exists()


def test_application_date_in_future_is_refused(staff, teams):
    with pytest.raises(IntakeError, match="Zukunft"):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            application_date=timezone.localdate() + timedelta(days=1),
        )


def test_failure_late_in_the_intake_rolls_back_everything(staff, teams, monkeypatch):
    import intake.services as services

    def boom(**kwargs):
        raise RuntimeError("mailbox down")

    monkeypatch.setattr(services, "vermerk_create", boom)
    with pytest.raises(RuntimeError):
        register(actor=staff["ez"], leistung_team=teams["leistung"], persons=FAMILY)
    assert not Kunde.objects.exists()
    assert not Antrag.objects.exists()
    assert not Bedarfsgemeinschaft.objects.exists()


def test_postal_application_date_is_the_day_it_arrived(staff, teams):
    arrived = timezone.localdate() - timedelta(days=3)
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        channel=Antrag.Channel.POSTAL,
        application_date=arrived,
        id_checked=False,
    )
    assert antrag.application_date == arrived
    assert not antrag.id_checked


@pytest.mark.parametrize(
    "unit, value, gap_days, expected",
    [("days", 182, 183, False), ("days", 182, 184, True), ("months", 2, 40, False)],
)
def test_interruption_threshold_is_the_jobcenters_setting(
    staff, teams, unit, value, gap_days, expected
):
    jobcenter = staff["ez"].jobcenter
    jobcenter.interruption_threshold_unit = unit
    jobcenter.interruption_threshold_value = value
    jobcenter.save()
    today = timezone.localdate()
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True, last_benefit_end=today - timedelta(days=gap_days))],
    )
    assert antrag.persons.get().is_neukunde is expected


def test_service_centre_special_case_becomes_task_for_ez_without_customer_data(staff, teams):
    aufgabe = service_centre_refer(
        actor=staff["hotline"],
        jobcenter=staff["hotline"].jobcenter,
        reason="self_employed",
        caller="Frau Beispiel",
        callback="0202 123",
        note="",
    )
    assert aufgabe.postfach == teams["ez"].postfach
    assert "selbständig" in aufgabe.title
    assert not Kunde.objects.exists()


def test_service_centre_rejects_unknown_reason(staff, teams):
    with pytest.raises(IntakeError):
        service_centre_refer(
            actor=staff["hotline"],
            jobcenter=staff["hotline"].jobcenter,
            reason="bored",
            caller="x",
            callback="y",
            note="",
        )
    assert not Aufgabe.objects.exists()


def test_intake_data_requires_leistung_team_for_new_bg(staff):
    with pytest.raises(IntakeError, match="Leistungsteam"):
        antrag_register(
            actor=staff["ez"],
            jobcenter=staff["ez"].jobcenter,
            data=intake_data(leistung_team=None),
        )
