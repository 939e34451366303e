from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobcenter.models import Jobcenter, Postfach, Team

from .workdays import parse_window


class ClosingDay(models.Model):
    """A Jobcenter's own closing day, or a default closing day (24/31 Dec) it opens on."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="closing_days")
    day = models.DateField(_("Tag"))
    closed = models.BooleanField(
        _("geschlossen"),
        default=True,
        help_text=_("Abwählen, um an einem Standard-Schließtag (24.12., 31.12.) zu öffnen."),
    )
    reason = models.CharField(_("Anlass"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Schließtag")
        verbose_name_plural = _("Schließtage")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["jobcenter", "day"], name="uniq_closing_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.reason}"

    def clean(self) -> None:
        if not self.closed and (self.day.month, self.day.day) not in ((12, 24), (12, 31)):
            raise ValidationError(
                _("Öffnen lässt sich nur ein Standard-Schließtag (24.12. oder 31.12.).")
            )


class RuleKind(models.TextChoices):
    ENTRY_CHECK = "entry_check", _("Eingangsprüfung")
    VERSAGUNG = "versagung", _("Versagung bei fehlender Mitwirkung")
    DECISION = "decision", _("Entscheidung über den Antrag")
    FIRST_CONSULTATION = "first_consultation", _("Erstgespräch")
    CALLBACK = "callback", _("Rückruf auf ein Ticket")
    CONTACT_DENSITY = "contact_density", _("Kontaktdichte")
    CASE_CLOSURE = "case_closure", _("Fallabschluss")
    KOOPERATIONSPLAN = "kooperationsplan", _("Kooperationsplan fortschreiben")
    # Follow-ups at the contacts (Nachhaltung, rules R-NH-01 to R-NH-05).
    VV_FEEDBACK = "vv_feedback", _("Rückmeldung zum Vermittlungsvorschlag")
    MEASURE_END = "measure_end", _("Termin zum Maßnahmeende")
    SCHOOL_CERTIFICATE = "school_certificate", _("Schulbescheinigung")
    LEAVING_CLASS = "leaving_class", _("Einladung der Schulentlassklasse")
    AVAILABILITY_REVIEW = "availability_review", _("Überprüfung der Einschränkung nach § 10")


class StartEvent(models.TextChoices):
    APPLICATION = "application", _("Antragstellung")
    DOCUMENTS_COMPLETE = "documents_complete", _("Unterlagen vollständig")
    ENTITLEMENT = "entitlement", _("Leistungsanspruch bestätigt")
    TICKET = "ticket", _("Ticket angelegt")
    LAST_CONTACT = "last_contact", _("letzter qualifizierter Kontakt")
    BENEFIT_ENDED = "benefit_ended", _("Leistungsbezug beendet")
    KOOPERATIONSPLAN = "kooperationsplan", _("Kooperationsplan vereinbart oder fortgeschrieben")
    VV_RECEIVED = "vv_received", _("Vermittlungsvorschlag erhalten")
    MEASURE_WINDOW = "measure_window", _("vier Wochen vor Maßnahmeende")
    SCHOOL_YEAR = "school_year", _("letzte Schulbescheinigung")
    LEAVING_YEAR = "leaving_year", _("Beginn des Entlassjahres")
    AVAILABILITY_REVIEWED = "availability_reviewed", _("letzte Überprüfung der Einschränkung")


class CompletingEvent(models.TextChoices):
    ENTRY_CHECK = "entry_check", _("Eingangsprüfung abgeschlossen")
    DECISION = "decision", _("Entscheidung")
    FIRST_CONSULTATION = "first_consultation", _("Erstgespräch durchgeführt")
    CALLBACK = "callback", _("Rückruf erfolgt")
    CONTACT = "contact", _("qualifizierter Kontakt")
    CASE_CLOSURE = "case_closure", _("Fallabschluss bearbeitet")
    KOOPERATIONSPLAN = "kooperationsplan", _("Kooperationsplan fortgeschrieben")
    VV_FEEDBACK = "vv_feedback", _("Rückmeldung zur Bewerbung")
    SCHOOL_CERTIFICATE = "school_certificate", _("Schulbescheinigung liegt vor")
    INVITATION = "invitation", _("eingeladen oder Termin gebucht")
    AVAILABILITY_REVIEW = "availability_review", _("Einschränkung überprüft")


class Scope(models.TextChoices):
    ALL = "", _("alle Eingangswege")
    PERSONAL = "personal", _("nur persönliche Antragstellung")
    OTHER = "other", _("alle anderen Eingangswege")


class ApplicationKind(models.TextChoices):
    """Which applications a rule is for (the kinds of intake.Antrag)."""

    ALL = "", _("alle Anträge")
    ERSTANTRAG = "erstantrag", _("nur Erstanträge")


# The clocks that run once per person of the case, not once per case: the first
# consultation, for each erwerbsfähige Neukunde of the BG (rule R-EG-01).
PER_PERSON_KINDS = frozenset({"first_consultation"})

# The follow-ups of the IFK at the contacts (rules R-NH-01 to R-NH-05): the customer's own
# worklist rows show them, not the list of deadlines at risk.
FOLLOW_UP_KINDS = frozenset(
    {
        RuleKind.VV_FEEDBACK,
        RuleKind.MEASURE_END,
        RuleKind.SCHOOL_CERTIFICATE,
        RuleKind.LEAVING_CLASS,
        RuleKind.AVAILABILITY_REVIEW,
    }
)


# Kinds whose due moment is not a deadline to meet but a point in time from which something
# may be done: from it the Versagung may be issued (rule R-FR-02). Staff screens show them
# as "Versagung möglich", never as a breach or an on-time rate.
TIME_POINT_KINDS = frozenset({RuleKind.VERSAGUNG})

# The breach forecast's default effort per deadline, in caseworker minutes, when a rule names
# none (DeadlineRule.effort_minutes). Estimates of this project, set per Jobcenter in the admin.
DEFAULT_EFFORT_MINUTES: dict[str, int] = {
    RuleKind.ENTRY_CHECK: 20,
    RuleKind.VERSAGUNG: 15,
    RuleKind.DECISION: 60,
    RuleKind.FIRST_CONSULTATION: 60,
    RuleKind.CALLBACK: 10,
    RuleKind.CONTACT_DENSITY: 45,
    RuleKind.CASE_CLOSURE: 30,
    RuleKind.KOOPERATIONSPLAN: 45,
    RuleKind.VV_FEEDBACK: 10,
    RuleKind.MEASURE_END: 30,
    RuleKind.SCHOOL_CERTIFICATE: 10,
    RuleKind.LEAVING_CLASS: 20,
    RuleKind.AVAILABILITY_REVIEW: 20,
}


def validate_window(value: str) -> None:
    try:
        parse_window(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def validate_lead(value: str) -> None:
    if value.strip().lower().endswith("h"):
        try:
            hours = int(value.strip()[:-1])
        except ValueError:
            raise ValidationError(_("Vorlauf als „4h“ oder „1AT“ angeben.")) from None
        if not 0 < hours <= 240:
            raise ValidationError(_("Vorlauf in Stunden zwischen 1 und 240."))
        return
    validate_window(value)


class DeadlineRuleQuerySet(models.QuerySet):
    def in_force(
        self, *, jobcenter: Jobcenter, kind: str, scope: str, on: date, application_kind: str = ""
    ):
        """The rule valid on `on`: a case keeps the rule in force when its clock started.
        A rule for one kind of application only (Cottbus: decisions on Erstanträge) is
        none for the others."""
        return (
            self.filter(jobcenter=jobcenter, kind=kind, scope__in=[scope, Scope.ALL])
            .filter(application_kind__in=[application_kind, ApplicationKind.ALL])
            .filter(valid_from__lte=on)
            .order_by("-valid_from", "-scope")
            .first()
        )


class DeadlineRule(models.Model):
    """One minimum standard of a Jobcenter's rule profile, valid from a date."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("Regel"), max_length=30, choices=RuleKind.choices)
    scope = models.CharField(
        _("gilt für"), max_length=10, choices=Scope.choices, default=Scope.ALL, blank=True
    )
    application_kind = models.CharField(
        _("für Anträge"),
        max_length=20,
        choices=ApplicationKind.choices,
        default=ApplicationKind.ALL,
        blank=True,
    )
    start_event = models.CharField(_("Fristbeginn"), max_length=30, choices=StartEvent.choices)
    window = models.CharField(
        _("Frist"),
        max_length=10,
        validators=[validate_window],
        help_text=_("„24h“, „<n>AT“ (Arbeitstage) oder „<n>KT“ (Kalendertage)."),
    )
    completing_event = models.CharField(
        _("erfüllt durch"), max_length=30, choices=CompletingEvent.choices
    )
    warn_lead = models.CharField(
        _("Vorwarnung"),
        max_length=10,
        default="1AT",
        validators=[validate_lead],
        help_text=_("„1AT“: ab dem Arbeitstag vor Fristablauf; „4h“: vier Stunden vorher."),
    )
    valid_from = models.DateField(_("gültig ab"))
    source = models.CharField(_("Quelle"), max_length=200, blank=True)
    effort_minutes = models.PositiveSmallIntegerField(
        _("Aufwand je Frist (Minuten)"),
        null=True,
        blank=True,
        help_text=_(
            "Arbeitszeit einer Fachkraft, um eine Frist dieser Regel zu erfüllen; die Prognose "
            "der Fristüberschreitungen rechnet damit die nötigen Stunden. Leer: Standardwert."
        ),
    )

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("Fristregel")
        verbose_name_plural = _("Fristregeln (Regelprofil)")
        ordering = ["kind", "scope", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "kind", "scope", "valid_from"], name="uniq_rule_version"
            )
        ]

    def __str__(self) -> str:
        scope = f" ({self.get_scope_display()})" if self.scope else ""
        return f"{self.get_kind_display()}{scope}: {self.window} ab {self.valid_from:%d.%m.%Y}"

    @property
    def effort(self) -> int:
        """Minutes of work per deadline: the rule's own, else the default of its kind."""
        if self.effort_minutes is not None:
            return self.effort_minutes
        return DEFAULT_EFFORT_MINUTES.get(self.kind, 30)


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Deadline.Status.OPEN)

    def flagged(self, level: str | None = None):
        """The deadlines the scan (or a service behind its watermark) has flagged: those
        with an alert, of `level` if given. The alerts are the only record of a flag."""
        alerts = DeadlineAlert.objects.filter(deadline=models.OuterRef("pk"))
        if level:
            alerts = alerts.filter(level=level)
        return self.filter(models.Exists(alerts))


class Deadline(models.Model):
    """A deadline on a case, its due moment computed when the case changed and stored."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        MET = "met", _("fristgerecht erfüllt")
        LATE = "late", _("verspätet erfüllt")
        CANCELLED = "cancelled", _("entfallen")

    class Level(models.TextChoices):
        NONE = "none", _("im Plan")
        WARNING = "warning", _("droht abzulaufen")
        BREACH = "breach", _("überschritten")

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    # Indexes that the composite ones below already cover are left out: every index costs
    # the scan a write per flagged row (measured with `make bench`).
    antrag = models.ForeignKey(
        "intake.Antrag",
        on_delete=models.CASCADE,
        null=True,
        related_name="deadlines",
        db_index=False,
    )
    # A deadline belongs to a case, or to a customer (contact density), or to a ticket (callback).
    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    aufgabe = models.ForeignKey(
        "routing.Aufgabe",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    window = models.CharField(
        _("eigene Frist"),
        max_length=10,
        blank=True,
        validators=[validate_window],
        help_text=_("Ersetzt die Frist der Regel für diese eine Frist (z. B. 30KT)."),
    )
    started_at = models.DateTimeField(_("Fristbeginn"))
    due_at = models.DateTimeField(_("fällig am"))
    warn_at = models.DateTimeField(_("Vorwarnung ab"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # No `level` column: a flag is an alert row (DeadlineAlert), so flagging never rewrites
    # this row into its dozen indexes (issue 13). `flagged_level` reads the alerts.
    completed_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    paused_at = models.DateTimeField(_("angehalten seit"), null=True, blank=True)
    pause_reason = models.TextField(_("Grund der Unterbrechung"), blank=True)
    extension_days = models.PositiveIntegerField(
        _("Verlängerung durch Unterbrechungen (Tage)"), default=0
    )
    # Rule R-ZT-01: a pause gives the worker a later working date; `due_at` stays the
    # original due moment, which the figures (on-time rate, breaches) count against.
    extended_due_at = models.DateTimeField(_("nach Unterbrechung fällig am"), null=True, blank=True)
    owner_postfach = models.ForeignKey(
        Postfach, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    team = models.ForeignKey(
        "jobcenter.Team",
        verbose_name=_("Team"),
        on_delete=models.PROTECT,
        null=True,
        related_name="deadlines",
        db_index=False,
    )
    # A copy of the Leistung team of the case's household (`antrag.bedarfsgemeinschaft.
    # leistung_team`), for every deadline of a case whatever its kind (`team` is the owner of
    # the clock: the IFK's team for a first consultation). Leistung's lists walk the team's
    # open case deadlines in due order on it (index `deadline_open_case_team`, issue 13).
    # Set when the deadline is made (save) and rewritten when the household changes its team
    # or the case its household (`sync_case_team`); null for deadlines without a case.
    case_team = models.ForeignKey(
        "jobcenter.Team",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("Frist")
        verbose_name_plural = _("Fristen")
        ordering = ["due_at"]
        indexes = [
            # The scan reads only these two partial indexes, index-only (PostgreSQL): the
            # running clocks whose warning or due moment lies between the watermark of the
            # previous scan and now, with the columns its alert rows copy.
            models.Index(
                fields=["warn_at"],
                include=["due_at", "id", "team", "owner_user"],
                name="deadline_warn_window",
                condition=Q(status="open", paused_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                include=["id", "team", "owner_user"],
                name="deadline_due_window",
                condition=Q(status="open", paused_at__isnull=True),
            ),
            models.Index(fields=["team", "status", "due_at"], name="deadline_team_due"),
            # A team's open deadlines by due moment: the deadline list's (migration
            # 0011_h32…, which made it with INCLUDE (id, kind, jobcenter)), widened by
            # migration 0015_h31… with warning moment, rule and pause for the dashboard's and
            # forecast's counts near now (due today up to now, at risk up to now + the largest
            # lead), index-only; all else they read from DeadlineTally. Without it those few
            # thousand rows of a team are as many heap pages (3-23 ms on the bench seed).
            models.Index(
                fields=["team", "due_at"],
                include=["id", "kind", "jobcenter", "warn_at", "rule", "paused_at"],
                name="deadline_open_team_due",
                condition=Q(status="open"),
            ),
            # The breaches-per-week chart's deadlines met late, per team by due moment: a
            # small index (the late ones only), written when a deadline closes late.
            models.Index(
                fields=["team", "due_at"],
                include=["id", "jobcenter"],
                name="deadline_late_team_due",
                condition=Q(status="late"),
            ),
            models.Index(fields=["antrag", "kind", "status"], name="deadline_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["antrag", "kind"],
                condition=Q(status="open", kunde__isnull=True),
                name="one_open_deadline_per_case_and_kind",
            ),
            # A clock per person of the case (first consultation): one open per person.
            models.UniqueConstraint(
                fields=["antrag", "kind", "kunde"],
                condition=Q(status="open", kunde__isnull=False),
                name="one_open_deadline_per_case_kind_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} bis {self.due_at:%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.antrag_id is not None and self.case_team_id is None:
            self.case_team_id = _case_team_of(self)
        super().save(*args, **kwargs)

    @property
    def flagged_level(self) -> str:
        """The highest level flagged for this deadline, from its alerts (one query unless
        `alerts` was prefetched); "none" if it has none."""
        levels = {alert.level for alert in self.alerts.all()}
        for level in (self.Level.BREACH, self.Level.WARNING):
            if level in levels:
                return level
        return self.Level.NONE

    @property
    def working_due_at(self):
        """The date the worker works to: after a pause the later one, else the due moment."""
        return self.extended_due_at or self.due_at


def _case_team_of(deadline: Deadline) -> int | None:
    """The Leistung team of the deadline's case: from the case and household the caller
    holds (no query), else read."""
    antrag = deadline._state.fields_cache.get("antrag")
    if antrag is not None and antrag.pk == deadline.antrag_id:
        bg = antrag._state.fields_cache.get("bedarfsgemeinschaft")
        if bg is not None and bg.pk == antrag.bedarfsgemeinschaft_id:
            return bg.leistung_team_id
    # Through the team's reverse relations (intake's households and their cases): this app
    # stands below intake and does not import it.
    return (
        Team.objects.filter(bedarfsgemeinschaften__antraege=deadline.antrag_id)
        .values_list("pk", flat=True)
        .first()
    )


def sync_case_team(*, antrag_ids=None, bg_id: int | None = None) -> int:
    """Rewrite the copy of the Leistung team on the deadlines of these cases (or of the
    household's cases) after the household changed its team or a case its household."""
    deadlines = Deadline.objects.filter(antrag__isnull=False)
    if antrag_ids is not None:
        deadlines = deadlines.filter(antrag_id__in=antrag_ids)
    if bg_id is not None:
        deadlines = deadlines.filter(antrag__bedarfsgemeinschaft_id=bg_id)
    team = Team.objects.filter(bedarfsgemeinschaften__antraege=models.OuterRef("antrag_id"))
    return deadlines.update(case_team_id=models.Subquery(team.values("pk")[:1]))


class DeadlineAlert(models.Model):
    """One alert per deadline and level: inserting it twice does nothing.

    The only record that a deadline was flagged. `team` and `owner_user` are copies of the
    deadline's (taken when the alert is made; nothing moves a deadline to another team) and
    `closed_at` is set when the deadline stops running, so the "Fristen gefährdet" badge
    counts open flagged deadlines from this table's own small index, never the deadlines.
    """

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    level = models.CharField(max_length=10, choices=Deadline.Level.choices)
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Copies of the deadline's owners: no constraint of their own (the deadline's holds).
    team = models.ForeignKey(
        "jobcenter.Team",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    closed_at = models.DateTimeField(_("Frist beendet am"), null=True, blank=True)
    # The deadline's first alert (a breach after a warning is not): the badge counts these,
    # one per flagged deadline, without a DISTINCT.
    first = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("Fristwarnung")
        verbose_name_plural = _("Fristwarnungen")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "level"], name="uniq_alert_level")
        ]
        indexes = [
            # The badge: open flagged deadlines per team and per owner, counted index-only.
            models.Index(
                fields=["team"],
                name="alert_open_team",
                condition=Q(closed_at__isnull=True, first=True),
            ),
            models.Index(
                fields=["owner_user", "team"],
                name="alert_open_owner",
                condition=Q(closed_at__isnull=True, first=True, owner_user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} – {self.get_level_display()}"


class MonthlyReport(models.Model):
    """A monthly minimum-standards report mailed to a team's leads: one per team and month,
    so the scheduled task never sends a month twice (issue 14)."""

    team = models.ForeignKey(
        "jobcenter.Team", on_delete=models.CASCADE, related_name="monthly_reports"
    )
    month = models.DateField(_("Monat"), help_text=_("Der Erste des Berichtsmonats."))
    sent_at = models.DateTimeField(_("versandt am"))
    recipients = models.TextField(_("Empfänger"), blank=True)

    class Meta:
        verbose_name = _("Monatsbericht")
        verbose_name_plural = _("Monatsberichte")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="uniq_monthly_report")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%m/%Y}"


class ScanWatermark(models.Model):
    """One row: the `now` of the last scan. The next scan looks only at the warning and due
    moments after it; a service that puts a deadline behind it flags the deadline itself."""

    scanned_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stand der Fristenprüfung")
        verbose_name_plural = _("Stand der Fristenprüfung")

    def __str__(self) -> str:
        return f"{self.scanned_to:%d.%m.%Y %H:%M:%S}" if self.scanned_to else "–"


class DeadlineTally(models.Model):
    """How many deadlines of a team lie in one bucket: kept by the database itself.

    A bucket is (Jobcenter, team, rule kind, rule, status, day, paused): for an open
    deadline the Berlin day it falls due on, for one met or late the day it was completed.
    Cancelled deadlines and those of no team are not tallied. On PostgreSQL, triggers on the
    deadlines keep the buckets in the same transaction as every write, whatever writes (a
    service's save, bulk_create, update(), raw SQL, a cascade, COPY, TRUNCATE), so the
    dashboard, its forecast and its charts sum a few hundred buckets instead of counting
    100,000 deadlines (issue 13; migration 0014_h31dashboard_tally). `lead` is an upper
    bound of due minus warning moment of the bucket's open deadlines: "droht" is counted
    from the index only between now and now + the largest lead. Not kept on SQLite (the
    demo): there the figures count the deadlines directly (minimumstandards.tally).
    """

    jobcenter = models.ForeignKey(
        Jobcenter,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    team = models.ForeignKey(
        "jobcenter.Team",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Deadline.Status.choices)
    day = models.DateField()
    paused = models.BooleanField(default=False)
    n = models.IntegerField(default=0)
    lead = models.DurationField(null=True, blank=True)

    class Meta:
        verbose_name = _("Fristenzählung")
        verbose_name_plural = _("Fristenzählungen")
        constraints = [
            # Also the index every reader takes: a team's buckets of a status by day.
            models.UniqueConstraint(
                fields=["team", "status", "day", "kind", "rule", "paused", "jobcenter"],
                name="uniq_deadline_tally",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.status} {self.day}: {self.n}"
