"""Intake at the Eingangszone and the service centre, to the letter of the Cottbus seed
(Neukundenmanagement, section 3; issue 11). Every expected figure below is read off the
seed's words, written out by hand in the comments."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, AntragPerson, Kunde
from intake.registration import ServiceCentreNoData
from intake.services import IntakeError
from jobcenter.models import AuditEvent
from routing.models import Aufgabe, Vermerk
from tests.factories import person, register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def born_years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


# Two adults and a child of 13 (the Cottbus family).
FAMILY = [
    person("Erika", "Mustermann", date(1985, 3, 27), is_head=True),
    person("Max", "Mustermann", date(1983, 7, 1)),
    person("Mia", "Mustermann", born_years_ago(13, days=10)),
]


def url(name, *args):
    return reverse(f"intake:{name}", args=args)


def intake_post(teams, persons, **overrides):
    data = {
        "person-TOTAL_FORMS": str(len(persons)),
        "person-INITIAL_FORMS": "0",
        "person-MIN_NUM_FORMS": "1",
        "person-MAX_NUM_FORMS": "20",
        "kind": "erstantrag",
        "channel": "personal",
        "application_date": TODAY.isoformat(),
        "reason": "Arbeitslosigkeit",
        "other_household_members": "1",
        "leistung_team": str(teams["leistung"].pk),
        "return_date": (TODAY + timedelta(days=14)).isoformat(),
    }
    for i, p in enumerate(persons):
        for key, value in p.items():
            data[f"person-{i}-{key}"] = value
        data.setdefault(f"person-{i}-habitual_residence_in_germany", "on")
    data.update(overrides)
    return data


CALLER = {"first_name": "Selma", "last_name": "Selbst", "date_of_birth": "1980-01-01"}


# --- the history note on every member ---------------------------------------------------


@pytest.mark.rule("R-AN-01")
def test_history_note_stands_on_every_member_of_the_bg(staff, teams):
    # CB 3: "Die Antragsausgabe ist bei allen Mitgliedern der BG – über einen
    # Historienvermerk mit der Benennung aller Mitglieder, zzgl. der KD-Nummer, die Anzahl
    # der weiteren im Haushalt lebenden Personen und dem Grund – zu dokumentieren":
    # three members, so three notes, each naming all three with their Kd.-Nr.
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=FAMILY,
        other_household_members=2,
    )
    members = list(antrag.bedarfsgemeinschaft.members.all())
    assert len(members) == 3
    for kunde in members:
        note = Vermerk.objects.get(kunde=kunde)
        for other in members:
            assert f"{other.first_name} {other.last_name}" in note.text
            assert other.kundennummer in note.text
        assert "Weitere Personen im Haushalt: 2" in note.text
        assert "Grund der Antragstellung: Arbeitslosigkeit nach Kündigung" in note.text


# --- the service centre takes no data, whatever screen -----------------------------------


@pytest.mark.rule("R-AN-02")
def test_phone_intake_refuses_a_self_employed_caller_who_needs_an_interpreter(staff, teams):
    # CB 3, Servicecenter: "Keine Datenaufnahmen bei Selbständigen, ungenügenden
    # Deutschkenntnissen …": both reasons at once, nothing stored.
    with pytest.raises(ServiceCentreNoData) as info:
        register(
            actor=staff["hotline"],
            leistung_team=teams["leistung"],
            channel=Antrag.Channel.PHONE,
            id_checked=False,
            persons=[person(is_head=True, self_employed=True, needs_interpreter=True)],
        )
    assert info.value.reasons == ["self_employed", "language"]
    assert not Kunde.objects.exists()
    assert not Antrag.objects.exists()


@pytest.mark.rule("R-AN-02")
@pytest.mark.parametrize("applied_by", ["proxy", "third_party"])
def test_phone_channel_on_the_ez_screen_refuses_a_proxy_or_third_party(staff, teams, applied_by):
    # "… Antragstellungen durch Bevollmächtigte; durch Dritte bei AU, Hospiz, stationärem
    # Aufenthalt": a call on the phone channel, even when the EZ takes it.
    with pytest.raises(ServiceCentreNoData):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            channel=Antrag.Channel.PHONE,
            id_checked=False,
            applied_by=applied_by,
        )
    assert not Kunde.objects.exists()


@pytest.mark.rule("R-AN-02")
def test_in_person_at_the_ez_a_self_employed_applicant_with_interpreter_is_registered(staff, teams):
    # The rule binds the service centre only: the EZ takes these applications in person.
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True, self_employed=True, needs_interpreter=True)],
        applied_by="proxy",
    )
    assert antrag.applicant.self_employed and antrag.applicant.represented_by_proxy


@pytest.mark.rule("R-AN-02")
def test_hotline_on_the_intake_page_is_refused_at_the_field_and_offered_the_ez_task(
    login, staff, teams
):
    data = intake_post(
        teams,
        [{**CALLER, "is_head": "on", "self_employed": "on", "needs_interpreter": "on"}],
        channel="phone",
    )
    response = login(staff["hotline"]).post(url("new"), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Am Telefon werden hier keine Daten aufgenommen" in page
    # At both fields of the person, not only above the form.
    assert 'id="id_person-0-self_employed_error"' in page
    assert 'id="id_person-0-needs_interpreter_error"' in page
    # The offer: the referral form, with the reason and the caller's name carried over.
    assert f"{url('service_centre')}?reason=self_employed&amp;caller=Selma+Selbst" in page
    assert 'value="Selma"' in page  # nothing typed is lost
    assert not Kunde.objects.exists()
    referral = login(staff["hotline"]).get(
        url("service_centre") + "?reason=self_employed&caller=Selma+Selbst"
    )
    form = referral.context["form"]
    assert form.initial == {"reason": "self_employed", "caller": "Selma Selbst"}


# --- the ID check of phone and postal applications ---------------------------------------


@pytest.mark.rule("R-AN-02")
def test_postal_application_gives_the_ez_the_id_check_to_schedule_and_record(login, staff, teams):
    # CB 3, Postweg: "Die ID-Prüfung erfolgt durch Terminierung der EZ."
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        channel=Antrag.Channel.POSTAL,
        id_checked=False,
    )
    task = Aufgabe.objects.get(title__startswith="ID-Prüfung terminieren")
    assert task.postfach == teams["ez"].postfach
    client = login(staff["ez"])
    planned = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30)
    response = client.post(
        url("id_check", antrag.pk, "termin"), {"planned_at": planned.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    page = client.get(url("case_detail", antrag.pk)).content.decode()
    assert f"ausstehend, Termin am {planned:%d.%m.%Y} 09:30" in page
    response = client.post(
        url("id_check", antrag.pk, "erledigt"), {"checked_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    antrag.refresh_from_db()
    assert antrag.id_checked and antrag.id_checked_on == TODAY
    assert antrag.id_checked_by == staff["ez"]
    assert AuditEvent.objects.filter(
        target_id=antrag.pk, summary__startswith="ID-Prüfung durchgeführt"
    ).exists()
    page = client.get(url("case_detail", antrag.pk)).content.decode()
    assert f"durchgeführt am {TODAY:%d.%m.%Y}" in page


@pytest.mark.rule("R-AN-02")
def test_id_check_in_the_future_is_refused_at_the_field_and_leistung_may_not(login, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        channel=Antrag.Channel.POSTAL,
        id_checked=False,
    )
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = login(staff["ez"]).post(
        url("id_check", antrag.pk, "erledigt"), {"checked_on": tomorrow}
    )
    assert response.status_code == 422
    assert "darf nicht in der Zukunft liegen" in response.content.decode()
    response = login(staff["leistung"]).post(
        url("id_check", antrag.pk, "erledigt"), {"checked_on": TODAY.isoformat()}
    )
    assert response.status_code == 403
    antrag.refresh_from_db()
    assert not antrag.id_checked


def test_in_person_intake_with_id_gives_no_id_check_task(staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    assert antrag.id_checked_on == TODAY
    assert not Aufgabe.objects.filter(title__startswith="ID-Prüfung").exists()


# --- an Arbeitspaket per erwerbsfähige member --------------------------------------------


@pytest.mark.rule("R-AN-01")
def test_arbeitspaket_for_each_erwerbsfaehige_member_shown_per_person(login, staff, teams):
    # CB 3: "Dem Kunden sind für alle erwerbsfähigen Mitglieder der BG der Vordruck
    # „Arbeitspaket SGB II“ auszuhändigen und ein Rückgabetermin zu vereinbaren": two
    # adults, two Arbeitspakete due on the return date (today + 14); the child of 13 none.
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"], persons=FAMILY)
    due = {p.kunde.first_name: p.arbeitspaket_due for p in antrag.persons.select_related("kunde")}
    assert due == {
        "Erika": TODAY + timedelta(days=14),
        "Max": TODAY + timedelta(days=14),
        "Mia": None,
    }
    client = login(staff["ez"])
    letter = client.get(url("handout_letter", antrag.pk)).content.decode()
    assert letter.count("Arbeitspaket SGB II") == 2
    # The EZ follows up the return, person by person.
    max_ = AntragPerson.objects.get(antrag=antrag, kunde__first_name="Max")
    response = client.post(url("arbeitspaket_received", antrag.pk, max_.pk))
    assert response.status_code == 302
    max_.refresh_from_db()
    assert max_.arbeitspaket_received_on == TODAY
    page = client.get(url("case_detail", antrag.pk)).content.decode()
    assert f"eingegangen am {TODAY:%d.%m.%Y}" in page
    assert "Arbeitspaket von Erika eingegangen" in page


# --- Aufstocker, Zuzug, Rechtskreiswechsel ----------------------------------------------


@pytest.mark.rule("R-AN-04")
def test_aufstocker_gets_the_flag_and_a_task_for_the_nebenbetreuung(staff, teams):
    # CB 3: "wird der Haken bei Aufstocker gesetzt und eine Aufgabe gelegt … Bei
    # Aufstockern erfolgt Nebenbetreuung durch das JC": the task goes to the customer's
    # IFK (here the one chosen at intake).
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True, aufstocker=True), person("Max", born=date(1983, 7, 1))],
        ifk=staff["ifk"],
    )
    erika = antrag.applicant
    assert erika.aufstocker
    tasks = Aufgabe.objects.filter(title__startswith="Aufstocker")
    assert [(t.kunde, t.assignee) for t in tasks] == [(erika, staff["ifk"])]


@pytest.mark.rule("R-AN-05")
def test_zuzug_needs_the_evidence_of_responsibility(staff, teams):
    # CB 3: "bei Zuzug ist die Zuständigkeit anhand Ausweisdokument, Mietvertrag oder
    # aktueller Meldebescheinigung zu prüfen".
    with pytest.raises(IntakeError) as info:
        register(actor=staff["ez"], leistung_team=teams["leistung"], moved_in=True)
    assert info.value.field == "residence_evidence"
    assert not Kunde.objects.exists()
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        moved_in=True,
        residence_evidence="meldebescheinigung",
    )
    assert antrag.moved_in and antrag.residence_evidence == "meldebescheinigung"
    note = Vermerk.objects.get(kunde=antrag.applicant)
    assert "Zuzug: Zuständigkeit geprüft anhand aktuelle Meldebescheinigung." in note.text


@pytest.mark.rule("R-AN-05")
def test_intake_form_zuzug_without_evidence_errs_at_the_field_and_keeps_the_input(
    login, staff, teams
):
    data = intake_post(teams, [{**CALLER, "is_head": "on"}], moved_in="on")
    client = login(staff["ez"])
    response = client.post(url("new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bei Zuzug bitte angeben, womit die Zuständigkeit geprüft wurde." in page
    assert 'id="id_residence_evidence_error"' in page
    assert 'value="Selma"' in page and "Arbeitslosigkeit" in page
    assert not Kunde.objects.exists()
    response = client.post(url("new"), {**data, "residence_evidence": "rental_contract"})
    assert response.status_code == 302
    antrag = Antrag.objects.get()
    page = client.get(url("case_detail", antrag.pk)).content.decode()
    assert "ja, Zuständigkeit geprüft anhand: Mietvertrag" in page


@pytest.mark.rule("R-AN-06")
def test_rechtskreiswechsel_switches_the_hauptbetreuung_shown_on_the_customer_page(
    login, staff, teams
):
    # CB 3: "Bei Rechtskreiswechsel (nach Auslaufen von Arbeitslosengeld) erfolgt durch
    # die EZ die Umstellung der Hauptbetreuung": recorded on the day of the intake.
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True, rechtskreiswechsel=True)],
        ifk=staff["ifk"],
    )
    kunde = antrag.applicant
    assert kunde.hauptbetreuung_switched_on == TODAY
    assert kunde.ifk == staff["ifk"]
    page = login(staff["ez"]).get(url("customer_detail", kunde.pk)).content.decode()
    assert f"Hauptbetreuung am {TODAY:%d.%m.%Y} auf das Jobcenter umgestellt" in page


@pytest.mark.rule("R-AN-06")
def test_aufstocker_and_rechtskreiswechsel_together_err_at_the_field(login, staff, teams):
    data = intake_post(
        teams, [{**CALLER, "is_head": "on", "aufstocker": "on", "rechtskreiswechsel": "on"}]
    )
    response = login(staff["ez"]).post(url("new"), data)
    page = response.content.decode()
    assert 'id="id_person-0-rechtskreiswechsel_error"' in page
    assert not Kunde.objects.exists()
