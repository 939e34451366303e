import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, AntragState, Kunde
from jobcenter.models import AuditEvent
from tests.factories import person, register, settle_checklist

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"intake:{name}", args=args)


# --- who may open which page ------------------------------------------------------------

PAGE_ROLES = {
    "new": {"ez", "hotline", "teamleitung"},
    "service_centre": {"hotline", "teamleitung"},
    "case_list": {"ez", "leistung", "leistung_b", "ifk", "teamleitung"},
    "customer_search": {"ez", "leistung", "leistung_b", "ifk", "teamleitung", "empfang", "hotline"},
}
ALL_STAFF = ["empfang", "ez", "leistung", "leistung_b", "ifk", "hotline", "teamleitung", "admin"]


@pytest.mark.parametrize("page", PAGE_ROLES)
@pytest.mark.parametrize("who", ALL_STAFF)
def test_list_pages_by_role(login, staff, page, who):
    response = login(staff[who]).get(url(page))
    assert response.status_code == (200 if who in PAGE_ROLES[page] else 403)


@pytest.mark.parametrize("page", [*PAGE_ROLES, "case_detail", "handout_letter"])
def test_anonymous_is_sent_to_login(client, antrag, page):
    args = (antrag.pk,) if page in ("case_detail", "handout_letter") else ()
    response = client.get(url(page, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


CASE_ACCESS = {
    "ez": 200,
    "teamleitung": 200,
    "leistung": 200,  # the BG's Leistung team
    "leistung_b": 404,  # another Leistung team
    "ifk": 404,  # not their customer
    "empfang": 403,
    "hotline": 403,
    "admin": 403,
}


@pytest.mark.parametrize("page", ["case_detail", "handout_letter"])
@pytest.mark.parametrize("who, status", CASE_ACCESS.items())
def test_case_pages_by_role_and_team(login, staff, antrag, page, who, status):
    assert login(staff[who]).get(url(page, antrag.pk)).status_code == status


@pytest.mark.parametrize("page", ["case_detail", "handout_letter"])
def test_outsider_gets_404_on_case(login, outsider, antrag, page):
    assert login(outsider).get(url(page, antrag.pk)).status_code == 404


def test_outsider_gets_404_on_customer_and_finds_nothing(login, outsider, antrag):
    client = login(outsider)
    assert client.get(url("customer_detail", antrag.applicant.pk)).status_code == 404
    page = client.get(url("customer_search"), {"q": "Mustermann"}).content.decode()
    assert "Keine Kundin und kein Kunde gefunden" in page
    assert antrag.applicant.kundennummer not in page


def test_ifk_sees_case_once_first_consultation_is_booked_with_them(login, staff, antrag):
    antrag.eg_with = staff["ifk"]
    antrag.save()
    assert login(staff["ifk"]).get(url("case_detail", antrag.pk)).status_code == 200


# --- the case page ----------------------------------------------------------------------


def test_case_page_shows_only_the_steps_the_user_may_take(login, staff, antrag):
    page = login(staff["leistung"]).get(url("case_detail", antrag.pk)).content.decode()
    assert "Eingangsprüfung abschließen" in page
    assert "Erstgespräch buchen" not in page  # Leistung does not book
    page = login(staff["ez"]).get(url("case_detail", antrag.pk)).content.decode()
    assert "Erstgespräch buchen" in page
    assert "Eingangsprüfung abschließen" not in page


FIVE_PARTS = ["benefits_advice", "need", "priority_claims", "identity", "forms"]


def test_transition_through_the_browser_form(login, staff, antrag):
    settle_checklist(antrag)
    client = login(staff["leistung"])
    response = client.post(
        url("case_transition", antrag.pk, "complete_entry_check"),
        {
            "complete_entry_check-expected_state": "erfasst",
            "complete_entry_check-documents_complete": "1",
            # The five parts of the entry check, each ticked (rule R-FR-01, issue 11).
            "complete_entry_check-entry_check_parts": FIVE_PARTS,
        },
        follow=True,
    )
    assert response.status_code == 200
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF
    assert "Gespeichert: Entscheidungsreif" in response.content.decode()


def test_rejection_without_reason_keeps_the_form_and_explains(login, staff, antrag):
    Antrag.objects.filter(pk=antrag.pk).update(state=AntragState.BEARBEITUNGSREIF)
    response = login(staff["leistung"]).post(
        url("case_transition", antrag.pk, "reject"),
        {"reject-expected_state": "bearbeitungsreif", "reject-comment": ""},
    )
    assert response.status_code == 422
    assert "Dieses Feld ist zwingend erforderlich" in response.content.decode()
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF


def test_stale_form_shows_conflict_message(login, staff, antrag):
    Antrag.objects.filter(pk=antrag.pk).update(state=AntragState.BEWILLIGT)
    response = login(staff["leistung"]).post(
        url("case_transition", antrag.pk, "approve"),
        {"approve-expected_state": "bearbeitungsreif", "confirm": "1"},
        follow=True,
    )
    assert "inzwischen bearbeitet" in response.content.decode()


def test_forbidden_step_shows_message_and_changes_nothing(login, staff, antrag):
    antrag.eg_with = staff["ifk"]
    antrag.save()
    response = login(staff["ifk"]).post(
        url("case_transition", antrag.pk, "complete_entry_check"),
        {
            "complete_entry_check-expected_state": "erfasst",
            "complete_entry_check-documents_complete": "1",
            # The five parts of the entry check, each ticked (rule R-FR-01, issue 11).
            "complete_entry_check-entry_check_parts": FIVE_PARTS,
        },
        follow=True,
    )
    assert "nicht ausführen" in response.content.decode()
    antrag.refresh_from_db()
    assert antrag.state == AntragState.ERFASST


def test_checklist_item_is_ticked_with_htmx_partial(login, staff, antrag):
    nachweis = antrag.nachweise.first()
    response = login(staff["leistung"]).post(
        url("nachweis_toggle", antrag.pk, nachweis.pk),
        {"received": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert "eingegangen am" in body
    nachweis.refresh_from_db()
    assert nachweis.received_on == timezone.localdate()


def test_checklist_of_another_team_cannot_be_ticked(login, staff, antrag):
    nachweis = antrag.nachweise.first()
    response = login(staff["leistung_b"]).post(
        url("nachweis_toggle", antrag.pk, nachweis.pk), {"received": "1"}
    )
    assert response.status_code == 404
    nachweis.refresh_from_db()
    assert nachweis.received_on is None


def test_handout_letter_has_return_date_and_open_documents(login, staff, antrag):
    page = login(staff["ez"]).get(url("handout_letter", antrag.pk)).content.decode()
    assert (
        "Wir erwarten den Eingang Ihrer Antragsunterlagen bis zum "
        f"{antrag.return_date:%d.%m.%Y}" in page
    )
    for nachweis in antrag.nachweise.all():
        assert nachweis.document_type.name in page


def test_opening_a_customer_record_is_audited(login, staff, antrag):
    login(staff["ez"]).get(url("customer_detail", antrag.applicant.pk))
    event = AuditEvent.objects.get(action="view")
    assert event.actor == staff["ez"]
    assert event.target_id == antrag.applicant.pk


# --- the intake form --------------------------------------------------------------------


def intake_post(teams, persons, **overrides):
    today = timezone.localdate()
    data = {
        "person-TOTAL_FORMS": str(len(persons)),
        "person-INITIAL_FORMS": "0",
        "person-MIN_NUM_FORMS": "1",
        "person-MAX_NUM_FORMS": "20",
        "kind": "erstantrag",
        "channel": "personal",
        "application_date": today.isoformat(),
        "reason": "Arbeitslosigkeit",
        "other_household_members": "1",
        "leistung_team": str(teams["leistung"].pk),
        "return_date": (today + timedelta(days=14)).isoformat(),
    }
    for i, p in enumerate(persons):
        for key, value in p.items():
            data[f"person-{i}-{key}"] = value
        data.setdefault(f"person-{i}-habitual_residence_in_germany", "on")
    data.update(overrides)
    return data


FAMILY = [
    {"first_name": "Erika", "last_name": "Muster", "date_of_birth": "1985-03-27", "is_head": "on"},
    {
        "first_name": "Max",
        "last_name": "Muster",
        "date_of_birth": "27.03.1984",
        "relation_to_head": "partner",
    },
    {
        "first_name": "Mia",
        "last_name": "Muster",
        "date_of_birth": "2015-06-01",
        "relation_to_head": "kind",
    },
]


def test_intake_form_registers_family(login, staff, teams):
    response = login(staff["ez"]).post(url("new"), intake_post(teams, FAMILY))
    antrag = Antrag.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", antrag.pk)
    assert antrag.bedarfsgemeinschaft.members.count() == 3
    assert antrag.bedarfsgemeinschaft.other_household_members == 1


def test_add_person_keeps_input_and_shows_no_errors(login, staff, teams):
    data = intake_post(teams, FAMILY[:1], add_person="1", reason="")
    response = login(staff["ez"]).post(url("new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Erika"' in page
    assert 'name="person-1-first_name"' in page
    assert "kern-error" not in page
    assert not Kunde.objects.exists()


@pytest.mark.parametrize(
    "persons, message",
    [
        ([{**FAMILY[0], "date_of_birth": "2999-01-01"}], "Geburtsdatum liegt in der Zukunft"),
        ([{**FAMILY[0], "date_of_birth": "1820-01-01"}], "Alter über 120 Jahren"),
        ([{**FAMILY[0], "kundennummer": "12345"}], "Format 123A456789"),
        ([{**FAMILY[0], "is_head": ""}], "genau einen Vorstand"),
    ],
)
def test_intake_bad_person_input_keeps_everything_and_saves_nothing(
    login, staff, teams, persons, message
):
    response = login(staff["ez"]).post(url("new"), intake_post(teams, persons))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="Erika"' in page
    assert "Arbeitslosigkeit" in page
    assert not Kunde.objects.exists()


def test_intake_future_application_date_is_refused(login, staff, teams):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = login(staff["ez"]).post(
        url("new"), intake_post(teams, FAMILY, application_date=tomorrow)
    )
    assert "darf nicht in der Zukunft liegen" in response.content.decode()
    assert not Antrag.objects.exists()


def test_intake_duplicate_person_is_refused_on_the_form(login, staff, teams):
    register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Max", "Muster", timezone.datetime(1984, 3, 27).date(), is_head=True)],
    )
    response = login(staff["ez"]).post(url("new"), intake_post(teams, FAMILY))
    page = response.content.decode()
    assert "bereits als Kunde erfasst" in page
    assert Antrag.objects.count() == 1


def test_hotline_may_only_record_phone_applications(login, staff, teams):
    response = login(staff["hotline"]).post(
        url("new"), intake_post(teams, FAMILY[:1], channel="personal")
    )
    assert "keine gültige Auswahl" in response.content.decode()
    assert not Antrag.objects.exists()


def test_no_personal_data_in_logs(login, staff, teams, caplog):
    caplog.set_level(logging.DEBUG)
    login(staff["ez"]).post(url("new"), intake_post(teams, FAMILY))
    login(staff["ez"]).get(url("customer_search"), {"q": "Muster"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Muster" not in logged
    assert "Erika" not in logged


# --- query bounds -----------------------------------------------------------------------


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_case_list_queries_do_not_grow_with_rows(login, staff, teams):
    client = login(staff["teamleitung"])
    for i in range(2):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(f"A{i}", "Eins", is_head=True)],
        )
    # Warm up: the first request of a process also looks up the audit row's content type.
    _queries(client, url("case_list"))
    few = _queries(client, url("case_list"))
    for i in range(15):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(f"B{i}", "Zwei", is_head=True)],
        )
    assert _queries(client, url("case_list")) == few
    assert few <= 10


def test_customer_search_queries_do_not_grow_with_rows(login, staff, teams):
    client = login(staff["ez"])
    register(actor=staff["ez"], leistung_team=teams["leistung"])
    _queries(client, url("customer_search"), {"q": "Mustermann"})  # warm up, as above
    few = _queries(client, url("customer_search"), {"q": "Mustermann"})
    for i in range(10):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(f"X{i}", "Mustermann", is_head=True)],
        )
    assert _queries(client, url("customer_search"), {"q": "Mustermann"}) == few


def test_case_detail_queries_are_bounded(login, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(f"P{i}", "Viele", is_head=(i == 0)) for i in range(6)],
    )
    client = login(staff["leistung"])
    _queries(client, url("case_detail", antrag.pk))  # warm up, as above
    # 15 for the page, +1 for the read's audit rows (one bulk insert for all six persons).
    assert _queries(client, url("case_detail", antrag.pk)) <= 16
