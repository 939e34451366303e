"""The appointments part of the demo Jobcenter (called by `manage.py demo_jobcenter`).

Released EG windows Mo/Di/Do/Fr 09–10 (rule R-TE-01) and follow-up windows for every IFK, some
absences, group events every 14 days per site (one site with a gap, so the warning shows),
the demo cases' first consultations as appointments, past follow-ups with outcomes, upcoming
ones, and contact-density profiles so that the KPI page has numbers.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appointments.models import (
    SLOT_MINUTES,
    Absence,
    Appointment,
    BookingStep,
    ContactGroup,
    ContactProfile,
    CourseKind,
    Form,
    GroupEvent,
    InvitationRule,
    Kind,
    Kooperationsplan,
    ReleasedWindow,
    Status,
    add_months,
)
from appointments.services import nachhaltung
from appointments.services.contact_density import contact_deadline_open, refresh_profile
from appointments.services.kooperationsplan import kooperationsplan_at_eg
from intake.models import Antrag, ErstgespraechState, Kunde
from jobcenter.models import Standort
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN
from routing.models import Vermerk
from routing.services import vermerk_create

TOPICS = [
    "Standortbestimmung, Bewerbungsunterlagen geprüft, zwei Vermittlungsvorschläge übergeben.",
    "Kooperationsplan fortgeschrieben, Eigenbemühungen (5 Bewerbungen/Monat) vereinbart.",
    "Maßnahmeangebot besprochen, Anmeldung zum Bewerbungstraining.",
    "Kinderbetreuung geklärt, Teilzeitstellen im Stellensuchlauf.",
    "Sprachkurs B1 abgeschlossen, Anerkennung des Berufsabschlusses eingeleitet.",
]


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=BERLIN)


class _Busy:
    """Times already taken per caseworker, so the demo never breaks the constraints."""

    def __init__(self):
        self.taken: dict[int, list[tuple[datetime, datetime]]] = {}

    def free(self, user_id: int, start: datetime, end: datetime) -> bool:
        return all(not (start < e and s < end) for s, e in self.taken.get(user_id, []))

    def take(self, user_id: int, start: datetime, end: datetime) -> None:
        self.taken.setdefault(user_id, []).append((start, end))


def build(*, jobcenter, staff, rng, now=None) -> None:
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_for(jobcenter)
    sites = {s.name: s for s in Standort.objects.filter(jobcenter=jobcenter)}
    ifks = [staff["ifk"], staff["ifk2"], staff["ifk3"]]
    site_of = {u.pk: (u.teams.exclude(standort=None).first().standort) for u in ifks}
    start = today - timedelta(days=120)

    for user in ifks:
        site = site_of[user.pk]
        for weekday in (0, 1, 3, 4):
            ReleasedWindow.objects.create(
                caseworker=user,
                kind=Kind.ERSTGESPRAECH,
                weekday=weekday,
                starts=time(9),
                ends=time(10),
                standort=site,
                valid_from=start,
            )
        for weekday in (0, 1, 3):
            ReleasedWindow.objects.create(
                caseworker=user,
                kind=Kind.FOLGEGESPRAECH,
                weekday=weekday,
                starts=time(10),
                ends=time(11, 30),
                standort=site,
                valid_from=start,
            )
        # Thursday afternoon the sites are open (14–17); Tuesday afternoon by appointment.
        ReleasedWindow.objects.create(
            caseworker=user,
            kind=Kind.FOLGEGESPRAECH,
            weekday=3,
            starts=time(14),
            ends=time(16, 15),
            standort=site,
            valid_from=start,
        )
        ReleasedWindow.objects.create(
            caseworker=user,
            kind=Kind.FOLGEGESPRAECH,
            weekday=1,
            starts=time(13, 30),
            ends=time(15, 0),
            standort=site,
            valid_from=start,
            outside_opening_hours=True,
        )
    monday = today - timedelta(days=today.weekday())
    Absence.objects.create(
        caseworker=staff["ifk2"],
        starts_at=_at(monday + timedelta(days=7), time(0)),
        ends_at=_at(monday + timedelta(days=12), time(0)),
        reason="Urlaub",
        created_by=staff["ifk2"],
    )
    Absence.objects.create(
        caseworker=staff["ifk3"],
        starts_at=_at(monday + timedelta(days=3), time(8)),
        ends_at=_at(monday + timedelta(days=3), time(16)),
        reason="Fortbildung",
        created_by=staff["ifk3"],
    )
    InvitationRule.objects.create(
        jobcenter=jobcenter,
        occasion=InvitationRule.Occasion.ERSTEINLADUNG,
        with_rfb=False,
        valid_from=date(2023, 1, 1),
        source="§ 15 Abs. 4 SGB II; Jobcenter Rhein-Lahn, Kundenprozess, Abschnitt 1.3",
    )

    busy = _Busy()
    for user in ifks:
        for s, e in Absence.objects.filter(caseworker=user).values_list("starts_at", "ends_at"):
            busy.take(user.pk, s, e)
    events = _group_events(jobcenter, staff, sites, now, calendar, busy)
    _first_consultations(jobcenter, staff, busy, site_of)
    _follow_ups(jobcenter, staff, ifks, busy, site_of, now, calendar, rng)
    _group_participants(jobcenter, staff, events, rng, today)
    _profiles(jobcenter, ifks, today, rng)
    _nachhaltung(jobcenter, ifks, today)


def _group_events(jobcenter, staff, sites, now, calendar, busy) -> list[GroupEvent]:
    today = timezone.localdate(now)
    plan = [
        # site, host, first Tuesday offset in weeks, weeks ahead planned
        ("Hauptstelle Am Markt", staff["ifk3"], -8, 6),
        # The southern site had its last event two weeks ago and has none planned: the
        # warning on the calendar and the group-event page.
        ("Geschäftsstelle Süd", staff["ifk"], -8, -2),
    ]
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7)
    events = []
    for name, host, first, last in plan:
        site = sites.get(name) or next(iter(sites.values()))
        week = first
        while week <= last:
            day = tuesday + timedelta(weeks=week)
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            starts, ends = _at(day, time(13)), _at(day, time(15))
            if busy.free(host.pk, starts, ends):
                busy.take(host.pk, starts, ends)
                events.append(
                    GroupEvent.objects.create(
                        jobcenter=jobcenter,
                        standort=site,
                        starts_at=starts,
                        ends_at=ends,
                        capacity=12,
                        host=host,
                        created_by=staff["teamleitung"],
                        status=GroupEvent.EventStatus.DURCHGEFUEHRT
                        if ends < now
                        else GroupEvent.EventStatus.GEPLANT,
                    )
                )
            week += 2
    return events


def _first_consultations(jobcenter, staff, busy, site_of) -> None:
    """The demo cases' EGs (booked by the intake demo) become appointments."""
    cases = Antrag.objects.filter(jobcenter=jobcenter, eg_at__isnull=False).select_related(
        "applicant", "eg_with"
    )
    for antrag in cases.order_by("eg_at"):
        starts = antrag.eg_at
        ends = starts + timedelta(minutes=SLOT_MINUTES[Kind.ERSTGESPRAECH])
        if not busy.free(antrag.eg_with_id, starts, ends):
            continue  # two demo cases on one hour: the case keeps its date only
        busy.take(antrag.eg_with_id, starts, ends)
        held = antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT
        appointment = Appointment(
            jobcenter=jobcenter,
            kunde=antrag.applicant,
            antrag=antrag,
            caseworker=antrag.eg_with,
            kind=Kind.ERSTGESPRAECH,
            standort=site_of.get(antrag.eg_with_id),
            starts_at=starts,
            ends_at=ends,
            invitation_occasion=InvitationRule.Occasion.ERSTEINLADUNG,
            booking_step=BookingStep.IFK
            if antrag.eg_with_id == antrag.applicant.ifk_id
            else BookingStep.VERTRETUNG,
            booked_by=staff["ez"],
        )
        if held:
            appointment.status = Status.DURCHGEFUEHRT
            appointment.held_minutes = 60
            appointment.held_form = Form.PERSOENLICH
            appointment.qualified = True
            appointment.outcome_at = ends
            appointment.outcome_by = antrag.eg_with
            appointment.vermerk = vermerk_create(
                kunde=antrag.applicant,
                author=antrag.eg_with,
                subject=f"Erstgespräch am {timezone.localtime(starts):%d.%m.%Y %H:%M} (60 Min., persönlich)",
                text="Profiling, Stärkenanalyse, Kooperationsplan erstellt.",
                known_on=timezone.localtime(starts).date(),
                kind=Vermerk.Kind.BERATUNG,
            )
        # Not held: still booked, like the case; a past one waits on the IFK's worklist
        # for its outcome.
        appointment.save()


def _follow_ups(jobcenter, staff, ifks, busy, site_of, now, calendar, rng) -> None:
    """Three past weeks of follow-ups with outcomes, and some booked for the coming days."""
    today = timezone.localdate(now)
    for user in ifks:
        customers = list(Kunde.objects.filter(jobcenter=jobcenter, ifk=user)[:40])
        if not customers:
            continue
        windows = list(user.released_windows.filter(kind=Kind.FOLGEGESPRAECH))
        day = today - timedelta(days=21)
        while day <= today + timedelta(days=10):
            if calendar.is_working_day(day):
                for window in (w for w in windows if w.weekday == day.weekday()):
                    slot = _at(day, window.starts)
                    while slot + timedelta(minutes=45) <= _at(day, window.ends):
                        end = slot + timedelta(minutes=45)
                        if busy.free(user.pk, slot, end) and rng.random() < 0.8:
                            busy.take(user.pk, slot, end)
                            _follow_up(
                                jobcenter, user, rng.choice(customers), slot, end, now, rng, site_of
                            )
                        slot = end
            day += timedelta(days=1)


def _follow_up(jobcenter, user, kunde, starts, ends, now, rng, site_of) -> None:
    appointment = Appointment(
        jobcenter=jobcenter,
        kunde=kunde,
        caseworker=user,
        kind=Kind.FOLGEGESPRAECH,
        standort=site_of.get(user.pk),
        starts_at=starts,
        ends_at=ends,
        booked_by=user,
        invitation_occasion=InvitationRule.Occasion.FOLGEEINLADUNG,
        form=rng.choice([Form.PERSOENLICH] * 4 + [Form.VIDEO, Form.TELEFON, Form.WALK_AND_TALK]),
    )
    if ends < now:
        roll = rng.random()
        appointment.outcome_at = ends
        appointment.outcome_by = user
        if roll < 0.1:
            appointment.status = Status.MELDEVERSAEUMNIS
        elif roll < 0.15:
            appointment.status = Status.ABGESAGT_KUNDE
            appointment.cancel_reason = "krank gemeldet"
        else:
            minutes = rng.choice([45, 45, 40, 30, 20])
            appointment.status = Status.DURCHGEFUEHRT
            appointment.held_minutes = minutes
            appointment.held_form = appointment.form
            appointment.qualified = minutes >= 30
            appointment.vermerk = vermerk_create(
                kunde=kunde,
                author=user,
                subject=f"Folgegespräch am {timezone.localtime(starts):%d.%m.%Y %H:%M} ({minutes} Min.)",
                text=rng.choice(TOPICS),
                known_on=timezone.localtime(starts).date(),
                kind=Vermerk.Kind.BERATUNG if minutes >= 30 else Vermerk.Kind.ALLGEMEIN,
            )
    appointment.save()


def _group_participants(jobcenter, staff, events, rng, today) -> None:
    recent = list(
        Antrag.objects.filter(jobcenter=jobcenter, application_date__gte=today - timedelta(days=60))
        .select_related("applicant")
        .order_by("application_date")
    )
    for event in events:
        day = timezone.localtime(event.starts_at).date()
        candidates = [a for a in recent if a.application_date < day][-8:]
        for antrag in rng.sample(candidates, min(len(candidates), rng.randint(3, 6))):
            if Appointment.objects.filter(group_event=event, kunde=antrag.applicant).exists():
                continue
            past = event.status == GroupEvent.EventStatus.DURCHGEFUEHRT
            came = rng.random() < 0.8
            Appointment.objects.create(
                jobcenter=jobcenter,
                kunde=antrag.applicant,
                antrag=antrag,
                caseworker=event.host,
                kind=Kind.GRUPPE,
                group_event=event,
                standort=event.standort,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                with_rfb=True,
                invitation_occasion=InvitationRule.Occasion.GRUPPE,
                booked_by=staff["ez"],
                status=(Status.DURCHGEFUEHRT if came else Status.MELDEVERSAEUMNIS)
                if past
                else Status.GEBUCHT,
                held_minutes=120 if past and came else None,
                qualified=past and came,
                outcome_at=event.ends_at if past else None,
            )


def _profiles(jobcenter, ifks, today, rng) -> None:
    """A profile for every customer of the IFKs: from the EG held, or a Bestandskunde."""
    groups = [
        ContactGroup.OHNE,
        ContactGroup.MARKTNAH,
        ContactGroup.MARKTNAH,
        ContactGroup.FALLMANAGEMENT,
        ContactGroup.MARKTFERN,
        ContactGroup.INTEGRIERT,
        ContactGroup.PARAGRAPH_10,
    ]
    for kunde in Kunde.objects.filter(jobcenter=jobcenter, ifk__in=ifks).select_related(
        "ifk", "jobcenter"
    ):
        last = (
            Appointment.objects.filter(kunde=kunde, status=Status.DURCHGEFUEHRT, qualified=True)
            .order_by("-starts_at")
            .first()
        )
        eg = Appointment.objects.filter(
            kunde=kunde, kind=Kind.ERSTGESPRAECH, status=Status.DURCHGEFUEHRT
        ).first()
        if last is None and rng.random() < 0.5:
            continue  # a new customer before the EG: no profile yet
        since = (
            timezone.localtime(eg.starts_at).date()
            if eg
            else today - timedelta(days=rng.randint(200, 900))
        )
        profile = ContactProfile(
            kunde=kunde,
            jobcenter=jobcenter,
            group=rng.choice(groups),
            since=since,
            new_customer_since=since if eg else None,
            last_qualified_contact_at=last.starts_at
            if last
            else _at(
                today
                - timedelta(
                    days=rng.choice([rng.randint(5, 80), rng.randint(5, 80), rng.randint(60, 200)])
                ),
                time(10),
            ),
        )
        if rng.random() < 0.1:
            profile.course_graduated_on = today - timedelta(days=rng.randint(10, 150))
            profile.course_kind = rng.choice(CourseKind.values)
            if profile.course_kind == CourseKind.SPRACHKURS:
                profile.language_level = rng.choice(["A1", "A2", "B1"])
        refresh_profile(profile, today=today)
        profile.save()
        contact_deadline_open(profile)
        if eg is not None:
            # Rule R-KO-01: agreed at the EG as a rule, now and then one of the exceptions.
            outcome = Kooperationsplan.Outcome.VEREINBART
            if rng.random() < 0.1:
                outcome = Kooperationsplan.Outcome.PARAGRAPH_10
            kooperationsplan_at_eg(actor=eg.caseworker, appointment=eg, outcome=outcome)


def _nachhaltung(jobcenter, ifks, today) -> None:
    """A few follow-ups at the contacts for the first IFK's customers (rules R-NH-01 to
    R-NH-05): a VV awaiting feedback, a measure about to end, a § 10 restriction due for
    review, a pupil of a leaving class."""
    ifk = ifks[0]
    kunden = list(Kunde.objects.filter(jobcenter=jobcenter, ifk=ifk).order_by("pk")[:3])
    if len(kunden) < 3:
        return
    vv, measure, restriction = kunden
    pupil = (
        Kunde.objects.filter(jobcenter=jobcenter, date_of_birth__gt=add_months(today, -12 * 18))
        .exclude(ifk=None)
        .order_by("pk")
        .first()
    )
    nachhaltung.proposal_record(
        actor=ifk,
        kunde=vv,
        reference="Lagerhelfer/in, Spedition am Hafen, Ref. 2026-117",
        received_on=today - timedelta(days=16),
        close_follow_up=True,
    )
    nachhaltung.measure_record(
        actor=ifk,
        kunde=measure,
        title="FbW Fachkraft Lagerlogistik",
        ends_on=today + timedelta(days=12),
    )
    nachhaltung.restriction_save(
        actor=ifk,
        kunde=restriction,
        since=today - timedelta(days=170),
        reason="Pflege eines Angehörigen",
        evidence="Bescheid der Pflegekasse über den Pflegegrad",
    )
    if pupil is not None:
        nachhaltung.school_record_save(
            actor=pupil.ifk, kunde=pupil, leaving_year=today.year + (today.month > 1)
        )
