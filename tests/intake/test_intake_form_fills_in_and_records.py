"""The intake form (issue 12): what is left empty follows from the Jobcenter's rules, each
member's relation to the Vorstand and their contact with consent are kept, a row can be
taken out again before saving, and an error stands once."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, Kunde
from jobcenter.models import AuditEvent
from tests.factories import person, register
from tests.intake.test_views import FAMILY, intake_post

pytestmark = pytest.mark.django_db

NEW = reverse("intake:new")


@pytest.fixture
def split_by_surname(teams):
    """Leistung team "leistung" serves surnames A–K, "leistung_b" L–Z."""
    teams["leistung"].surname_letters = "A–K"
    teams["leistung"].save()
    teams["leistung_b"].surname_letters = "L–Z"
    teams["leistung_b"].save()
    return teams


@pytest.mark.parametrize(
    "surname, team",
    [
        ("Muster", "leistung_b"),
        ("Abel", "leistung"),
        ("Özdemir", "leistung_b"),
        ("von Arnim", "leistung"),
    ],
)
def test_an_empty_leistung_team_follows_the_surname_rule(
    login, staff, split_by_surname, surname, team
):
    head = {**FAMILY[0], "last_name": surname}
    response = login(staff["ez"]).post(NEW, intake_post(split_by_surname, [head], leistung_team=""))
    assert response.status_code == 302
    assert Antrag.objects.get().bedarfsgemeinschaft.leistung_team == split_by_surname[team]


def test_without_a_surname_rule_the_team_is_asked_for_once_at_its_field(login, staff, teams):
    response = login(staff["ez"]).post(NEW, intake_post(teams, FAMILY[:1], leistung_team=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Antrag.objects.exists()
    # In the summary (a link to the field) and at the field: no third time above the form.
    assert page.count("lässt sich nicht aus dem Nachnamen ableiten") == 2
    assert 'href="#id_leistung_team"' in page


def test_a_form_error_without_a_field_stands_once(login, staff, teams, antrag):
    head = {
        **FAMILY[0],
        "first_name": antrag.applicant.first_name,
        "last_name": antrag.applicant.last_name,
        "date_of_birth": antrag.applicant.date_of_birth.isoformat(),
        "kundennummer": antrag.applicant.kundennummer,
    }
    response = login(staff["ez"]).post(NEW, intake_post(teams, [head]))
    assert response.content.decode().count("bereits ein Antrag in Bearbeitung") == 1


def test_an_empty_ifk_follows_team_and_age_group(login, staff, teams):
    # ifk already looks after one customer, ifk2 after none: the adult goes to ifk2.
    register(actor=staff["ez"], leistung_team=teams["leistung"], ifk=staff["ifk"])
    response = login(staff["ez"]).post(NEW, intake_post(teams, FAMILY))
    assert response.status_code == 302
    family = Antrag.objects.latest("pk").bedarfsgemeinschaft.members
    assert family.get(first_name="Erika").ifk == staff["ifk2"]  # born 1985: Ü25 team
    assert family.get(first_name="Mia").ifk is None  # a child of ten has no IFK


def test_each_member_keeps_their_relation_to_the_vorstand(login, staff, teams):
    login(staff["ez"]).post(NEW, intake_post(teams, FAMILY))
    members = {k.first_name: k.relation_to_head for k in Kunde.objects.all()}
    assert members == {"Erika": "", "Max": "partner", "Mia": "kind"}
    antrag = Antrag.objects.get()
    page = login(staff["ez"]).get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()
    assert "(Partner/in)" in page and "(Kind)" in page


def test_a_member_without_relation_is_asked_for_it_at_their_row(login, staff, teams):
    partner = {**FAMILY[1], "relation_to_head": ""}
    response = login(staff["ez"]).post(NEW, intake_post(teams, [FAMILY[0], partner]))
    assert not Kunde.objects.exists()
    assert response.context["persons"].forms[1].errors["relation_to_head"] == [
        "Bitte die Beziehung zum Vorstand wählen."
    ]


def test_phone_and_email_are_kept_with_the_day_of_consent_and_audited(login, staff, teams):
    head = {
        **FAMILY[0],
        "phone": "0202 123456",
        "email": "erika@example.org",
        "contact_consent": "on",
    }
    login(staff["ez"]).post(NEW, intake_post(teams, [head]))
    kunde = Kunde.objects.get()
    assert (kunde.phone, kunde.email) == ("0202 123456", "erika@example.org")
    assert kunde.contact_consent_on == timezone.localdate()
    assert AuditEvent.objects.filter(
        subject_id=kunde.pk, summary__startswith="Einwilligung in Kontakt"
    ).exists()


def test_phone_without_consent_is_not_saved(login, staff, teams):
    head = {**FAMILY[0], "phone": "0202 123456"}
    response = login(staff["ez"]).post(NEW, intake_post(teams, [head]))
    assert not Kunde.objects.exists()
    assert (
        "nur mit Einwilligung" in response.context["persons"].forms[0].errors["contact_consent"][0]
    )


def test_a_member_row_is_removed_without_javascript(login, staff, teams):
    data = intake_post(teams, FAMILY, remove_person="1")
    response = login(staff["ez"]).post(NEW, data)
    forms = response.context["persons"].forms
    assert [f["first_name"].value() for f in forms] == ["Erika", "Mia"]
    assert forms[1]["relation_to_head"].value() == "kind"
    assert not Kunde.objects.exists()
    page = response.content.decode()
    assert 'name="remove_person" value="1"' in page
    assert "kern-error" not in page


def test_the_last_row_cannot_be_removed(login, staff, teams):
    response = login(staff["ez"]).post(NEW, intake_post(teams, FAMILY[:1], remove_person="0"))
    assert [f["first_name"].value() for f in response.context["persons"].forms] == ["Erika"]
    assert 'name="remove_person"' not in response.content.decode()


def test_the_service_leaves_the_ifk_empty_unless_the_form_asks(staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(born=date(1985, 3, 27), is_head=True)],
    )
    assert antrag.applicant.ifk is None
