"""The front desk's read models: appointments to check in against, queues, teams, desks.

Lookups only; nothing here writes. The actions are in `frontdesk.services`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import models as termin_models
from intake.models import Antrag, ErstgespraechState, Kunde
from intake.services import integration_team_for
from jobcenter.models import Jobcenter, Standort, Team, User

from .models import Concern, Desk, SiteSettings, Visit, VisitConcern


@dataclass(frozen=True)
class Appointment:
    """An appointment a customer can be checked in against."""

    at: datetime
    with_user: User
    label: str
    antrag_id: int | None
    # The appointments app's row (None for a first consultation known only from its case).
    pk: int | None = None
    # When the customer was checked in for it already (a second check-in is refused).
    arrived_at: datetime | None = None

    @property
    def room(self) -> str:
        """Where the reception sends the customer: the caseworker's room, if on file."""
        return self.with_user.room


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def appointments_for_checkin(
    kunde_ids, day: date, standort: Standort | None = None
) -> dict[int, Appointment]:
    """Per customer, their first appointment of `day` to check in against.

    The appointments app's rows come first: booked (not cancelled, not held), at this site
    or at none, the first one not yet arrived, else the arrived one (so that a second
    check-in can be refused by name). A first consultation booked only on the case
    (intake.Antrag.eg_at / eg_with) answers for customers without such a row. Two queries
    for any number of customers.
    """
    ids = [pk for pk in kunde_ids if pk]
    if not ids:
        return {}
    start, end = _day_bounds(day)
    termine = termin_models.Appointment.objects.filter(
        kunde_id__in=ids,
        status=termin_models.Status.GEBUCHT,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    if standort is not None:
        termine = termine.filter(Q(standort=standort) | Q(standort__isnull=True))
    found: dict[int, Appointment] = {}
    for termin in termine.select_related("caseworker").order_by(
        F("arrived_at").asc(nulls_first=True), "starts_at", "pk"
    ):
        found.setdefault(
            termin.kunde_id,
            Appointment(
                at=termin.starts_at,
                with_user=termin.caseworker,
                label=termin.get_kind_display(),
                antrag_id=termin.antrag_id,
                pk=termin.pk,
                arrived_at=termin.arrived_at,
            ),
        )
    rows = (
        Antrag.objects.filter(
            applicant_id__in=[pk for pk in ids if pk not in found],
            eg_state=ErstgespraechState.GEBUCHT,
            eg_at__gte=start,
            eg_at__lt=end,
            eg_with__isnull=False,
        )
        # A first consultation booked in the appointments app answers through its row.
        .exclude(
            appointments__kind=termin_models.Kind.ERSTGESPRAECH,
            appointments__status=termin_models.Status.GEBUCHT,
        )
        .select_related("eg_with")
        .order_by("eg_at", "pk")
    )
    for antrag in rows:
        found.setdefault(
            antrag.applicant_id,
            Appointment(
                at=antrag.eg_at,
                with_user=antrag.eg_with,
                label=_("Erstgespräch"),
                antrag_id=antrag.pk,
            ),
        )
    return found


def appointment_for_checkin(
    kunde: Kunde | None, day: date, standort: Standort | None = None
) -> Appointment | None:
    if kunde is None:
        return None
    return appointments_for_checkin([kunde.pk], day, standort).get(kunde.pk)


def site_settings(standort: Standort) -> SiteSettings:
    """The site's queue settings, or the defaults (not saved) if it has none."""
    try:
        return standort.frontdesk_settings
    except SiteSettings.DoesNotExist:
        return SiteSettings(standort=standort)


FREQUENCY_DAYS = 90


def concern_frequency(standort: Standort, today: date | None = None) -> dict[int, int]:
    """How often each concern was brought to this site over the last 90 days (one query)."""
    today = today or timezone.localdate()
    rows = (
        VisitConcern.objects.filter(
            visit__standort=standort,
            visit__day__gt=today - timedelta(days=FREQUENCY_DAYS),
            visit__day__lte=today,
        )
        .values("concern_id")
        .annotate(n=Count("pk"))
        .values_list("concern_id", "n")
    )
    return dict(rows)


def by_frequency(concerns: QuerySet[Concern], frequency: dict[int, int]) -> QuerySet[Concern]:
    """The most frequent concerns first; equal ones (and a new site) in catalogue order."""
    if not frequency:
        return concerns
    uses = Case(
        *[When(pk=pk, then=Value(n)) for pk, n in frequency.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return concerns.order_by(uses.desc(), *Concern._meta.ordering)


def served_team_ids(standort: Standort) -> set[int]:
    """The teams whose queue some active desk of this site serves."""
    return set(
        Desk.teams.through.objects.filter(desk__standort=standort, desk__active=True).values_list(
            "team_id", flat=True
        )
    )


_HANDLER_KINDS = {
    Concern.Handler.EMPFANG: [Team.Kind.EMPFANG, Team.Kind.EINGANGSZONE],
    Concern.Handler.EINGANGSZONE: [Team.Kind.EINGANGSZONE],
    Concern.Handler.LEISTUNG: [Team.Kind.LEISTUNG],
    Concern.Handler.SACHBEARBEITUNG: [Team.Kind.SACHBEARBEITUNG, Team.Kind.LEISTUNG],
    Concern.Handler.BUT: [Team.Kind.BUT, Team.Kind.LEISTUNG],
    Concern.Handler.INTEGRATION: [Team.Kind.INTEGRATION_UE25, Team.Kind.INTEGRATION_U25],
    Concern.Handler.FACHBEREICH: [],
}


_OWN_LEISTUNG = (Concern.Handler.LEISTUNG, Concern.Handler.SACHBEARBEITUNG)


def own_leistung_team(kunde: Kunde | None) -> Team | None:
    bg = kunde.bedarfsgemeinschaft if kunde is not None else None
    return bg.leistung_team if bg is not None and bg.leistung_team_id else None


def responsible_team(
    *,
    jobcenter: Jobcenter,
    standort: Standort | None,
    handler: str,
    kunde: Kunde | None,
    served_at: Standort | None = None,
    teams: list[Team] | None = None,
) -> Team | None:
    """The team that handles `handler`'s concerns for this customer at this site (with
    `served_at`, a team found by its kind carries `served_here`: a desk there serves it).
    `teams`: the Jobcenter's teams ordered by name, already read (the desk page has them
    for its forms): picked from them in the same order, no query."""
    if kunde is not None:
        # Rule R-EM-02: "the Sachbearbeitung" is the Leistung team of the customer's BG,
        # never whichever Leistung team comes first at the site.
        if handler in _OWN_LEISTUNG:
            bg = kunde.bedarfsgemeinschaft
            if bg is not None and bg.leistung_team_id:
                return bg.leistung_team
        if handler == Concern.Handler.INTEGRATION:
            team = integration_team_for(kunde)
            if team is not None:
                return team
    for kind in _HANDLER_KINDS.get(handler, []):
        # The site's own team of that kind first, else the first of the Jobcenter (by name).
        if teams is not None and served_at is None:
            of_kind = [t for t in teams if t.kind == kind]
            if standort is not None:  # a stable sort keeps the database's name order
                of_kind.sort(key=lambda t: t.standort_id != standort.pk)
            if of_kind:
                return of_kind[0]
            continue
        teams_of_kind = Team.objects.filter(jobcenter=jobcenter, kind=kind)
        if standort is not None:
            here = Case(When(standort=standort, then=Value(0)), default=Value(1))
            teams_of_kind = teams_of_kind.order_by(here, "name")
            if served_at is not None:
                teams_of_kind = teams_of_kind.annotate(served_here=_served_at(served_at))
        else:
            teams_of_kind = teams_of_kind.order_by("name")
        team = teams_of_kind.first()
        if team is not None:
            return team
    return None


def _served_at(standort: Standort) -> Exists:
    return Exists(
        Desk.teams.through.objects.filter(
            team_id=OuterRef("pk"), desk__standort=standort, desk__active=True
        )
    )


class ServedTeams:
    """`served_team_ids`, read only if asked (`team.pk in served`)."""

    def __init__(self, standort: Standort):
        self.standort = standort
        self._ids: set[int] | None = None

    def __contains__(self, pk) -> bool:
        if self._ids is None:
            self._ids = served_team_ids(self.standort)
        return pk in self._ids


def queue_for(
    *,
    jobcenter: Jobcenter,
    standort: Standort,
    concerns: list[Concern],
    kunde: Kunde | None,
    served: "set[int] | ServedTeams | None" = None,
) -> Team | None:
    """Where a walk-in waits: a concern passed on in person the same day (rule R-EM-02) goes to
    its team's queue when a desk of this site serves it; everything else to the
    Eingangszone, the second filter (rule R-EM-01). `served`: `served_team_ids`, if the
    caller has read them already."""
    if served is None:
        served = ServedTeams(standort)

    def candidates():
        # One at a time: the first served one ends the search. A team found by its kind
        # says itself whether a desk here serves it (`served_here`).
        for c in concerns:
            if c.route == Concern.Route.IN_PERSON:
                yield responsible_team(
                    jobcenter=jobcenter,
                    standort=standort,
                    handler=c.handled_by,
                    kunde=kunde,
                    served_at=standort,
                )
        yield responsible_team(
            jobcenter=jobcenter,
            standort=standort,
            handler=Concern.Handler.EINGANGSZONE,
            kunde=kunde,
            served_at=standort,
        )

    for team in candidates():
        if team is None:
            continue
        here = getattr(team, "served_here", None)
        if here if here is not None else team.pk in served:
            return team
    return None


def ticket_team_for(
    visit: Visit, concerns: list[Concern], teams: list[Team] | None = None
) -> Team | None:
    """The team a ticket about these concerns goes to: the first one routed by ticket or
    appointment, else the first concern's, else the Eingangszone (`teams`: the Jobcenter's
    teams by name, if already read; see `responsible_team`)."""
    ordered = sorted(
        concerns,
        key=lambda c: c.route not in (Concern.Route.TICKET, Concern.Route.APPOINTMENT),
    )
    for concern in ordered:
        if concern.handled_by == Concern.Handler.EMPFANG:
            continue  # the reception is no back office
        if concern.handled_by in _OWN_LEISTUNG and own_leistung_team(visit.kunde) is None:
            # Rule R-EM-02: an unknown walk-in's Leistung team is not known; the
            # Eingangszone, which can find out, gets the ticket (below).
            continue
        team = responsible_team(
            jobcenter=visit.jobcenter,
            standort=visit.standort,
            handler=concern.handled_by,
            kunde=visit.kunde,
            teams=teams,
        )
        if team is not None:
            return team
    # Rule R-EM-03: the Eingangszone distributes the tickets no department is named for.
    return responsible_team(
        jobcenter=visit.jobcenter,
        standort=visit.standort,
        handler=Concern.Handler.EINGANGSZONE,
        kunde=None,
        teams=teams,
    )


# A desk nobody has used for this long counts as closed and may be taken over.
DESK_IDLE = timedelta(minutes=20)


def desk_of(user: User, *, with_version: bool = False) -> Desk | None:
    """The desk this person has open, if any (`with_version`: with its site's version of
    what the polls show as `site_version`, in the same query)."""
    if not user.is_authenticated:
        return None
    desks = Desk.objects.filter(
        occupied_by=user, active=True, standort__jobcenter_id=user.jobcenter_id
    ).select_related("standort__jobcenter")
    if with_version:
        desks = desks.annotate(site_version=F("standort__frontdesk_version__value"))
    return desks.first()


def desk_is_stale(desk: Desk, now: datetime) -> bool:
    return desk.last_seen_at is None or desk.last_seen_at < now - DESK_IDLE


def waiting_for_desk(desk: Desk, user: User, day: date):
    """The queue a desk calls from: its teams' waiting customers at its site, today, in
    order; customers with an appointment only for the person they are booked with."""
    return (
        Visit.objects.waiting()
        .filter(standort_id=desk.standort_id, day=day, team__in=desk.teams.all())
        .filter(Q(assigned_to__isnull=True) | Q(assigned_to=user))
        .in_queue_order()
    )
