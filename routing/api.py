"""A small JSON API through which other systems (phone system, online portal) raise tickets.

Authentication: `Authorization: Bearer <token>`, one token per client system, stored as a
SHA-256 hash (`manage.py routing_api_client <name>` prints a new one once). A ticket is
routed exactly like a note written at the hotline (rule R-IA-02). Every call carries the
client's own `client_key`: sending the same call again returns the first answer and
routes nothing twice. Errors are JSON: {"error": {"code", "message", "fields"}} in German.

The OpenAPI schema is produced from this module by django-ninja (`api` below: the operations
and the pydantic schemas), served at /api/v1/openapi.json. The request is still read and
checked by hand (`tickets`): ninja's own validation would answer in English and in another
shape, and the rules (one flat object, bounded size and depth, every fault at once) are ours.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema

from intake.models import Kunde, kundennummer_validator
from jobcenter import throttle
from jobcenter.http import client_address
from jobcenter.input_guard import JsonRefused, parse_json

from .models import ApiClient, InformationType
from .services import (
    ClientKeyConflict,
    RoutedNote,
    RoutingError,
    api_client_authenticate,
    api_payload_hash,
    api_submission_replay,
    api_ticket_submit,
    check_note,
)

STRING_FIELDS = (
    "client_key",
    "kundennummer",
    "information_type",
    "known_on",
    "text",
    "event_date",
    "reason",
    "attachment_ref",
)
FIELDS = (*STRING_FIELDS, "urgent")
# A ticket is one flat object of at most a few KB (text: 5,000 characters).
MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8


class TicketForm(forms.Form):
    client_key = forms.RegexField(
        regex=r"^[A-Za-z0-9._:\-]{1,100}$",
        error_messages={
            "required": gettext_lazy("Pflichtfeld: ein eindeutiger Schlüssel der Meldung."),
            "invalid": gettext_lazy(
                "1 bis 100 Zeichen aus Buchstaben, Ziffern und . _ : - erlaubt."
            ),
        },
    )
    kundennummer = forms.CharField(
        max_length=10,
        validators=[kundennummer_validator],
        error_messages={
            "required": gettext_lazy("Pflichtfeld: die Kd.-Nr. der Kundin / des Kunden.")
        },
    )
    information_type = forms.CharField(
        max_length=60,
        error_messages={"required": gettext_lazy("Pflichtfeld: die Kennung der Informationsart.")},
    )
    known_on = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": gettext_lazy("Pflichtfeld: Datum, an dem die Information bekannt wurde."),
            "invalid": gettext_lazy("Datum im Format JJJJ-MM-TT angeben."),
        },
    )
    text = forms.CharField(max_length=5000, required=False)
    urgent = forms.BooleanField(required=False)
    event_date = forms.DateField(
        input_formats=["%Y-%m-%d"],
        required=False,
        error_messages={"invalid": gettext_lazy("Datum im Format JJJJ-MM-TT angeben.")},
    )
    reason = forms.CharField(max_length=300, required=False)
    attachment_ref = forms.CharField(max_length=200, required=False)


def error(status: int, code: str, message: str, fields: dict | None = None, **headers):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _authenticate(request: HttpRequest) -> tuple[ApiClient | None, JsonResponse | None]:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if not header:
        return None, error(
            401,
            "token_missing",
            _("Anmeldung fehlt: bitte den Header „Authorization: Bearer <Token>“ mitsenden."),
            WWW_Authenticate='Bearer realm="jobcenter"',
        )
    address_key = f"api-failures:{client_address(request) or 'unknown'}"
    window = settings.LOGIN_FAILURE_WINDOW
    if throttle.count(address_key, window=window) >= settings.LOGIN_FAILURES_PER_ADDRESS:
        return None, _too_many(window)
    client = api_client_authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        throttle.hit(address_key, window=window)
        return None, error(
            401,
            "token_invalid",
            _("Das Token ist ungültig oder der Zugang ist gesperrt."),
            WWW_Authenticate='Bearer realm="jobcenter", error="invalid_token"',
        )
    if throttle.hit(f"api-client:{client.pk}", window=60) > settings.API_RATE_LIMIT_PER_MINUTE:
        return None, _too_many(60)
    return client, None


def _too_many(window: int) -> JsonResponse:
    return error(
        429,
        "too_many_requests",
        _("Zu viele Anfragen. Bitte nach der in „Retry-After“ genannten Zeit erneut senden."),
        Retry_After=str(throttle.retry_after(window)),
    )


def _ticket_json(routed: RoutedNote, client_key: str) -> dict:
    vermerk = routed.vermerk
    return {
        "id": vermerk.pk,
        "client_key": client_key,
        "kundennummer": vermerk.kunde.kundennummer,
        "information_type": vermerk.information_type.code,
        "subject": vermerk.subject,
        "urgent": vermerk.urgent,
        "created_at": timezone.localtime(vermerk.created_at).isoformat(),
        "routed_to": [
            {
                "postfach": str(t.postfach) if t.postfach else None,
                "person": str(t.assignee) if t.assignee else None,
                "reason": "; ".join(t.reasons),
            }
            for t in routed.plan.deliveries
        ],
    }


def _json(data, status: int, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@csrf_exempt
@login_not_required
def tickets(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return error(405, "method_not_allowed", _("Nur POST ist hier erlaubt."), Allow="POST")
    client, refused = _authenticate(request)
    if refused:
        return refused
    if request.content_type != "application/json":
        return error(
            415, "unsupported_media_type", _("Bitte JSON senden (Content-Type: application/json).")
        )
    try:
        # Read no body beyond the bound (request.body would buffer up to 2.5 MB first).
        body = request.read(MAX_BODY_BYTES + 1)
        payload = parse_json(body, max_bytes=MAX_BODY_BYTES, max_depth=MAX_JSON_DEPTH)
    except JsonRefused as exc:
        return error(400, "invalid_json", str(exc))
    if not isinstance(payload, dict):
        return error(400, "invalid_json", _("Erwartet wird ein JSON-Objekt."))

    fields: dict[str, list[str]] = {}
    for key in payload:
        if key not in FIELDS:
            fields[key] = [_("Unbekanntes Feld.")]
    for key in STRING_FIELDS:
        if key in payload and payload[key] is not None and not isinstance(payload[key], str):
            fields[key] = [_("Muss eine Zeichenkette sein.")]
    if "urgent" in payload and not isinstance(payload["urgent"], bool):
        fields["urgent"] = [_("Muss true oder false sein.")]
    if fields:
        return error(
            422, "validation_failed", _("Die Meldung ist unvollständig oder fehlerhaft."), fields
        )

    client_key = payload.get("client_key") or ""
    payload_hash = api_payload_hash(payload)
    if client_key:
        replay = api_submission_replay(
            client=client, client_key=client_key, payload_hash=payload_hash
        )
        if replay is not None:
            response, same = replay
            if not same:
                return error(
                    409,
                    "client_key_conflict",
                    _("Dieser client_key wurde bereits für eine andere Meldung verwendet."),
                )
            return _json(response, 200, Idempotent_Replay="true")

    form = TicketForm({k: v for k, v in payload.items() if v is not None})
    valid = form.is_valid()
    fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
    data = form.cleaned_data
    kunde = information_type = None
    if "kundennummer" in data:
        kunde = Kunde.objects.filter(
            jobcenter=client.jobcenter, kundennummer=data["kundennummer"].upper()
        ).first()
        if kunde is None:
            fields["kundennummer"] = [_("Keine Kundin und kein Kunde mit dieser Kd.-Nr.")]
    if "information_type" in data:
        information_type = (
            InformationType.objects.filter(
                jobcenter=client.jobcenter, code=data["information_type"], active=True
            )
            .prefetch_related("rules")
            .first()
        )
        if information_type is None:
            fields["information_type"] = [
                _("Unbekannte Informationsart. Die gültigen Kennungen liefert GET %(url)s.")
                % {"url": "/api/v1/informationsarten"}
            ]
    if "known_on" in data:
        for key, message in check_note(
            information_type=information_type,
            kunde=kunde,
            known_on=data.get("known_on"),
            text=data.get("text", ""),
            event_date=data.get("event_date"),
            reason=data.get("reason", ""),
        ).items():
            fields.setdefault(key, []).append(str(message))
    if fields or not valid:
        return error(
            422, "validation_failed", _("Die Meldung ist unvollständig oder fehlerhaft."), fields
        )
    try:
        response, created = api_ticket_submit(
            client=client,
            client_key=client_key,
            payload_hash=payload_hash,
            render=lambda routed: _ticket_json(routed, client_key),
            kunde=kunde,
            information_type=information_type,
            known_on=data["known_on"],
            text=data.get("text", ""),
            urgent=data.get("urgent", False),
            event_date=data.get("event_date"),
            reason=data.get("reason", ""),
            attachment_ref=data.get("attachment_ref", ""),
        )
    except ClientKeyConflict as exc:
        return error(409, "client_key_conflict", exc.message)
    except RoutingError as exc:
        if exc.errors:
            return error(
                422,
                "validation_failed",
                _("Die Meldung ist unvollständig oder fehlerhaft."),
                {k: [v] for k, v in exc.errors.items() if v},
            )
        return error(422, "not_routable", exc.message)
    if not created:
        return _json(response, 200, Idempotent_Replay="true")
    return _json(response, 201)


@csrf_exempt
@login_not_required
def information_types(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return error(405, "method_not_allowed", _("Nur GET ist hier erlaubt."), Allow="GET")
    client, refused = _authenticate(request)
    if refused:
        return refused
    types = InformationType.objects.filter(jobcenter=client.jobcenter_id, active=True).order_by(
        "position", "name"
    )
    return _json(
        {
            "information_types": [
                {
                    "code": t.code,
                    "name": t.name,
                    "event_date": {"requirement": t.event_date, "label": t.date_label},
                    "reason": {"requirement": t.reason, "label": t.reason_field_label},
                    "text_required": t.text_required,
                    "hint": t.hint,
                }
                for t in types
            ]
        },
        200,
    )


# --- The OpenAPI description (django-ninja) --------------------------------------------------


class TicketIn(Schema):
    """A message for the Jobcenter, routed like a note written at the hotline."""

    client_key: str = Field(
        pattern=r"^[A-Za-z0-9._:\-]{1,100}$",
        description="Your own unique key of this message: sending it again routes nothing twice.",
    )
    kundennummer: str = Field(max_length=10, description="Kd.-Nr. of the customer.")
    information_type: str = Field(
        max_length=60, description="Code of the information type (GET /api/v1/informationsarten)."
    )
    known_on: str = Field(
        description="Date the information became known, YYYY-MM-DD.",
        json_schema_extra={"format": "date"},
    )
    text: str | None = Field(default=None, max_length=5000)
    urgent: bool | None = Field(default=None)
    event_date: str | None = Field(
        default=None,
        description="Date of the event, YYYY-MM-DD, where the type asks for it.",
        json_schema_extra={"format": "date"},
    )
    reason: str | None = Field(default=None, max_length=300)
    attachment_ref: str | None = Field(default=None, max_length=200)

    model_config = {"extra": "forbid"}


class RoutedTo(Schema):
    postfach: str | None
    person: str | None
    reason: str


class TicketOut(Schema):
    id: int
    client_key: str
    kundennummer: str
    information_type: str
    subject: str
    urgent: bool
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    routed_to: list[RoutedTo]


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. validation_failed.")
    message: str = Field(description="German message for the person at the other system.")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="Per field, the German messages (validation_failed only)."
    )


class ErrorOut(Schema):
    error: ErrorDetail


class Requirement(Schema):
    requirement: str
    label: str


class InformationTypeOut(Schema):
    code: str
    name: str
    event_date: Requirement
    reason: Requirement
    text_required: bool
    hint: str


class InformationTypesOut(Schema):
    information_types: list[InformationTypeOut]


class _TicketApi(NinjaAPI):
    """Adds the bearer scheme to the schema; the check itself stays in `_authenticate`."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "One token per client system (manage.py routing_api_client <name>).",
        }
        schema["security"] = [{"bearer": []}]
        return schema

    def get_root_path(self, path_params):
        return reverse(f"{self.urls_namespace}:openapi-json").removesuffix("openapi.json")


api = _TicketApi(
    title="Jobcenter Frontoffice: Ticket-API",
    version="1",
    description=(
        "Other systems (phone system, online portal) raise tickets that are routed like a note "
        "written at the hotline. Errors are JSON with German messages."
    ),
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
)

_ERRORS = {status: ErrorOut for status in (400, 401, 409, 415, 422, 429)}
_TICKET_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": TicketIn.model_json_schema()}},
    }
}


@api.post(
    "/tickets",
    response={201: TicketOut, 200: TicketOut, **_ERRORS},
    openapi_extra=_TICKET_BODY,
    url_name="tickets",
    summary="Raise a ticket",
    operation_id="createTicket",
    description="201: routed. 200: the same client_key and message again (header Idempotent-Replay).",
)
def create_ticket(request):
    return tickets(request)


@api.get(
    "/informationsarten",
    response={200: InformationTypesOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    url_name="information_types",
    summary="The information types of the client's Jobcenter and what each requires",
    operation_id="listInformationTypes",
)
def list_information_types(request):
    return information_types(request)


def _only(methods: tuple[str, ...], view):
    """Refuse every other method (OPTIONS and HEAD too) in German JSON, `Allow` naming
    exactly the documented methods; ninja's own refusal is plain English text."""

    def dispatch(request, *args, **kwargs):
        if request.method not in methods:
            message = _("Nur %(methods)s ist hier erlaubt.") % {"methods": ", ".join(methods)}
            return error(405, "method_not_allowed", message, Allow=", ".join(methods))
        return view(request, *args, **kwargs)

    dispatch.csrf_exempt = True  # type: ignore[attr-defined]
    return login_not_required(dispatch)


def urlpatterns():
    """The API's URLs, open without a session login (the bearer token is the login).

    ninja's root view only raises 404 and is needed for nothing here (`get_root_path`).
    """
    patterns, app_name, namespace = api.urls
    methods = {
        path.strip("/"): tuple(m for op in view.operations for m in op.methods)
        for path, view in api.default_router.path_operations.items()
    }
    kept = []
    for pattern in patterns:
        if pattern.name == "api-root":
            continue
        pattern.callback = _only(methods.get(str(pattern.pattern), ("GET",)), pattern.callback)
        kept.append(pattern)
    return kept, app_name, namespace
