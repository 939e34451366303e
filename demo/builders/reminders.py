"""A few demo customers with consent to reminders, and the messages they were sent.

Six customers with an appointment ahead agreed at intake (e-mail, most also SMS; one later
withdrew the SMS, one reads English). Their confirmations are on record as sent when the
appointment was booked; the reminders the running worker sends itself when they fall due
(beat), into the demo's folders `.demo/mail` and `.demo/sms`.
"""

import unicodedata
from datetime import timedelta

from django.utils import timezone

from appointments.models import Appointment, Kind, Status
from reminders.models import Channel, Einwilligung, Nachricht


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def build(*, jobcenter, staff, rng, now=None) -> None:
    now = now or timezone.now()
    today = timezone.localdate(now)
    upcoming = (
        Appointment.objects.filter(jobcenter=jobcenter, status=Status.GEBUCHT, starts_at__gt=now)
        .exclude(kind=Kind.GRUPPE)
        .select_related("kunde")
        .order_by("starts_at", "pk")
    )
    chosen = []
    for appointment in upcoming:
        if appointment.kunde_id not in {k.pk for k in chosen}:
            chosen.append(appointment.kunde)
        if len(chosen) == 6:
            break
    for i, kunde in enumerate(chosen):
        kunde.email = f"{_ascii(kunde.first_name)}.{_ascii(kunde.last_name)}@example.org"
        kunde.phone = f"0171 555{i:04d}"
        kunde.contact_consent_on = today - timedelta(days=3)
        kunde.message_language = "en" if i == 2 else "de"
        kunde.save(update_fields=["email", "phone", "contact_consent_on", "message_language"])
        channels = [Channel.EMAIL] if i == 4 else [Channel.EMAIL, Channel.SMS]
        for channel in channels:
            Einwilligung.objects.create(
                kunde=kunde,
                channel=channel,
                given_on=kunde.contact_consent_on,
                given_via=Einwilligung.Via.INTAKE,
                withdrawn_on=today if (i == 5 and channel == Channel.SMS) else None,
            )
        for appointment in Appointment.objects.filter(
            kunde=kunde, status=Status.GEBUCHT, starts_at__gt=now
        ):
            for channel in channels:
                failed = i == 3 and channel == Channel.SMS
                Nachricht.objects.create(
                    jobcenter=jobcenter,
                    kunde=kunde,
                    appointment=appointment,
                    kind=Nachricht.Kind.CONFIRMATION,
                    channel=channel,
                    key=f"appointment:{appointment.pk}:confirmation:{channel}",
                    language=kunde.message_language,
                    status=Nachricht.Status.FAILED if failed else Nachricht.Status.SENT,
                    attempts=6 if failed else 1,
                    error="HTTP 503" if failed else "",
                    last_attempt_at=appointment.booked_at,
                    sent_at=None if failed else appointment.booked_at,
                )
