"""Group events for new customers: invitations, the invitation at the application and
series of events (rules R-GV-01, R-GV-02)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import NEGATIVE_STATES, Antrag, Kunde
from intake.services import IntakeError, eingangszone_postfach, first_consultation_persons
from jobcenter.models import Jobcenter, Standort, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN
from routing.services import aufgabe_create

from ..errors import AppointmentError
from ..invitations import not_before_by_post
from ..models import (
    OCCUPYING,
    Absence,
    Appointment,
    Delivery,
    Form,
    GroupEvent,
    Kind,
)
from ..selectors import GROUP_EVENT_EVERY_DAYS, fmt_moment, group_events_with_room, is_active_ifk
from .booking import after_booking, check_kunde_open, insert, new_appointment


@transaction.atomic
def group_event_invite(
    *,
    actor: User,
    kunde: Kunde,
    standort: Standort,
    antrag: Antrag | None = None,
    after: datetime | None = None,
    previous: Appointment | None = None,
    delivery: str = "",
) -> Appointment:
    """Invite to the next group event for new customers at the site that has room (rule R-GV-01);
    a posted invitation to one after the day the letter counts as received (rule R-TE-07)."""
    require_perm(
        actor,
        "appointments.invite_to_group_event",
        kunde,
        message=_("Sie dürfen niemanden zu Gruppenveranstaltungen einladen."),
    )
    if antrag is not None and antrag.state in NEGATIVE_STATES:
        raise AppointmentError(_("Der Fall ist abgeschlossen: es wird kein Termin mehr gebucht."))
    check_kunde_open(kunde)
    if (
        Appointment.objects.booked()
        .filter(kunde=kunde, kind=Kind.GRUPPE, starts_at__gt=timezone.now())
        .exists()
    ):
        raise AppointmentError(
            _("Diese Person ist bereits zu einer Gruppenveranstaltung eingeladen.")
        )
    after = after or timezone.now()
    if delivery == Delivery.POST:
        after = max(after, not_before_by_post(timezone.localdate()))
    for event in group_events_with_room(standort=standort, after=after):
        if event.taken >= event.capacity:
            continue
        # Lock the event and count again: two invitations at once cannot overfill it.
        locked = GroupEvent.objects.select_for_update().get(pk=event.pk)
        if locked.participants.filter(status__in=OCCUPYING).count() >= locked.capacity:
            continue
        appointment = new_appointment(
            antrag_or_none=antrag,
            kunde=kunde,
            caseworker=locked.host,
            kind=Kind.GRUPPE,
            slot_start=locked.starts_at,
            slot_end=locked.ends_at,
            standort=locked.standort,
            form=Form.PERSOENLICH,
            actor=actor,
            previous=previous,
            delivery=delivery,
        )
        appointment.group_event = locked
        insert(appointment)
        after_booking(actor=actor, appointment=appointment, late=[])
        return appointment
    raise AppointmentError(
        _(
            "Am Standort %(site)s ist keine Gruppenveranstaltung mit freien Plätzen geplant. Bitte die nächste anlegen."
        )
        % {"site": standort}
    )


def intake_site(actor: User, jobcenter: Jobcenter) -> Standort | None:
    """Where the application was taken: the employee's site, else their team's, else the
    Jobcenter's only site."""
    if actor.standort_id and actor.standort.jobcenter_id == jobcenter.pk:
        return actor.standort
    team = actor.teams.filter(jobcenter=jobcenter).exclude(standort=None).first()
    if team is not None:
        return team.standort
    sites = list(Standort.objects.filter(jobcenter=jobcenter)[:2])
    return sites[0] if len(sites) == 1 else None


def group_event_invite_at_application(*, actor: User, antrag: Antrag) -> list[Appointment]:
    """Rule R-GV-02 (Rhein-Lahn 1.2): right after the application the Kundenbüro invites
    each erwerbsfähige Neukunde of the BG, with RFB, to the next group event at the site
    with a free place. Where there is none the EZ gets a task to invite by hand: the intake
    itself never fails for want of a place. Called by `antrag_register` (intake's
    registry, see `AppointmentsConfig.ready`)."""
    jobcenter = antrag.jobcenter
    if not jobcenter.invites_to_group_event_at_application(antrag.application_date):
        return []
    standort = intake_site(actor, jobcenter)
    booked = []
    for kunde, _owners in first_consultation_persons(antrag):
        if standort is None:
            reason = _("kein Standort für die Einladung bekannt")
        else:
            try:
                booked.append(
                    group_event_invite(actor=actor, kunde=kunde, standort=standort, antrag=antrag)
                )
                continue
            except AppointmentError as error:
                reason = error.message
            except PermissionDenied:
                reason = _("die aufnehmende Stelle lädt nicht zu Gruppenveranstaltungen ein")
        _ask_ez_to_invite(actor=actor, antrag=antrag, kunde=kunde, standort=standort, why=reason)
    return booked


def _ask_ez_to_invite(*, actor, antrag, kunde, standort, why: str) -> None:
    try:
        postfach = eingangszone_postfach(antrag.jobcenter)
    except IntakeError:
        return  # no EZ mailbox set up: the case page still offers the invitation
    aufgabe_create(
        created_by=actor,
        postfach=postfach,
        kunde=kunde,
        title=_("Gruppenveranstaltung: kein freier Platz – bitte einladen (Kd.-Nr. %(nr)s)")
        % {"nr": kunde.kundennummer},
        description="\n".join(
            [
                _(
                    "Bei der Antragstellung am %(date)s wurde %(name)s nicht zur nächsten "
                    "Gruppenveranstaltung für Neukunden eingeladen%(site)s: %(why)s"
                )
                % {
                    "date": date_format(antrag.application_date, "d.m.Y"),
                    "name": kunde.full_name,
                    "site": _(" (Standort %(site)s)") % {"site": standort} if standort else "",
                    "why": why,
                },
                _(
                    "Bitte zur nächsten Gruppenveranstaltung mit freiem Platz einladen "
                    "(mit Rechtsfolgenbelehrung); fehlt eine, bitte die nächste anlegen lassen."
                ),
            ]
        ),
        due_at=timezone.now() + timedelta(days=1),
    )


@transaction.atomic
def group_events_create_series(
    *,
    actor: User,
    standort: Standort,
    host: User,
    first_start: datetime,
    duration_minutes: int,
    capacity: int,
    count: int,
    every_days: int = GROUP_EVENT_EVERY_DAYS,
    title: str = "",
) -> list[GroupEvent]:
    """A series of group events; a date that is not a working day moves to the next one."""
    require_perm(
        actor,
        "appointments.manage_group_events",
        standort,
        message=_("Sie dürfen keine Gruppenveranstaltungen anlegen."),
    )
    if not is_active_ifk(host) or host.jobcenter_id != actor.jobcenter_id:
        raise AppointmentError(
            _("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."), field="host"
        )
    if first_start <= timezone.now():
        raise AppointmentError(
            _("Die erste Veranstaltung muss in der Zukunft liegen."), field="first_start"
        )
    if not 1 <= count <= 26:
        raise AppointmentError(_("Bitte 1 bis 26 Termine anlegen."), field="count")
    if not 1 <= every_days <= GROUP_EVENT_EVERY_DAYS:
        raise AppointmentError(
            _("Gruppenveranstaltungen finden mindestens alle 14 Tage statt."),
            field="every_days",
        )
    calendar = calendar_for(standort.jobcenter)
    local = timezone.localtime(first_start, BERLIN)
    events = []
    day = local.date()
    for _index in range(count):
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        starts = datetime.combine(day, local.time(), tzinfo=BERLIN)
        ends = starts + timedelta(minutes=duration_minutes)
        clash = (
            Appointment.objects.occupying()
            .filter(
                caseworker=host, group_event__isnull=True, starts_at__lt=ends, ends_at__gt=starts
            )
            .exists()
            or Absence.objects.filter(
                caseworker=host, starts_at__lt=ends, ends_at__gt=starts
            ).exists()
        )
        if clash:
            raise AppointmentError(
                _("%(who)s hat am %(at)s schon einen Termin oder ist abwesend.")
                % {"who": host, "at": fmt_moment(starts)},
                field="first_start",
            )
        event = GroupEvent.objects.create(
            jobcenter=standort.jobcenter,
            standort=standort,
            title=title or str(_("Gruppenveranstaltung für Neukunden")),
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            host=host,
            created_by=actor,
        )
        audit_record(actor=actor, action="create", target=event, summary=str(event))
        events.append(event)
        day += timedelta(days=every_days)
    return events
