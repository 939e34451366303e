"""How a customer names an appointment without logging in.

Two handles, both made here and nowhere else:

- the **check-in code** printed on the invitation letter ("Termin-Code"), digits only so it
  can be typed on the kiosk's keypad: the appointment's number and five check digits from
  an HMAC of it, so a neighbouring number cannot be guessed;
- the **customer link** behind the letter's QR code and in every message: a signed token
  (``django.core.signing``) for ``PUBLIC_BASE_URL/t/<token>/``. It carries the
  appointment's number and its issue time, nothing personal. It is refused when tampered
  with, older than ``LINK_MAX_AGE`` or when its appointment ended more than
  ``CUSTOMER_LINK_GRACE_DAYS`` ago.

The kiosk accepts either: a code typed in, or the link read by a QR scanner (which types
the URL as keystrokes), see :func:`appointment_id_from_code`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

CODE_CHECK_DIGITS = 5
LINK_SALT = "appointments.customer-link"
CODE_SALT = b"appointments.checkin-code"
# A link is never honoured longer than this after it was issued.
LINK_MAX_AGE = timedelta(days=180)
LINK_PATH_PREFIX = "/t/"


class LinkRefused(Exception):
    """The link cannot be used; ``reason`` is "invalid" (tampered, unknown) or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_digits(pk: int) -> str:
    key = hashlib.sha256(CODE_SALT + settings.SECRET_KEY.encode()).digest()
    mac = hmac.new(key, str(pk).encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**CODE_CHECK_DIGITS:0{CODE_CHECK_DIGITS}d}"


def checkin_code(appointment) -> str:
    """The code on the letter, e.g. ``"4711-03918"`` (appointment or its pk)."""
    pk = getattr(appointment, "pk", appointment)
    return f"{pk}-{_check_digits(pk)}"


def _id_from_digits(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) <= CODE_CHECK_DIGITS or len(digits) > 18:
        return None
    pk_part, check = digits[:-CODE_CHECK_DIGITS], digits[-CODE_CHECK_DIGITS:]
    pk = int(pk_part)
    if pk <= 0 or not hmac.compare_digest(check, _check_digits(pk)):
        return None
    return pk


def link_token(appointment) -> str:
    """A fresh signed token for the appointment's customer link."""
    pk = getattr(appointment, "pk", appointment)
    return signing.TimestampSigner(salt=LINK_SALT).sign(str(pk))


def customer_link_url(appointment) -> str:
    """The absolute address of the appointment's customer page (for letters and messages)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{LINK_PATH_PREFIX}{link_token(appointment)}/"


def appointment_id_from_token(token: str) -> int:
    """The appointment number in a token; raises :class:`LinkRefused`.

    Only the signature and the token's age are checked here; whether the appointment
    itself is still within its grace period is :func:`refuse_if_expired`.
    """
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token.strip(), max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkRefused("expired") from exc
    except signing.BadSignature as exc:
        raise LinkRefused("invalid") from exc
    if not value.isdigit():
        raise LinkRefused("invalid")
    return int(value)


def refuse_if_expired(appointment, now=None) -> None:
    """Raise ``LinkRefused("expired")`` once the appointment ended more than the grace ago."""
    now = now or timezone.now()
    if appointment.ends_at + timedelta(days=settings.CUSTOMER_LINK_GRACE_DAYS) < now:
        raise LinkRefused("expired")


def appointment_id_from_code(text: str) -> int | None:
    """The appointment a kiosk entry names: a check-in code, or a scanned customer link.

    Returns None for anything else (no exception: the kiosk just says "not found").
    """
    text = (text or "").strip()
    if not text:
        return None
    if LINK_PATH_PREFIX in text:
        token = text.split(LINK_PATH_PREFIX, 1)[1].strip("/ ")
        try:
            return appointment_id_from_token(token)
        except LinkRefused:
            return None
    return _id_from_digits(text)
