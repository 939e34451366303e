"""The demo's customers and their cases, moved on through the real case service.

Each case is registered as the EZ or the service centre would, then taken as far as its
age makes plausible, every step through `intake.services.antrag_transition` with the day it
was taken (`occurred_at`): the history, the audit, the clocks and the tasks come out of
the step table (`intake.steps`) exactly as a user's step would make them. The checklist is
settled the same way before a step that needs it.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from intake.models import Antrag, AntragState, DocumentType, Nachweis
from intake.services import (
    IntakeData,
    PersonData,
    antrag_register,
    antrag_transition,
    nachweis_settle,
)
from jobcenter.models import Team
from minimumstandards.services import calendar_for
from routing.models import Aufgabe, AufgabeEvent
from routing.services import aufgabe_done

FIRST_NAMES_F = [
    "Anna",
    "Maria",
    "Sabine",
    "Julia",
    "Leonie",
    "Fatma",
    "Elif",
    "Olena",
    "Katarzyna",
    "Petra",
    "Laura",
    "Sophie",
    "Mia",
    "Hannah",
    "Emily",
    "Aylin",
    "Nadine",
    "Monika",
]
FIRST_NAMES_M = [
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Lukas",
    "Jonas",
    "Mehmet",
    "Ahmad",
    "Oleksandr",
    "Piotr",
    "Daniel",
    "Markus",
    "Felix",
    "Paul",
    "Ben",
    "Yusuf",
    "Jan",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Yılmaz",
    "Kaya",
    "Nowak",
    "Kowalski",
    "Schmitz",
    "Krause",
    "Lehmann",
    "Köhler",
    "Kaiser",
]
STREETS = [
    "Friedrich-Ebert-Straße",
    "Hofaue",
    "Neumarkt",
    "Wall",
    "Kasinostraße",
    "Luisenstraße",
    "Gathe",
    "Uellendahler Straße",
    "Berliner Straße",
    "Schwelmer Straße",
]
REASONS = [
    "Arbeitslosigkeit nach Kündigung",
    "Einkommen reicht nicht aus (Aufstockung)",
    "Trennung vom Partner",
    "Zuzug aus einer anderen Stadt",
    "Ende des Arbeitslosengeldes",
    "Ende der Ausbildung",
    "Krankheit, Krankengeld ausgelaufen",
]


# What a decision that ends the case says (the service asks for a reason).
REJECT_NOTES = [
    "Das anzurechnende Einkommen übersteigt den Bedarf der Bedarfsgemeinschaft.",
    "Vorrangiger Anspruch auf Wohngeld und Kinderzuschlag; kein Bedarf nach dem SGB II.",
    "Verwertbares Vermögen oberhalb der Freibeträge (§ 12 SGB II).",
]
DENY_NOTES = [
    "Keine Mitwirkung trotz Erinnerung: Kontoauszüge und Mietvertrag nicht eingereicht.",
    "Angeforderte Unterlagen bis zur gesetzten Frist nicht vorgelegt (§ 66 SGB I).",
]
WITHDRAW_NOTES = [
    "Antragsverzicht: Arbeit aufgenommen, Einkommen deckt den Bedarf.",
    "Kunde hat den Antrag schriftlich zurückgenommen (Umzug zu den Eltern).",
]
WAIVED_REASONS = [
    "Liegt aus dem Vorantrag vollständig vor.",
    "Nicht erforderlich: keine Mietkosten (wohnt bei den Eltern).",
]
NEGATIVE = (AntragState.ABGELEHNT, AntragState.VERSAGT, AntragState.ZURUECKGENOMMEN)


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def build(*, jobcenter, staff, rng, count: int, now: datetime | None = None) -> None:
    """`count` households, each with its application, in every state a case can be in,
    everything dated up to `now`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_for(jobcenter)
    # The checklist's details draw from their own sequence, so that the cases' shapes stay
    # those of the demo's seed.
    papers = random.Random(rng.random())
    leistung_teams = {
        "AK": Team.objects.get(jobcenter=jobcenter, name="Leistung 1 (A–K)"),
        "LZ": Team.objects.get(jobcenter=jobcenter, name="Leistung 2 (L–Z)"),
    }
    documents = {d.name: d for d in DocumentType.objects.filter(jobcenter=jobcenter, active=True)}
    ifks = [staff["ifk"], staff["ifk2"], staff["ifk3"]]
    used: set = set()
    for _ in range(count):
        last = rng.choice(LAST_NAMES)
        head_female = rng.random() < 0.5
        persons = []
        head_born = today - timedelta(days=rng.randint(19 * 365, 62 * 365))
        persons.append(_person(rng, last, head_born, head_female, head=True, used=used))
        shape = rng.random()
        youngest_parent = head_born
        if shape > 0.55:  # a partner, an adult too
            born = head_born + timedelta(days=rng.randint(-2000, 2000))
            born = min(born, today - timedelta(days=19 * 365))
            youngest_parent = max(head_born, born)
            persons.append(
                _person(rng, last, born, not head_female, head=False, used=used, relation="partner")
            )
        # Children: born when their parents were 18 at the least.
        first_child = max(
            youngest_parent + timedelta(days=18 * 365), today - timedelta(days=17 * 365)
        )
        if shape > 0.75 and first_child < today - timedelta(days=365):
            for _ in range(rng.randint(1, 3)):
                born = first_child + timedelta(
                    days=rng.randint(0, (today - timedelta(days=365) - first_child).days)
                )
                persons.append(
                    _person(
                        rng, last, born, rng.random() < 0.5, head=False, used=used, relation="kind"
                    )
                )
        # Applied on a working day, in the office's morning, before `now`.
        application_date = _working_day_before(calendar, today - timedelta(days=rng.randint(0, 70)))
        received_at = _at(application_date, time(rng.randint(8, 11), rng.choice([0, 15, 30, 45])))
        if received_at > now - timedelta(minutes=30):
            application_date = _working_day_before(calendar, application_date - timedelta(days=1))
            received_at = _at(application_date, timezone.localtime(received_at).time())
        channel = rng.choice(
            [Antrag.Channel.PERSONAL] * 3
            + [Antrag.Channel.POSTAL, Antrag.Channel.DIGITAL, Antrag.Channel.PHONE]
        )
        team = leistung_teams["AK" if last[0] <= "K" else "LZ"]
        actor = staff["hotline"] if channel == Antrag.Channel.PHONE else staff["ez"]
        antrag = antrag_register(
            actor=actor,
            jobcenter=jobcenter,
            data=IntakeData(
                kind=Antrag.Kind.ERSTANTRAG,
                channel=channel,
                application_date=application_date,
                received_at=received_at,
                reason=rng.choice(REASONS),
                id_checked=channel == Antrag.Channel.PERSONAL,
                return_date=application_date + timedelta(days=14),
                persons=persons,
                other_household_members=rng.choice([0, 0, 0, 1]),
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postcode=f"421{rng.randint(0, 99):02d}",
                city="Wuppertal",
                leistung_team=team,
                ifk=rng.choice(ifks),
                documents=_checklist(rng, documents, persons, application_date),
            ),
        )
        # The case's first history row (registration) is dated like the application.
        antrag.history.filter(transition="register").update(at=received_at)
        _advance(rng, papers, antrag, staff, received_at, now, calendar)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _checklist(rng, documents, persons, day) -> list:
    """The papers this household needs: the Hauptantrag, WEP for each further person of 15
    or more, KI for each child under 15, MEB only where a woman of child-bearing age lives
    (a pregnancy is the demo's Mehrbedarf), and a few of the usual others."""
    names = ["Hauptantrag"]
    ages = [_age_on(p.date_of_birth, day) for p in persons]
    if any(a >= 15 for p, a in zip(persons, ages, strict=True) if not p.is_head):
        names.append("Anlage WEP – weitere Person ab 15 Jahren")
    if any(a < 15 for a in ages):
        names.append("Anlage KI – Kind unter 15 Jahren")
    if (
        any(
            p.first_name in FIRST_NAMES_F and 18 <= a <= 45
            for p, a in zip(persons, ages, strict=True)
        )
        and rng.random() < 0.3
    ):
        names.append("Anlage MEB – Mehrbedarfe")
    others = [
        "Anlage KDU – Kosten der Unterkunft und Heizung",
        "Anlage EK – Einkommen",
        "Anlage VM – Vermögen",
        "Mietvertrag",
        "Kontoauszüge der letzten drei Monate",
        "Personalausweis / Reisepass",
        "Verdienstbescheinigung",
    ]
    names += rng.sample(others, rng.randint(1, 4))
    return [documents[n] for n in names if n in documents]


def _working_day_before(calendar, day: date) -> date:
    """`day` if it is a working day, else the working day before it."""
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _working_day_from(calendar, day: date) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _person(rng, last, born, female, *, head, used, relation=""):
    while True:
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        if (first, last, born) not in used:
            used.add((first, last, born))
            return PersonData(
                first_name=first,
                last_name=last,
                date_of_birth=born,
                is_head=head,
                relation_to_head=relation,
            )
        born += timedelta(days=1)


def _advance(rng, papers, antrag, staff, received_at, now, calendar):
    """Move a case on as far as its age makes plausible, each step on its own working day,
    none after `now`."""
    today = timezone.localdate(now)
    application_date = antrag.application_date
    age = (today - application_date).days
    leistung = (
        staff["leistung"]
        if antrag.bedarfsgemeinschaft.leistung_team.name.startswith("Leistung 1")
        else staff["leistung2"]
    )
    # (when, step, actor, params, reason); the checklist items are settled just before.
    steps: list[tuple[datetime, str, object, dict, str]] = []
    settle: dict[datetime, str] = {}  # when → "some" or "all" of the checklist
    final = AntragState.ERFASST
    if age >= 1 and rng.random() < 0.9:
        day = calendar.add_working_days(application_date, 1)
        complete = rng.random() < 0.35
        when = _at(day, time(10, 30))
        settle[when] = "all" if complete else "some"
        steps.append((when, "complete_entry_check", leistung, {"documents_complete": complete}, ""))
        final = AntragState.BEARBEITUNGSREIF if complete else AntragState.UNTERLAGEN_FEHLEN
        if not complete and age >= 12 and rng.random() < 0.75:
            day = _working_day_from(
                calendar, application_date + timedelta(days=rng.randint(7, min(age, 20)))
            )
            when = _at(day, time(10, 30))
            settle[when] = "all"
            steps.append((when, "confirm_documents_complete", leistung, {}, ""))
            complete, final = True, AntragState.BEARBEITUNGSREIF
        elif not complete and age >= 30 and rng.random() < 0.5:
            # Rule R-FR-02: the written notice with a deadline first (§ 66 Abs. 3 SGB I).
            notice_day = _working_day_from(calendar, application_date + timedelta(days=10))
            steps.append(
                (
                    _at(notice_day, time(9, 30)),
                    "send_cooperation_notice",
                    leistung,
                    {
                        "notice_sent_on": notice_day,
                        "notice_deadline": application_date + timedelta(days=24),
                    },
                    "",
                )
            )
            day = _working_day_from(calendar, application_date + timedelta(days=25))
            steps.append(
                (
                    _at(day, time(10, 30)),
                    "deny_for_non_cooperation",
                    leistung,
                    {},
                    papers.choice(DENY_NOTES),
                )
            )
            final = AntragState.VERSAGT
        if complete and age >= 20 and rng.random() < 0.8:
            day = max(
                day,
                _working_day_before(calendar, min(today, day + timedelta(days=rng.randint(5, 14)))),
            )
            when = _at(day, time(10, 30))
            roll = rng.random()
            if roll < 0.75:
                steps.append((when, "approve", leistung, {}, ""))
                final = AntragState.BEWILLIGT
                if rng.random() < 0.7:
                    steps.append(
                        (when + timedelta(minutes=15), "hand_to_integration", leistung, {}, "")
                    )
            elif roll < 0.9:
                steps.append((when, "reject", leistung, {}, papers.choice(REJECT_NOTES)))
                final = AntragState.ABGELEHNT
            else:
                steps.append((when, "withdraw", leistung, {}, papers.choice(WITHDRAW_NOTES)))
                final = AntragState.ZURUECKGENOMMEN
    # The first consultation is booked at intake (the demo follows Cottbus), unless the
    # case ends without entitlement.
    if final not in NEGATIVE:
        # EG windows are on working days (rule R-TE-01: Mo, Di, Do, Fr 09:00-10:00).
        slot_day = calendar.add_working_days(application_date, rng.randint(3, 14))
        while slot_day.weekday() == 2 or not calendar.is_working_day(slot_day):
            slot_day += timedelta(days=1)  # no EG window on Wednesdays
        at = _at(slot_day, time(9))
        ifk = antrag.applicant.ifk or staff["ifk"]
        steps.append(
            (
                received_at + timedelta(minutes=20),
                "book_first_consultation",
                staff["ez"],
                {"at": at, "ifk": ifk},
                "",
            )
        )
        if at + timedelta(hours=1) < now and rng.random() < 0.8:
            steps.append((at + timedelta(hours=1), "record_first_consultation_held", ifk, {}, ""))
    assigned: list[int] = []  # the IFK's task "new customer", raised by the booking
    for when, name, actor, params, reason in sorted(steps, key=lambda s: s[0]):
        if when > now:
            break  # the case has got this far by now
        if when in settle:
            _settle_checklist(papers, antrag, leistung, when, everything=settle[when] == "all")
        raised = _take(antrag, name, actor, params, reason, when)
        if name == "book_first_consultation":
            assigned = raised
        elif name == "record_first_consultation_held":
            # The IFK has met the new customer: their task is done, as of the meeting.
            for pk in assigned:
                aufgabe_done(actor=actor, aufgabe_id=pk, note="Erstgespräch geführt.")
                _date_done(pk, when)


def _settle_checklist(papers, antrag, actor, when: datetime, *, everything: bool) -> None:
    """Items handed in since the application (and, rarely, one waived with its reason);
    `everything=False` leaves at least one open: the documents are missing."""
    open_items = list(antrag.nachweise.filter(received_on=None, waived_reason=""))
    if not everything:
        open_items = papers.sample(open_items, papers.randint(0, len(open_items) - 1))
    for nachweis in open_items:
        waive = everything and papers.random() < 0.1
        nachweis_settle(
            actor=actor,
            antrag=antrag,
            nachweis_id=nachweis.pk,
            received=not waive,
            waived_reason=papers.choice(WAIVED_REASONS) if waive else "",
        )
        # Handed in on some day between the application and the step (demo data only).
        day = antrag.application_date + timedelta(
            days=papers.randint(0, (timezone.localdate(when) - antrag.application_date).days)
        )
        if waive:
            Nachweis.objects.filter(pk=nachweis.pk).update(waived_on=timezone.localdate(when))
        else:
            Nachweis.objects.filter(pk=nachweis.pk).update(received_on=day)


def _take(antrag, name, actor, params, reason, when: datetime) -> list[int]:
    """One step through the service, as of `when`; the tasks it raises (returned) are dated
    then too."""
    newest = Aufgabe.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    antrag_transition(
        actor=actor,
        antrag_id=antrag.pk,
        name=name,
        expected_state=None,
        comment=reason,
        occurred_at=when,
        **params,
    )
    raised = list(Aufgabe.objects.filter(pk__gt=newest).values_list("pk", flat=True))
    _date_tasks(raised, when)
    return raised


def _date_tasks(pks: list[int], when: datetime) -> None:
    """Tasks raised as of `when` (demo data only, as the service dates the step)."""
    AufgabeEvent.objects.filter(aufgabe__in=pks).update(at=when)
    Aufgabe.objects.filter(pk__in=pks).update(created_at=when)


def _date_done(pk: int, when: datetime) -> None:
    """A task done as of `when` (demo data only)."""
    AufgabeEvent.objects.filter(aufgabe=pk, action=AufgabeEvent.Action.DONE).update(at=when)
    Aufgabe.objects.filter(pk=pk).update(claimed_at=when, done_at=when)
