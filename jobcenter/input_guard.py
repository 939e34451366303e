"""Input no page can use is refused before any view runs, with a German answer.

PostgreSQL cannot store or even compare a NUL character in text: a search or a reason
containing one ended in a 500. No field of this product has a use for it, so a request
carrying one in its query string or form body is answered 400 and reaches no view (so
nothing is written). JSON bodies are checked by `parse_json` (routing.api).
"""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        # The API reads its JSON body itself (and refuses other media types with 415): its
        # body is never parsed as a form here, where a broken multipart body would end in
        # Django's HTML error page.
        form_body = (
            not api
            and request.method == "POST"
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        )
        if _has_nul(request.GET) or (form_body and _has_nul(request.POST)):
            if api:
                # Machines get the API's German JSON error, as documented in its schema.
                message = _("Die Anfrage enthält ein Zeichen, das nicht verarbeitet werden kann.")
                return JsonResponse(
                    {"error": {"code": "invalid_characters", "message": message}},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return render(request, "400.html", status=400)
        return self.get_response(request)


class JsonRefused(ValueError):
    """The body is not JSON this API takes; the message is German, for the client."""


def parse_json(body: bytes, *, max_bytes: int, max_depth: int):
    """json.loads with the size and nesting bounded: deep nesting would otherwise exhaust
    the parser's recursion (a 500). NUL inside strings is left to the form fields."""
    if len(body) > max_bytes:
        raise JsonRefused(
            _("Die Anfrage ist zu groß (höchstens %(n)d KB).") % {"n": max_bytes // 1024}
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonRefused(_("Kein gültiges JSON: %(e)s") % {"e": exc}) from None
    if _nesting_depth(text) > max_depth:
        raise JsonRefused(
            _("Das JSON ist zu tief verschachtelt (höchstens %(n)d Ebenen).") % {"n": max_depth}
        )
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise JsonRefused(_("Kein gültiges JSON: %(e)s") % {"e": exc}) from None
    return payload


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
