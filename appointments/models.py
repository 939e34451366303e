"""Calendars, appointments, invitations and contact density (rules R-TE-01 to R-KD-01).

Times are stored in UTC and meant in Europe/Berlin; working days come from
`minimumstandards.services.calendar_for` only.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.neukunde import age_on
from jobcenter.models import Jobcenter, OpeningHours, Standort

Weekday = OpeningHours.Weekday


class Kind(models.TextChoices):
    ERSTGESPRAECH = "eg", _("Erstgespräch")
    FOLGEGESPRAECH = "folge", _("Folgegespräch")
    GRUPPE = "gruppe", _("Gruppenveranstaltung")


# Slot lengths per kind, preparation and follow-up included (rule R-TE-03).
SLOT_MINUTES = {Kind.ERSTGESPRAECH: 60, Kind.FOLGEGESPRAECH: 45}
# Below this a consultation is normally not a qualified contact (rule R-TE-03).
QUALIFIED_MINUTES = 30


class Form(models.TextChoices):
    PERSOENLICH = "persoenlich", _("persönlich")
    VIDEO = "video", _("Video")
    TELEFON = "telefon", _("Telefon")
    WALK_AND_TALK = "walk_and_talk", _("Walk and Talk")


# Forms in which the customer and the caseworker meet face to face ("in Präsenz").
IN_PERSON_FORMS = (Form.PERSOENLICH, Form.WALK_AND_TALK)


class RemoteReason(models.TextChoices):
    """Why a first consultation is not held in person (rule R-TE-08, Rhein-Lahn 1.3)."""

    VOLLZEIT = "vollzeit", _("in Vollzeit in Arbeit oder Ausbildung")
    SCHUELER = "schueler", _("Schüler/in, Aktivierung (Ende § 10) mehr als 6 Monate entfernt")


class Delivery(models.TextChoices):
    """How the invitation reaches the customer: a posted one takes days (rule R-TE-07)."""

    PERSOENLICH = "persoenlich", _("persönlich ausgehändigt")
    POST = "post", _("per Post")


class Status(models.TextChoices):
    GEBUCHT = "gebucht", _("geplant")
    DURCHGEFUEHRT = "durchgefuehrt", _("durchgeführt")
    MELDEVERSAEUMNIS = "meldeversaeumnis", _("nicht erschienen (Meldeversäumnis)")
    ABGESAGT_JC = "abgesagt_jc", _("abgesagt durch das Jobcenter")
    ABGESAGT_KUNDE = "abgesagt_kunde", _("abgesagt durch die Kundin / den Kunden")


# An appointment in one of these states occupies its caseworker's time.
OCCUPYING = (Status.GEBUCHT, Status.DURCHGEFUEHRT, Status.MELDEVERSAEUMNIS)


class BookingStep(models.TextChoices):
    """Which step of the booking chain found the slot (rule R-EG-03)."""

    IFK = "ifk", _("zuständige IFK")
    VERTRETUNG = "vertretung", _("Vertretung")
    TEAMLEITUNG = "teamleitung", _("von der Teamleitung gebucht")
    DIREKT = "direkt", _("direkt gebucht")


class ReleasedWindow(models.Model):
    """A weekly recurring time a caseworker releases for bookings of one kind (rule R-TE-01)."""

    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Integrationsfachkraft"),
        on_delete=models.CASCADE,
        related_name="released_windows",
    )
    kind = models.CharField(
        _("für"),
        max_length=10,
        choices=[
            (Kind.ERSTGESPRAECH, Kind.ERSTGESPRAECH.label),
            (Kind.FOLGEGESPRAECH, Kind.FOLGEGESPRAECH.label),
        ],
    )
    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=Weekday.choices)
    starts = models.TimeField(_("von"))
    ends = models.TimeField(_("bis"))
    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.PROTECT, related_name="+"
    )
    outside_opening_hours = models.BooleanField(
        _("auch außerhalb der Öffnungszeiten"),
        default=False,
        help_text=_("Terminierte Beratung auch außerhalb der Öffnungszeiten (RL 2.1, 4.1)."),
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("freigegebenes Zeitfenster")
        verbose_name_plural = _("freigegebene Zeitfenster")
        ordering = ["caseworker", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="window_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["caseworker", "weekday"], name="window_caseworker_day")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M} ({self.get_kind_display()})"

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class Absence(models.Model):
    """Planned absence of a caseworker: no slot is offered in it (rule R-TE-01)."""

    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Integrationsfachkraft"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    starts_at = models.DateTimeField(_("von"))
    ends_at = models.DateTimeField(_("bis"))
    reason = models.CharField(_("Grund"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("Abwesenheit")
        verbose_name_plural = _("Abwesenheiten")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="absence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["caseworker", "ends_at"], name="absence_caseworker_end")]

    def __str__(self) -> str:
        return f"{self.reason} {self.starts_at:%d.%m.%Y}"


class GroupEvent(models.Model):
    """A group event for new customers at a site, with a capacity (rule R-GV-01)."""

    class EventStatus(models.TextChoices):
        GEPLANT = "geplant", _("geplant")
        DURCHGEFUEHRT = "durchgefuehrt", _("durchgeführt")
        ABGESAGT = "abgesagt", _("abgesagt")

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    standort = models.ForeignKey(
        Standort, verbose_name=_("Standort"), on_delete=models.PROTECT, related_name="group_events"
    )
    title = models.CharField(
        _("Titel"), max_length=200, default=_("Gruppenveranstaltung für Neukunden")
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    capacity = models.PositiveSmallIntegerField(_("Plätze"))
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durchführende Fachkraft"),
        on_delete=models.PROTECT,
        related_name="hosted_group_events",
    )
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.GEPLANT
    )
    held_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Gruppenveranstaltung")
        verbose_name_plural = _("Gruppenveranstaltungen")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="group_event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="group_event_has_capacity"),
        ]
        indexes = [models.Index(fields=["standort", "starts_at"], name="group_event_site_start")]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%d.%m.%Y}"


class InvitationRule(models.Model):
    """With or without Rechtsfolgenbelehrung, per occasion, valid from a date (rule R-TE-05).

    The law changes these rules (the 2026 SGB II reform): a new row with a later valid-from
    date switches them for invitations issued from that day on.
    """

    class Occasion(models.TextChoices):
        ERSTEINLADUNG = "erst", _("erste Einladung (Erstgespräch, Kooperationsplan)")
        FOLGEEINLADUNG = "folge", _("Folgeeinladung")
        NACH_MELDEVERSAEUMNIS = "nach_mv", _("Einladung nach einem Meldeversäumnis")
        GRUPPE = "gruppe", _("Gruppenveranstaltung für Neukunden")

    jobcenter = models.ForeignKey(
        Jobcenter, on_delete=models.CASCADE, related_name="invitation_rules"
    )
    occasion = models.CharField(_("Anlass"), max_length=10, choices=Occasion.choices)
    with_rfb = models.BooleanField(_("mit Rechtsfolgenbelehrung"))
    rfb_text = models.TextField(
        _("Text der Rechtsfolgenbelehrung"),
        blank=True,
        help_text=_("Leer: der Standardtext zu § 32 SGB II."),
    )
    valid_from = models.DateField(_("gültig ab"))
    source = models.CharField(_("Quelle"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Einladungsregel")
        verbose_name_plural = _("Einladungsregeln (Rechtsfolgenbelehrung)")
        ordering = ["occasion", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jobcenter", "occasion", "valid_from"], name="uniq_invitation_rule"
            )
        ]

    def __str__(self) -> str:
        rfb = _("mit RFB") if self.with_rfb else _("ohne RFB")
        return f"{self.get_occasion_display()}: {rfb} ab {self.valid_from:%d.%m.%Y}"


class AppointmentQuerySet(models.QuerySet):
    def occupying(self) -> "AppointmentQuerySet":
        return self.filter(status__in=OCCUPYING)

    def booked(self) -> "AppointmentQuerySet":
        return self.filter(status=Status.GEBUCHT)


class Appointment(models.Model):
    """A Termin: caseworker, start and duration, kind, form, RFB, outcome (domain.md §2)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.PROTECT, related_name="+")
    kunde = models.ForeignKey(
        "intake.Kunde",
        verbose_name=_("Kundin / Kunde"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    antrag = models.ForeignKey(
        "intake.Antrag",
        verbose_name=_("Fall"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bei"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    group_event = models.ForeignKey(
        GroupEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="participants"
    )
    standort = models.ForeignKey(
        Standort,
        verbose_name=_("Ort"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    form = models.CharField(
        _("Form"), max_length=20, choices=Form.choices, default=Form.PERSOENLICH
    )
    remote_reason = models.CharField(
        _("Ausnahme von der Präsenz"), max_length=10, choices=RemoteReason.choices, blank=True
    )
    activation_on = models.DateField(
        _("Ende des § 10-Eintrags (Aktivierung)"), null=True, blank=True
    )
    with_rfb = models.BooleanField(_("mit Rechtsfolgenbelehrung"), default=False)
    invitation_occasion = models.CharField(
        _("Anlass der Einladung"), max_length=10, choices=InvitationRule.Occasion.choices
    )
    rfb_text = models.TextField(_("Rechtsfolgenbelehrung"), blank=True)
    delivery = models.CharField(
        _("Einladung"), max_length=12, choices=Delivery.choices, blank=True
    )  # blank: not recorded
    status = models.CharField(
        _("Stand"), max_length=20, choices=Status.choices, default=Status.GEBUCHT
    )
    # The customer checked in at the reception for this appointment (issue 12).
    arrived_at = models.DateTimeField(_("eingetroffen um"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The customer confirmed with the link from the letter ("Ich komme", issue 16).
    customer_confirmed_at = models.DateTimeField(
        _("von der Kundin / dem Kunden bestätigt am"), null=True, blank=True
    )
    booking_step = models.CharField(
        _("gefunden durch"), max_length=20, choices=BookingStep.choices, default=BookingStep.DIREKT
    )
    booking_note = models.CharField(_("Terminsuche"), max_length=300, blank=True)
    late_reason = models.TextField(_("Begründung für einen Termin nach der Frist"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("Folgeeinladung zu"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    # The outcome.
    held_minutes = models.PositiveSmallIntegerField(_("Dauer (Minuten)"), null=True, blank=True)
    held_form = models.CharField(
        _("Form des Gesprächs"), max_length=20, choices=Form.choices, blank=True
    )
    qualified = models.BooleanField(_("qualifizierter Kontakt"), default=False)
    cancel_reason = models.TextField(_("Grund"), blank=True)
    outcome_at = models.DateTimeField(_("Ergebnis erfasst am"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vermerk = models.ForeignKey(
        "routing.Vermerk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
            # No slot is booked twice: one occupying appointment per caseworker and start.
            # (On PostgreSQL migration 0002 adds an exclusion constraint against any overlap.)
            models.UniqueConstraint(
                fields=["caseworker", "starts_at"],
                condition=Q(group_event__isnull=True, status__in=OCCUPYING),
                name="appointment_slot_once",
            ),
            # A case has at most one first consultation booked at a time.
            models.UniqueConstraint(
                fields=["antrag"],
                condition=Q(kind=Kind.ERSTGESPRAECH, status=Status.GEBUCHT),
                name="one_booked_eg_per_case",
            ),
            models.UniqueConstraint(
                fields=["group_event", "kunde"],
                condition=Q(group_event__isnull=False, status__in=OCCUPYING),
                name="once_per_group_event",
            ),
            models.CheckConstraint(
                condition=Q(group_event__isnull=True) | Q(kind=Kind.GRUPPE),
                name="group_event_only_for_group_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["caseworker", "starts_at"], name="appointment_caseworker_start"),
            models.Index(fields=["kunde", "starts_at"], name="appointment_kunde_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%d.%m.%Y %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status == Status.GEBUCHT


class CustomerRequest(models.Model):
    """What a customer asked for with the link from the letter and a caseworker decides:
    an appointment with RFB cancelled or moved (with the customer's reason), or another
    date where none of the offered slots fits. The appointment stands until then."""

    class Wish(models.TextChoices):
        CANCEL = "absagen", _("Termin absagen")
        MOVE = "verlegen", _("Termin verlegen")

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="customer_requests"
    )
    wish = models.CharField(_("Anliegen"), max_length=10, choices=Wish.choices)
    reason = models.TextField(_("Grund / Wunsch der Kundin / des Kunden"), max_length=1000)
    aufgabe = models.ForeignKey("routing.Aufgabe", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anfrage über den Termin-Link")
        verbose_name_plural = _("Anfragen über den Termin-Link")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_wish_display()} {self.created_at:%d.%m.%Y}"


class BookingEscalation(models.Model):
    """No EG slot with the IFK or the deputies within 10 AT: a ticket to the team mailbox,
    the team lead informed, who books by hand (rule R-EG-03)."""

    antrag = models.ForeignKey("intake.Antrag", on_delete=models.CASCADE, related_name="+")
    aufgabe = models.ForeignKey("routing.Aufgabe", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Terminsuche an die Teamleitung")
        verbose_name_plural = _("Terminsuchen an die Teamleitung")
        constraints = [
            models.UniqueConstraint(
                fields=["antrag"],
                condition=Q(resolved_by__isnull=True),
                name="one_open_escalation_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.antrag} {self.created_at:%d.%m.%Y}"


class ContactGroup(models.TextChoices):
    """Customer groups of the contact-density rules (rule R-KD-01)."""

    OHNE = "", _("keine besondere Gruppe (höchstens 180 Tage)")
    MARKTNAH = "marktnah", _("marktnah, arbeitsuchend Ü25 (3 Monate)")
    FALLMANAGEMENT = "fallmanagement", _("Fallmanagement (3 Monate)")
    PARAGRAPH_10 = "p10", _("§ 10 SGB II bis zur Aktivierung (bis 6 Monate)")
    INTEGRIERT = "integriert", _("integriert (bis 6 Monate)")
    MARKTFERN = "marktfern", _("marktfern (bis 6 Monate)")
    # Only after intensive attempts, documented on the profile (rule R-KD-01).
    TOTALVERWEIGERER = (
        "totalverweigerer",
        _("Totalverweigerer nach dokumentierten intensiven Versuchen (bis 6 Monate)"),
    )


class CourseKind(models.TextChoices):
    """The measure a graduate finished (rule R-KD-01)."""

    SPRACHKURS = "sprachkurs", _("Sprachkurs")
    FBW = "fbw", _("FbW-Maßnahme (berufliche Weiterbildung)")
    REHA = "reha", _("Reha-Maßnahme")
    AVGS_MAT = "avgs_mat", _("AVGS-MAT")
    JUWEL = "juwel", _("JUWEL")


class LanguageLevel(models.TextChoices):
    """GER levels, in order: the graduates' rule needs at least A2 (rule R-KD-01)."""

    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


# Days between qualified contacts. "Monthly" is 30 calendar days, "3 months" 90, "6 months"
# 180, so that the longest interval is exactly the 180-day maximum of rule R-KD-01 (rule R-ZT-01:
# months are counted as calendar days by the caller).
MONTHLY_DAYS = 30
MAX_DAYS = 180
GROUP_DAYS = {
    ContactGroup.OHNE: MAX_DAYS,
    ContactGroup.MARKTNAH: 90,
    ContactGroup.FALLMANAGEMENT: 90,
    ContactGroup.PARAGRAPH_10: MAX_DAYS,
    ContactGroup.INTEGRIERT: MAX_DAYS,
    ContactGroup.MARKTFERN: MAX_DAYS,
    ContactGroup.TOTALVERWEIGERER: MAX_DAYS,
}
# Course graduates (mandatory) and new customers (recommended) are seen monthly for the
# first six months (rule R-KD-01). The seed gives AVGS-MAT and JUWEL graduates no duration:
# they get the same six months.
SPECIAL_MONTHS = 6
GRADUATE_LABELS = {
    CourseKind.SPRACHKURS: _("Absolvent/in Sprachkurs (mind. A2), erste 6 Monate (monatlich)"),
    CourseKind.FBW: _("Absolvent/in FbW-Maßnahme, erste 6 Monate (monatlich)"),
    CourseKind.REHA: _("Absolvent/in Reha-Maßnahme, erste 6 Monate (monatlich)"),
    CourseKind.AVGS_MAT: _("Absolvent/in AVGS-MAT, erste 6 Monate (monatlich empfohlen)"),
    CourseKind.JUWEL: _("Absolvent/in JUWEL, erste 6 Monate (monatlich empfohlen)"),
}


class ContactProfile(models.Model):
    """A customer's contact-density profile: group, last qualified contact, next due."""

    kunde = models.OneToOneField(
        "intake.Kunde", on_delete=models.CASCADE, related_name="contact_profile"
    )
    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(
        _("Kundengruppe"), max_length=20, choices=ContactGroup.choices, blank=True
    )
    course_graduated_on = models.DateField(
        _("Maßnahme abgeschlossen am"),
        null=True,
        blank=True,
        help_text=_("Danach sechs Monate lang monatliche Kontakte (Absolventenmanagement)."),
    )
    course_kind = models.CharField(
        _("abgeschlossene Maßnahme"), max_length=20, choices=CourseKind.choices, blank=True
    )
    language_level = models.CharField(
        _("erreichtes Sprachniveau"), max_length=2, choices=LanguageLevel.choices, blank=True
    )
    refusal_documented_on = models.DateField(
        _("intensive Kontaktversuche dokumentiert am"), null=True, blank=True
    )
    refusal_documentation = models.TextField(
        _("dokumentierte Kontaktversuche"), max_length=2000, blank=True
    )
    new_customer_since = models.DateField(
        _("Neukunde seit (Erstgespräch)"),
        null=True,
        blank=True,
        help_text=_("Sechs Monate ab dem Erstgespräch: monatliche Kontakte empfohlen."),
    )
    since = models.DateField(_("in der Betreuung seit"))
    last_qualified_contact_at = models.DateTimeField(
        _("letzter qualifizierter Kontakt"), null=True, blank=True
    )
    next_contact_due = models.DateField(_("nächster Kontakt fällig bis"), db_index=True)
    interval_days = models.PositiveSmallIntegerField(_("Abstand (Tage)"))
    active = models.BooleanField(_("in Betreuung"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Kontaktdichte")
        verbose_name_plural = _("Kontaktdichte")
        indexes = [
            models.Index(fields=["jobcenter", "active", "next_contact_due"], name="contact_due")
        ]

    def __str__(self) -> str:
        return f"{self.kunde_id}: {self.next_contact_due:%d.%m.%Y}"

    @property
    def anchor(self) -> date:
        """The day the current interval runs from: the last qualified contact, else the start."""
        if self.last_qualified_contact_at is not None:
            return timezone.localtime(self.last_qualified_contact_at).date()
        return self.since

    def rules_applying(self, today: date, birth_date: date) -> list[tuple[str, int]]:
        """Every rule that applies today, as (German label, days); the shortest one wins."""
        rules = [(str(ContactGroup(self.group).label), GROUP_DAYS[ContactGroup(self.group)])]
        if age_on(birth_date, today) < 25:
            rules.append((str(_("unter 25 Jahre (monatlich)")), MONTHLY_DAYS))
        if self.graduate_rule_applies(today):
            label = GRADUATE_LABELS.get(
                self.course_kind, _("Absolvent/in, erste 6 Monate (monatlich)")
            )
            rules.append((str(label), MONTHLY_DAYS))
        if self.new_customer_since and today <= add_months(self.new_customer_since, SPECIAL_MONTHS):
            if self.kunde.hauptbetreuung_switched_on is not None:
                label = _("Rechtskreiswechsel wie Neukunde, erste 6 Monate (monatlich empfohlen)")
            else:
                label = _("Neukunde, erste 6 Monate (monatlich empfohlen)")
            rules.append((str(label), MONTHLY_DAYS))
        return rules

    def graduate_rule_applies(self, today: date) -> bool:
        """Within six months of the measure's end; a language course only from level A2."""
        if not self.course_graduated_on or today > add_months(
            self.course_graduated_on, SPECIAL_MONTHS
        ):
            return False
        if self.course_kind == CourseKind.SPRACHKURS:
            return self.language_level not in ("", LanguageLevel.A1)
        return True


class Kooperationsplan(models.Model):
    """Rule R-KO-01: the Kooperationsplan agreed at the EG (or why none was) and each
    update, with the day it is to be updated again at the latest (six months)."""

    class Outcome(models.TextChoices):
        VEREINBART = "vereinbart", _("Kooperationsplan vereinbart")
        FORTGESCHRIEBEN = "fortgeschrieben", _("Kooperationsplan fortgeschrieben")
        PARAGRAPH_10 = (
            "p10",
            _(
                "nicht vereinbart: Erwerbstätigkeit oder Eingliederung nach § 10 SGB II "
                "vorübergehend nicht zumutbar"
            ),
        )
        BESCHAEFTIGT = (
            "beschaeftigt",
            _(
                "nicht vereinbart: sozialversicherungspflichtig beschäftigt im Rahmen der "
                "individuellen Möglichkeiten"
            ),
        )
        SONSTIGES = "sonstiges", _("nicht vereinbart: anderer Grund")

    AGREED = (Outcome.VEREINBART, Outcome.FORTGESCHRIEBEN)

    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.CASCADE, related_name="kooperationsplaene"
    )
    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices)
    on = models.DateField(_("am"))
    next_review_due = models.DateField(_("spätestens fortzuschreiben bis"), null=True, blank=True)
    reason_text = models.CharField(_("Begründung"), max_length=500, blank=True)
    appointment = models.ForeignKey(
        "Appointment",
        verbose_name=_("Erstgespräch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Kooperationsplan")
        verbose_name_plural = _("Kooperationspläne")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.kunde_id}: {self.get_outcome_display()} {self.on:%d.%m.%Y}"

    @property
    def agreed(self) -> bool:
        return self.outcome in self.AGREED


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- follow-ups at the contacts (Nachhaltung, rules R-NH-01 to R-NH-05) ------------------


class PlacementProposal(models.Model):
    """A Vermittlungsvorschlag (VV) handed to a customer; with "engere Nachhaltung" the
    customer reports back within 3 weeks of receiving it (rule R-NH-01)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    kunde = models.ForeignKey(
        "intake.Kunde", on_delete=models.CASCADE, related_name="placement_proposals"
    )
    reference = models.CharField(_("Stelle / Referenz"), max_length=200)
    received_on = models.DateField(_("erhalten am"))
    close_follow_up = models.BooleanField(_("engere Nachhaltung"), default=False)
    feedback_on = models.DateField(_("Rückmeldung am"), null=True, blank=True)
    feedback = models.CharField(_("Stand der Bewerbung"), max_length=500, blank=True)
    deadline = models.ForeignKey(
        "minimumstandards.Deadline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Vermittlungsvorschlag")
        verbose_name_plural = _("Vermittlungsvorschläge")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.received_on:%d.%m.%Y})"


class MeasureParticipation(models.Model):
    """A customer's measure (Weiterbildung, Sprachkurs, sonstige Maßnahme): a consultation
    is due from 4 weeks before to 4 weeks after its end (rule R-NH-02)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    kunde = models.ForeignKey("intake.Kunde", on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("Maßnahme"), max_length=200)
    ends_on = models.DateField(_("endet am"))
    deadline = models.ForeignKey(
        "minimumstandards.Deadline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Maßnahmeteilnahme")
        verbose_name_plural = _("Maßnahmeteilnahmen")
        ordering = ["-ends_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.ends_on:%d.%m.%Y})"


class SchoolRecord(models.Model):
    """A pupil's school certificates (yearly from 15, rule R-NH-03) and leaving year (the
    invitation by January of that year, rule R-NH-04)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    kunde = models.OneToOneField(
        "intake.Kunde", on_delete=models.CASCADE, related_name="school_record"
    )
    leaving_year = models.PositiveSmallIntegerField(_("Entlassjahr"), null=True, blank=True)
    last_certificate_on = models.DateField(
        _("letzte Schulbescheinigung vom"), null=True, blank=True
    )
    invited_on = models.DateField(_("zum Beratungsgespräch eingeladen am"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Schulbesuch")
        verbose_name_plural = _("Schulbesuche")

    def __str__(self) -> str:
        return f"{self.kunde_id}: {self.leaving_year or '–'}"


class AvailabilityRestriction(models.Model):
    """A restriction of availability under § 10 SGB II: evidenced, reviewed at least every
    six months (rule R-NH-05)."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.CASCADE, related_name="+")
    kunde = models.OneToOneField(
        "intake.Kunde", on_delete=models.CASCADE, related_name="availability_restriction"
    )
    since = models.DateField(_("seit"))
    reason = models.CharField(_("Grund der Einschränkung"), max_length=200)
    evidence = models.CharField(_("Nachweis"), max_length=300)
    last_reviewed_on = models.DateField(_("zuletzt überprüft am"))
    ended_on = models.DateField(_("entfallen am"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Einschränkung der Verfügbarkeit (§ 10 SGB II)")
        verbose_name_plural = _("Einschränkungen der Verfügbarkeit (§ 10 SGB II)")

    def __str__(self) -> str:
        return f"{self.kunde_id}: {self.reason}"
