"""The ticket API's OpenAPI schema: produced by the code, served, and held to by the API.

schemathesis reads the schema from a live server and sends what it generates (valid and
invalid): no answer is a 5xx, every answer's status, headers and body are as documented, and
nothing is written when a call is refused. A second test reaches every documented status.
"""

import json

import pytest
import schemathesis
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings

from routing.api import api
from routing.models import ApiSubmission, Aufgabe, Vermerk
from routing.services import api_client_create

SCHEMA_URL = reverse("api_v1:openapi-json")


@pytest.fixture
def token(jobcenter, teams):
    return api_client_create(jobcenter=jobcenter, name="Portal")[1]


def written() -> tuple[int, int, int]:
    return Vermerk.objects.count(), Aufgabe.objects.count(), ApiSubmission.objects.count()


# The schema as the code produces it (the served one is the same: see below). Loaded at
# import, since schemathesis's fixture-based loader does not run on pytest 9.
fuzzed = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.mark.django_db(transaction=True)
@override_settings(API_RATE_LIMIT_PER_MINUTE=100_000)
@fuzzed.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_holds_to_its_schema(case, live_server, token, kunde):
    before = written()
    response = case.call(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"})
    # No 5xx; status, content type, headers and body as documented. A schema-valid body
    # may still be refused (an unknown Kd.-Nr.), so "valid data is accepted" is not checked.
    case.validate_response(response, excluded_checks=[schemathesis.checks.positive_data_acceptance])
    assert response.status_code < 500
    if response.status_code >= 400:
        assert written() == before, (response.status_code, response.text)
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"][0]
        assert content_type.startswith("application/json"), case.as_curl_command()
        assert response.json()["error"]["message"]  # German JSON, never an HTML page


def documented(schema: dict) -> dict[tuple[str, str], set[int]]:
    return {
        (path, method.upper()): {int(code) for code in operation["responses"]}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


@pytest.mark.django_db
def test_the_schema_is_served_versioned_and_open(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    assert set(documented(schema)) == {
        ("/api/v1/tickets", "POST"),
        ("/api/v1/informationsarten", "GET"),
    }
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert schema == json.loads(json.dumps(api.get_openapi_schema()))


@pytest.mark.django_db
def test_every_documented_status_is_reachable(client, token, kunde, settings):
    schema = client.get(SCHEMA_URL).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    good = {
        "client_key": "portal-1",
        "kundennummer": kunde.kundennummer,
        "information_type": "beschaeftigung-ende",
        "known_on": timezone.localdate().isoformat(),
        "event_date": "2026-10-31",
        "reason": "Kündigung durch den Arbeitgeber",
    }
    tickets = reverse("api_v1:tickets")
    types = reverse("api_v1:information_types")

    def post(body, content_type="application/json", **headers):
        data = body if isinstance(body, str) else json.dumps(body)
        return client.post(tickets, data=data, content_type=content_type, **headers).status_code

    reached: dict[tuple[str, str], set[int]] = {
        ("/api/v1/tickets", "POST"): {
            post(good, **auth),  # 201
            post(good, **auth),  # 200: the same again
            post("{", **auth),  # 400
            post(good),  # 401
            post({**good, "text": "anders"}, **auth),  # 409: same key, other message
            post(good, content_type="text/plain", **auth),  # 415
            post({**good, "client_key": "portal-2", "kundennummer": "X"}, **auth),  # 422
        },
        ("/api/v1/informationsarten", "GET"): {
            client.get(types, **auth).status_code,  # 200
            client.get(types).status_code,  # 401
            client.get(types + "?q=%00", **auth).status_code,  # 400: a NUL byte
        },
    }
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    reached[("/api/v1/tickets", "POST")].add(post({**good, "client_key": "portal-3"}, **auth))
    reached[("/api/v1/informationsarten", "GET")].add(client.get(types, **auth).status_code)
    assert reached == documented(schema)
