"""Bad input gets a German answer, never a 500, and writes nothing (issue 9)."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, Kunde, Nachweis
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from routing.models import Vermerk
from routing.services import api_client_create
from tests.factories import person, register

NUL = "Erika\x00Mustermann"


def _rows() -> dict[str, int]:
    return {
        "kunden": Kunde.objects.count(),
        "antraege": Antrag.objects.count(),
        "nachweise_received": Nachweis.objects.filter(received_on__isnull=False).count(),
        "paused": Deadline.objects.filter(paused_at__isnull=False).count(),
    }


def _text(response) -> str:
    return response.content.decode()


# --- NUL bytes in searches and filters ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        ("ez", "intake:customer_search", {"q": NUL}),
        ("ez", "intake:case_list", {"state": NUL}),
        ("empfang", "frontdesk:checkin_lookup", {"q": NUL}),
        ("leistung", "routing:kunde_search", {"q": NUL}),
        ("leistung", "routing:vermerk_new", {"q": NUL, "kunde": NUL}),
        ("leistung", "routing:worklist", {"q": NUL, "art": NUL, "status": NUL}),
        ("leistung", "routing:mailboxes", {"ansicht": NUL}),
    ],
)
def test_nul_byte_in_a_search_is_refused_in_german(login, staff, antrag, role, url, params):
    client = login(staff[role])
    before = _rows()
    response = client.get(reverse(url), params)
    assert response.status_code == 400
    assert "Steuerzeichen" in _text(response)
    assert _rows() == before


def test_nul_byte_in_a_mailbox_filter_is_refused(login, staff, teams, antrag):
    client = login(staff["leistung"])
    postfach = teams["leistung"].postfach
    response = client.get(reverse("routing:mailbox", args=[postfach.pk]), {"sortierung": NUL})
    assert response.status_code == 400
    assert "Steuerzeichen" in _text(response)


def test_nul_byte_in_a_posted_form_is_refused(login, staff, antrag):
    client = login(staff["ez"])
    before = _rows()
    response = client.post(reverse("intake:new"), {"reason": NUL, "person-TOTAL_FORMS": "1"})
    assert response.status_code == 400
    assert "Steuerzeichen" in _text(response)
    assert _rows() == before


# --- the pause reason ---------------------------------------------------------------------


@pytest.fixture
def deadline(jobcenter, staff, teams) -> Deadline:
    apply_preset(jobcenter=jobcenter, name="demo")
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    return antrag.deadlines.get(kind=RuleKind.ENTRY_CHECK)


def test_pause_reason_with_nul_byte_changes_nothing(login, staff, deadline):
    client = login(staff["leistung"])
    response = client.post(
        reverse("minimumstandards:deadline_pause", args=[deadline.pk]), {"reason": "a\x00b"}
    )
    assert response.status_code == 400
    assert "Steuerzeichen" in _text(response)
    deadline.refresh_from_db()
    assert deadline.paused_at is None


def test_pause_reason_of_ten_thousand_characters_is_refused(login, staff, deadline):
    client = login(staff["leistung"])
    response = client.post(
        reverse("minimumstandards:deadline_pause", args=[deadline.pk]),
        {"reason": "x" * 10_000},
        follow=True,
    )
    assert response.status_code == 200
    assert "höchstens 500 Zeichen" in _text(response)
    deadline.refresh_from_db()
    assert deadline.paused_at is None
    assert deadline.pause_reason == ""


# --- "add person" and the checklist -------------------------------------------------------


@pytest.mark.parametrize("count", ["abc", "", "-3", "99999999999999999999", "1e3"])
def test_add_person_with_a_broken_row_count_answers_in_german(login, staff, count):
    client = login(staff["ez"])
    before = _rows()
    response = client.post(reverse("intake:new"), {"add_person": "1", "person-TOTAL_FORMS": count})
    assert response.status_code == 400
    assert "Formular" in _text(response)
    assert _rows() == before


def test_add_person_beyond_the_limit_adds_no_row(login, staff):
    client = login(staff["ez"])
    response = client.post(reverse("intake:new"), {"add_person": "1", "person-TOTAL_FORMS": "20"})
    assert response.status_code == 200
    assert "höchstens 20 Personen" in _text(response)
    assert 'name="person-20-first_name"' not in _text(response)


def test_checklist_toggle_with_another_cases_document_changes_nothing(login, staff, teams, antrag):
    other = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first="Max", is_head=True)],
    )
    foreign = other.nachweise.first()
    client = login(staff["ez"])
    response = client.post(
        reverse("intake:nachweis_toggle", args=[antrag.pk, foreign.pk]),
        {"received": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "gehört nicht zu diesem Fall" in _text(response)
    foreign.refresh_from_db()
    assert foreign.received_on is None


# --- huge integers in multi-selects -------------------------------------------------------


def test_huge_id_in_the_document_checklist_is_a_form_error(login, staff, teams):
    client = login(staff["ez"])
    before = _rows()
    response = client.post(
        reverse("intake:new"),
        {
            "person-TOTAL_FORMS": "1",
            "person-INITIAL_FORMS": "0",
            "person-0-first_name": "Erika",
            "person-0-last_name": "Mustermann",
            "person-0-date_of_birth": "1985-03-27",
            "person-0-is_head": "on",
            "kind": Antrag.Kind.ERSTANTRAG,
            "channel": Antrag.Channel.PERSONAL,
            "reason": "Arbeitslos",
            "other_household_members": "0",
            "leistung_team": teams["leistung"].pk,
            "documents": ["99999999999999999999"],
        },
    )
    assert response.status_code < 500
    assert _rows() == before


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["[" * 10_000 + "]" * 10_000, '{"a":' * 5_000 + "1" + "}" * 5_000, "[" * 1000 + "]" * 1000],
)
def test_deeply_nested_json_is_a_400_in_german(client, jobcenter, body):
    _client, token = api_client_create(jobcenter=jobcenter, name="Telefonanlage")
    before = Vermerk.objects.count()
    response = client.post(
        reverse("api_v1:tickets"),
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert "verschachtelt" in response.json()["error"]["message"]
    assert Vermerk.objects.count() == before


def test_an_oversized_json_body_is_a_400_in_german(client, jobcenter):
    _client, token = api_client_create(jobcenter=jobcenter, name="Telefonanlage")
    response = client.post(
        reverse("api_v1:tickets"),
        data=json.dumps({"note": "x" * 200_000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert "zu groß" in response.json()["error"]["message"]


# --- names and dates ----------------------------------------------------------------------


def _intake_post(teams, **person_fields) -> dict:
    data = {
        "person-TOTAL_FORMS": "1",
        "person-INITIAL_FORMS": "0",
        "person-0-first_name": "Erika",
        "person-0-last_name": "Mustermann",
        "person-0-date_of_birth": "27.03.1985",
        "person-0-is_head": "on",
        "person-0-habitual_residence_in_germany": "on",
        "kind": Antrag.Kind.ERSTANTRAG,
        "channel": Antrag.Channel.PHONE,
        "application_date": timezone.localdate().isoformat(),
        "return_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "reason": "Arbeitslos",
        "other_household_members": "0",
        "leistung_team": teams["leistung"].pk,
    }
    data.update({f"person-0-{k}": v for k, v in person_fields.items()})
    return data


def test_a_valid_intake_still_goes_through(login, staff, teams):
    response = login(staff["ez"]).post(reverse("intake:new"), _intake_post(teams))
    assert response.status_code == 302
    assert Kunde.objects.get().date_of_birth == date(1985, 3, 27)


@pytest.mark.parametrize(
    "name",
    [
        "Eri\nka",
        "Eri\rka",
        "Erika\tMaria",
        "\u202eakirE",  # right-to-left override: shows "Erika", stores something else
        "Erika\u2066x\u2069",
        "Erika\u200f",
        "Er\u00adika",  # soft hyphen: invisible
    ],
)
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_names_with_line_breaks_or_bidi_controls_are_refused(login, staff, teams, field, name):
    before = _rows()
    response = login(staff["ez"]).post(reverse("intake:new"), _intake_post(teams, **{field: name}))
    assert response.status_code == 200
    assert "Zeilenumbruch oder ein unsichtbares Steuerzeichen" in _text(response)
    assert _rows() == before


def test_names_with_accents_hyphens_and_joiners_are_accepted(login, staff, teams):
    response = login(staff["ez"]).post(
        reverse("intake:new"),
        _intake_post(teams, first_name="Zoë-Ṣeyma", last_name="O’Brien-Mehr\u200cdad"),
    )
    assert response.status_code == 302


@pytest.mark.parametrize("typed", ["31.12.99", "1.1.85", " 27.03.85 "])
def test_two_digit_years_are_refused_with_a_hint(login, staff, teams, typed):
    before = _rows()
    response = login(staff["ez"]).post(
        reverse("intake:new"), _intake_post(teams, date_of_birth=typed)
    )
    assert response.status_code == 200
    assert "Bitte das Jahr vierstellig angeben, z. B. 31.12.1999." in _text(response)
    assert _rows() == before


def test_two_digit_year_in_the_reception_lookup_is_refused(login, staff):
    response = login(staff["empfang"]).get(
        reverse("frontdesk:checkin_lookup"), {"q": "Mustermann", "date_of_birth": "27.03.85"}
    )
    assert response.status_code < 500
    assert not (response.context["results"] or [])
