"""Reminders: a fixed clock, a site, a customer with phone and e-mail, a real SMTP server
(aiosmtpd) and a local SMS gateway (http.server), both on free loopback ports."""

import json
import socket
import threading
from datetime import datetime, time, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from appointments.models import Appointment, Form, Kind
from jobcenter.models import Standort
from minimumstandards.workdays import BERLIN
from reminders.sms import LocmemBackend
from tests.factories import person, register


def at(day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch

    def set(self, moment: datetime) -> None:
        self.now = moment
        self._monkeypatch.setattr(timezone, "now", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(monkeypatch)
    # Monday 30 March 2026, 09:00 in NRW: Good Friday is 3 April, Easter Monday 6 April.
    c.set(at(datetime(2026, 3, 30).date(), 9))
    return c


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    LocmemBackend.outbox.clear()
    yield
    LocmemBackend.outbox.clear()


@pytest.fixture
def site(jobcenter):
    return Standort.objects.create(
        jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1\n42103 Wuppertal"
    )


@pytest.fixture
def kunde(clock, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person(
                is_head=True,
                phone="0171 2345678",
                email="erika@example.org",
                contact_consent=True,
            )
        ],
    )
    return antrag.applicant


@pytest.fixture
def appointment_at(staff, site):
    def make(kunde, starts_at, **kwargs):
        fields = {
            "jobcenter": kunde.jobcenter,
            "kunde": kunde,
            "caseworker": staff["ifk"],
            "kind": Kind.FOLGEGESPRAECH,
            "standort": site,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=45),
            "form": Form.PERSOENLICH,
            "booked_by": staff["ifk"],
        }
        fields.update(kwargs)
        return Appointment.objects.create(**fields)

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(
                {
                    "to": envelope.rcpt_tos,
                    "from": envelope.mail_from,
                    "message": message_from_bytes(envelope.original_content),
                }
            )
            return "250 OK"

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


class Gateway:
    """A local SMS gateway: answers the queued status codes in turn, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers["Content-Type"],
                        "authorization": self.headers.get("Authorization", ""),
                        "body": body.decode(),
                    }
                )
                status = gateway.answers.pop(0) if gateway.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"ok": status == 200}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    g = Gateway()
    settings.SMS_BACKEND = "reminders.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = g.url
    settings.SMS_GATEWAY_USER = "jobcenter"
    settings.SMS_GATEWAY_PASSWORD = "geheim"
    settings.SMS_GATEWAY_TOKEN = ""
    settings.SMS_GATEWAY_FORMAT = "json"
    settings.SMS_GATEWAY_TIMEOUT = 5
    yield g
    g.stop()
