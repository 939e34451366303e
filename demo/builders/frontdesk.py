"""The front desk of the demo Jobcenter: desks, displays, a morning today and past days.

Called by `manage.py demo_jobcenter` once, when it creates the Jobcenter. The
visits are made by the real services on a simulated clock, so every figure (waiting and
processing times, the live view, the reports) comes out of the same code as in use.
"""

import contextlib
import heapq
import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from frontdesk.errors import QueueEmpty
from frontdesk.models import Concern, Desk, Display, Outcome, SiteSettings, Visit, VisitState
from frontdesk.services.calling import (
    visit_call,
    visit_call_next,
    visit_no_show,
    visit_park,
    visit_recall,
)
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.desks import desk_close, desk_open
from frontdesk.services.outcomes import visit_finish, visit_pass_on
from frontdesk.services.reception import visit_cancel, visit_come_back
from intake.models import Kunde
from jobcenter.models import Standort, Team
from minimumstandards.services import calendar_for

MAIN, SOUTH = "Hauptstelle Am Markt", "Geschäftsstelle Süd"
# (code, weight): what walk-ins come for, roughly.
CONCERN_MIX = [
    ("unterlagen", 22),
    ("vordrucke", 6),
    ("veraenderung", 10),
    ("sachstand", 8),
    ("leistungsfrage", 12),
    ("weiterbewilligung", 6),
    ("antrag", 7),
    ("mittellosigkeit", 4),
    ("umzug", 5),
    ("arbeit", 5),
    ("au", 4),
    ("but", 3),
    ("pap", 3),
    ("sonstiges", 3),
]


def build(*, jobcenter, staff, rng, now=None) -> None:
    now = now or timezone.now()
    sites = {s.name: s for s in Standort.objects.filter(jobcenter=jobcenter)}
    teams = {t.name: t for t in Team.objects.filter(jobcenter=jobcenter)}
    ez, leistung = teams["Eingangszone"], [teams["Leistung 1 (A–K)"], teams["Leistung 2 (L–Z)"]]
    desks = {}
    for site_name, prefix, plan in (
        (MAIN, "A", [("Schalter 1", [ez]), ("Schalter 2", [ez]), ("Raum 204", leistung)]),
        (SOUTH, "S", [("Schalter Süd", [ez]), ("Raum 12", [leistung[1]])]),
    ):
        site = sites[site_name]
        SiteSettings.objects.get_or_create(standort=site, defaults={"number_prefix": prefix})
        Display.objects.get_or_create(standort=site, name=f"Wartebereich {site_name}")
        for position, (name, served) in enumerate(plan, start=1):
            desk, _ = Desk.objects.get_or_create(
                standort=site, name=name, defaults={"position": position}
            )
            desk.teams.set(served)
            desks[(site_name, name)] = desk

    concerns = {c.code: c for c in Concern.objects.of(jobcenter)}
    mix = [(concerns[code], weight) for code, weight in CONCERN_MIX if code in concerns]
    kunden = list(Kunde.objects.filter(jobcenter=jobcenter).select_related("bedarfsgemeinschaft"))
    sim = _Simulation(rng=rng, staff=staff, mix=mix, kunden=kunden)
    calendar = calendar_for(jobcenter)

    today = timezone.localdate(now)
    day = today
    past_days = []
    while len(past_days) < 5:
        day -= timedelta(days=1)
        if calendar.is_working_day(day) and _windows(sites[MAIN], day):
            past_days.append(day)
    main_desks = [
        (desks[(MAIN, "Schalter 1")], staff["ez"]),
        (desks[(MAIN, "Schalter 2")], staff["teamleitung"]),
        (desks[(MAIN, "Raum 204")], staff["leistung"]),
    ]
    south_desks = [
        (desks[(SOUTH, "Schalter Süd")], staff["ez"]),
        (desks[(SOUTH, "Raum 12")], staff["leistung2"]),
    ]
    for day in sorted(past_days):
        for site_name, site_desks, count in ((MAIN, main_desks, 20), (SOUTH, south_desks, 8)):
            # The morning's hours, and a third as many customers in an afternoon's.
            for index, (opens, closes) in enumerate(_windows(sites[site_name], day)):
                sim.run(
                    site=sites[site_name],
                    desks=site_desks,
                    start=opens,
                    hours=(closes - opens).total_seconds() / 3600,
                    count=count if index == 0 else count // 3,
                )
    # Today, up to now: nobody before the doors open, a queue only while they are open.
    if calendar.is_working_day(today):
        _today(sim, site=sites[MAIN], desks=main_desks, now=now)


def _windows(site, day) -> list[tuple[datetime, datetime]]:
    """The site's opening hours on `day`, as moments."""
    return [
        (_at(day, opens), _at(day, closes))
        for opens, closes in site.opening_hours.filter(weekday=day.weekday())
        .order_by("opens")
        .values_list("opens", "closes")
    ]


def _today(sim, *, site, desks, now) -> None:
    for opens, closes in _windows(site, timezone.localdate(now)):
        if now < opens + timedelta(minutes=3):
            return  # not open yet, or just opened: nobody has been served
        if closes <= now:
            # Over for today: everyone served, the desks closed; who is left when the
            # simulation reaches now is sent home.
            sim.run(
                site=site,
                desks=desks,
                start=opens,
                hours=(closes - opens).total_seconds() / 3600,
                count=18,
                until=now,
            )
            continue
        # Open now: a morning up to now, ending with customers in every state.
        elapsed = now - opens
        # The finishing touches need half an hour of the day (see `finish_today`).
        until = now - (
            timedelta(minutes=8) if elapsed >= timedelta(minutes=35) else timedelta(minutes=2)
        )
        start = max(opens, now - timedelta(hours=2, minutes=30))
        hours = (until - start).total_seconds() / 3600
        sim.run(
            site=site,
            desks=desks,
            start=start,
            hours=hours,
            count=max(1, round(18 * hours / 2.5)),
            until=until,
            leave_open=True,
        )
        sim.finish_today(site=site, desks=desks, now=now, since=opens)
        return


def _at(day, clock) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


class _Simulation:
    """A small discrete-event simulation of a morning: arrivals, desks calling, finishing."""

    def __init__(self, *, rng, staff, mix, kunden):
        self.rng = rng
        self.staff = staff
        self.mix = mix
        self.kunden = kunden
        self.seq = itertools.count()

    def _concerns(self):
        concerns, weights = zip(*self.mix, strict=True)
        first = self.rng.choices(concerns, weights=weights)[0]
        chosen = [first]
        if self.rng.random() < 0.15:
            second = self.rng.choices(concerns, weights=weights)[0]
            if second != first:
                chosen.append(second)
        return chosen

    def _check_in(self, site, at):
        concerns = self._concerns()
        kunde = self.rng.choice(self.kunden) if self.kunden and self.rng.random() < 0.8 else None
        priority = ""
        if any(c.code == "mittellosigkeit" for c in concerns) or self.rng.random() < 0.04:
            priority = self.rng.choice(["mittellosigkeit", "behinderung", "kleinkind"])
        settle = ""
        if (
            all(c.handled_by == Concern.Handler.EMPFANG for c in concerns)
            and self.rng.random() < 0.5
        ):
            settle = Outcome.RESOLVED  # the reception's quick concerns, settled at once
        return visit_check_in(
            actor=self.staff["empfang"],
            data=CheckIn(
                standort=site,
                concerns=concerns,
                kunde=kunde,
                priority_reason=priority,
                settle=settle,
                note=_NOTES.get(concerns[0].code, "") if settle else "",
            ),
            now=at,
        )

    def run(self, *, site, desks, start, hours, count, until=None, leave_open=False):
        rng = self.rng
        end = start + timedelta(hours=hours)
        for desk, user in desks:
            desk_open(actor=user, desk_id=desk.pk, now=start)
        events: list = []

        def push(at, kind, payload=None):
            heapq.heappush(events, (at, next(self.seq), kind, payload))

        span = (end - start).total_seconds()
        for _ in range(count):
            push(start + timedelta(seconds=rng.uniform(0, span * 0.95)), "arrive")
        idle: list = []

        def wake(at):
            # Someone new waits: the idle desks look at their queues again.
            while idle:
                desk, user = idle.pop()
                push(at + timedelta(seconds=rng.uniform(20, 90)), "free", (desk, user))

        for desk, user in desks:
            push(start + timedelta(minutes=rng.uniform(1, 6)), "free", (desk, user))
        last = start
        while events:
            at, _seq, kind, payload = heapq.heappop(events)
            if until is not None and at > until:
                break
            if kind == "arrive":
                self._check_in(site, at)
                wake(at)
            elif kind == "free":
                desk, user = payload
                try:
                    visit = visit_call_next(actor=user, desk_id=desk.pk, now=at)
                except QueueEmpty:
                    idle.append((desk, user))
                    continue
                push(at + timedelta(minutes=self._minutes(visit)), "done", (desk, user, visit))
            elif kind == "back":
                visit_come_back(actor=self.staff["empfang"], visit_id=payload.pk, now=at)
                wake(at)
            elif kind == "done":
                desk, user, visit = payload
                gap = self._conclude(desk, user, visit, at, push)
                if gap is not None:
                    push(at + timedelta(seconds=gap), "free", (desk, user))
                wake(at)  # passed on: another team's desk has someone waiting
            last = at
        if not leave_open:
            # The day is over: who is still in the house is finished or sent home.
            self.close_up(
                site=site,
                desks=desks,
                now=min(last + timedelta(minutes=5), until or end + timedelta(hours=2)),
            )

    def _minutes(self, visit) -> float:
        if visit.team.kind == Team.Kind.LEISTUNG:
            return self.rng.uniform(8, 25)
        return self.rng.uniform(2, 12)

    def _conclude(self, desk, user, visit, at, push):
        rng = self.rng
        roll = rng.random()
        concern_ids = list(visit.visit_concerns.values_list("concern_id", flat=True))
        if roll < 0.04:  # nobody comes: called three times, then no-show
            visit_recall(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at)
            visit_recall(
                actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at + timedelta(minutes=1)
            )
            visit_no_show(
                actor=user, desk_id=desk.pk, visit_id=visit.pk, now=at + timedelta(minutes=2)
            )
            return 150
        if roll < 0.07:  # fetches documents and comes back
            visit_park(
                actor=user,
                desk_id=desk.pk,
                visit_id=visit.pk,
                note="holt die Kontoauszüge",
                now=at,
            )
            push(at + timedelta(minutes=rng.uniform(10, 25)), "back", visit)
            return 30
        if roll < 0.15 and visit.team.kind == Team.Kind.EINGANGSZONE:
            target = (
                visit.kunde.bedarfsgemeinschaft.leistung_team
                if (visit.kunde and visit.kunde.bedarfsgemeinschaft)
                else None
            )
            target = (
                target
                or Team.objects.filter(jobcenter=visit.jobcenter, kind=Team.Kind.LEISTUNG)
                .order_by("name")
                .first()
            )
            visit_pass_on(
                actor=user,
                desk_id=desk.pk,
                visit_id=visit.pk,
                team=target,
                note="Leistungsrechtliche Klärung nötig",
                now=at,
            )
            return 40
        outcome = Outcome.RESOLVED
        if roll > 0.93:
            outcome = Outcome.TICKET
        elif roll > 0.89:
            outcome = Outcome.APPOINTMENT
        visit_finish(
            actor=user,
            desk_id=desk.pk,
            visit_id=visit.pk,
            outcome=outcome,
            handled=concern_ids,
            note={
                Outcome.TICKET: "Rückruf erbeten unter 0202 123456",
                Outcome.APPOINTMENT: "Termin in der Sachbearbeitung vereinbart",
            }.get(outcome, ""),
            now=at,
        )
        return rng.uniform(20, 90)

    def close_up(self, *, site, desks, now):
        """Opening hours are over: who still waits or is away goes home, who is at a desk
        is finished, the desks close."""
        empfang = self.staff["empfang"]
        for desk, user in desks:
            for visit in Visit.objects.filter(desk=desk, state=VisitState.CALLED):
                visit_finish(
                    actor=user,
                    desk_id=desk.pk,
                    visit_id=visit.pk,
                    outcome=Outcome.RESOLVED,
                    handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
                    now=now,
                )
            desk_close(actor=user, desk_id=desk.pk)
        for visit in Visit.objects.filter(
            standort=site, state__in=(VisitState.WAITING, VisitState.PARKED)
        ):
            visit_cancel(actor=empfang, visit_id=visit.pk, note="Sprechzeit beendet", now=now)

    def finish_today(self, *, site, desks, now, since):
        """Leave today's morning with someone in every state: waiting (one with priority),
        called at a desk, parked, done, no-show, left the house; each only if the doors
        were open long enough (`since` they opened) for it to have happened."""
        rng = self.rng
        open_minutes = (now - since).total_seconds() / 60

        def fits(minutes_ago):
            return minutes_ago < open_minutes

        concerns = {c.code: c for c, _w in self.mix}
        (desk1, user1), (desk2, user2) = desks[0], desks[1]
        empfang = self.staff["empfang"]

        def check_in(code, minutes_ago, priority=""):
            return visit_check_in(
                actor=empfang,
                data=CheckIn(
                    standort=site,
                    concerns=[concerns[code]],
                    kunde=rng.choice(self.kunden) if self.kunden else None,
                    priority_reason=priority,
                ),
                now=now - timedelta(minutes=minutes_ago),
            )

        def at(minutes_ago):
            return now - timedelta(minutes=minutes_ago)

        current = Visit.objects.filter(desk=desk1, state=VisitState.CALLED).first()
        if current is not None:
            # The simulation stopped 8 (or, early in the day, 2) minutes ago.
            visit_finish(
                actor=user1,
                desk_id=desk1.pk,
                visit_id=current.pk,
                outcome=Outcome.RESOLVED,
                handled=list(current.visit_concerns.values_list("concern_id", flat=True)),
                now=at(6) if fits(35) else at(1),
            )
        if fits(35):
            self._desk_one_morning(check_in, at, desk1, user1)
        # Left before being called.
        if fits(20):
            left = check_in("sachstand", 20)
            visit_cancel(actor=empfang, visit_id=left.pk, note="hat das Haus verlassen", now=at(8))
        # Waiting now, one with priority.
        for code, minutes_ago, priority in (
            ("unterlagen", 14, ""),
            ("leistungsfrage", 9, ""),
            ("mittellosigkeit", 6, "mittellosigkeit"),
            ("veraenderung", 3, ""),
        ):
            if fits(minutes_ago):
                check_in(code, minutes_ago, priority)
        # Someone is called at Schalter 2 right now.
        if not Visit.objects.filter(desk=desk2, state=VisitState.CALLED).exists():
            with contextlib.suppress(QueueEmpty):
                visit_call_next(actor=user2, desk_id=desk2.pk, now=at(1))

    def _desk_one_morning(self, check_in, at, desk1, user1):
        """Schalter 1's last half hour: a no-show, then someone who fetches papers."""
        # Called three times over two minutes at Schalter 1, nobody came.
        absent = check_in("sachstand", 30)
        visit_call(
            actor=user1, desk_id=desk1.pk, visit_id=absent.pk, reason="Dolmetscher da", now=at(5)
        )
        visit_recall(actor=user1, desk_id=desk1.pk, visit_id=absent.pk, now=at(4))
        visit_recall(actor=user1, desk_id=desk1.pk, visit_id=absent.pk, now=at(3))
        visit_no_show(actor=user1, desk_id=desk1.pk, visit_id=absent.pk, now=at(3))
        # Fetching documents.
        parked = check_in("unterlagen", 25)
        visit_call(
            actor=user1, desk_id=desk1.pk, visit_id=parked.pk, reason="Rückfrage", now=at(2.5)
        )
        visit_park(
            actor=user1,
            desk_id=desk1.pk,
            visit_id=parked.pk,
            note="holt den Mietvertrag",
            now=at(2),
        )


_NOTES = {
    "unterlagen": "Kontoauszüge und Mietbescheinigung abgegeben",
    "veraenderung": "Neue Bankverbindung mitgeteilt",
    "au": "AU-Bescheinigung bis Freitag",
}
