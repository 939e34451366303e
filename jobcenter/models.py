from datetime import date
from decimal import Decimal

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Bundesland, Role


class Jobcenter(models.Model):
    class FirstConsultationStart(models.TextChoices):
        # Cottbus: the EZ books the EG at intake, 15 AT from the application (rule R-EG-01).
        APPLICATION = "application", _("ab Antragstellung (Buchung bei der Antragsaufnahme)")
        # Rhein-Lahn: the EG follows the confirmed entitlement, 10 AT (rule R-EG-02).
        ENTITLEMENT = "entitlement", _("ab bestätigtem Leistungsanspruch")

    class ThresholdUnit(models.TextChoices):
        DAYS = "days", _("Kalendertage")
        MONTHS = "months", _("Monate")

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname"), unique=True)
    bundesland = models.CharField(_("Bundesland"), max_length=2, choices=Bundesland.choices)
    dienststelle = models.CharField(
        _("Dienststellennummer"),
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("Fünf Ziffern, z. B. 96201."))],
        help_text=_("Beginn der BG-Nummern, z. B. 96201 in 96201BG0012345."),
    )
    kundennummer_prefix = models.CharField(
        _("Präfix der Kundennummern"),
        max_length=4,
        validators=[RegexValidator(r"^\d{3}[A-Z]$", _("Drei Ziffern und ein Großbuchstabe."))],
        help_text=_("Neue Kd.-Nr. beginnen damit, z. B. 962D in 962D012345."),
    )
    include_catholic_holidays = models.BooleanField(
        _("katholische Feiertage mitzählen"),
        default=False,
        help_text=_("Mariä Himmelfahrt (BY, SL) und Fronleichnam (SN, TH) in einzelnen Gemeinden."),
    )
    address = models.TextField(_("Anschrift (Briefkopf)"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    first_consultation_start = models.CharField(
        _("Erstgespräch ab"),
        max_length=20,
        choices=FirstConsultationStart.choices,
        default=FirstConsultationStart.APPLICATION,
    )
    interruption_threshold_value = models.PositiveSmallIntegerField(
        _("Unterbrechung des Leistungsbezugs: Schwelle"), default=182
    )
    interruption_threshold_unit = models.CharField(
        _("Einheit der Schwelle"),
        max_length=10,
        choices=ThresholdUnit.choices,
        default=ThresholdUnit.DAYS,
    )
    # Rhein-Lahn 1.2 (rule R-GV-02): the Kundenbüro invites each new customer to the next
    # group event right at the application. A date: the rule applies to applications from
    # that day on (empty: not at all), so that a change of the instruction keeps its date.
    group_event_at_application_from = models.DateField(
        _("Neukunden nach Antragstellung zur nächsten Gruppenveranstaltung einladen: ab"),
        null=True,
        blank=True,
        help_text=_(
            "Leer: keine Einladung bei der Antragsaufnahme. Sonst gilt die Einladung für "
            "Anträge ab diesem Tag."
        ),
    )
    # Rhein-Lahn 1.3 (rule R-TE-08): first consultations in person; video or phone only in
    # the exceptions the instruction names. A date, as above: bookings from that day on.
    eg_in_person_from = models.DateField(
        _("Erstgespräche in Präsenz (Video oder Telefon nur im Ausnahmefall): ab"),
        null=True,
        blank=True,
        help_text=_("Leer: jede Form des Gesprächs ist wählbar."),
    )
    # The waiting-room display shows its guidance in German and in these languages.
    display_languages = models.CharField(
        _("weitere Sprachen der Aufrufanzeige"),
        max_length=40,
        blank=True,
        default="en,tr,ar,uk,ru",
        validators=[
            RegexValidator(
                r"^[a-z]{2}(,[a-z]{2})*$",
                _("Sprachkürzel mit Komma getrennt, z. B. en,tr,ar,uk,ru."),
            )
        ],
        help_text=_(
            "Der Hinweis der Anzeige steht auf Deutsch und in diesen Sprachen. Möglich: "
            "en, tr, ar, uk, ru, pl, fa."
        ),
    )
    # Rule R-KD-01 (Deutsche Weinstraße): Fallmanager and project staff follow their own
    # contact concepts instead of the 180-day maximum.
    own_contact_concepts = models.BooleanField(
        _("Fallmanagement und Projekte folgen eigenen Kontaktkonzepten"),
        default=False,
        help_text=_(
            "Für Kundinnen und Kunden, die von Fallmanager/innen oder Projektmitarbeitenden "
            "betreut werden, läuft keine Frist der Kontaktdichte."
        ),
    )
    # Reminders (domain §7, DW 7): how many working days before an appointment the
    # customer is reminded, and before the return date of owed documents.
    reminder_lead_working_days = models.PositiveSmallIntegerField(
        _("Terminerinnerung: Arbeitstage vor dem Termin"),
        default=1,
        db_default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1: am Arbeitstag vor dem Termin (Feiertage des Landes zählen nicht)."),
    )
    document_reminder_working_days = models.PositiveSmallIntegerField(
        _("Erinnerung an fehlende Unterlagen: Arbeitstage vor der Rückgabefrist"),
        default=2,
        db_default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    message_languages = models.CharField(
        _("weitere Sprachen der Erinnerungen"),
        max_length=40,
        blank=True,
        default="en",
        db_default="en",
        validators=[
            RegexValidator(
                r"^[a-z]{2}(,[a-z]{2})*$", _("Sprachkürzel mit Komma getrennt, z. B. en.")
            )
        ],
        help_text=_(
            "Bestätigungen und Erinnerungen gehen auf Deutsch oder, wenn die Kundin / der "
            "Kunde es wünscht, in einer dieser Sprachen. Möglich: en."
        ),
    )
    return_period_days = models.PositiveSmallIntegerField(
        _("Frist für die Rückgabe der Antragsunterlagen (Kalendertage)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # Rule R-KP-01: the weekly target of 25 consultations is for full-time staff; part time
    # pro rata to these hours (TVöD: 39 hours a week).
    full_time_weekly_hours = models.DecimalField(
        _("Vollzeit-Wochenstunden"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("39.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("60"))],
        help_text=_("Wochenarbeitszeit einer Vollzeitkraft, z. B. 39 nach TVöD."),
    )

    class Meta:
        verbose_name = _("Jobcenter")
        verbose_name_plural = _("Jobcenter")

    def __str__(self) -> str:
        return self.name

    def invites_to_group_event_at_application(self, on: date) -> bool:
        """Rule R-GV-02: is an application made on `on` invited to the next group event?"""
        start = self.group_event_at_application_from
        return start is not None and on >= start

    def eg_in_person_required(self, on: date) -> bool:
        """Rule R-TE-08: must a first consultation booked on `on` be held in person?"""
        start = self.eg_in_person_from
        return start is not None and on >= start


class Standort(models.Model):
    jobcenter = models.ForeignKey(
        Jobcenter, verbose_name=_("Jobcenter"), on_delete=models.CASCADE, related_name="standorte"
    )
    name = models.CharField(_("Name"), max_length=200)
    address = models.TextField(_("Anschrift"), blank=True)
    alarm_email = models.EmailField(
        _("E-Mail für Notrufe (Sicherheitsdienst)"),
        blank=True,
        # A database default too: code migrated to an older state still writes sites.
        default="",
        db_default="",
        help_text=_("Ein Notruf am Standort geht sofort auch an diese Adresse."),
    )
    alarm_phone = models.CharField(
        _("Mobilnummer für Notrufe (SMS an den Sicherheitsdienst)"),
        max_length=30,
        blank=True,
        default="",
        db_default="",
        validators=[
            RegexValidator(
                r"^\+?[0-9 ()/-]{5,30}$",
                _("Bitte nur Ziffern, Leerzeichen und + ( ) / - eingeben."),
            )
        ],
        help_text=_("Ein Notruf am Standort geht sofort auch als SMS an diese Nummer."),
    )

    class Meta:
        verbose_name = _("Standort")
        verbose_name_plural = _("Standorte")
        constraints = [
            models.UniqueConstraint(fields=["jobcenter", "name"], name="uniq_standort_name")
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Montag")
    TUESDAY = 1, _("Dienstag")
    WEDNESDAY = 2, _("Mittwoch")
    THURSDAY = 3, _("Donnerstag")
    FRIDAY = 4, _("Freitag")
    SATURDAY = 5, _("Samstag")
    SUNDAY = 6, _("Sonntag")


class WeeklyHours(models.Model):
    """A span of hours on one weekday at a site (opening hours, phone hours)."""

    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=Weekday.choices)
    opens = models.TimeField(_("von"))
    closes = models.TimeField(_("bis"))

    class Meta:
        abstract = True
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))


class OpeningHours(WeeklyHours):
    Weekday = Weekday

    standort = models.ForeignKey(
        Standort,
        verbose_name=_("Standort"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )

    class Meta(WeeklyHours.Meta):
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")


class PhoneHours(WeeklyHours):
    """When a site's staff take calls (printed on letters and invitations next to the
    opening hours)."""

    standort = models.ForeignKey(
        Standort,
        verbose_name=_("Standort"),
        on_delete=models.CASCADE,
        related_name="phone_hours",
    )

    class Meta(WeeklyHours.Meta):
        verbose_name = _("Telefonzeit")
        verbose_name_plural = _("Telefonzeiten")


class Team(models.Model):
    class Kind(models.TextChoices):
        EMPFANG = "empfang", _("Empfang / Anlaufstelle")
        EINGANGSZONE = "eingangszone", _("Eingangszone")
        LEISTUNG = "leistung", _("Leistung")
        INTEGRATION_U25 = "integration_u25", _("Integration U25")
        INTEGRATION_UE25 = "integration_ue25", _("Integration Ü25")
        HOTLINE = "hotline", _("Hotline / Servicecenter")
        BUT = "but", _("Bildung und Teilhabe")
        SACHBEARBEITUNG = "sachbearbeitung", _("Sachbearbeitung")
        OTHER = "other", _("Sonstiges")

    jobcenter = models.ForeignKey(
        Jobcenter, verbose_name=_("Jobcenter"), on_delete=models.CASCADE, related_name="teams"
    )
    standort = models.ForeignKey(
        Standort,
        verbose_name=_("Standort"),
        on_delete=models.PROTECT,
        related_name="teams",
        null=True,
        blank=True,
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    # A Leistung team's share of the customers by the first letter of the surname.
    surname_letters = models.CharField(
        _("Nachnamen (Anfangsbuchstaben)"),
        max_length=50,
        blank=True,
        help_text=_("Nur Leistungsteams: z. B. „A–K“ oder „A–D, S“. Leer: keine Aufteilung."),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Teamleitung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("Team")
        verbose_name_plural = _("Teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["jobcenter", "name"], name="uniq_team_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_integration(self) -> bool:
        return self.kind in (self.Kind.INTEGRATION_U25, self.Kind.INTEGRATION_UE25)


class Postfach(models.Model):
    team = models.OneToOneField(
        Team, verbose_name=_("Team"), on_delete=models.CASCADE, related_name="postfach"
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)

    class Meta:
        verbose_name = _("Postfach")
        verbose_name_plural = _("Postfächer")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class ContactConcept(models.TextChoices):
        """Staff who follow their own contact concept (rule R-KD-01)."""

        NONE = "", _("keine (allgemeine Kontaktdichte)")
        FALLMANAGEMENT = "fallmanagement", _("Fallmanagement")
        PROJEKT = "projekt", _("Projekt")

    jobcenter = models.ForeignKey(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, blank=True)
    teams = models.ManyToManyField(
        Team, verbose_name=_("Teams"), blank=True, related_name="members"
    )
    standort = models.ForeignKey(
        Standort,
        verbose_name=_("Dienstort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Der Standort, an dem die Person meist arbeitet."),
    )
    contact_concept = models.CharField(
        _("eigenes Kontaktkonzept"),
        max_length=20,
        choices=ContactConcept.choices,
        blank=True,
        help_text=_("Fallmanager/innen und Projektmitarbeitende mit eigenem Kontaktkonzept."),
    )
    # Rule R-KP-01: part-time staff have a weekly target pro rata; empty means full time.
    weekly_hours = models.DecimalField(
        _("Wochenarbeitszeit"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
        help_text=_("Stunden je Woche; leer bei Vollzeit."),
    )
    room = models.CharField(
        _("Raum"),
        max_length=60,
        blank=True,
        help_text=_(
            "Wohin der Empfang Kundinnen und Kunden zum Termin schickt, z. B. „Raum 2.14, 2. OG“."
        ),
    )

    class DirectorySource(models.TextChoices):
        LOCAL = "", _("lokal (Passwort dieser Anwendung)")
        LDAP = "ldap", _("Verzeichnisdienst (LDAP / Active Directory)")
        OIDC = "oidc", _("Single Sign-on (OpenID Connect)")

    # With single sign-on on, only these accounts log in with a local password (jobcenter.sso).
    break_glass = models.BooleanField(
        _("Notfallzugang"),
        default=False,
        help_text=_(
            "Darf sich mit einem Passwort dieser Anwendung anmelden, auch wenn die Anmeldung "
            "über den Verzeichnisdienst eingeschaltet ist (z. B. wenn er ausfällt). Jede "
            "Anmeldung damit wird protokolliert."
        ),
    )
    directory_source = models.CharField(
        _("Anmeldung über"),
        max_length=10,
        choices=DirectorySource.choices,
        blank=True,
        default="",
        help_text=_(
            "Bei Anmeldung über den Verzeichnisdienst setzt jede Anmeldung Rolle, Jobcenter "
            "und Teams aus den Gruppenzuordnungen neu."
        ),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("Mitarbeiterin / Mitarbeiter")
        verbose_name_plural = _("Mitarbeitende")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    def has_perm(self, perm: str, obj=None) -> bool:
        """The front office's permissions (each app's `rules.py`) answer by their rule
        alone: a superuser is no caseworker and gets no shortcut past a Jobcenter's
        walls. Django's model permissions (the admin) answer as Django has them."""
        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Deputy(models.Model):
    """An IFK's deputies in their set order (rule R-EG-03)."""

    ifk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vertretene Person"),
        on_delete=models.CASCADE,
        related_name="deputy_entries",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Vertretung"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"))

    class Meta:
        verbose_name = _("Vertretung")
        verbose_name_plural = _("Vertretungen")
        ordering = ["ifk", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ifk", "position"],
                name="uniq_deputy_position",
                violation_error_message=_("Diese Reihenfolge ist schon vergeben."),
            ),
            models.UniqueConstraint(
                fields=["ifk", "deputy"],
                name="uniq_deputy",
                violation_error_message=_("Diese Vertretung ist schon eingetragen."),
            ),
            models.CheckConstraint(
                condition=~models.Q(ifk=models.F("deputy")),
                name="deputy_not_self",
                violation_error_message=_("Niemand kann sich selbst vertreten."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.deputy}"


class AuditEvent(models.Model):
    """Who did what to which record: every change, and every opening of a customer record.

    Written by the services in the same transaction as the change it records.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("angelegt")
        CHANGE = "change", _("geändert")
        TRANSITION = "transition", _("Statuswechsel")
        VIEW = "view", _("eingesehen")
        # Deletion on schedule or on request (privacy): counts per kind, never names.
        DELETE = "delete", _("gelöscht / anonymisiert")
        LOGIN = "login", _("angemeldet")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # The Jobcenter whose data was changed or read (not the actor's): a Jobcenter sees
    # every event on its data, whoever caused it.
    jobcenter = models.ForeignKey(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("Vorgang"), max_length=20, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("Art des Datensatzes"), on_delete=models.PROTECT
    )
    target_id = models.PositiveBigIntegerField(_("Datensatz-Nr."))
    # The customer (intake.Kunde id) whose social data this event touched, if any: answers
    # "who looked at this person" with one indexed query. No FK: jobcenter imports no app.
    subject_id = models.PositiveBigIntegerField(_("Kunde"), null=True, blank=True)
    summary = models.CharField(_("Beschreibung"), max_length=500, blank=True)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"]),
            models.Index(fields=["subject_id", "-at"], name="audit_subject_at"),
            models.Index(fields=["jobcenter", "-at"], name="audit_jobcenter_at"),
        ]

    def __str__(self) -> str:
        return (
            f"{timezone.localtime(self.at):%d.%m.%Y %H:%M} {self.actor} {self.get_action_display()}"
        )

    @property
    def target_kind(self) -> str:
        """The kind of record in German (the model's verbose name)."""
        model = self.target_type.model_class()
        return str(model._meta.verbose_name) if model else self.target_type.model


class DirectoryGroupMapping(models.Model):
    """A group of the directory (LDAP group name or DN, or a value of the OpenID Connect
    groups claim) and the role, Jobcenter and teams it gives. Applied at every login."""

    jobcenter = models.ForeignKey(
        Jobcenter,
        verbose_name=_("Jobcenter"),
        on_delete=models.CASCADE,
        related_name="directory_groups",
    )
    group = models.CharField(
        _("Gruppe im Verzeichnisdienst"),
        max_length=500,
        help_text=_(
            "Name der Gruppe (z. B. „JC-Leistung-A“), ihr vollständiger DN (z. B. "
            "„cn=JC-Leistung-A,ou=Gruppen,dc=jobcenter,dc=de“) oder der Wert im "
            "Gruppen-Claim des Single Sign-on (bei Entra ID die Objekt-ID der Gruppe). "
            "Groß- und Kleinschreibung zählt nicht."
        ),
    )
    role = models.CharField(
        _("Rolle"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Leer: die Gruppe gibt nur Teams, die Rolle kommt aus einer anderen Gruppe."),
    )
    teams = models.ManyToManyField(
        Team, verbose_name=_("Teams"), blank=True, related_name="directory_groups"
    )
    position = models.PositiveSmallIntegerField(
        _("Vorrang"),
        default=100,
        help_text=_(
            "Geben mehrere Gruppen einer Person verschiedene Rollen, gilt die Rolle der "
            "Gruppe mit der kleinsten Zahl."
        ),
    )

    class Meta:
        verbose_name = _("Gruppenzuordnung (Verzeichnisdienst)")
        verbose_name_plural = _("Gruppenzuordnungen (Verzeichnisdienst)")
        ordering = ["position", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "group"],
                name="uniq_directory_group",
                violation_error_message=_("Diese Gruppe ist schon zugeordnet."),
            )
        ]

    def __str__(self) -> str:
        return self.group

    def clean(self) -> None:
        self.group = (self.group or "").strip()
