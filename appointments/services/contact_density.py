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
    Kind,
)
from ..selectors import is_active_ifk


def refresh_profile(profile: ContactProfile, *, today: date | None = None) -> ContactProfile:
    """Interval and next due date from the rules that apply today (in memory)."""
    today = today or timezone.localdate()
    rules = profile.rules_applying(today, profile.kunde.date_of_birth)
    profile.interval_days = min(min(days for _label, days in rules), MAX_DAYS)
    profile.next_contact_due = profile.anchor + timedelta(days=profile.interval_days)
    return profile


def contact_deadline_open(profile: ContactProfile) -> None:
    """The next contact is a deadline like every other: the scan flags it (rule R-KD-01).

    The group's interval (monthly, 3 or 6 months) is the deadline's own window; the
    rule's window is the 180-day maximum that no group exceeds.
    """
    kunde = profile.kunde
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
    if appointment.kind == Kind.ERSTGESPRAECH and profile.new_customer_since is None:
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
        ("last_contact_on", last_contact_on),
    ):
        if value is not None and value > today:
            raise AppointmentError(_("Das Datum darf nicht in der Zukunft liegen."), field=name)
    profile = ContactProfile.objects.select_for_update().filter(kunde=kunde).first()
    if profile is None:
        profile = ContactProfile(kunde=kunde, jobcenter=kunde.jobcenter, since=today)
    profile.group = group
    profile.course_graduated_on = course_graduated_on
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
