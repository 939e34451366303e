"""Information notes, their routing rules, and the tasks and tickets in the team mailboxes.

Rules R-IA-01 to R-IA-04 (docs/rules.en.md): every piece of information that reaches a desk goes, at once and traceably,
to every team that needs it. Which team needs which kind of information is data the
Jobcenter edits (`InformationType`, `RoutingRule`), not code.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobcenter.models import Team


class InformationType(models.Model):
    """A kind of information that must be passed on (rules R-IA-03, R-IA-04).

    Each Jobcenter has its own catalogue (seeded from `routing/catalogue.py` when the
    Jobcenter is created); its routing rules belong to it through the type.
    """

    class Requirement(models.TextChoices):
        NONE = "none", _("nicht abgefragt")
        OPTIONAL = "optional", _("freiwillig")
        REQUIRED = "required", _("Pflichtangabe")

    jobcenter = models.ForeignKey(
        "jobcenter.Jobcenter",
        verbose_name=_("Jobcenter"),
        on_delete=models.CASCADE,
        related_name="information_types",
    )
    code = models.SlugField(
        _("Kennung"),
        max_length=60,
        help_text=_("Kurzname für die Schnittstelle, z. B. „schwangerschaft“."),
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Beschreibung / Beispiele"), blank=True)
    hint = models.TextField(
        _("Hinweis für die Mitarbeitenden"),
        blank=True,
        help_text=_("Erscheint im Vermerkformular, sobald die Informationsart gewählt ist."),
    )
    text_required = models.BooleanField(_("Freitext erforderlich"), default=False)
    event_date = models.CharField(
        _("Datum"), max_length=10, choices=Requirement.choices, default=Requirement.NONE
    )
    event_date_label = models.CharField(
        _("Bezeichnung des Datums"), max_length=100, blank=True, help_text=_("z. B. „Ende am“")
    )
    reason = models.CharField(
        _("Grund"), max_length=10, choices=Requirement.choices, default=Requirement.NONE
    )
    reason_label = models.CharField(
        _("Bezeichnung des Grundes"),
        max_length=100,
        blank=True,
        help_text=_("z. B. „Grund der Beendigung“"),
    )
    routed = models.BooleanField(
        _("wird weitergeleitet"),
        default=True,
        help_text=_(
            "Aus: nur ein Eingangsvermerk in der Kundenhistorie, an niemanden weitergeleitet "
            "(z. B. Eigenbemühungen)."
        ),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("Wiedervorlage nach (Tagen)"),
        null=True,
        blank=True,
        help_text=_(
            "Leer: keine Wiedervorlage. 0: Wiedervorlage ohne eigenen Termin, am Tag des "
            "Eingangs. Sonst so viele Kalendertage nach dem Eingang."
        ),
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)
    source = models.CharField(_("Quelle"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Informationsart")
        verbose_name_plural = _("Informationsarten und Weiterleitungsregeln")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "code"],
                name="uniq_information_type_code",
                violation_error_message=_("Diese Kennung gibt es in diesem Jobcenter bereits."),
            ),
            models.UniqueConstraint(
                fields=["jobcenter", "name"],
                name="uniq_information_type_name",
                violation_error_message=_("Diese Bezeichnung gibt es in diesem Jobcenter bereits."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def date_label(self) -> str:
        return self.event_date_label or str(_("Datum"))

    @property
    def reason_field_label(self) -> str:
        return self.reason_label or str(_("Grund"))

    @property
    def asks_date(self) -> bool:
        return self.event_date != self.Requirement.NONE

    @property
    def asks_reason(self) -> bool:
        return self.reason != self.Requirement.NONE

    def follow_up_for(self, known_on):
        """The follow-up date of a note of this type that came in on `known_on`, or None."""
        if self.follow_up_days is None or known_on is None:
            return None
        return known_on + timedelta(days=self.follow_up_days)


class RoutingRule(models.Model):
    """One target of an information type. A type goes to the targets of its active rules."""

    class Target(models.TextChoices):
        LEISTUNG = "leistung", _("Leistungsteam der Bedarfsgemeinschaft")
        INTEGRATION = "integration", _("Integrationsteam der Kundin / des Kunden (U25/Ü25)")
        IFK = "ifk", _("Integrationsfachkraft persönlich (pAp)")
        TEAM_KIND = "team_kind", _("Team einer bestimmten Art")

    information_type = models.ForeignKey(
        InformationType,
        verbose_name=_("Informationsart"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    target = models.CharField(_("geht an"), max_length=20, choices=Target.choices)
    team_kind = models.CharField(
        _("Art des Teams"),
        max_length=30,
        choices=Team.Kind.choices,
        blank=True,
        help_text=_("Nur bei „Team einer bestimmten Art“, z. B. Bildung und Teilhabe."),
    )
    only_when_late = models.BooleanField(
        _("nur bei verspäteter Meldung"),
        default=False,
        help_text=_(
            "Nur weiterleiten, wenn die Information erst nach dem Datum im Vermerk eingeht "
            "(z. B. Rückmeldung nach der Ortsabwesenheit nach dem vereinbarten Tag)."
        ),
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Weiterleitungsregel")
        verbose_name_plural = _("Weiterleitungsregeln")
        ordering = ["information_type", "target", "team_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["information_type", "target", "team_kind"], name="uniq_routing_target"
            ),
            models.CheckConstraint(
                condition=(Q(target="team_kind") & ~Q(team_kind=""))
                | (~Q(target="team_kind") & Q(team_kind="")),
                name="routing_rule_team_kind_iff_needed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.information_type} → {self.target_label}"

    def clean(self) -> None:
        if self.target == self.Target.TEAM_KIND and not self.team_kind:
            raise ValidationError(
                {"team_kind": _("Bitte die Art des Teams wählen, an das weitergeleitet wird.")}
            )
        if self.target != self.Target.TEAM_KIND and self.team_kind:
            raise ValidationError(
                {"team_kind": _("Die Art des Teams nur bei „Team einer bestimmten Art“ angeben.")}
            )

    @property
    def target_label(self) -> str:
        if self.target == self.Target.TEAM_KIND:
            label = str(_("Team „%(kind)s“") % {"kind": self.get_team_kind_display()})
        else:
            label = str(self.get_target_display())
        if self.only_when_late:
            label = str(_("%(target)s, nur bei verspäteter Meldung") % {"target": label})
        return label

    def applies(self, *, known_on, event_date) -> bool:
        """Whether the rule fires for a note that came in on `known_on` (rule R-IA-04)."""
        if not self.only_when_late:
            return True
        return known_on is not None and event_date is not None and known_on > event_date

    @property
    def side(self) -> str:
        """Which side of the house the rule serves: 'leistung', 'integration' or 'other'."""
        if self.target == self.Target.LEISTUNG:
            return "leistung"
        if self.target in (self.Target.INTEGRATION, self.Target.IFK):
            return "integration"
        if self.team_kind == Team.Kind.LEISTUNG:
            return "leistung"
        if self.team_kind in (Team.Kind.INTEGRATION_U25, Team.Kind.INTEGRATION_UE25):
            return "integration"
        return "other"


class VermerkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VermerkQuerySet":
        """The notes `user` may read: on customers they may open, and of a kind their work
        needs (`routing.rules`: need to know, rule R-DS-01). Every view that shows a note's
        content loads it through here."""
        from intake.access import kunden_visible_to  # at call time: models load before access

        qs = self.filter(kunde__in=kunden_visible_to(user))
        if not user.has_perm("routing.read_consultation_notes"):
            qs = qs.exclude(kind=Vermerk.Kind.BERATUNG)
        if not user.has_perm("routing.read_notes_of_every_desk"):
            qs = qs.filter(models.Q(source=Vermerk.Source.EMPFANG) | models.Q(author=user))
        return qs


class Vermerk(models.Model):
    """An information note on a customer (rules R-IA-01, R-TE-04)."""

    class Kind(models.TextChoices):
        ALLGEMEIN = "allgemein", _("Allgemeiner Vermerk")
        BERATUNG = "beratung", _("Beratungsvermerk")

    class Source(models.TextChoices):
        """The desk where the information came in (rule R-IA-02)."""

        EMPFANG = "empfang", _("Servicetheke / Empfang")
        EINGANGSZONE = "eingangszone", _("Eingangszone")
        LEISTUNG = "leistung", _("Leistung")
        INTEGRATION = "integration", _("Integration")
        HOTLINE = "hotline", _("Hotline / Servicecenter")
        TEAMLEITUNG = "teamleitung", _("Teamleitung")
        API = "api", _("Schnittstelle (anderes System)")

    kunde = models.ForeignKey("intake.Kunde", on_delete=models.PROTECT, related_name="vermerke")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("Betreff"), max_length=200)
    text = models.TextField(_("Text"), blank=True)
    known_on = models.DateField(_("bekannt geworden am"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    information_type = models.ForeignKey(
        InformationType,
        verbose_name=_("Informationsart"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vermerke",
    )
    source = models.CharField(
        _("eingegangen bei"), max_length=20, choices=Source.choices, blank=True
    )
    urgent = models.BooleanField(_("dringend"), default=False)
    event_date = models.DateField(_("Datum"), null=True, blank=True)
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    attachment_ref = models.CharField(_("Anlagen (Verweis)"), max_length=200, blank=True)
    follow_up_on = models.DateField(_("Wiedervorlage am"), null=True, blank=True)

    objects = VermerkQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vermerk")
        verbose_name_plural = _("Vermerke")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    def is_visible_to(self, user) -> bool:
        """`VermerkQuerySet.visible_to` for a note reached through a row the user may
        already open (a mailbox item): only the kind is left to check."""
        return self.kind != self.Kind.BERATUNG or user.has_perm("routing.read_consultation_notes")


class AufgabeQuerySet(models.QuerySet):
    def open(self) -> "AufgabeQuerySet":
        return self.filter(status=Aufgabe.Status.OPEN)


class Aufgabe(models.Model):
    """A task, a routed note or a ticket in a team mailbox (Postfach) or with a person."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        DONE = "done", _("erledigt")

    class Kind(models.TextChoices):
        TASK = "task", _("Aufgabe")
        NOTE = "note", _("Vermerk")
        TICKET = "ticket", _("Ticket")

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
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    vermerk = models.ForeignKey(
        Vermerk,
        verbose_name=_("Vermerk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("Regel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aufgaben",
    )
    urgent = models.BooleanField(_("dringend"), default=False)
    call_requested = models.BooleanField(
        _("telefonisch vorab informieren"),
        default=False,
        help_text=_("Dringende Information der Integration: zusätzlich per Telefon (WU 2d)."),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("übernommen von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)
    follow_up_on = models.DateField(_("Wiedervorlage am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erledigt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    done_note = models.TextField(_("Was wurde getan?"), blank=True)
    # Where the work of the task is done (e.g. the EG booking of the case). Tasks pointing at
    # a page close themselves when that work is done there (`aufgaben_done_for_work`).
    work_url = models.CharField(_("Zur Bearbeitung"), max_length=200, blank=True)

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
        indexes = [
            models.Index(fields=["postfach", "status", "-created_at"], name="aufgabe_mailbox"),
            models.Index(fields=["assignee", "status"], name="aufgabe_personal"),
            # A mailbox's "erledigt" view, newest first: it grows without end.
            models.Index(
                fields=["postfach", "-done_at", "-id"],
                name="aufgabe_done",
                condition=Q(status="done"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def follow_up_state(self, today) -> str:
        """'' (none or later), 'due' (today) or 'overdue' (past)."""
        if self.follow_up_on is None or not self.is_open:
            return ""
        if self.follow_up_on < today:
            return "overdue"
        if self.follow_up_on == today:
            return "due"
        return ""

    @property
    def stands_out(self) -> bool:
        """Unclaimed urgent items must not be overlooked."""
        return self.is_open and self.urgent and self.claimed_by_id is None


class AufgabeEvent(models.Model):
    """The path of an item and what was done with it: one row per step."""

    class Action(models.TextChoices):
        CREATED = "created", _("angelegt")
        ROUTED = "routed", _("zugestellt nach Regel")
        FORWARDED = "forwarded", _("weitergeleitet")
        REROUTED = "rerouted", _("von Hand umgeleitet")
        CLAIMED = "claimed", _("übernommen")
        RELEASED = "released", _("freigegeben")
        FOLLOW_UP = "follow_up", _("Wiedervorlage gesetzt")
        DONE = "done", _("erledigt")
        IDENTIFIED = "identified", _("Identität ergänzt")

    aufgabe = models.ForeignKey(Aufgabe, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    postfach = models.ForeignKey(
        "jobcenter.Postfach", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Verlaufseintrag")
        verbose_name_plural = _("Verlauf")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["rule", "action"], name="aufgabe_event_rule")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d.%m.%Y %H:%M}"


class HotlineTicket(models.Model):
    """What the hotline takes on the phone besides the ticket in the mailbox (WU 2c, RL 4.4).

    The `aufgabe` is the ticket in the team's mailbox, with the callback clock of rule
    R-RU-01; this row keeps who called, the number to call back (as the caller gave it) and
    when they can be reached. A caller not on file has no `aufgabe.kunde` until the team
    completes the identity on the ticket (`identified_by`/`identified_at`, audited).
    """

    class Kind(models.TextChoices):
        RUECKRUFBITTE = "rueckrufbitte", _("Rückrufbitte")
        SACHSTANDSANFRAGE = "sachstandsanfrage", _("Sachstandsanfrage")

    aufgabe = models.OneToOneField(Aufgabe, on_delete=models.CASCADE, related_name="hotline_ticket")
    kind = models.CharField(_("Art des Tickets"), max_length=20, choices=Kind.choices)
    caller_name = models.CharField(_("Name laut Anruf"), max_length=200, blank=True)
    caller_details = models.CharField(_("weitere Angaben laut Anruf"), max_length=300, blank=True)
    callback_number = models.CharField(_("Rückrufnummer"), max_length=40)
    reachable_from = models.DateTimeField(_("erreichbar ab"), null=True, blank=True)
    reachable_until = models.DateTimeField(_("erreichbar bis"), null=True, blank=True)
    reachable_note = models.CharField(_("Hinweis zur Erreichbarkeit"), max_length=300, blank=True)
    # The site whose phone hours the callback keeps to (rule R-OE-02).
    standort = models.ForeignKey(
        "jobcenter.Standort",
        verbose_name=_("Standort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Identität ergänzt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identified_at = models.DateTimeField(_("Identität ergänzt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Hotline-Ticket")
        verbose_name_plural = _("Hotline-Tickets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reachable_from__isnull=True, reachable_until__isnull=True)
                | models.Q(reachable_from__lt=models.F("reachable_until")),
                name="hotline_ticket_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.aufgabe_id}"

    @property
    def has_window(self) -> bool:
        return self.reachable_from is not None


class ApiClient(models.Model):
    """Another system that raises tickets through the JSON API. The token is kept hashed."""

    jobcenter = models.ForeignKey(
        "jobcenter.Jobcenter", on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(_("Name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technisches Konto"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_("Als Verfasser der Tickets eingetragen; kann sich nicht anmelden."),
    )
    token_prefix = models.CharField(_("Token-Präfix"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Schnittstellen-Zugang")
        verbose_name_plural = _("Schnittstellen-Zugänge")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["jobcenter", "name"], name="uniq_api_client_name")
        ]

    def __str__(self) -> str:
        return self.name


class ApiSubmission(models.Model):
    """One accepted API call, keyed by the client's own key: a retry returns the same answer."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="submissions")
    client_key = models.CharField(max_length=100)
    payload_hash = models.CharField(max_length=64)
    vermerk = models.ForeignKey(Vermerk, on_delete=models.PROTECT, related_name="+")
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Schnittstellen-Meldung")
        verbose_name_plural = _("Schnittstellen-Meldungen")
        constraints = [
            models.UniqueConstraint(fields=["client", "client_key"], name="uniq_api_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.client_key}"
