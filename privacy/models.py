"""Retention periods, legal holds and the log of what the retention removed.

This app reads every other app's records (it must find all that is stored about a person),
so it sits on top: no other app imports it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models import Kunde
from jobcenter.models import Jobcenter


def _months(label, default, help_text):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=help_text,
    )


class RetentionPolicy(models.Model):
    """How long each kind of record keeps its personal data, per Jobcenter (in months).

    The defaults and their legal reasons are in the README ("Löschfristen und Auskunft").
    """

    jobcenter = models.OneToOneField(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    visits_months = _months(
        _("Besuche am Empfang (Monate)"),
        12,
        _("Danach wird der Besuch von der Person getrennt; Wartezeiten bleiben in der Statistik."),
    )
    notes_months = _months(
        _("Vermerke und Postfach-Aufgaben (Monate)"),
        24,
        _("Gerechnet ab Anlage; offene Aufgaben bleiben, bis sie erledigt sind."),
    )
    appointments_months = _months(
        _("Termine (Monate)"),
        24,
        _("Gerechnet ab dem Termin; Freitexte werden gelöscht, Zahl und Dauer bleiben."),
    )
    cases_months = _months(
        _("Anträge (Monate nach Abschluss)"),
        60,
        _("Gerechnet ab der letzten Änderung eines abgeschlossenen Antrags."),
    )
    audit_months = _months(
        _("Protokoll der Einsichten und Änderungen (Monate)"),
        24,
        _("Danach werden Protokolleinträge gelöscht; das Löschprotokoll bleibt."),
    )
    persons_months = _months(
        _("Stammdaten der Kundin / des Kunden (Monate ohne Kontakt)"),
        60,
        _(
            "Ohne offenen Antrag, offene Aufgabe, künftigen Termin und Sperrvermerk wird die "
            "Person nach dieser Zeit ohne Kontakt anonymisiert."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Löschfristen")
        verbose_name_plural = _("Löschfristen")

    def __str__(self) -> str:
        return str(_("Löschfristen"))


class LegalHold(models.Model):
    """A Sperrvermerk: while it stands, nothing of this person is deleted or anonymised
    (a pending lawsuit, an objection, a request of the prosecutor …)."""

    kunde = models.ForeignKey(
        Kunde, verbose_name=_("Kunde"), on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.CharField(_("Grund"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gesetzt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("gesetzt am"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aufgehoben von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("aufgehoben am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Sperrvermerk")
        verbose_name_plural = _("Sperrvermerke")
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return str(_("Sperrvermerk"))

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Anonymisation(models.Model):
    """The person's master data were anonymised on schedule (their statistics remain)."""

    kunde = models.OneToOneField(
        Kunde, verbose_name=_("Kunde"), on_delete=models.CASCADE, related_name="anonymisation"
    )
    at = models.DateTimeField(_("anonymisiert am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anonymisierung")
        verbose_name_plural = _("Anonymisierungen")

    def __str__(self) -> str:
        return str(_("Anonymisierung"))


class RetentionRun(models.Model):
    """One run of the retention (nightly, or one erasure): how many records of each kind it
    removed or anonymised. Counts only: the log of a deletion names nobody."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Löschfristen (nachts)")
        ERASURE = "erasure", _("Löschung einer Person")

    jobcenter = models.ForeignKey(
        Jobcenter, verbose_name=_("Jobcenter"), on_delete=models.CASCADE, related_name="+"
    )
    trigger = models.CharField(_("Anlass"), max_length=20, choices=Trigger.choices)
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counts = models.JSONField(_("Anzahl je Art"), default=dict)
    grounds = models.CharField(_("Rechtsgrund"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Löschlauf")
        verbose_name_plural = _("Löschprotokoll")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.at:%d.%m.%Y %H:%M}"

    @property
    def total(self) -> int:
        """Records deleted or anonymised (not the open tasks the run kept and counted)."""
        return sum(n for kind, n in self.counts.items() if kind != "tasks_open_kept")
