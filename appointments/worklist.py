"""The appointments' rows on the IFK's worklist (routing.worklist collects every source)."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobcenter.roles import Role
from routing.worklist import Row, Source, register_source

from .models import Appointment, Kind, Status


def appointment_rows(user, now) -> list[Row]:
    """Appointments still waiting for their outcome, and the week's follow-ups.

    First consultations to come are on the worklist already (from the case); here they show
    only once they are due for an outcome.
    """
    mine = Appointment.objects.filter(caseworker=user, status=Status.GEBUCHT).select_related(
        "kunde"
    )
    awaiting = mine.filter(starts_at__lte=now).order_by("starts_at")[:50]
    coming = (
        mine.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=7))
        .exclude(kind=Kind.ERSTGESPRAECH)
        .order_by("starts_at")[:50]
    )
    rows = []
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
                level="warning" if overdue else "",
                level_label=_("Ergebnis offen") if overdue else "",
            )
        )
    return rows


def register() -> None:
    register_source(Source("termin", gettext_lazy("Termin"), {Role.INTEGRATION}, appointment_rows))
