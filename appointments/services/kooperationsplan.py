"""The Kooperationsplan: agreed at the EG, updated at the latest every six months (rule R-KO-01)."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from intake.services import integration_team_for
from jobcenter.models import User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record
from minimumstandards.models import RuleKind
from minimumstandards.services import deadline_complete, deadline_open
from minimumstandards.workdays import BERLIN

from ..errors import AppointmentError
from ..models import Appointment, Kooperationsplan, add_months
from ..selectors import is_active_ifk

# "spätestens nach Ablauf von jeweils sechs Monaten": calendar months, to the same day
# (or the month's last day: agreed 31 August, updated by 28 February at the latest).
REVIEW_MONTHS = 6
Outcome = Kooperationsplan.Outcome
AT_EG = (Outcome.VEREINBART, Outcome.PARAGRAPH_10, Outcome.BESCHAEFTIGT, Outcome.SONSTIGES)


def kooperationsplan_check(outcome: str, reason_text: str) -> None:
    """The EG's answer before anything is saved: agreed, or one of the seed's exceptions."""
    if outcome not in AT_EG:
        raise AppointmentError(
            _("Bitte angeben, ob ein Kooperationsplan vereinbart wurde."), field="kooperationsplan"
        )
    if outcome == Outcome.SONSTIGES and not reason_text.strip():
        raise AppointmentError(
            _(
                "Bitte den besonderen Umstand nennen, aus dem kein Kooperationsplan vereinbart wurde."
            ),
            field="kooperationsplan_reason",
        )


def kooperationsplan_at_eg(
    *, actor: User, appointment: Appointment, outcome: str, reason_text: str = ""
) -> Kooperationsplan:
    """Record the EG's Kooperationsplan (checked by `kooperationsplan_check` beforehand)."""
    kooperationsplan_check(outcome, reason_text)
    day = timezone.localtime(appointment.starts_at, BERLIN).date()
    return _record(
        actor=actor,
        kunde=appointment.kunde,
        outcome=outcome,
        on=day,
        started_at=appointment.starts_at,
        reason_text=reason_text.strip() if outcome == Outcome.SONSTIGES else "",
        appointment=appointment,
    )


@transaction.atomic
def kooperationsplan_update(*, actor: User, kunde: Kunde, on: date) -> Kooperationsplan:
    """The IFK updated the plan with the customer (or agreed it after an exception): the
    running clock is met and the next six months begin."""
    require_perm(
        actor,
        "appointments.record_contact",
        kunde,
        message=_("Den Kooperationsplan schreiben Integrationsfachkräfte fort."),
    )
    if on > timezone.localdate():
        raise AppointmentError(_("Das Datum darf nicht in der Zukunft liegen."), field="on")
    last = Kooperationsplan.objects.select_for_update().filter(kunde=kunde).first()
    if last is not None and on < last.on:
        raise AppointmentError(
            _("Das Datum liegt vor dem letzten Eintrag zum Kooperationsplan (%(day)s).")
            % {"day": f"{last.on:%d.%m.%Y}"},
            field="on",
        )
    agreed_before = Kooperationsplan.objects.filter(
        kunde=kunde, outcome__in=Kooperationsplan.AGREED
    ).exists()
    at = timezone.now() if on == timezone.localdate() else datetime.combine(on, time(12), BERLIN)
    deadline_complete(kind=RuleKind.KOOPERATIONSPLAN, at=at, kunde=kunde)
    return _record(
        actor=actor,
        kunde=kunde,
        outcome=Outcome.FORTGESCHRIEBEN if agreed_before else Outcome.VEREINBART,
        on=on,
        started_at=at,
    )


def _record(
    *,
    actor: User,
    kunde: Kunde,
    outcome: str,
    on: date,
    started_at: datetime,
    reason_text: str = "",
    appointment: Appointment | None = None,
) -> Kooperationsplan:
    agreed = outcome in Kooperationsplan.AGREED
    plan = Kooperationsplan.objects.create(
        kunde=kunde,
        jobcenter=kunde.jobcenter,
        outcome=outcome,
        on=on,
        next_review_due=add_months(on, REVIEW_MONTHS) if agreed else None,
        reason_text=reason_text,
        appointment=appointment,
        recorded_by=actor,
    )
    if agreed:
        # The window in days from this day to the same day six months on (181 to 184).
        deadline_open(
            jobcenter=kunde.jobcenter,
            kind=RuleKind.KOOPERATIONSPLAN,
            started_at=started_at,
            team=integration_team_for(kunde),
            owner_user=kunde.ifk if is_active_ifk(kunde.ifk) else None,
            kunde=kunde,
            window=f"{(plan.next_review_due - on).days}KT",
        )
    audit_record(
        actor=actor,
        action="create",
        target=plan,
        summary=_("Kooperationsplan: %(outcome)s am %(day)s")
        % {"outcome": plan.get_outcome_display(), "day": f"{on:%d.%m.%Y}"},
    )
    return plan
