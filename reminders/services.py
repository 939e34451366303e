"""Confirmations and reminders to customers (domain §7, DW 7), with their consent.

- **Consent** per channel (e-mail, SMS): given at intake, to staff or on the customer's
  page, withdrawn any time; every change is audited. No consent, no message: checked when
  the message row is made and again just before it is sent.
- **What is sent**: a confirmation when an appointment is booked (or moved) and a notice
  when the Jobcenter cancels it; a reminder ``Jobcenter.reminder_lead_working_days``
  working days before the appointment; a reminder of owed documents
  ``Jobcenter.document_reminder_working_days`` working days before the return date.
- **Never twice**: the `Nachricht` row, with a unique key, is inserted before sending; a
  second worker's insert fails on the constraint, a redelivered send finds the row sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, Status
from intake.models import Antrag, Kunde, Nachweis
from jobcenter.celery import app as celery_app
from jobcenter.models import Jobcenter, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.services import calendar_for

from . import texts
from .models import Channel, Einwilligung, Nachricht
from .sms import SmsError, get_backend

SEND_TASK = "reminders.tasks.send_message"

logger = logging.getLogger(__name__)

# Languages the texts exist in (locale/<code>/LC_MESSAGES); German is always offered.
SUPPORTED_LANGUAGES = {"de": "Deutsch", "en": "English"}
# How far ahead the scan looks for appointments (the longest lead time plus weekends and
# holidays fits comfortably).
SCAN_HORIZON = timedelta(days=21)


# --- languages -----------------------------------------------------------------------------


def offered_languages(jobcenter: Jobcenter) -> list[str]:
    """German, then the Jobcenter's chosen languages that the texts exist in."""
    codes = ["de"]
    for code in (jobcenter.message_languages or "").split(","):
        code = code.strip()
        if code in SUPPORTED_LANGUAGES and code not in codes:
            codes.append(code)
    return codes


def language_for(kunde: Kunde, jobcenter: Jobcenter | None = None) -> str:
    jobcenter = jobcenter or kunde.jobcenter
    wanted = kunde.message_language or "de"
    return wanted if wanted in offered_languages(jobcenter) else "de"


@transaction.atomic
def message_language_set(*, actor: User, kunde: Kunde, language: str) -> bool:
    require_perm(
        actor,
        "reminders.change_consent",
        kunde,
        message=_("Sie dürfen die Einwilligungen dieser Person nicht ändern."),
    )
    if language not in offered_languages(kunde.jobcenter):
        raise ValueError(language)
    if kunde.message_language == language:
        return False
    kunde.message_language = language
    kunde.save(update_fields=["message_language"])
    audit_record(
        actor=actor,
        action="change",
        target=kunde,
        summary=_("Sprache der Erinnerungen: %(lang)s") % {"lang": SUPPORTED_LANGUAGES[language]},
        changes={"fields": ["message_language"]},
    )
    return True


# --- consent -------------------------------------------------------------------------------


def address_of(kunde: Kunde, channel: str) -> str:
    return (kunde.email if channel == Channel.EMAIL else kunde.phone).strip()


def consents_of(kunde: Kunde) -> dict[str, Einwilligung | None]:
    rows = {row.channel: row for row in Einwilligung.objects.filter(kunde=kunde)}
    return {channel: rows.get(channel) for channel in Channel.values}


def consented_channels(kunde: Kunde) -> list[str]:
    """The channels a message may go by now: consent given, not withdrawn, an address."""
    active = set(
        Einwilligung.objects.filter(kunde=kunde, withdrawn_on__isnull=True).values_list(
            "channel", flat=True
        )
    )
    return [c for c in Channel.values if c in active and address_of(kunde, c)]


def _consent_change(
    *, actor: User | None, kunde: Kunde, channel: str, give: bool, via: str, today: date
) -> bool:
    row = Einwilligung.objects.select_for_update().filter(kunde=kunde, channel=channel).first()
    label = Channel(channel).label
    if give:
        if not address_of(kunde, channel):
            from .errors import ConsentError

            raise ConsentError(
                _("Für %(channel)s ist keine Adresse oder Nummer hinterlegt.") % {"channel": label}
            )
        if row is not None and row.active:
            return False
        if row is None:
            row = Einwilligung(kunde=kunde, channel=channel)
        row.given_on, row.given_via, row.withdrawn_on = today, via, None
        row.save()
        summary = _("Einwilligung in Erinnerungen per %(channel)s erteilt (%(via)s)") % {
            "channel": label,
            "via": Einwilligung.Via(via).label,
        }
    else:
        if row is None or not row.active:
            return False
        row.withdrawn_on = today
        row.save(update_fields=["withdrawn_on", "changed_at"])
        summary = _("Einwilligung in Erinnerungen per %(channel)s widerrufen") % {"channel": label}
    audit_record(
        actor=actor,
        action="change",
        target=row,
        summary=summary,
        changes={"channel": channel, "given": give},
        jobcenter_id=kunde.jobcenter_id,
    )
    return True


@transaction.atomic
def consent_set(
    *,
    actor: User | None,
    kunde: Kunde,
    channel: str,
    give: bool,
    via: str = Einwilligung.Via.STAFF,
    today: date | None = None,
) -> bool:
    """Give or withdraw the consent on one channel; True if anything changed.

    Staff need the permission; the customer page (no login) passes ``actor=None`` and
    ``via=Einwilligung.Via.LINK`` after checking the customer's link itself.
    """
    if actor is not None:
        require_perm(
            actor,
            "reminders.change_consent",
            kunde,
            message=_("Sie dürfen die Einwilligungen dieser Person nicht ändern."),
        )
    return _consent_change(
        actor=actor,
        kunde=kunde,
        channel=channel,
        give=give,
        via=via,
        today=today or timezone.localdate(),
    )


def consent_from_contact(*, actor: User | None, kunde: Kunde, today: date, via: str) -> None:
    """Intake and master data: the contact consent ("kontaktiert und erinnert") covers the
    channels the customer gave an address for; a removed address or consent ends it."""
    for channel in Channel.values:
        give = kunde.contact_consent_on is not None and bool(address_of(kunde, channel))
        _consent_change(actor=actor, kunde=kunde, channel=channel, give=give, via=via, today=today)


# --- making the rows -----------------------------------------------------------------------


def _key(*parts) -> str:
    return ":".join(str(p) for p in parts)


def _insert(**fields) -> Nachricht | None:
    """Insert the row, or None when it exists already (another worker, an earlier run)."""
    try:
        with transaction.atomic():
            return Nachricht.objects.create(**fields)
    except IntegrityError:
        return None


def _send_after_commit(rows: list[Nachricht]) -> None:
    # By its registered name: the task module imports this one (no circle of imports).
    send_message = celery_app.tasks[SEND_TASK]
    for row in rows:
        transaction.on_commit(partial(send_message.delay, row.pk))


def _channels_now(kunde: Kunde) -> list[str]:
    """Consented channels the installation can deliver (no SMS without a gateway)."""
    channels = consented_channels(kunde)
    if Channel.SMS in channels and not get_backend().available:
        channels.remove(Channel.SMS)
    return channels


def appointment_kind_on_booking(appointment: Appointment) -> str:
    if (
        appointment.previous_id
        and Appointment.objects.filter(
            pk=appointment.previous_id, status=Status.ABGESAGT_JC
        ).exists()
    ):
        return Nachricht.Kind.MOVED
    return Nachricht.Kind.CONFIRMATION


def notify_appointment(appointment: Appointment, kind: str) -> list[Nachricht]:
    """Confirmation, move or cancellation of one appointment: a row per consented channel,
    sent by the worker after the booking's transaction commits."""
    kunde = appointment.kunde
    rows = []
    for channel in _channels_now(kunde):
        row = _insert(
            jobcenter_id=appointment.jobcenter_id,
            kunde=kunde,
            appointment=appointment,
            kind=kind,
            channel=channel,
            key=_key("appointment", appointment.pk, kind, channel),
            language=language_for(kunde, appointment.jobcenter),
        )
        if row is not None:
            rows.append(row)
    _send_after_commit(rows)
    return rows


def working_days_before(calendar, day: date, n: int) -> date:
    """The n-th working day before ``day`` (``day`` itself never counts)."""
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            n -= 1
    return current


def reminder_day(appointment: Appointment, calendar, lead: int) -> date:
    return working_days_before(calendar, timezone.localdate(appointment.starts_at), lead)


def _within_sending_hours(now: datetime) -> bool:
    hour = timezone.localtime(now).hour
    return settings.REMINDER_SEND_FROM_HOUR <= hour < settings.REMINDER_SEND_UNTIL_HOUR


@dataclass
class ScanResult:
    appointments: int = 0
    documents: int = 0


def due_reminders(now: datetime | None = None) -> ScanResult:
    """Make the rows of every reminder due now (and not made yet); the worker sends them.

    An appointment is reminded on its reminder day or later while it lies ahead, unless it
    was booked on or after that day (its confirmation just said the same). Owed documents
    are reminded from their reminder day until the return date. Safe to run twice, or in
    two workers at once: the unique key lets one insert win.
    """
    now = now or timezone.now()
    result = ScanResult()
    if not _within_sending_hours(now):
        return result
    today = timezone.localdate(now)
    for jobcenter in Jobcenter.objects.all():
        calendar = calendar_for(jobcenter)
        lead = jobcenter.reminder_lead_working_days
        upcoming = (
            Appointment.objects.filter(
                jobcenter=jobcenter,
                status=Status.GEBUCHT,
                starts_at__gt=now,
                starts_at__lte=now + SCAN_HORIZON,
            )
            .exclude(
                Exists(
                    Nachricht.objects.filter(
                        appointment=OuterRef("pk"), kind=Nachricht.Kind.REMINDER
                    )
                )
            )
            .select_related("kunde", "jobcenter")
        )
        for appointment in upcoming:
            day = reminder_day(appointment, calendar, lead)
            if day > today or timezone.localdate(appointment.booked_at) >= day:
                continue
            with transaction.atomic():
                rows = _remind_appointment(appointment, lead)
            result.appointments += len(rows)
        result.documents += _due_document_reminders(jobcenter, calendar, today)
    if result.appointments or result.documents:
        logger.info(
            "reminders due: %s appointment, %s document messages",
            result.appointments,
            result.documents,
        )
    return result


def _remind_appointment(appointment: Appointment, lead: int) -> list[Nachricht]:
    kunde = appointment.kunde
    rows = []
    for channel in _channels_now(kunde):
        row = _insert(
            jobcenter_id=appointment.jobcenter_id,
            kunde=kunde,
            appointment=appointment,
            kind=Nachricht.Kind.REMINDER,
            channel=channel,
            key=_key("appointment", appointment.pk, "reminder", f"{lead}AT", channel),
            language=language_for(kunde, appointment.jobcenter),
        )
        if row is not None:
            rows.append(row)
    _send_after_commit(rows)
    return rows


def _due_document_reminders(jobcenter: Jobcenter, calendar, today: date) -> int:
    lead = jobcenter.document_reminder_working_days
    owed = Nachweis.objects.filter(
        antrag=OuterRef("pk"), received_on__isnull=True, waived_reason=""
    )
    cases = (
        Antrag.objects.filter(
            jobcenter=jobcenter,
            documents_complete_on__isnull=True,
            decided_on__isnull=True,
            return_date__gte=today,
            return_date__lte=today + SCAN_HORIZON,
        )
        .filter(Exists(owed))
        .select_related("applicant", "jobcenter")
    )
    made = 0
    for antrag in cases:
        day = working_days_before(calendar, antrag.return_date, lead)
        if day > today or timezone.localdate(antrag.received_at) >= day:
            continue
        kunde = antrag.applicant
        rows = []
        with transaction.atomic():
            for channel in _channels_now(kunde):
                row = _insert(
                    jobcenter_id=jobcenter.pk,
                    kunde=kunde,
                    antrag=antrag,
                    kind=Nachricht.Kind.DOCUMENTS,
                    channel=channel,
                    key=_key("antrag", antrag.pk, "documents", antrag.return_date, channel),
                    language=language_for(kunde, jobcenter),
                )
                if row is not None:
                    rows.append(row)
            _send_after_commit(rows)
        made += len(rows)
    return made


# --- the staff alarm's SMS -----------------------------------------------------------------


def notify_alarm_by_sms(alarm) -> Nachricht | None:
    """The site's security contact gets an SMS too, when a number is configured."""
    site = alarm.standort
    if not site.alarm_phone.strip() or not get_backend().available:
        return None
    row = _insert(
        jobcenter_id=site.jobcenter_id,
        standort=site,
        alarm=alarm,
        kind=Nachricht.Kind.ALARM,
        channel=Channel.SMS,
        key=_key("alarm", alarm.pk, "sms"),
    )
    if row is not None:
        _send_after_commit([row])
    return row


# --- sending -------------------------------------------------------------------------------


class NotSent(Exception):
    """The attempt failed; the task retries with backoff."""


def deliver(pk: int, *, now: datetime | None = None) -> str:
    """Send one message once: the row is locked, a sent row is left alone, consent and
    address are read again. Returns the row's status afterwards; raises :class:`NotSent`
    after recording a failed attempt (the caller retries)."""
    with transaction.atomic():
        row = (
            Nachricht.objects.select_for_update(of=("self",))
            .select_related(
                "kunde", "appointment__standort", "antrag", "alarm__standort", "jobcenter"
            )
            .filter(pk=pk)
            .first()
        )
        if row is None or row.status in (Nachricht.Status.SENT, Nachricht.Status.SKIPPED):
            return row.status if row else "missing"
        if row.kind != Nachricht.Kind.ALARM and (
            row.kunde is None or row.channel not in consented_channels(row.kunde)
        ):
            row.status = Nachricht.Status.SKIPPED
            row.save(update_fields=["status"])
            return row.status
        row.attempts += 1
        row.last_attempt_at = now or timezone.now()
        try:
            _send(row)
        except (OSError, SmsError) as error:
            row.status = Nachricht.Status.FAILED
            row.error = (str(error) if isinstance(error, SmsError) else type(error).__name__)[:100]
            row.save(update_fields=["status", "attempts", "last_attempt_at", "error"])
            failed = True
        else:
            row.status = Nachricht.Status.SENT
            row.sent_at = timezone.now()
            row.error = ""
            row.save(update_fields=["status", "attempts", "last_attempt_at", "sent_at", "error"])
            failed = False
    if failed:
        logger.warning(
            "message %s (%s, %s) not sent, attempt %s: %s",
            row.pk,
            row.kind,
            row.channel,
            row.attempts,
            row.error,
        )
        raise NotSent(row.error)
    logger.info("message %s (%s, %s) sent", row.pk, row.kind, row.channel)
    return row.status


def _send(row: Nachricht) -> None:
    message = texts.compose(row)
    if row.alarm is not None:
        get_backend().send(to=row.alarm.standort.alarm_phone.strip(), text=message.sms)
        return
    assert row.kunde is not None
    if row.channel == Channel.EMAIL:
        reply_to = [row.jobcenter.email] if row.jobcenter.email else None
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.REMINDER_FROM_EMAIL or None,
            to=[row.kunde.email.strip()],
            reply_to=reply_to,
        ).send()
    else:
        get_backend().send(to=row.kunde.phone.strip(), text=message.sms)


# --- staff view ----------------------------------------------------------------------------


def messages_of(kunde: Kunde, limit: int = 50) -> list[Nachricht]:
    return list(Nachricht.objects.filter(kunde=kunde).order_by("-created_at", "-pk")[:limit])
