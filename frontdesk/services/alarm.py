"""The silent staff alarm (Notruf): raised in one click or keystroke from any staff page.

It reaches at once every colleague on duty at the raiser's site (every staff page polls
`alarm_version` and shows `active_alarms`) and the site's security contact by mail, and is
kept with who raised, took over and ended it. It never reaches another site or Jobcenter.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.models import User
from jobcenter.services import audit_record

from ..errors import FrontdeskError
from ..models import Desk, StaffAlarm

# An alarm nobody ended stops being shown after this long (a forgotten one must not shout
# on every page for the rest of the week); it stays on record.
SHOWN_FOR = timedelta(hours=4)
# A second press by the same person within this time is the same alarm, not a new one.
SAME_ALARM_WITHIN = timedelta(minutes=5)


def place_of(user: User) -> str:
    """Where help must go: the desk the person has open, else their room."""
    desk = Desk.objects.filter(occupied_by=user).only("name").first()
    if desk is not None:
        return desk.name  # as the site names it: "Schalter 2", "Raum 204"
    if user.room:
        return user.room  # as written in the staff record: "Raum 2.14, 2. OG"
    return _("Arbeitsplatz von %(name)s (kein Raum hinterlegt)") % {
        "name": user.get_full_name() or user.username
    }


@transaction.atomic
def alarm_raise(*, actor: User) -> tuple[StaffAlarm, bool]:
    """Raise the alarm at the actor's site; returns (alarm, created)."""
    if not actor.standort_id:
        raise FrontdeskError(
            _(
                "Für Ihr Konto ist kein Standort hinterlegt: der Notruf weiß nicht, wen er "
                "alarmieren soll. Bitte rufen Sie den Sicherheitsdienst direkt an."
            )
        )
    now = timezone.now()
    recent = (
        StaffAlarm.objects.select_for_update()
        .filter(raised_by=actor, ended_at__isnull=True, raised_at__gte=now - SAME_ALARM_WITHIN)
        .first()
    )
    if recent is not None:
        return recent, False
    alarm = StaffAlarm.objects.create(
        standort_id=actor.standort_id,
        raised_by=actor,
        raised_at=now,
        changed_at=now,
        place=place_of(actor),
    )
    _record(actor, alarm, "alarm.raise", _("Notruf ausgelöst: %(place)s") % {"place": alarm.place})
    from reminders.services import notify_alarm_by_sms

    from ..tasks import alarm_notify  # the task module imports the services

    transaction.on_commit(lambda: alarm_notify.delay(alarm.pk))
    # And an SMS to the site's security contact, when a number is configured (never twice:
    # the message row is unique per alarm).
    notify_alarm_by_sms(alarm)
    return alarm, True


def _record(actor: User, alarm: StaffAlarm, action: str, summary: str) -> None:
    audit_record(
        actor=actor, action=action, target=alarm, summary=summary, jobcenter_id=actor.jobcenter_id
    )


def _active(actor: User):
    return StaffAlarm.objects.filter(
        standort_id=actor.standort_id,
        ended_at__isnull=True,
        raised_at__gte=timezone.now() - SHOWN_FOR,
    )


def _get_for_colleague(actor: User, pk: int) -> StaffAlarm:
    alarm = _active(actor).select_for_update().filter(pk=pk).first()
    if alarm is None:
        raise FrontdeskError(_("Dieser Notruf ist bereits beendet."))
    return alarm


@transaction.atomic
def alarm_acknowledge(*, actor: User, pk: int) -> StaffAlarm:
    """A colleague at the site takes it over ("Ich komme")."""
    alarm = _get_for_colleague(actor, pk)
    if alarm.acknowledged_at is None:
        alarm.acknowledged_by = actor
        alarm.acknowledged_at = alarm.changed_at = timezone.now()
        alarm.save(update_fields=["acknowledged_by", "acknowledged_at", "changed_at"])
        _record(actor, alarm, "alarm.acknowledge", _("Notruf übernommen"))
    return alarm


@transaction.atomic
def alarm_end(*, actor: User, pk: int) -> StaffAlarm:
    """The raiser or a colleague at the site ends it once the situation is over."""
    alarm = _get_for_colleague(actor, pk)
    alarm.ended_by = actor
    alarm.ended_at = alarm.changed_at = timezone.now()
    alarm.save(update_fields=["ended_by", "ended_at", "changed_at"])
    _record(actor, alarm, "alarm.end", _("Notruf beendet"))
    return alarm


def alarm_version(actor: User) -> str:
    """Changes whenever what the actor's alarm region shows changes (one indexed query)."""
    if not actor.standort_id:
        return "none"
    since = timezone.now() - SHOWN_FOR
    row = StaffAlarm.objects.filter(standort_id=actor.standort_id, changed_at__gte=since).aggregate(
        n=Count("pk"), last=Max("changed_at")
    )
    last = row["last"].timestamp() if row["last"] else 0
    # An alarm that ages out of SHOWN_FOR changes the count: the region clears itself.
    return f"{row['n']}-{last:.6f}"


def active_alarms(actor: User) -> list[StaffAlarm]:
    if not actor.standort_id:
        return []
    return list(_active(actor).select_related("raised_by", "acknowledged_by").order_by("raised_at"))
