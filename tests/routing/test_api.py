"""The ticket API for other systems: token auth, validation, idempotence, clear JSON errors."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from routing.models import ApiClient, ApiSubmission, Aufgabe, Vermerk
from routing.services import api_client_create
from tests.factories import JobcenterFactory

pytestmark = pytest.mark.django_db

URL = reverse("api_v1:tickets")
TYPES_URL = reverse("api_v1:information_types")


@pytest.fixture
def api(jobcenter, staff):
    client, token = api_client_create(jobcenter=jobcenter, name="Telefonanlage")
    return client, token


def call(client, token, payload, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        URL,
        data=json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type=headers.pop("content_type", "application/json"),
        **headers,
    )


def ticket(kunde, **extra):
    return {
        "client_key": "tel-2026-0001",
        "kundennummer": kunde.kundennummer,
        "information_type": "beschaeftigung-ende",
        "known_on": timezone.localdate().isoformat(),
        "event_date": "2026-10-31",
        "reason": "Kündigung durch den Arbeitgeber",
        "text": "Anruf der Kundin",
        "urgent": False,
        **extra,
    }


def test_token_is_stored_hashed_only(api):
    client, token = api
    assert token.startswith(client.token_prefix + ".")
    assert token not in client.token_hash and len(client.token_hash) == 64
    assert not client.user.is_active and not client.user.has_usable_password()


def test_a_ticket_is_routed_like_a_hotline_ticket(client, api, kunde, teams):
    _api, token = api
    response = call(client, token, ticket(kunde))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_key"] == "tel-2026-0001"
    assert body["information_type"] == "beschaeftigung-ende"
    assert {t["postfach"] for t in body["routed_to"]} == {
        "Postfach Team leistung",
        "Postfach Team ue25",
    }
    assert all(t["reason"] for t in body["routed_to"])
    vermerk = Vermerk.objects.get(pk=body["id"])
    assert vermerk.source == Vermerk.Source.API and vermerk.reason.startswith("Kündigung")
    assert set(vermerk.deliveries.values_list("kind", flat=True)) == {Aufgabe.Kind.TICKET}
    assert "Schnittstelle" in str(vermerk.author)


def test_the_same_call_twice_routes_once(client, api, kunde):
    _api, token = api
    first = call(client, token, ticket(kunde))
    again = call(client, token, ticket(kunde))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert Vermerk.objects.filter(source=Vermerk.Source.API).count() == 1
    assert Aufgabe.objects.filter(kind=Aufgabe.Kind.TICKET).count() == 2
    # The same key with another content is a conflict, not a silent replay.
    conflict = call(client, token, ticket(kunde, text="etwas anderes"))
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "client_key_conflict"
    # Keys are per client: another system may use the same key.
    _other, other_token = api_client_create(jobcenter=kunde.jobcenter, name="Portal")
    assert call(client, other_token, ticket(kunde)).status_code == 201


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "token_missing"),
        ("Bearer falsch", "token_invalid"),
        ("Bearer abc.def", "token_invalid"),
        ("Basic dXNlcjpwdw==", "token_invalid"),
    ],
)
def test_without_or_with_a_wrong_token(client, kunde, api, header, code):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = call(client, None, ticket(kunde), **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Vermerk.objects.filter(source=Vermerk.Source.API).exists()


def test_a_deactivated_client_is_refused(client, api, kunde):
    api_client, token = api
    ApiClient.objects.filter(pk=api_client.pk).update(active=False)
    assert call(client, token, ticket(kunde)).status_code == 401


def test_a_session_login_is_not_enough(login, staff, kunde):
    response = login(staff["hotline"]).post(URL, ticket(kunde), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "change, field, fragment",
    [
        ({"information_type": "gibtsnicht"}, "information_type", "Unbekannte Informationsart"),
        ({"kundennummer": "999Z999999"}, "kundennummer", "Keine Kundin und kein Kunde"),
        ({"kundennummer": "12"}, "kundennummer", "Format"),
        ({"known_on": "FUTURE"}, "known_on", "nicht in der Zukunft"),
        ({"known_on": "21.11.2026"}, "known_on", "JJJJ-MM-TT"),
        ({"reason": ""}, "reason", "Grund der Beendigung"),
        ({"event_date": None}, "event_date", "Ende der Beschäftigung am"),
        ({"client_key": ""}, "client_key", "Pflichtfeld"),
        ({"client_key": "mit leerzeichen"}, "client_key", "erlaubt"),
        ({"urgent": "ja"}, "urgent", "true oder false"),
        ({"text": 5}, "text", "Zeichenkette"),
        ({"farbe": "blau"}, "farbe", "Unbekanntes Feld"),
    ],
)
def test_validation_errors_name_the_field(client, api, kunde, change, field, fragment):
    _api, token = api
    payload = ticket(kunde, **change)
    if payload.get("known_on") == "FUTURE":
        payload["known_on"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = call(client, token, payload)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert any(fragment in m for m in error["fields"][field]), error
    assert not Vermerk.objects.filter(source=Vermerk.Source.API).exists()
    assert not ApiSubmission.objects.exists()


def test_a_customer_of_another_jobcenter_is_unknown(client, api, staff):
    from tests.factories import TeamFactory, UserFactory, register

    other_jc = JobcenterFactory()
    ez = UserFactory(jobcenter=other_jc, role="eingangszone")
    foreign = register(actor=ez, leistung_team=TeamFactory(jobcenter=other_jc)).applicant
    _api, token = api
    response = call(client, token, ticket(foreign))
    assert response.status_code == 422
    assert "kundennummer" in response.json()["error"]["fields"]


def test_an_unroutable_ticket_is_refused_whole(client, api, kunde):
    bg = kunde.bedarfsgemeinschaft
    bg.leistung_team = None
    bg.save()
    _api, token = api
    response = call(client, token, ticket(kunde))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_routable"
    assert "Leistung" in response.json()["error"]["message"]
    assert not Aufgabe.objects.filter(kind=Aufgabe.Kind.TICKET).exists()


def test_malformed_requests(client, api, kunde):
    _api, token = api
    bad_json = call(client, token, "{kaputt")
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "invalid_json"
    not_object = call(client, token, "[1, 2]")
    assert not_object.status_code == 400
    wrong_type = call(client, token, ticket(kunde), content_type="text/plain")
    assert wrong_type.status_code == 415
    get = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert get.status_code == 405 and get["Allow"] == "POST"


def test_information_types_for_client_developers(client, api):
    _api, token = api
    assert client.get(TYPES_URL).status_code == 401
    body = client.get(TYPES_URL, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    codes = {t["code"]: t for t in body["information_types"]}
    assert codes["beschaeftigung-ende"]["reason"] == {
        "requirement": "required",
        "label": "Grund der Beendigung",
    }
    assert "Mutterpass" in codes["schwangerschaft"]["hint"]


def test_management_command_prints_the_token_once(jobcenter, kunde, client):
    out, err = StringIO(), StringIO()
    call_command("routing_api_client", "Online-Portal", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert "nur dieses eine Mal" in err.getvalue()
    api_client = ApiClient.objects.get(name="Online-Portal")
    assert token not in api_client.token_hash
    assert call(client, token, ticket(kunde)).status_code == 201
    with pytest.raises(CommandError):
        call_command("routing_api_client", "Online-Portal", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("routing_api_client", "Online-Portal", "--rotate", stdout=out, stderr=StringIO())
    assert call(client, token, ticket(kunde, client_key="neu")).status_code == 401
    assert call(client, out.getvalue().strip(), ticket(kunde, client_key="neu")).status_code == 201


def test_every_fault_is_reported_at_once(client, api, kunde):
    _api, token = api
    payload = ticket(
        kunde,
        kundennummer="999Z999999",
        information_type="gibtsnicht",
        known_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
    )
    fields = call(client, token, payload).json()["error"]["fields"]
    assert set(fields) == {"kundennummer", "information_type", "known_on"}
