"""Confirmations and reminders: consent respected, the working day before, never twice
(two workers, real row locks and the unique key), e-mail to a real SMTP server, SMS to a
local HTTP gateway with a failure retried, the staff alarm's SMS."""

import json
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from appointments.services.outcomes import appointment_cancel
from jobcenter.models import AuditEvent
from reminders.models import Channel, Einwilligung, Nachricht
from reminders.services import (
    consent_set,
    deliver,
    due_reminders,
    notify_alarm_by_sms,
    notify_appointment,
)
from reminders.sms import LocmemBackend
from reminders.tasks import backoff_seconds, send_message

from .conftest import at

TUESDAY_AFTER_EASTER = at(date(2026, 4, 7), 10)


@pytest.fixture
def retries_run():
    """Eager tasks run a retry at once (instead of raising it as the suite's propagating
    eager mode does): the task's own retry is what is tested."""
    from jobcenter.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def kinds(**filters):
    return sorted(
        Nachricht.objects.filter(**filters).values_list("kind", "channel", "status", "attempts")
    )


@pytest.mark.django_db
def test_consent_given_at_intake_covers_the_channels_with_an_address(kunde):
    rows = {r.channel: r for r in Einwilligung.objects.filter(kunde=kunde)}
    assert set(rows) == {"email", "sms"}
    assert all(r.given_on == date(2026, 3, 30) and r.given_via == "intake" for r in rows.values())
    summaries = set(
        AuditEvent.objects.filter(subject_id=kunde.pk).values_list("summary", flat=True)
    )
    assert "Einwilligung in Erinnerungen per E-Mail erteilt (bei der Antragsaufnahme)" in summaries
    assert "Einwilligung in Erinnerungen per SMS erteilt (bei der Antragsaufnahme)" in summaries


@pytest.mark.django_db
def test_no_consent_no_message(kunde, staff, appointment_at, django_capture_on_commit_callbacks):
    consent_set(actor=staff["ez"], kunde=kunde, channel="email", give=False)
    consent_set(actor=staff["ez"], kunde=kunde, channel="sms", give=False)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
        assert notify_appointment(appointment, Nachricht.Kind.CONFIRMATION) == []
    assert Nachricht.objects.count() == 0
    assert LocmemBackend.outbox == []
    withdrawn = set(
        AuditEvent.objects.filter(
            subject_id=kunde.pk, actor=staff["ez"], summary__contains="widerrufen"
        ).values_list("summary", flat=True)
    )
    assert withdrawn == {
        "Einwilligung in Erinnerungen per E-Mail widerrufen",
        "Einwilligung in Erinnerungen per SMS widerrufen",
    }


@pytest.mark.django_db
def test_consent_withdrawn_after_the_row_was_made_stops_the_send(
    kunde, staff, appointment_at, mailoutbox
):
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    rows = notify_appointment(appointment, Nachricht.Kind.CONFIRMATION)
    assert len(rows) == 2
    consent_set(actor=staff["ez"], kunde=kunde, channel="sms", give=False)
    assert [deliver(r.pk) for r in rows] == ["sent", "skipped"]
    assert len(mailoutbox) == 1 and LocmemBackend.outbox == []


@pytest.mark.django_db
def test_booking_and_cancelling_by_the_jobcenter_tell_the_customer(
    kunde, staff, appointment_at, mailoutbox, django_capture_on_commit_callbacks
):
    from appointments.services.booking import after_booking

    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
        after_booking(actor=staff["ifk"], appointment=appointment, late=[])
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(
            actor=staff["ifk"], appointment_id=appointment.pk, by_customer=False, reason="krank"
        )
    assert kinds() == [
        ("cancelled", "email", "sent", 1),
        ("cancelled", "sms", "sent", 1),
        ("confirmation", "email", "sent", 1),
        ("confirmation", "sms", "sent", 1),
    ]
    assert mailoutbox[0].subject == "Ihr Termin am Di 07.04.2026"
    assert mailoutbox[1].subject == "Ihr Termin am Di 07.04.2026 wurde abgesagt"
    assert LocmemBackend.outbox[1] == {
        "to": "0171 2345678",
        "text": "Jobcenter Wuppertal: Ihr Termin am Di 07.04.2026 um 10:00 Uhr ist abgesagt. "
        "Sie erhalten einen neuen Termin.",
    }
    # A booking after the cancellation is a move.
    with django_capture_on_commit_callbacks(execute=True):
        moved = appointment_at(kunde, at(date(2026, 4, 9), 11), previous=appointment)
        after_booking(actor=staff["ifk"], appointment=moved, late=[])
    assert mailoutbox[2].subject == "Neuer Termin am Do 09.04.2026"


@pytest.mark.django_db
def test_the_reminder_goes_out_on_the_working_day_before(
    clock, kunde, appointment_at, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)  # booked Monday 30 March
    # Easter Monday and Good Friday are holidays in NRW: the working day before Tuesday
    # 7 April is Thursday 2 April.
    for moment in (at(date(2026, 4, 1), 12), at(date(2026, 4, 2), 7, 59)):
        clock.set(moment)
        assert due_reminders().appointments == 0
    clock.set(at(date(2026, 4, 2), 8, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders().appointments == 2
    assert kinds(appointment=appointment) == [
        ("reminder", "email", "sent", 1),
        ("reminder", "sms", "sent", 1),
    ]
    keys = set(Nachricht.objects.values_list("key", flat=True))
    assert keys == {
        f"appointment:{appointment.pk}:reminder:1AT:email",
        f"appointment:{appointment.pk}:reminder:1AT:sms",
    }
    clock.set(at(date(2026, 4, 3), 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders().appointments == 0
    mail = mailoutbox[0]
    assert mail.subject == "Erinnerung: Ihr Termin am Di 07.04.2026"
    assert "Wann: Dienstag, 7. April 2026, 10:00 Uhr" in mail.body
    assert "Wo: Hauptstelle, Am Markt 1 42103 Wuppertal" in mail.body
    assert "Bitte mitbringen: Personalausweis oder Reisepass, Lebenslauf und Zeugnisse" in mail.body
    assert "http://localhost:8000/t/" in mail.body
    # Nothing of the case: no customer number, no caseworker, no kind of appointment.
    assert kunde.kundennummer not in mail.body and "Folgegespräch" not in mail.body
    assert "Mustermann" not in mail.body


@pytest.mark.django_db
def test_a_booking_on_the_reminder_day_gets_no_second_message(clock, kunde, appointment_at):
    clock.set(at(date(2026, 4, 2), 9))
    appointment_at(kunde, TUESDAY_AFTER_EASTER)
    clock.set(at(date(2026, 4, 2), 10))
    assert due_reminders().appointments == 0


@pytest.mark.django_db
def test_lead_time_is_the_jobcenters(clock, kunde, appointment_at, jobcenter):
    jobcenter.reminder_lead_working_days = 3
    jobcenter.save()
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    # Three working days before 7 April: 2 April, 1 April, 31 March.
    clock.set(at(date(2026, 3, 31), 9))
    assert due_reminders().appointments == 2
    assert Nachricht.objects.filter(key__contains=":3AT:", appointment=appointment).count() == 2


@pytest.mark.django_db
def test_english_where_offered_german_otherwise(kunde, jobcenter, appointment_at, mailoutbox):
    kunde.message_language = "en"
    kunde.save()
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    row = notify_appointment(appointment, Nachricht.Kind.REMINDER)[0]
    deliver(row.pk)
    assert mailoutbox[0].subject == "Reminder: your appointment on Tue 07/04/2026"
    assert "When: Tuesday, 7 April 2026, 10:00" in mailoutbox[0].body
    assert "Please bring: identity card or passport" in mailoutbox[0].body
    jobcenter.message_languages = ""
    jobcenter.save()
    other = appointment_at(kunde, at(date(2026, 4, 9), 11))
    deliver(notify_appointment(other, Nachricht.Kind.REMINDER)[0].pk)
    assert mailoutbox[1].subject == "Erinnerung: Ihr Termin am Do 09.04.2026"


@pytest.mark.django_db
def test_owed_documents_are_reminded_before_the_return_date(
    clock, kunde, mailoutbox, django_capture_on_commit_callbacks
):
    antrag = kunde.antraege.get()
    owed = list(antrag.nachweise.values_list("document_type__name", flat=True))
    assert owed and antrag.return_date == date(2026, 4, 13)
    # Two working days before Monday 13 April: Friday 10 and Thursday 9 April.
    clock.set(at(date(2026, 4, 8), 12))
    assert due_reminders().documents == 0
    clock.set(at(date(2026, 4, 9), 12))
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders().documents == 2
        assert due_reminders().documents == 0
    assert mailoutbox[0].subject == "Erinnerung: Unterlagen bis Mo 13.04.2026"
    for name in owed:
        assert f"- {name}" in mailoutbox[0].body


def _together(fn, n=2):
    barrier = threading.Barrier(n, timeout=10)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_workers_scan_at_once_one_reminder(clock, kunde, appointment_at, settings):
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    clock.set(at(date(2026, 4, 2), 10))
    results = _together(lambda: due_reminders().appointments)
    assert sorted(results)[-1] == 2 and sum(results) == 2
    assert Nachricht.objects.filter(appointment=appointment, kind="reminder").count() == 2
    assert len(LocmemBackend.outbox) == 1  # the SMS; one per channel, not per worker


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_by_two_workers_at_once_goes_out_once(kunde, appointment_at):
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    row = Nachricht.objects.create(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        appointment=appointment,
        kind="reminder",
        channel="sms",
        key="test:two-workers",
    )
    results = _together(lambda: deliver(row.pk))
    assert sorted(results) == ["sent", "sent"]
    assert len(LocmemBackend.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_mail_reaches_a_real_smtp_server(kunde, appointment_at, smtp_server, jobcenter):
    jobcenter.email = "info@jobcenter-wuppertal.example"
    jobcenter.save()
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    row = notify_appointment(appointment, Nachricht.Kind.CONFIRMATION)
    send_message.delay(next(r.pk for r in row if r.channel == "email"))
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["erika@example.org"]
    message = received["message"]
    assert message["Subject"] == "Ihr Termin am Di 07.04.2026"
    assert message["Reply-To"] == "info@jobcenter-wuppertal.example"
    body = message.get_payload(decode=True).decode()
    assert "Ihr Termin ist gebucht." in body and "/t/" in body


@pytest.mark.django_db
def test_sms_reaches_the_gateway_and_a_failure_is_retried(
    kunde, appointment_at, gateway, retries_run
):
    gateway.answers = [503]
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    rows = notify_appointment(appointment, Nachricht.Kind.REMINDER)
    sms = next(r for r in rows if r.channel == "sms")
    send_message.delay(sms.pk)  # eager: the retry runs at once
    assert len(gateway.requests) == 2
    first = gateway.requests[0]
    assert first["path"] == "/sms/send" and first["content_type"] == "application/json"
    assert first["authorization"] == "Basic am9iY2VudGVyOmdlaGVpbQ=="  # jobcenter:geheim
    payload = json.loads(first["body"])
    assert payload["to"] == "0171 2345678" and payload["from"] == "Jobcenter"
    assert payload["text"].startswith(
        "Jobcenter Wuppertal: Wir erinnern Sie an Ihren Termin. Di 07.04.2026, 10:00 Uhr, "
        "Hauptstelle, Am Markt 1 42103 Wuppertal. Bestätigen oder absagen: http://localhost:8000/t/"
    )
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.error) == ("sent", 2, "")
    assert [backoff_seconds(n) for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


@pytest.mark.django_db
def test_a_gateway_that_keeps_failing_is_given_up_and_shown(
    kunde, appointment_at, gateway, settings, retries_run
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    gateway.answers = [500, 500, 500]
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    sms = next(
        r for r in notify_appointment(appointment, Nachricht.Kind.REMINDER) if r.channel == "sms"
    )
    send_message.delay(sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.error) == ("failed", 3, "HTTP 500")
    assert len(gateway.requests) == 3


@pytest.mark.django_db
def test_form_posts_and_a_gateway_without_url_sends_nothing(
    kunde, appointment_at, gateway, settings
):
    settings.SMS_GATEWAY_FORMAT = "form"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    sms = next(r for r in notify_appointment(appointment, "confirmation") if r.channel == "sms")
    deliver(sms.pk)
    assert gateway.requests[0]["content_type"] == "application/x-www-form-urlencoded"
    assert gateway.requests[0]["authorization"] == "Bearer t0ken"
    assert "to=0171+2345678" in gateway.requests[0]["body"]
    settings.SMS_GATEWAY_URL = ""
    other = appointment_at(kunde, at(date(2026, 4, 9), 11))
    assert [r.channel for r in notify_appointment(other, "confirmation")] == ["email"]


@pytest.mark.django_db
def test_file_backend_writes_the_sms_into_a_folder(kunde, appointment_at, settings, tmp_path):
    settings.SMS_BACKEND = "reminders.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    sms = next(r for r in notify_appointment(appointment, "reminder") if r.channel == "sms")
    deliver(sms.pk)
    (written,) = tmp_path.iterdir()
    assert written.read_text().startswith("An: 0171 2345678\n\nJobcenter Wuppertal: ")


@pytest.mark.django_db
def test_the_staff_alarm_texts_the_security_contact_once(
    staff, site, django_capture_on_commit_callbacks
):
    from frontdesk.services.alarm import alarm_raise

    site.alarm_phone = "0172 9876543"
    site.save()
    raiser = staff["ez"]
    raiser.standort = site
    raiser.room = "Raum 2.14"
    raiser.save()
    with django_capture_on_commit_callbacks(execute=True):
        alarm, created = alarm_raise(actor=raiser)
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again = alarm_raise(actor=raiser)  # a second press: the same alarm
    assert created and not created_again and again.pk == alarm.pk
    assert notify_alarm_by_sms(alarm) is None  # a redelivery makes no second row
    assert LocmemBackend.outbox == [
        {
            "to": "0172 9876543",
            "text": f"NOTRUF Hauptstelle: Raum 2.14, {alarm.raised_at.astimezone(at(date(2026, 1, 1), 0).tzinfo):%H:%M} Uhr. Bitte sofort hingehen.",
        }
    ]
    assert kinds(alarm=alarm) == [("alarm", "sms", "sent", 1)]


@pytest.mark.django_db
def test_no_alarm_sms_without_a_number(staff, site, django_capture_on_commit_callbacks):
    from frontdesk.services.alarm import alarm_raise

    raiser = staff["ez"]
    raiser.standort = site
    raiser.save()
    with django_capture_on_commit_callbacks(execute=True):
        alarm_raise(actor=raiser)
    assert LocmemBackend.outbox == [] and Nachricht.objects.count() == 0


@pytest.mark.django_db
def test_customer_page_shows_consent_and_messages_to_need_to_know_roles(
    kunde, staff, login, appointment_at, django_assert_max_num_queries
):
    appointment = appointment_at(kunde, TUESDAY_AFTER_EASTER)
    for row in notify_appointment(appointment, "confirmation"):
        deliver(row.pk)
    url = reverse("intake:customer_detail", args=[kunde.pk])
    client = login(staff["ez"])
    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    assert (
        "Einwilligung je Weg" in page and "erteilt am 30.03.2026 (bei der Antragsaufnahme)" in page
    )
    assert page.count("Terminbestätigung") == 2 and "gesendet" in page
    for _ in range(5):
        for row in notify_appointment(
            appointment_at(kunde, at(date(2026, 5, 4 + _), 10)), "confirmation"
        ):
            deliver(row.pk)
    with django_assert_max_num_queries(40):
        client.get(url)
    for role in ("empfang",):
        assert "Gesendete Nachrichten" not in login(staff[role]).get(url).content.decode()


@pytest.mark.django_db
def test_staff_record_a_withdrawal_and_a_new_consent(kunde, staff, login):
    client = login(staff["ez"])
    url = reverse("reminders:consent", args=[kunde.pk])
    response = client.post(url, {"channel": "sms", "action": "withdraw"})
    assert response.status_code == 302
    row = Einwilligung.objects.get(kunde=kunde, channel="sms")
    assert row.withdrawn_on == date(2026, 3, 30)
    client.post(url, {"channel": "sms", "action": "give"})
    row.refresh_from_db()
    assert (row.withdrawn_on, row.given_via) == (None, "staff")
    assert client.post(url, {"channel": "fax", "action": "give"}).status_code == 400
    assert login(staff["leistung"]).post(
        url, {"channel": "sms", "action": "withdraw"}
    ).status_code in (403, 404)
    language = reverse("reminders:language", args=[kunde.pk])
    assert login(staff["ez"]).post(language, {"language": "en"}).status_code == 302
    kunde.refresh_from_db()
    assert kunde.message_language == "en"
    assert login(staff["ez"]).post(language, {"language": "xx"}).status_code == 400


@pytest.mark.django_db
def test_removing_the_email_in_master_data_ends_that_consent(kunde, staff):
    from intake.services import kunde_master_data_change

    kunde_master_data_change(
        actor=staff["ez"],
        kunde_id=kunde.pk,
        changes={"email": "", "phone": "0171 2345678"},
        contact_consent=True,
    )
    states = dict(Einwilligung.objects.filter(kunde=kunde).values_list("channel", "withdrawn_on"))
    assert states == {"email": date(2026, 3, 30), "sms": None}
    assert Channel.EMAIL not in __import__("reminders.services").services.consented_channels(kunde)


def test_english_catalogue_is_compiled_from_its_source(tmp_path):
    root = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(out), str(root / "django.po")], check=True)
    assert out.read_bytes() == (root / "django.mo").read_bytes()
