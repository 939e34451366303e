"""The appointments' rows on the IFK's worklist (routing.worklist collects every source)."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobcenter.roles import Role
from minimumstandards.models import Deadline, RuleKind
from routing.worklist import (
    DeadlineRows,
    Row,
    Source,
    owned_or_of_customers_parts,
    register_source,
)

from .models import Appointment, Kind, Status


def day_start(now):
    """Midnight (Berlin) before `now`."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def arrived_label(appointment: Appointment) -> str:
    """„ist da seit 09:50“ for an appointment whose customer has checked in."""
    return _("ist da seit %(at)s") % {
        "at": date_format(timezone.localtime(appointment.arrived_at), "H:i")
    }


def appointment_rows(user, now) -> list[Row]:
    """Appointments still waiting for their outcome, and the week's follow-ups.

    First consultations to come are on the worklist already (from the case); here they show
    only once they are due for an outcome.
    """
    mine = Appointment.objects.filter(caseworker=user, status=Status.GEBUCHT).select_related(
        "kunde"
    )
    # The customer checked in at the reception today: here now, first on the list.
    arrived = mine.filter(arrived_at__gte=day_start(now)).order_by("arrived_at")[:50]
    mine = mine.exclude(arrived_at__gte=day_start(now))
    awaiting = mine.filter(starts_at__lte=now).order_by("starts_at")[:50]
    coming = (
        mine.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=7))
        .exclude(kind=Kind.ERSTGESPRAECH)
        .order_by("starts_at")[:50]
    )
    rows = [
        Row(
            key=f"termin-{appointment.pk}",
            category="termin",
            category_label=_("Termin"),
            title=_("%(kind)s um %(at)s: ist da")
            % {
                "kind": appointment.get_kind_display(),
                "at": date_format(timezone.localtime(appointment.starts_at), "H:i"),
            },
            url=reverse("appointments:detail", args=[appointment.pk]),
            kunde=appointment.kunde,
            due_at=appointment.starts_at,
            level="danger",
            level_label=arrived_label(appointment),
            arrived=True,
        )
        for appointment in arrived
    ]
    for appointment in [*awaiting, *coming]:
        overdue = appointment.starts_at <= now
        rows.append(
            Row(
                key=f"termin-{appointment.pk}",
                category="termin",
                category_label=_("Termin"),
                title=(_("%(kind)s: Ergebnis erfassen") if overdue else _("%(kind)s"))
                % {"kind": appointment.get_kind_display()},
                url=reverse("appointments:detail", args=[appointment.pk]),
                kunde=appointment.kunde,
                due_at=appointment.starts_at,
                level="warning"
                if overdue
                else ("info" if appointment.customer_confirmed_at else ""),
                level_label=_("Ergebnis offen")
                if overdue
                else (_("bestätigt") if appointment.customer_confirmed_at else ""),
            )
        )
    return rows


# When a follow-up shows on the worklist (rules R-NH-01 to R-NH-05): from the start of its
# clock (the VV received, the measure's window opened, January of the leaving year); the
# yearly certificate and the half-yearly review four weeks before they fall due.
FROM_THE_START = [RuleKind.VV_FEEDBACK, RuleKind.MEASURE_END, RuleKind.LEAVING_CLASS]
BEFORE_DUE = {RuleKind.SCHOOL_CERTIFICATE: 28, RuleKind.AVAILABILITY_REVIEW: 28}


def _follow_up_deadlines(user, now):
    visible = Q(kind__in=FROM_THE_START, started_at__lte=now)
    for kind, days in BEFORE_DUE.items():
        visible |= Q(kind=kind, due_at__lte=now + timedelta(days=days))
    return owned_or_of_customers_parts(
        user,
        Deadline.objects.open()
        .filter(jobcenter_id=user.jobcenter_id, kunde__isnull=False)
        .filter(visible),
    )


def _follow_up_row(d: Deadline, now) -> Row:
    if d.due_at <= now:
        level, label = "danger", _("überfällig")
    elif d.warn_at <= now:
        level, label = "warning", _("droht abzulaufen")
    else:
        level, label = "", ""
    return Row(
        key=f"nachhaltung-{d.pk}",
        category="nachhaltung",
        category_label=_("Nachhaltung"),
        title=d.get_kind_display(),
        url=reverse("appointments:contact", args=[d.kunde_id]) + "#nachhaltung",
        kunde=d.kunde,
        due_at=d.due_at,
        received_at=d.started_at,
        level=level,
        level_label=label,
    )


FOLLOW_UPS = DeadlineRows(_follow_up_deadlines, _follow_up_row)


def follow_up_rows(user, now) -> list[Row]:
    """The open follow-ups of the IFK's customers, with their due dates."""
    return FOLLOW_UPS.rows(user, now)


def register() -> None:
    register_source(Source("termin", gettext_lazy("Termin"), {Role.INTEGRATION}, appointment_rows))
    register_source(
        Source(
            "nachhaltung",
            gettext_lazy("Nachhaltung"),
            {Role.INTEGRATION},
            follow_up_rows,
            deadlines=FOLLOW_UPS,
        )
    )
