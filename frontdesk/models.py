"""The front desk (rules R-EM-01, R-EM-02, R-WS-01): the concern catalogue, walk-in visits, desks, displays.

A visit (Besuch) is one customer's presence in the house under one waiting number. Each
pass through a queue is a contact (Kontakt): it waits from joining the queue to the call-up
and is processed from the call-up to its end. Every state change is a VisitEvent.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jobcenter.models import Jobcenter, Standort, Team

# --- the concern catalogue -------------------------------------------------------------------


class ConcernClass(models.Model):
    """One of Rhein-Lahn's four classes of walk-in concerns (rule R-EM-02), per Jobcenter."""

    jobcenter = models.ForeignKey(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.CASCADE,
        related_name="concern_classes",
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Anliegensklasse")
        verbose_name_plural = _("Anliegensklassen")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "name"],
                name="uniq_concern_class_name",
                violation_error_message=_("Diese Klasse gibt es in diesem Jobcenter bereits."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ConcernQuerySet(models.QuerySet):
    def active(self) -> "ConcernQuerySet":
        return self.filter(active=True)

    def of(self, jobcenter) -> "ConcernQuerySet":
        """The concerns of one Jobcenter's catalogue (a Jobcenter or its id)."""
        return self.filter(jobcenter=jobcenter)

    def for_forms(self, jobcenter) -> "ConcernQuerySet":
        return self.of(jobcenter).active().select_related("concern_class")

    def with_choice_flag(self) -> "ConcernQuerySet":
        """Whether each concern offers the desk a choice of information types (rule
        R-IA-03), so the choices are read only for those (`attach_desk_choices`)."""
        return self.annotate(
            has_desk_choices=models.Exists(
                ConcernTypeChoice.objects.filter(
                    concern=models.OuterRef("pk"), information_type__active=True
                )
            )
        )


class Concern(models.Model):
    """A concern a walk-in customer comes with, and where it goes (rule R-EM-02).

    Data each Jobcenter edits for itself (seeded from `frontdesk/catalogue.py`). A concern
    is never deleted, only deactivated: customers who are already waiting with it keep it.
    """

    class Handler(models.TextChoices):
        EMPFANG = "empfang", _("Empfang / Anlaufstelle")
        EINGANGSZONE = "eingangszone", _("Eingangszone")
        LEISTUNG = "leistung", _("Leistung")
        SACHBEARBEITUNG = "sachbearbeitung", _("Sachbearbeitung")
        BUT = "but", _("Bildung und Teilhabe (BuT-Team)")
        INTEGRATION = "integration", _("Integration (pAp)")
        FACHBEREICH = "fachbereich", _("zuständiger Fachbereich")

    class Route(models.TextChoices):
        DESK = "desk", _("am Schalter abschließend")
        IN_PERSON = "in_person", _("persönliche Weiterleitung am selben Tag")
        TICKET = "ticket", _("Ticket, Rückruf binnen 24 Stunden")
        APPOINTMENT = "appointment", _("Termin")

    class Record(models.TextChoices):
        NONE = "", _("nichts")
        VERMERK = "vermerk", _("Vermerk in der Kundenhistorie")

    jobcenter = models.ForeignKey(
        Jobcenter, verbose_name=_("Jobcenter"), on_delete=models.CASCADE, related_name="concerns"
    )
    code = models.SlugField(
        _("Kürzel"), max_length=40, help_text=_("Fester Schlüssel, z. B. unterlagen.")
    )
    name = models.CharField(_("Anliegen"), max_length=200)
    concern_class = models.ForeignKey(
        ConcernClass, verbose_name=_("Klasse"), on_delete=models.PROTECT, related_name="concerns"
    )
    handled_by = models.CharField(_("bearbeitet von"), max_length=20, choices=Handler.choices)
    route = models.CharField(_("wie"), max_length=20, choices=Route.choices)
    handouts = models.CharField(_("aushändigen"), max_length=300, blank=True)
    information_type = models.ForeignKey(
        "routing.InformationType",
        verbose_name=_("Informationsart"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        help_text=_(
            "Was dieses Anliegen erfasst. Wird es am Schalter erledigt oder weitergegeben, "
            "entsteht ein Vermerk dieser Art; an welche Postfächer er geht, bestimmen allein "
            "die Weiterleitungsregeln der Informationsart."
        ),
    )
    record = models.CharField(
        _("ohne Informationsart"),
        max_length=10,
        choices=Record.choices,
        blank=True,
        default=Record.NONE,
        help_text=_(
            "Nur für Anliegen ohne Informationsart: ein Vermerk in der Kundenhistorie, "
            "der an niemanden weitergeleitet wird."
        ),
    )
    target_wait_minutes = models.PositiveSmallIntegerField(
        _("Ziel-Wartezeit (Minuten)"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    notes = models.TextField(_("Hinweise"), blank=True)
    reference = models.CharField(_("Quelle"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    active = models.BooleanField(
        _("aktiv"), default=True, help_text=_("Inaktive Anliegen werden nicht mehr angeboten.")
    )

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("Anliegen")
        verbose_name_plural = _("Anliegen (Katalog)")
        ordering = ["concern_class__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "code"],
                name="uniq_concern_code",
                violation_error_message=_("Dieses Kürzel gibt es in diesem Jobcenter bereits."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.information_type_id is not None
            and self.jobcenter_id is not None
            and self.information_type.jobcenter_id != self.jobcenter_id
        ):
            raise ValidationError(
                {
                    "information_type": _(
                        "Diese Informationsart gehört zu einem anderen Jobcenter: bitte eine "
                        "Informationsart des eigenen Jobcenters wählen."
                    )
                }
            )

    @property
    def routes(self) -> bool:
        """The desk's note goes where routing's rules send its information type."""
        return self.information_type_id is not None or self.type_chosen_at_desk

    @property
    def type_chosen_at_desk(self) -> bool:
        """The desk picks what was reported or handed in (rule R-IA-03): the concern offers
        a short list of information types, and routing's table decides the mailboxes."""
        return bool(self.desk_choices)

    @cached_property
    def desk_choices(self) -> list["ConcernTypeChoice"]:
        return [
            c
            for c in self.type_choices.select_related("information_type").order_by("position", "pk")
            if c.information_type.active
        ]

    @property
    def wants_vermerk(self) -> bool:
        return self.routes or self.record == self.Record.VERMERK


class ConcernTypeChoice(models.Model):
    """One answer to "what was reported / handed in?" for a concern, most frequent first."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("Anliegen"), on_delete=models.CASCADE, related_name="type_choices"
    )
    information_type = models.ForeignKey(
        "routing.InformationType",
        verbose_name=_("Informationsart"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    label = models.CharField(
        _("Bezeichnung am Schalter"),
        max_length=100,
        blank=True,
        help_text=_("Kurz, z. B. „Arbeitsvertrag“; leer: die Bezeichnung der Informationsart."),
    )
    position = models.PositiveSmallIntegerField(
        _("Reihenfolge"), default=0, help_text=_("Das Häufigste zuerst.")
    )

    class Meta:
        verbose_name = _("Auswahl am Schalter")
        verbose_name_plural = _("Auswahl am Schalter: was wurde mitgeteilt oder abgegeben?")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "information_type"], name="uniq_concern_type_choice"
            )
        ]

    def __str__(self) -> str:
        return self.label or str(self.information_type)

    def clean(self) -> None:
        if (
            self.concern_id
            and self.information_type_id
            and self.information_type.jobcenter_id != self.concern.jobcenter_id
        ):
            raise ValidationError(
                {"information_type": _("Bitte eine Informationsart des eigenen Jobcenters wählen.")}
            )


# --- sites, desks and displays --------------------------------------------------------------


class SiteSettings(models.Model):
    """How the queue of one site works. Without a row the defaults apply."""

    standort = models.OneToOneField(
        Standort, on_delete=models.CASCADE, related_name="frontdesk_settings"
    )
    number_prefix = models.CharField(
        _("Buchstabe der Wartenummern"),
        max_length=2,
        default="A",
        validators=[RegexValidator(r"^[A-Z]{1,2}$", _("Ein oder zwei Großbuchstaben."))],
    )
    no_show_after_calls = models.PositiveSmallIntegerField(
        _("„nicht erschienen“ nach Aufrufen"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    no_show_min_minutes = models.PositiveSmallIntegerField(
        _("„nicht erschienen“ frühestens nach Minuten zwischen erstem und letztem Aufruf"),
        default=2,
        validators=[MaxValueValidator(30)],
    )
    recall_ignored_seconds = models.PositiveSmallIntegerField(
        _("erneuter Aufruf zählt nicht, wenn er so viele Sekunden nach dem letzten kommt"),
        default=5,
        validators=[MaxValueValidator(60)],
        help_text=_("Mehrfaches Klicken kurz hintereinander ist ein Aufruf."),
    )
    # The expected waiting time on the ticket: until desks have finished someone today.
    default_service_minutes = models.PositiveSmallIntegerField(
        _("angenommene Bearbeitungszeit je Person (Minuten)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Für die voraussichtliche Wartezeit auf der Wartemarke, solange heute noch "
            "niemand fertig bedient ist."
        ),
    )

    class Meta:
        verbose_name = _("Einstellungen der Warteschlange")
        verbose_name_plural = _("Einstellungen der Warteschlangen")

    def __str__(self) -> str:
        return str(self.standort)


class DailyCounter(models.Model):
    """The waiting numbers of one site and day, drawn under a row lock."""

    standort = models.ForeignKey(Standort, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["standort", "day"], name="uniq_frontdesk_counter")
        ]

    def __str__(self) -> str:
        return f"{self.standort_id} {self.day}: {self.last_value}"


class Desk(models.Model):
    """A counter or room customers are called to, and the queues (teams) it serves."""

    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.CASCADE, related_name="desks"
    )
    name = models.CharField(
        _("Bezeichnung"),
        max_length=50,
        help_text=_("So steht es auf der Anzeige, z. B. Schalter 2."),
    )
    teams = models.ManyToManyField(
        Team,
        verbose_name=_("bedient die Warteschlangen der Teams"),
        related_name="desks",
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)
    occupied_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besetzt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="desk",
    )
    opened_at = models.DateTimeField(_("geöffnet seit"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("zuletzt aktiv"), null=True, blank=True)

    class Meta:
        verbose_name = _("Schalter")
        verbose_name_plural = _("Schalter")
        ordering = ["standort", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["standort", "name"], name="uniq_desk_name"),
        ]

    def __str__(self) -> str:
        return self.name


DISPLAY_TOKEN_PREFIX_LENGTH = 12


def new_display_token() -> str:
    """A fresh display key: a non-secret lookup prefix, a dot, 256 random bits."""
    return f"{secrets.token_hex(DISPLAY_TOKEN_PREFIX_LENGTH // 2)}.{secrets.token_urlsafe(32)}"


def display_token_prefix(token: str) -> str:
    """The part of a key kept in clear to find its display (older keys: their first 12
    characters, which leaves 120 secret bits)."""
    return token[:DISPLAY_TOKEN_PREFIX_LENGTH]


def _no_key_prefix() -> str:
    # "!" never starts an issued key; with an empty hash nothing can match it anyway.
    return "!" + secrets.token_hex(7)


class Display(models.Model):
    """A screen in a waiting room. It needs no login: its unguessable key is in its address.
    Only a SHA-256 hash of the key is stored; the address is shown once, when the key is
    issued (frontdesk.services.displays.display_create / display_new_key)."""

    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.CASCADE, related_name="displays"
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    token_prefix = models.CharField(
        _("Schlüssel-Präfix"), max_length=16, unique=True, default=_no_key_prefix, editable=False
    )
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("zuletzt abgerufen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Aufrufanzeige")
        verbose_name_plural = _("Aufrufanzeigen")
        ordering = ["standort", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.token_hash)


class Kiosk(models.Model):
    """A self check-in terminal at a site's entrance (issue 16). Like a display it needs no
    login: its unguessable key is in its address, stored only as a SHA-256 hash (the same
    scheme, `new_display_token`). What it checks in is recorded under its own technical
    account (`account`: role Empfang, no usable password, never logs in), so the visit and
    the appointment's arrival are the reception's own records, attributed to this device."""

    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.CASCADE, related_name="kiosks"
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    token_prefix = models.CharField(
        _("Schlüssel-Präfix"), max_length=16, unique=True, default=_no_key_prefix, editable=False
    )
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technisches Konto"),
        on_delete=models.PROTECT,
        related_name="kiosk",
        editable=False,
    )
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("zuletzt abgerufen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kiosk (Selbst-Check-in)")
        verbose_name_plural = _("Kiosks (Selbst-Check-in)")
        ordering = ["standort", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.token_hash)


# --- visits -------------------------------------------------------------------------------


class VisitState(models.TextChoices):
    WAITING = "waiting", _("wartet")
    CALLED = "called", _("aufgerufen")
    PARKED = "parked", _("geparkt")
    DONE = "done", _("erledigt")
    NO_SHOW = "no_show", _("nicht erschienen")
    CANCELLED = "cancelled", _("abgemeldet")


OPEN_VISIT_STATES = (VisitState.WAITING, VisitState.CALLED, VisitState.PARKED)


class Outcome(models.TextChoices):
    # How a visit ends (domain.md §2 Besuch) ...
    RESOLVED = "resolved", _("abschließend geklärt")
    PASSED_ON = "passed_on", _("weitergeleitet")
    TICKET = "ticket", _("Ticket (Rückruf binnen 24 Stunden)")
    APPOINTMENT = "appointment", _("Termin vergeben")
    # Checked in at the reception and sent straight to the booked appointment.
    TO_APPOINTMENT = "to_appointment", _("zum Termin geschickt")
    # ... and how a single contact can end besides.
    FORWARDED = "forwarded", _("an eine andere Warteschlange weitergeleitet")
    PARKED = "parked", _("geparkt")
    NO_SHOW = "no_show", _("nicht erschienen")
    CANCELLED = "cancelled", _("abgemeldet")


VISIT_OUTCOMES = (
    Outcome.RESOLVED,
    Outcome.PASSED_ON,
    Outcome.TICKET,
    Outcome.APPOINTMENT,
    Outcome.TO_APPOINTMENT,
)
# A contact that ended the visit with a result: the customer was served ("bedient" in the
# live view and the reports). A contact forwarded to another queue is work, not yet service.
SERVED_OUTCOMES = VISIT_OUTCOMES


class PriorityReason(models.TextChoices):
    NONE = "", _("kein Vorrang")
    MITTELLOSIGKEIT = "mittellosigkeit", _("akute Mittellosigkeit")
    BEHINDERUNG = "behinderung", _("Behinderung / gesundheitliche Einschränkung")
    SCHWANGERSCHAFT = "schwangerschaft", _("Schwangerschaft")
    KLEINKIND = "kleinkind", _("mit Kleinkind")
    SONSTIGES = "sonstiges", _("anderer Grund")


class VisitQuerySet(models.QuerySet):
    def waiting(self) -> "VisitQuerySet":
        return self.filter(state=VisitState.WAITING)

    def in_queue_order(self) -> "VisitQuerySet":
        # Priority first, then by the time the customer joined this queue (rule R-WS-01).
        return self.order_by("-priority", "queued_at", "pk")


class Visit(FSMModelMixin, models.Model):
    """A walk-in visit (Besuch) under one waiting number (domain.md §2)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.PROTECT, related_name="+")
    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.PROTECT, related_name="visits"
    )
    day = models.DateField(_("Tag"))
    # Empty for a visit settled at the reception at once: it never waits, so no number is
    # drawn and no Wartemarke printed; it still counts in the reports.
    number = models.CharField(_("Wartenummer"), max_length=8, blank=True)
    kunde = models.ForeignKey(
        "intake.Kunde",
        verbose_name=_("Kundin / Kunde"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("Warteschlange"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Termin bei"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appointment_at = models.DateTimeField(_("Termin um"), null=True, blank=True)
    appointment = models.ForeignKey(
        "appointments.Appointment",
        verbose_name=_("Termin"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.BooleanField(_("Vorrang"), default=False)
    priority_reason = models.CharField(
        _("Grund des Vorrangs"),
        max_length=20,
        choices=PriorityReason.choices,
        blank=True,
        default=PriorityReason.NONE,
    )
    priority_note = models.CharField(_("Erläuterung des Vorrangs"), max_length=200, blank=True)
    state = FSMField(
        _("Status"),
        max_length=20,
        choices=VisitState.choices,
        default=VisitState.WAITING,
        protected=True,
    )
    checked_in_at = models.DateTimeField(_("angemeldet um"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The queue order: when the customer joined the current queue (kept when they come back
    # from fetching documents, so they do not lose their place).
    queued_at = models.DateTimeField(_("in der Warteschlange seit"))
    desk = models.ForeignKey(
        Desk,
        verbose_name=_("Schalter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_at = models.DateTimeField(_("aufgerufen um"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("zuletzt aufgerufen um"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("Aufrufe"), default=0)
    finished_at = models.DateTimeField(_("beendet um"), null=True, blank=True)
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices, blank=True)
    settled_at_reception = models.BooleanField(_("am Empfang erledigt"), default=False)
    no_show_after = models.PositiveSmallIntegerField(default=3)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("Besuch")
        verbose_name_plural = _("Besuche")
        ordering = ["-checked_in_at"]
        permissions = [
            (
                "view_employee_figures",
                _("Auswertungen je Mitarbeiterin / Mitarbeiter einsehen (nur mit Teamleitung)"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["standort", "day", "number"],
                condition=~Q(number=""),
                name="uniq_visit_number",
            ),
            # A desk has at most one customer called at a time.
            models.UniqueConstraint(
                fields=["desk"], condition=Q(state="called"), name="one_called_visit_per_desk"
            ),
            models.CheckConstraint(
                condition=~Q(state="called") | Q(desk__isnull=False), name="called_visit_has_desk"
            ),
        ]
        indexes = [
            models.Index(
                fields=["standort", "team", "-priority", "queued_at"],
                condition=Q(state="waiting"),
                name="visit_queue",
            ),
            models.Index(fields=["standort", "day"], name="visit_site_day"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("am Empfang erledigt"))

    # --- rules about one visit ------------------------------------------------------------

    def enough_calls(self) -> bool:
        return self.call_count >= self.no_show_after

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_VISIT_STATES

    # --- transitions: they only change fields; frontdesk.services checks and records ----
    # Who may take them: the permissions of frontdesk/rules.py.

    @transition(
        field=state,
        source=[VisitState.WAITING, VisitState.PARKED],
        target=VisitState.CALLED,
        permission="frontdesk.work_visit",
    )
    def call(self, *, desk: Desk, user, at) -> None:
        self.desk = desk
        self.served_by = user
        self.called_at = at
        self.last_called_at = at
        self.call_count = 1

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.CALLED,
        permission="frontdesk.work_visit",
    )
    def recall(self, *, at) -> None:
        self.last_called_at = at
        self.call_count += 1

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.WAITING,
        permission="frontdesk.work_visit",
    )
    def requeue(self) -> None:
        self._leave_desk()

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.PARKED,
        permission="frontdesk.work_visit",
    )
    def park(self) -> None:
        self._leave_desk()

    @transition(
        field=state,
        source=VisitState.PARKED,
        target=VisitState.WAITING,
        permission="frontdesk.receive_visit",
    )
    def come_back(self) -> None:
        pass

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.WAITING,
        permission="frontdesk.work_visit",
    )
    def pass_on(self, *, team: Team, at) -> None:
        self._leave_desk()
        self.team = team
        self.queued_at = at
        self.assigned_to = None

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.DONE,
        permission="frontdesk.work_visit",
    )
    def finish(self, *, outcome: str, at) -> None:
        self.outcome = outcome
        self.finished_at = at

    @transition(
        field=state,
        source=VisitState.WAITING,
        target=VisitState.DONE,
        permission="frontdesk.receive_visit",
    )
    def settle_at_reception(self, *, outcome: str, at) -> None:
        self.outcome = outcome
        self.finished_at = at
        self.settled_at_reception = True

    @transition(
        field=state,
        source=VisitState.CALLED,
        target=VisitState.NO_SHOW,
        conditions=[enough_calls],
        permission="frontdesk.work_visit",
    )
    def no_show(self, *, at) -> None:
        self.finished_at = at

    @transition(
        field=state,
        source=[VisitState.WAITING, VisitState.PARKED],
        target=VisitState.CANCELLED,
        permission="frontdesk.receive_visit",
    )
    def cancel(self, *, at) -> None:
        self.finished_at = at

    def _leave_desk(self) -> None:
        self.desk = None
        self.served_by = None
        self.called_at = None
        self.call_count = 0


class VisitConcern(models.Model):
    """A concern of a visit: stated at check-in, or added at the desk; and whether handled."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visit_concerns")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    stated = models.BooleanField(_("bei der Anmeldung genannt"), default=True)
    handled = models.BooleanField(_("bearbeitet"), null=True)
    information_type = models.ForeignKey(
        "routing.InformationType",
        verbose_name=_("am Schalter gewählte Informationsart"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Anliegen des Besuchs")
        verbose_name_plural = _("Anliegen des Besuchs")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "concern"], name="uniq_visit_concern")
        ]

    def __str__(self) -> str:
        return str(self.concern)


class Contact(models.Model):
    """One pass through a queue: waiting from queued_at to called_at, processing to ended_at.

    Contacts settled at the reception (no queue, no desk) have `at_reception` set and no
    waiting or processing time.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="contacts")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call_count = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    at_reception = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Kundenkontakt")
        verbose_name_plural = _("Kundenkontakte")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(ended_at__isnull=True), name="one_open_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.queued_at:%H:%M}"


class VisitEvent(models.Model):
    """Every state change of a visit, timestamped, with who did it and at which desk."""

    class Action(models.TextChoices):
        CHECK_IN = "check_in", _("angemeldet")
        CALL = "call", _("aufgerufen")
        CALL_SPECIFIC = "call_specific", _("gezielt aufgerufen")
        RECALL = "recall", _("erneut aufgerufen")
        REQUEUE = "requeue", _("zurück in die Warteschlange")
        PARK = "park", _("geparkt")
        COME_BACK = "come_back", _("zurück aus dem Parken")
        PASS_ON = "pass_on", _("weitergeleitet")
        FINISH = "finish", _("abgeschlossen")
        SETTLE = "settle", _("am Empfang erledigt")
        NO_SHOW = "no_show", _("nicht erschienen")
        CANCEL = "cancel", _("abgemeldet")
        IDENTIFY = "identify", _("Kundin / Kunde zugeordnet")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    # Denormalised for the waiting-room display, which reads the latest calls of a site.
    standort = models.ForeignKey(Standort, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField()
    # None for the system (the end-of-day closing).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Ereignis des Besuchs")
        verbose_name_plural = _("Ereignisse der Besuche")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["standort", "at"], name="visitevent_site_at")]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action} {self.at:%H:%M:%S}"

    @property
    def target_label(self) -> str:
        try:
            return str(VisitState(self.target).label)
        except ValueError:
            return self.target


class StaffAlarm(models.Model):
    """A silent alarm (Notruf) raised by a member of staff: their colleagues on duty at the
    same site see it at once, the site's security contact is told by mail."""

    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.CASCADE, related_name="alarms"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ausgelöst von"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("ausgelöst um"), default=timezone.now)
    place = models.CharField(_("Ort (Schalter oder Raum)"), max_length=200)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("übernommen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("übernommen um"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beendet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("beendet um"), null=True, blank=True)
    notified_at = models.DateTimeField(
        _("Sicherheitsdienst benachrichtigt um"), null=True, blank=True
    )
    # Every change moves this: the version the pages' poll compares (one indexed query).
    changed_at = models.DateTimeField(_("geändert um"), default=timezone.now)

    class Meta:
        verbose_name = _("Notruf")
        verbose_name_plural = _("Notrufe")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["standort", "changed_at"], name="alarm_site_changed")]

    def __str__(self) -> str:
        return f"{self.standort_id} {self.raised_at:%Y-%m-%d %H:%M}"


# --- what the polls show: one version per site ---------------------------------------------


class SiteVersion(models.Model):
    """A counter per site, raised in the same transaction as every write that changes what
    the desk lists and the waiting-room displays of the site show (frontdesk.versions). A
    poll that brings the version it last saw gets "304 Not Modified" from this one row."""

    standort = models.OneToOneField(
        Standort, primary_key=True, on_delete=models.CASCADE, related_name="frontdesk_version"
    )
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("Stand der Anzeigen")
        verbose_name_plural = _("Stände der Anzeigen")

    def __str__(self) -> str:
        return f"{self.standort_id}: {self.value}"


def attach_desk_choices(concerns) -> None:
    """`Concern.desk_choices` of many concerns in one query (none for the concerns read with
    `with_choice_flag` that offer no choice)."""
    pending = [c for c in concerns if "desk_choices" not in c.__dict__]
    asking = [c for c in pending if getattr(c, "has_desk_choices", True)]
    by_concern: dict[int, list] = {c.pk: [] for c in pending}
    if asking:
        for choice in (
            ConcernTypeChoice.objects.filter(
                concern_id__in=[c.pk for c in asking], information_type__active=True
            )
            .select_related("information_type")
            .order_by("position", "pk")
        ):
            by_concern[choice.concern_id].append(choice)
    for concern in pending:
        concern.__dict__["desk_choices"] = by_concern[concern.pk]
