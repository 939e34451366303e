"""The appointments app's read models: the booking chain's free slots, the limits of a first
consultation, follow-up slots, group events with room and their coverage per site.

Nothing here writes; the services (`appointments.services`) read through these.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import Antrag
from intake.services import ifk_proposed_for, integration_team_for
from jobcenter.models import Deputy, Standort, User
from jobcenter.roles import Role
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN, end_of_day

from .models import (
    OCCUPYING,
    Appointment,
    BookingEscalation,
    BookingStep,
    GroupEvent,
    Kind,
    Status,
)
from .slots import CalendarData, Slot, free_slots

# The EZ looks this far for a slot with the IFK, then with each deputy (rule R-EG-03).
CHAIN_WORKING_DAYS = 10
# Rebooking after a cancellation (rule R-TE-02): by the Jobcenter within 30 AT of the
# registration, by the customer within 30 days of it.
REBOOK_WORKING_DAYS = 30
REBOOK_DAYS = 30
# How far a re-invitation after a no-show and the team lead's manual booking look ahead.
REINVITE_WORKING_DAYS = 30
# Group events at every site at least every 14 days (rule R-GV-01).
GROUP_EVENT_EVERY_DAYS = 14


def fmt_moment(moment: datetime) -> str:
    return date_format(timezone.localtime(moment, BERLIN), "D d.m.Y H:i")


def is_active_ifk(user) -> bool:
    return user is not None and user.is_active and user.role == Role.INTEGRATION


@dataclass
class ChainStep:
    step: str
    caseworker: User | None
    position: int | None = None
    slots: list[Slot] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        if self.step == BookingStep.IFK:
            return _("Schritt 1: zuständige IFK")
        if self.step == BookingStep.VERTRETUNG:
            return _("Schritt 2: Vertretung %(n)d") % {"n": self.position}
        return _("Schritt 3: Teampostfach und Teamleitung")


@dataclass
class EgLimits:
    """By when the EG should take place: its deadline, and after a cancellation the
    rebooking limit (rule R-TE-02). A later slot needs a documented reason."""

    deadline: Deadline | None
    rebook_until: datetime | None = None
    rebook_label: str = ""

    def late_reasons(self, starts_at: datetime) -> list[str]:
        reasons = []
        if (
            self.deadline is not None
            and self.deadline.status == Deadline.Status.OPEN
            and starts_at > self.deadline.due_at
        ):
            reasons.append(
                _("nach der Frist für das Erstgespräch (fällig %(due)s)")
                % {"due": fmt_moment(self.deadline.due_at)}
            )
        if self.rebook_until is not None and starts_at > self.rebook_until:
            reasons.append(
                _("nach der Grenze für die Neubuchung (%(label)s: %(due)s)")
                % {"label": self.rebook_label, "due": fmt_moment(self.rebook_until)}
            )
        return reasons


@dataclass
class ChainResult:
    horizon: datetime
    steps: list[ChainStep]
    found: ChainStep | None
    limits: EgLimits
    escalation: BookingEscalation | None = None


def eg_limits(antrag: Antrag) -> EgLimits:
    deadline = (
        Deadline.objects.filter(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION)
        .select_related("rule")
        .order_by("-started_at", "-id")
        .first()
    )
    limits = EgLimits(deadline=deadline)
    last_cancel = (
        Appointment.objects.filter(
            antrag=antrag,
            kind=Kind.ERSTGESPRAECH,
            status__in=[Status.ABGESAGT_JC, Status.ABGESAGT_KUNDE],
        )
        .order_by("-outcome_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    if last_cancel == Status.ABGESAGT_JC:
        calendar = calendar_for(antrag.jobcenter)
        limits.rebook_until = end_of_day(
            calendar.add_working_days(antrag.application_date, REBOOK_WORKING_DAYS)
        )
        limits.rebook_label = _(
            "30 Arbeitstage nach der Anmeldung, weil das Jobcenter abgesagt hat"
        )
    elif last_cancel == Status.ABGESAGT_KUNDE:
        limits.rebook_until = end_of_day(antrag.application_date + timedelta(days=REBOOK_DAYS))
        limits.rebook_label = _(
            "30 Tage nach der Anmeldung, weil die Kundin / der Kunde abgesagt hat"
        )
    return limits


def deputies(ifk: User) -> list[tuple[int, User]]:
    entries = Deputy.objects.filter(ifk=ifk).select_related("deputy").order_by("position")
    return [(e.position, e.deputy) for e in entries if is_active_ifk(e.deputy)]


def eg_search(*, antrag: Antrag, now: datetime | None = None, alternatives: int = 8) -> ChainResult:
    """Search the chain: the responsible IFK, then each deputy in order, within 10 AT."""
    now = now or timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    today = timezone.localtime(now, BERLIN).date()
    horizon = end_of_day(calendar.add_working_days(today, CHAIN_WORKING_DAYS))
    ifk = antrag.applicant.ifk if antrag.applicant.ifk_id else None
    note = ""
    if ifk is None:
        # No IFK yet: the one of the team and age group, assigned when the EG is booked.
        ifk = ifk_proposed_for(antrag.applicant)
        note = _("Noch keine Hauptbetreuung: nach Team und Altersgruppe vorgeschlagen.")
    candidates: list[ChainStep] = []
    steps: list[ChainStep] = []
    if is_active_ifk(ifk):
        candidates.append(ChainStep(BookingStep.IFK, ifk, note=note))
        candidates += [ChainStep(BookingStep.VERTRETUNG, d, pos) for pos, d in deputies(ifk)]
    else:
        steps.append(
            ChainStep(BookingStep.IFK, None, note=_("Keine Hauptbetreuung (IFK) zugeordnet."))
        )
    data = CalendarData.load([c.caseworker.pk for c in candidates], now, horizon)
    found = None
    for candidate in candidates:
        candidate.slots = free_slots(
            data,
            calendar,
            caseworker_id=candidate.caseworker.pk,
            kind=Kind.ERSTGESPRAECH,
            after=now,
            until=horizon,
            limit=alternatives,
        )
        steps.append(candidate)
        if candidate.slots:
            found = candidate
            break
    if found is None:
        steps.append(ChainStep(BookingStep.TEAMLEITUNG, None))
    escalation = (
        BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True)
        .select_related("aufgabe")
        .first()
    )
    return ChainResult(horizon, steps, found, eg_limits(antrag), escalation)


def team_slots(
    *, antrag: Antrag, now: datetime | None = None, per_person: int = 6
) -> list[tuple[User, list[Slot]]]:
    """For the team lead who books by hand: free EG slots of the IFK, the deputies and the
    customer's Integration team over the next 30 working days."""
    now = now or timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    until = end_of_day(
        calendar.add_working_days(timezone.localtime(now, BERLIN).date(), REINVITE_WORKING_DAYS)
    )
    people: list[User] = []
    ifk = antrag.applicant.ifk if antrag.applicant.ifk_id else None
    if is_active_ifk(ifk):
        people.append(ifk)
        people += [d for _pos, d in deputies(ifk)]
    team = integration_team_for(antrag.applicant)
    if team is not None:
        people += list(
            team.members.filter(role=Role.INTEGRATION, is_active=True).order_by(
                "last_name", "first_name"
            )
        )
    unique = list(dict.fromkeys(people))
    data = CalendarData.load([p.pk for p in unique], now, until)
    return [
        (
            person,
            free_slots(
                data,
                calendar,
                caseworker_id=person.pk,
                kind=Kind.ERSTGESPRAECH,
                after=now,
                until=until,
                limit=per_person,
            ),
        )
        for person in unique
    ]


def follow_up_slots(
    *, caseworker: User, now: datetime | None = None, limit: int = 12
) -> list[Slot]:
    now = now or timezone.now()
    calendar = calendar_for(caseworker.jobcenter)
    until = end_of_day(
        calendar.add_working_days(timezone.localtime(now, BERLIN).date(), REINVITE_WORKING_DAYS)
    )
    data = CalendarData.load([caseworker.pk], now, until)
    return free_slots(
        data,
        calendar,
        caseworker_id=caseworker.pk,
        kind=Kind.FOLGEGESPRAECH,
        after=now,
        until=until,
        limit=limit,
    )


def group_events_with_room(*, standort: Standort, after: datetime):
    return (
        GroupEvent.objects.filter(
            standort=standort, status=GroupEvent.EventStatus.GEPLANT, starts_at__gt=after
        )
        .annotate(taken=Count("participants", filter=Q(participants__status__in=OCCUPYING)))
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class GroupCoverage:
    standort: Standort
    last_at: datetime | None
    next_at: datetime | None
    needed_by: date

    @property
    def missing(self) -> bool:
        return (
            self.next_at is None or timezone.localtime(self.next_at, BERLIN).date() > self.needed_by
        )

    @property
    def overdue(self) -> bool:
        return self.missing and self.needed_by < timezone.localdate()


def group_event_coverage(*, jobcenter, today: date | None = None) -> list[GroupCoverage]:
    """Per site: is the next group event within 14 days of the last one (rule R-GV-01)?

    Two grouped queries whatever the number of events.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    sites = list(Standort.objects.filter(jobcenter=jobcenter).order_by("name"))
    held = GroupEvent.objects.filter(standort__in=sites).exclude(
        status=GroupEvent.EventStatus.ABGESAGT
    )
    last = dict(
        held.filter(starts_at__lte=now)
        .values_list("standort")
        .annotate(at=Max("starts_at"))
        .order_by()
    )
    upcoming = dict(
        held.filter(starts_at__gt=now)
        .values_list("standort")
        .annotate(at=Min("starts_at"))
        .order_by()
    )
    coverage = []
    for site in sites:
        last_at = last.get(site.pk)
        base = timezone.localtime(last_at, BERLIN).date() if last_at else today
        needed_by = base + timedelta(days=GROUP_EVENT_EVERY_DAYS)
        coverage.append(GroupCoverage(site, last_at, upcoming.get(site.pk), needed_by))
    return coverage
