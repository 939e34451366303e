"""Sending an SMS: a small backend interface, chosen by the setting SMS_BACKEND.

- ``HttpGatewayBackend``: POSTs to the provider's HTTP gateway (``SMS_GATEWAY_URL``; JSON
  ``{"to", "text", "from"}`` or a form with the same fields), with basic auth or a bearer
  token, within ``SMS_GATEWAY_TIMEOUT`` seconds. Anything but a 2xx answer is a failure
  (:class:`SmsError`) and the task tries again later. Without a URL it is not available:
  no SMS rows are created at all.
- ``FileBackend``: writes each SMS into ``SMS_FILE_PATH`` (like Django's file mail backend),
  for the demo and a dry run.
- ``LocmemBackend``: keeps them in ``LocmemBackend.outbox`` (like ``mail.outbox``).

Python's standard library only: a gateway call is one POST.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The SMS was not accepted; ``str()`` names the kind of failure, never the content."""


class BaseSmsBackend:
    available = True

    def send(self, *, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class HttpGatewayBackend(BaseSmsBackend):
    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        self.available = bool(self.url)

    def send(self, *, to: str, text: str) -> None:
        if not self.url:
            raise SmsError("not configured")
        fields = {"to": to, "text": text, "from": settings.SMS_GATEWAY_SENDER}
        if settings.SMS_GATEWAY_FORMAT == "form":
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(fields).encode()
            content_type = "application/json"
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        if settings.SMS_GATEWAY_TOKEN:
            request.add_header("Authorization", f"Bearer {settings.SMS_GATEWAY_TOKEN}")
        elif settings.SMS_GATEWAY_USER:
            pair = f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            raise SmsError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(type(getattr(error, "reason", error)).__name__) from None
        if not 200 <= status < 300:
            raise SmsError(f"HTTP {status}")


class FileBackend(BaseSmsBackend):
    _lock = threading.Lock()

    def send(self, *, to: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            path = folder / f"{stamp}.sms"
            path.write_text(f"An: {to}\n\n{text}\n", encoding="utf-8")


class LocmemBackend(BaseSmsBackend):
    outbox: list[dict] = []

    def send(self, *, to: str, text: str) -> None:
        LocmemBackend.outbox.append({"to": to, "text": text})


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
