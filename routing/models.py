from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Vermerk(models.Model):
    """An information note on a customer (WU 2a; DW 4, 5.1)."""

    class Kind(models.TextChoices):
        ALLGEMEIN = "allgemein", _("Allgemeiner Vermerk")
        BERATUNG = "beratung", _("Beratungsvermerk")

    kunde = models.ForeignKey("intake.Kunde", on_delete=models.PROTECT, related_name="vermerke")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("Betreff"), max_length=200)
    text = models.TextField(_("Text"), blank=True)
    known_on = models.DateField(_("bekannt geworden am"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Vermerk")
        verbose_name_plural = _("Vermerke")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class AufgabeQuerySet(models.QuerySet):
    def open(self) -> "AufgabeQuerySet":
        return self.filter(status=Aufgabe.Status.OPEN)


class Aufgabe(models.Model):
    """A task (Ticket / Aufgabe) raised to a team mailbox or a person."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        DONE = "done", _("erledigt")

    postfach = models.ForeignKey(
        "jobcenter.Postfach",
        verbose_name=_("Postfach"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aufgaben",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zuständig"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aufgaben",
    )
    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.PROTECT, null=True, blank=True, related_name="aufgaben"
    )
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    due_at = models.DateTimeField(_("fällig am"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AufgabeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Aufgabe")
        verbose_name_plural = _("Aufgaben")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(postfach__isnull=False) | models.Q(assignee__isnull=False),
                name="aufgabe_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.title
