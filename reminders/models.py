"""Consent to reminders per channel, and every message sent (or tried) to a customer or a
site's security contact.

A `Nachricht` row is inserted *before* anything is sent; its unique `key` (appointment,
kind, lead time, channel) makes a second worker's insert fail, so nothing goes out twice.
No message text is stored: the row says what was sent, how and when, not what it said.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jobcenter.models import Jobcenter, Standort


class Channel(models.TextChoices):
    EMAIL = "email", _("E-Mail")
    SMS = "sms", _("SMS")


class Einwilligung(models.Model):
    """The customer's consent to messages on one channel: given on a day, withdrawn on a day.

    One row per customer and channel; giving it again after a withdrawal updates the row
    (the audit trail keeps every change)."""

    class Via(models.TextChoices):
        INTAKE = "intake", _("bei der Antragsaufnahme")
        STAFF = "staff", _("gegenüber Mitarbeitenden")
        LINK = "link", _("über den Kundenlink")

    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.CASCADE, related_name="einwilligungen"
    )
    channel = models.CharField(_("Weg"), max_length=5, choices=Channel.choices)
    given_on = models.DateField(_("erteilt am"))
    given_via = models.CharField(_("erteilt"), max_length=10, choices=Via.choices)
    withdrawn_on = models.DateField(_("widerrufen am"), null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Einwilligung in Erinnerungen")
        verbose_name_plural = _("Einwilligungen in Erinnerungen")
        constraints = [
            models.UniqueConstraint(fields=["kunde", "channel"], name="uniq_einwilligung_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.kunde_id}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class Nachricht(models.Model):
    """One message: inserted before it is sent, then updated with every attempt."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Terminbestätigung")
        MOVED = "moved", _("Termin verlegt")
        CANCELLED = "cancelled", _("Termin abgesagt")
        REMINDER = "reminder", _("Terminerinnerung")
        DOCUMENTS = "documents", _("Erinnerung an Unterlagen")
        ALARM = "alarm", _("Notruf an den Sicherheitsdienst")

    class Status(models.TextChoices):
        PENDING = "pending", _("wird gesendet")
        SENT = "sent", _("gesendet")
        FAILED = "failed", _("fehlgeschlagen")
        SKIPPED = "skipped", _("nicht gesendet (keine Einwilligung)")

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.CASCADE, null=True, blank=True, related_name="nachrichten"
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    antrag = models.ForeignKey(
        "intake.Antrag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    alarm = models.ForeignKey(
        "frontdesk.StaffAlarm", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    standort = models.ForeignKey(
        Standort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("Art"), max_length=15, choices=Kind.choices)
    channel = models.CharField(_("Weg"), max_length=5, choices=Channel.choices)
    # What makes it unique: e.g. "appointment:17:reminder:1AT:sms".
    key = models.CharField(max_length=120, unique=True)
    language = models.CharField(_("Sprache"), max_length=2, default="de")
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    # The kind of the last failure (exception class or HTTP status), never message content.
    error = models.CharField(_("Fehler"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("angelegt um"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("letzter Versuch"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gesendet um"), null=True, blank=True)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kunde", "-created_at"], name="nachricht_kunde_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"
