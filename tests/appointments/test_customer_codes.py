"""The check-in code and the signed customer link (appointments.customer_codes)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.test import override_settings

from appointments import customer_codes as codes


class _Appointment:
    def __init__(self, pk, ends_at=None):
        self.pk = pk
        self.ends_at = ends_at


def test_code_is_number_dash_five_check_digits_and_reads_back():
    code = codes.checkin_code(4711)
    number, check = code.split("-")
    assert number == "4711"
    assert len(check) == 5 and check.isdigit()
    assert codes.appointment_id_from_code(code) == 4711
    # Typed without the dash or with blanks, it still reads.
    assert codes.appointment_id_from_code(f" 4711 {check} ") == 4711


def test_a_neighbouring_number_or_a_wrong_check_digit_is_not_found():
    code = codes.checkin_code(4711)
    check = code.split("-")[1]
    assert codes.appointment_id_from_code(f"4712-{check}") is None
    wrong = f"{(int(check[-1]) + 1) % 10}"
    assert codes.appointment_id_from_code(f"4711-{check[:-1]}{wrong}") is None
    assert codes.appointment_id_from_code("12345") is None
    assert codes.appointment_id_from_code("") is None


def test_code_depends_on_the_secret_key():
    with override_settings(SECRET_KEY="a" * 50):
        first = codes.checkin_code(4711)
    with override_settings(SECRET_KEY="b" * 50):
        second = codes.checkin_code(4711)
        # A code printed under another key is not honoured.
        assert codes.appointment_id_from_code(first) is None
    assert first != second


@override_settings(PUBLIC_BASE_URL="https://jc.example.org/")
def test_link_is_under_t_and_its_token_reads_back():
    url = codes.customer_link_url(_Appointment(4711))
    assert url.startswith("https://jc.example.org/t/") and url.endswith("/")
    token = url.removeprefix("https://jc.example.org/t/").rstrip("/")
    assert codes.appointment_id_from_token(token) == 4711
    # A QR scanner at the kiosk types the whole URL.
    assert codes.appointment_id_from_code(url) == 4711


def test_tampered_token_is_refused_as_invalid():
    token = codes.link_token(4711)
    forged = token.replace("4711", "4712", 1)
    with pytest.raises(codes.LinkRefused) as refused:
        codes.appointment_id_from_token(forged)
    assert refused.value.reason == "invalid"
    assert codes.appointment_id_from_code(f"https://x/t/{forged}/") is None


def test_token_older_than_the_maximum_age_is_refused_as_expired(monkeypatch):
    token = codes.link_token(4711)
    issued = signing.TimestampSigner(salt=codes.LINK_SALT).unsign(token, max_age=None)
    assert issued == "4711"
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 181 * 86400)
    with pytest.raises(codes.LinkRefused) as refused:
        codes.appointment_id_from_token(token)
    assert refused.value.reason == "expired"


@override_settings(CUSTOMER_LINK_GRACE_DAYS=14)
def test_link_expires_fourteen_days_after_the_appointment_ended():
    berlin = ZoneInfo("Europe/Berlin")
    ended = datetime(2026, 12, 1, 10, 0, tzinfo=berlin)
    appointment = _Appointment(1, ends_at=ended)
    codes.refuse_if_expired(appointment, now=ended + timedelta(days=14))
    with pytest.raises(codes.LinkRefused) as refused:
        codes.refuse_if_expired(appointment, now=ended + timedelta(days=14, minutes=1))
    assert refused.value.reason == "expired"
