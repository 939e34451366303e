"""The caseworker's calendar: released windows and absences."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.models import Standort, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record

from ..errors import AppointmentError
from ..models import (
    SLOT_MINUTES,
    Absence,
    Appointment,
    ReleasedWindow,
)
from ..selectors import is_active_ifk


def _check_window_fits(
    *,
    caseworker,
    kind,
    weekday,
    starts,
    ends,
    standort,
    outside,
    valid_from,
    valid_until,
    exclude_pk=None,
):
    if ends <= starts:
        raise AppointmentError(_("Das Ende muss nach dem Beginn liegen."), field="ends")
    length = SLOT_MINUTES[kind]
    minutes = (datetime.combine(date.min, ends) - datetime.combine(date.min, starts)).seconds // 60
    if minutes < length:
        raise AppointmentError(
            _("Das Zeitfenster ist kürzer als ein Termin (%(n)d Minuten).") % {"n": length},
            field="ends",
        )
    if valid_until is not None and valid_until < valid_from:
        raise AppointmentError(_("„gültig bis“ liegt vor „gültig ab“."), field="valid_until")
    if standort.jobcenter_id != caseworker.jobcenter_id:
        raise AppointmentError(
            _("Bitte einen Standort dieses Jobcenters wählen."), field="standort"
        )
    others = ReleasedWindow.objects.filter(
        caseworker=caseworker, weekday=weekday, starts__lt=ends, ends__gt=starts
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        others = others.filter(valid_from__lte=valid_until)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    clash = others.first()
    if clash is not None:
        raise AppointmentError(
            _("Das Zeitfenster überschneidet sich mit dem freigegebenen Fenster %(w)s.")
            % {"w": clash},
            field="starts",
        )
    if not outside:
        hours = list(standort.opening_hours.all())
        if hours and not any(
            h.weekday == weekday and h.opens <= starts and ends <= h.closes for h in hours
        ):
            raise AppointmentError(
                _(
                    "Das Zeitfenster liegt außerhalb der Öffnungszeiten von %(site)s. Für Termine "
                    "außerhalb der Öffnungszeiten bitte „auch außerhalb der Öffnungszeiten“ wählen."
                )
                % {"site": standort},
                field="starts",
            )


@transaction.atomic
def window_create(
    *,
    actor: User,
    caseworker: User,
    kind: str,
    weekday: int,
    starts: time,
    ends: time,
    standort: Standort,
    valid_from: date,
    valid_until: date | None = None,
    outside_opening_hours: bool = False,
) -> ReleasedWindow:
    require_perm(
        actor,
        "appointments.manage_calendar",
        caseworker,
        message=_("Diesen Kalender dürfen Sie nicht ändern."),
    )
    if not is_active_ifk(caseworker):
        raise PermissionDenied(_("Diesen Kalender dürfen Sie nicht ändern."))
    if kind not in SLOT_MINUTES:
        raise AppointmentError(_("Zeitfenster gibt es für Erst- und Folgegespräche."), field="kind")
    _check_window_fits(
        caseworker=caseworker,
        kind=kind,
        weekday=weekday,
        starts=starts,
        ends=ends,
        standort=standort,
        outside=outside_opening_hours,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    window = ReleasedWindow.objects.create(
        caseworker=caseworker,
        kind=kind,
        weekday=weekday,
        starts=starts,
        ends=ends,
        standort=standort,
        valid_from=valid_from,
        valid_until=valid_until,
        outside_opening_hours=outside_opening_hours,
    )
    audit_record(
        actor=actor,
        action="create",
        target=window,
        summary=_("Zeitfenster freigegeben: %s") % window,
    )
    return window


@transaction.atomic
def window_end(*, actor: User, window_id: int) -> None:
    """No more slots from this window from today on; booked appointments stay as they are."""
    window = (
        ReleasedWindow.objects.select_for_update().select_related("caseworker").get(pk=window_id)
    )
    require_perm(
        actor,
        "appointments.manage_calendar",
        window.caseworker,
        message=_("Diesen Kalender dürfen Sie nicht ändern."),
    )
    today = timezone.localdate()
    audit_record(
        actor=actor, action="change", target=window, summary=_("Zeitfenster beendet: %s") % window
    )
    if window.valid_from >= today:
        window.delete()
    else:
        window.valid_until = today - timedelta(days=1)
        window.save(update_fields=["valid_until"])


@transaction.atomic
def absence_create(
    *, actor: User, caseworker: User, starts_at: datetime, ends_at: datetime, reason: str
):
    """Block a period; returns the absence and the booked appointments that fall into it."""
    require_perm(
        actor,
        "appointments.manage_calendar",
        caseworker,
        message=_("Diesen Kalender dürfen Sie nicht ändern."),
    )
    if ends_at <= starts_at:
        raise AppointmentError(_("Das Ende muss nach dem Beginn liegen."), field="ends_at")
    if not reason.strip():
        raise AppointmentError(_("Bitte einen Grund angeben."), field="reason")
    absence = Absence.objects.create(
        caseworker=caseworker,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action="create", target=absence, summary=_("Abwesenheit eingetragen"))
    clashes = list(
        Appointment.objects.booked()
        .filter(caseworker=caseworker, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("kunde")
    )
    return absence, clashes


@transaction.atomic
def absence_delete(*, actor: User, absence_id: int) -> None:
    absence = Absence.objects.select_for_update().select_related("caseworker").get(pk=absence_id)
    require_perm(
        actor,
        "appointments.manage_calendar",
        absence.caseworker,
        message=_("Diesen Kalender dürfen Sie nicht ändern."),
    )
    audit_record(actor=actor, action="change", target=absence, summary=_("Abwesenheit gelöscht"))
    absence.delete()
