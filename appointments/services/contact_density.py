"""Contact density: the customer's group, the next due contact and its deadline (rule R-KD-01)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from intake.services import integration_team_for
from jobcenter.models import User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.models import RuleKind
from minimumstandards.services import (
    deadline_cancel,
    deadline_complete,
    deadline_open,
)
from minimumstandards.workdays import BERLIN

from ..errors import AppointmentError
from ..models import (
    MAX_DAYS,
    Appointment,
    ContactGroup,
    ContactProfile,
    CourseKind,
    Kind,
    LanguageLevel,
)
from ..selectors import is_active_ifk


def refresh_profile(profile: ContactProfile, *, today: date | None = None) -> ContactProfile:
    """Interval and next due date from the rules that apply today (in memory)."""
    today = today or timezone.localdate()
    rules = profile.rules_applying(today, profile.kunde.date_of_birth)
    profile.interval_days = min(min(days for _label, days in rules), MAX_DAYS)
    profile.next_contact_due = profile.anchor + timedelta(days=profile.interval_days)
    return profile


def own_concept(kunde: Kunde) -> str:
    """Why no contact-density clock runs for this customer, or "" (rule R-KD-01).

    Where the Jobcenter says so (Deutsche Weinstraße), customers of a Fallmanager or of
    project staff follow that person's own contact concept instead of the 180 days.
    """
    ifk = kunde.ifk
    if not kunde.jobcenter.own_contact_concepts or ifk is None or not ifk.contact_concept:
        return ""
    if ifk.contact_concept == User.ContactConcept.FALLMANAGEMENT:
        return _("betreut im Fallmanagement: eigenes Kontaktkonzept")
    return _("betreut im Projekt: eigenes Kontaktkonzept")


def contact_deadline_open(profile: ContactProfile) -> None:
    """The next contact is a deadline like every other: the scan flags it (rule R-KD-01).

    The group's interval (monthly, 3 or 6 months) is the deadline's own window; the
    rule's window is the 180-day maximum that no group exceeds. None for a customer whose
    caseworker follows an own contact concept (a running one is cancelled).
    """
    kunde = profile.kunde
    if own_concept(kunde):
        deadline_cancel(kind=RuleKind.CONTACT_DENSITY, kunde=kunde)
        return
    started = profile.last_qualified_contact_at or datetime.combine(
        profile.since, time(0), tzinfo=BERLIN
    )
    deadline_open(
        jobcenter=kunde.jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=started,
        team=integration_team_for(kunde),
        owner_user=kunde.ifk if is_active_ifk(kunde.ifk) else None,
        kunde=kunde,
        window=f"{min(profile.interval_days, 180)}KT",
    )


def contact_after_consultation(*, appointment: Appointment, actor: User) -> ContactProfile:
    """After a consultation: the customer's profile (created with the EG) and, for a
    qualified contact, the next due date and a new contact-density deadline."""
    kunde = appointment.kunde
    day = timezone.localtime(appointment.starts_at, BERLIN).date()
    profile = ContactProfile.objects.select_for_update().filter(kunde=kunde).first()
    if profile is None:
        profile = ContactProfile(kunde=kunde, jobcenter=kunde.jobcenter, since=day)
    # Rechtskreiswechsler count as new customers from their EG, or from the first
    # consultation held where they had none (rule R-KD-01).
    if profile.new_customer_since is None and (
        appointment.kind == Kind.ERSTGESPRAECH
        or (
            appointment.kind == Kind.FOLGEGESPRAECH and kunde.hauptbetreuung_switched_on is not None
        )
    ):
        profile.new_customer_since = day
    profile.active = True
    if appointment.qualified and (
        profile.last_qualified_contact_at is None
        or appointment.starts_at > profile.last_qualified_contact_at
    ):
        profile.last_qualified_contact_at = appointment.starts_at
        deadline_complete(kind=RuleKind.CONTACT_DENSITY, at=appointment.starts_at, kunde=kunde)
    refresh_profile(profile)
    profile.save()
    contact_deadline_open(profile)
    return profile


@transaction.atomic
def contact_profile_save(
    *,
    actor: User,
    kunde: Kunde,
    group: str,
    course_graduated_on: date | None = None,
    course_kind: str = "",
    language_level: str = "",
    refusal_documented_on: date | None = None,
    refusal_documentation: str = "",
    new_customer_since: date | None = None,
    last_contact_on: date | None = None,
) -> ContactProfile:
    require_perm(
        actor,
        "appointments.work_contacts",
        kunde,
        message=_("Die Kontaktdichte dürfen Sie nicht ändern."),
    )
    if group not in ContactGroup.values:
        raise AppointmentError(_("Bitte eine Kundengruppe wählen."), field="group")
    today = timezone.localdate()
    for name, value in (
        ("course_graduated_on", course_graduated_on),
        ("refusal_documented_on", refusal_documented_on),
        ("last_contact_on", last_contact_on),
    ):
        if value is not None and value > today:
            raise AppointmentError(_("Das Datum darf nicht in der Zukunft liegen."), field=name)
    _check_course(course_graduated_on, course_kind, language_level)
    refusal_documentation = refusal_documentation.strip()
    if group == ContactGroup.TOTALVERWEIGERER:
        # "nach intensiven Versuchen und entsprechender Dokumentation"
        if refusal_documented_on is None:
            raise AppointmentError(
                _(
                    "Totalverweigerer erst nach intensiven Versuchen: bitte angeben, seit wann sie dokumentiert sind."
                ),
                field="refusal_documented_on",
            )
        if not refusal_documentation:
            raise AppointmentError(
                _(
                    "Totalverweigerer erst nach intensiven Versuchen: bitte die Versuche festhalten."
                ),
                field="refusal_documentation",
            )
    else:
        refusal_documented_on, refusal_documentation = None, ""
    profile = ContactProfile.objects.select_for_update().filter(kunde=kunde).first()
    if profile is None:
        profile = ContactProfile(kunde=kunde, jobcenter=kunde.jobcenter, since=today)
    profile.group = group
    profile.course_graduated_on = course_graduated_on
    profile.course_kind = course_kind
    profile.language_level = language_level
    profile.refusal_documented_on = refusal_documented_on
    profile.refusal_documentation = refusal_documentation
    if new_customer_since is not None:
        profile.new_customer_since = new_customer_since
    if last_contact_on is not None and profile.last_qualified_contact_at is None:
        profile.last_qualified_contact_at = datetime.combine(
            last_contact_on, time(12), tzinfo=BERLIN
        )
    profile.active = True
    refresh_profile(profile, today=today)
    profile.save()
    # A changed group changes the interval: the running clock is replaced by the new one.
    deadline_cancel(kind=RuleKind.CONTACT_DENSITY, kunde=kunde)
    contact_deadline_open(profile)
    audit_record(
        actor=actor,
        action="change",
        target=profile,
        summary=_("Kontaktdichte: %s") % profile.get_group_display(),
    )
    return profile


def _check_course(graduated_on: date | None, kind: str, level: str) -> None:
    """A graduate's measure needs its end and its kind; a language course its level."""
    if kind and kind not in CourseKind.values:
        raise AppointmentError(_("Bitte eine Maßnahme aus der Liste wählen."), field="course_kind")
    if level and level not in LanguageLevel.values:
        raise AppointmentError(
            _("Bitte ein Sprachniveau aus der Liste wählen."), field="language_level"
        )
    if graduated_on is not None and not kind:
        raise AppointmentError(
            _("Bitte angeben, welche Maßnahme abgeschlossen wurde."), field="course_kind"
        )
    if kind and graduated_on is None:
        raise AppointmentError(
            _("Bitte angeben, wann die Maßnahme abgeschlossen wurde."),
            field="course_graduated_on",
        )
    if kind == CourseKind.SPRACHKURS and not level:
        raise AppointmentError(
            _("Bitte das im Sprachkurs erreichte Sprachniveau angeben."), field="language_level"
        )
    if level and kind != CourseKind.SPRACHKURS:
        raise AppointmentError(
            _("Ein Sprachniveau wird nur zu einem Sprachkurs angegeben."), field="language_level"
        )
