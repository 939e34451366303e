"""What the polls show, as one number per site (issue 13).

The desk list (`/aufruf/liste/`, every 5 s) and the waiting-room display
(`/anzeige/<key>/stand.json`, every 3 s) show the site's queue, its desks, the Jobcenter's
concern catalogue and the appointments of the customers in the house. Every write that
changes any of it raises the site's `SiteVersion` in the same transaction; a poll sends the
ETag it was last given and, if neither the version nor the minute has changed since, gets
"304 Not Modified" from a single row (`frontdesk.polling`).

A row in the database, not a cache key: it commits or rolls back with the write it belongs
to, so no gunicorn worker can ever hand out the new version with the old content (or the
old version with content that has since changed), a lost or restarted cache forgets
nothing, and nothing needs Redis to be right. The price is one small UPDATE per write, and
writes at one site queue for that row for the last moment of their transaction.

Raised from the model signals below (every `save()` and `delete()` of the models the polls
read, whichever service or admin form writes them) and from the services that write with
`QuerySet.update()` (none of the shown fields today). Fields that nothing polled shows
(`Desk.last_seen_at`, a display's own key) raise nothing.
"""

import time
from datetime import datetime

from django.db import models
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    Concern,
    ConcernClass,
    Desk,
    SiteSettings,
    SiteVersion,
    Visit,
    VisitConcern,
)

# Time-derived figures (minutes waited, the clock, calls that drop off after 15 minutes)
# change with the minute: the ETag carries it, so each poll is answered afresh once a minute.
MINUTE = 60


def _start_value() -> int:
    # A new row starts at the clock in milliseconds, not at 0: an ETag kept by a browser
    # across a fresh database (the demo reseeds at every start) can never match again.
    return int(time.time() * 1000)


def minute_of(now: datetime | None = None) -> int:
    return int((now or timezone.now()).timestamp() // MINUTE)


def minute_start(now: datetime | None = None) -> datetime:
    """The moment the desk list counts minutes from: the same for every render in one
    minute, so one ETag always stands for one and the same list."""
    return (now or timezone.now()).replace(second=0, microsecond=0)


def current(standort_id: int) -> int:
    """The site's version now (its row is created on first use)."""
    value = SiteVersion.objects.filter(pk=standort_id).values_list("value", flat=True).first()
    if value is None:
        SiteVersion.objects.bulk_create(
            [SiteVersion(standort_id=standort_id, value=_start_value())], ignore_conflicts=True
        )
        value = SiteVersion.objects.filter(pk=standort_id).values_list("value", flat=True).first()
    return value


def bump(*standort_ids: int | None) -> None:
    """Raise the version of these sites, inside the caller's transaction. Sites in order of
    their pk, so two writes raising the same sites cannot deadlock on them.

    A site without its row has never been polled (the first poll creates it, `current`),
    so no ETag of it exists yet that could go stale: nothing to raise."""
    for pk in sorted({i for i in standort_ids if i}):
        SiteVersion.objects.filter(pk=pk).update(value=F("value") + 1)


def bump_jobcenter(jobcenter_id: int | None) -> None:
    """Raise every site of a Jobcenter (its catalogue, teams or display languages changed)."""
    from jobcenter.models import Standort

    if jobcenter_id:
        bump(*Standort.objects.filter(jobcenter_id=jobcenter_id).values_list("pk", flat=True))


def desk_etag(*, desk_id: int, user_id: int, value: int, minute: int) -> str:
    return f'"fd-d{desk_id}-u{user_id}-{value}-{minute}"'


def display_etag(*, display_id: int, value: int, minute: int) -> str:
    return f'"fd-a{display_id}-{value}-{minute}"'


# --- the writes that raise it ------------------------------------------------------------


def _visit_changed(sender, instance: Visit, **kwargs) -> None:
    bump(instance.standort_id)


def _visit_concern_changed(sender, instance: VisitConcern, **kwargs) -> None:
    bump(Visit.objects.filter(pk=instance.visit_id).values_list("standort_id", flat=True).first())


def _desk_changed(sender, instance: Desk, update_fields=None, **kwargs) -> None:
    # The occupant's heartbeat is shown nowhere that polls.
    if update_fields is not None and set(update_fields) <= {"last_seen_at"}:
        return
    bump(instance.standort_id)


def _desk_teams_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a team's desks changed: the desks are pk_set
        bump(*Desk.objects.filter(pk__in=pk_set or ()).values_list("standort_id", flat=True))
    else:
        bump(instance.standort_id)


def _catalogue_changed(sender, instance, **kwargs) -> None:
    bump_jobcenter(instance.jobcenter_id)


def _site_settings_changed(sender, instance: SiteSettings, **kwargs) -> None:
    bump(instance.standort_id)


def _standort_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if not created:  # its name is on the display
        bump(instance.pk)


def _team_changed(sender, instance, **kwargs) -> None:
    bump_jobcenter(instance.jobcenter_id)


def _jobcenter_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if not created:
        bump_jobcenter(instance.pk)


def _appointment_changed(sender, instance, **kwargs) -> None:
    if getattr(instance, "standort_id", None):
        bump(instance.standort_id)
    else:
        bump_jobcenter(instance.jobcenter_id)


def _kunde_changed(sender, instance, created: bool = False, **kwargs) -> None:
    """A name or the interpreter flag of a customer in the house today is on the desk list."""
    if created:
        return
    from .models import OPEN_VISIT_STATES

    bump(
        *Visit.objects.filter(
            kunde_id=instance.pk, day=timezone.localdate(), state__in=OPEN_VISIT_STATES
        )
        .values_list("standort_id", flat=True)
        .distinct()
    )


def connect() -> None:
    """Called once from FrontdeskConfig.ready()."""
    from appointments.models import Appointment
    from intake.models import Kunde
    from jobcenter.models import Jobcenter, Standort, Team

    saved_or_deleted: list[tuple[type[models.Model], object]] = [
        (Visit, _visit_changed),
        (VisitConcern, _visit_concern_changed),
        (Desk, _desk_changed),
        (Concern, _catalogue_changed),
        (ConcernClass, _catalogue_changed),
        (SiteSettings, _site_settings_changed),
        (Team, _team_changed),
        (Appointment, _appointment_changed),
    ]
    for model, receiver in saved_or_deleted:
        uid = f"frontdesk-version-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + "-delete")
    post_save.connect(_standort_changed, sender=Standort, dispatch_uid="frontdesk-version-site")
    post_save.connect(_jobcenter_changed, sender=Jobcenter, dispatch_uid="frontdesk-version-jc")
    post_save.connect(_kunde_changed, sender=Kunde, dispatch_uid="frontdesk-version-kunde")
    m2m_changed.connect(
        _desk_teams_changed, sender=Desk.teams.through, dispatch_uid="frontdesk-version-teams"
    )
