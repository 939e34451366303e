"""Demo data of the routing app: notes and tickets in the mailboxes, in every state.

Called by `manage.py demo_jobcenter` as `build(jobcenter=..., staff=..., rng=...)` once the
customers exist. Everything goes through the services, as in real use; only the ages are
moved back afterwards (as the intake builder does with the tasks its steps raise), so that the mailboxes and
the team lead's overview show items of different ages.
"""

import contextlib
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from demo.builders.intake import FIRST_NAMES_F
from intake.models import Kunde
from minimumstandards.models import RuleKind
from minimumstandards.services import deadline_open
from routing.models import ApiClient, Aufgabe, AufgabeEvent, InformationType, Vermerk
from routing.services import (
    RoutingError,
    api_client_create,
    aufgabe_claim,
    aufgabe_create,
    aufgabe_done,
    aufgabe_follow_up,
    aufgabe_forward,
    aufgabe_reroute,
    vermerk_route,
)

DEMO_CLIENT = "Telefonanlage (Demo)"

TEXTS = {
    "schwangerschaft": "Ärztliche Bescheinigung über den Entbindungstermin liegt vor.",
    "umzug": "Neue Anschrift: Hofaue 12, 42103 Wuppertal.",
    "mietschulden-stromsperre": "Vermieter droht mit Kündigung, Rückstand zwei Monatsmieten.",
    "beschaeftigung-aufnahme": "Minijob als Aushilfe im Einzelhandel, 520 € monatlich.",
    "beschaeftigung-ende": "Kündigung in der Probezeit.",
    "arbeitsunfaehigkeit": "AU-Bescheinigung eingereicht.",
    "sonstiges": "Kundin bittet um Rückruf wegen einer Nachzahlung.",
    "gespraechswunsch": "Möchte über eine Weiterbildung sprechen, Rückruf unter 0202 123456.",
    "bg-personen": "Partner ist zum 1. des Monats ausgezogen.",
    "ortsabwesenheit": "Besuch bei der Familie, zwei Wochen, telefonisch erreichbar.",
}
REASONS = {
    "beschaeftigung-ende": "Kündigung durch den Arbeitgeber",
    "ausschlussgrund": "Bezug einer Altersrente",
}
DONE_NOTES = [
    "Im Fachverfahren erfasst, Änderungsbescheid veranlasst.",
    "Mit der Kundin telefoniert, Unterlagen angefordert.",
    "Zur Kenntnis genommen, Termin zum Folgegespräch angeboten.",
    "Zurückgerufen, Anliegen geklärt.",
]


# Events that have happened by the day they are reported, and those still to come.
PAST_EVENTS = {"tod", "beschaeftigung-ende", "bg-personen", "stationaere-unterbringung"}
FUTURE_EVENTS = {"schwangerschaft"}


def _fields(information_type: InformationType, today, rng) -> dict:
    fields = {"text": TEXTS.get(information_type.code, "")}
    if information_type.asks_date:
        if information_type.code in PAST_EVENTS:
            offset = rng.randint(-20, -7)  # before the note is dated (see `_age`)
        elif information_type.code in FUTURE_EVENTS:
            offset = rng.randint(30, 220)  # the expected date of delivery
        else:
            offset = rng.randint(-20, 40)
        fields["event_date"] = today + timedelta(days=offset)
    if information_type.asks_reason:
        fields["reason"] = REASONS.get(information_type.code, "nicht bekannt")
    if information_type.text_required and not fields["text"]:
        fields["text"] = "Siehe Anlage."
    return fields


def _author(kind: str, kunde: Kunde, staff: dict):
    if kind == "leistung":
        team = kunde.bedarfsgemeinschaft.leistung_team
        return staff["leistung"] if team.name.startswith("Leistung 1") else staff["leistung2"]
    if kind == "integration":
        return kunde.ifk or staff["ifk"]
    return staff[kind]


def _age(aufgaben: list[Aufgabe], vermerk: Vermerk | None, hours: int, now) -> None:
    """Move the items (and their note) back in time: demo data only."""
    delta = timedelta(hours=hours)
    Aufgabe.objects.filter(pk__in=[a.pk for a in aufgaben]).update(
        created_at=F("created_at") - delta
    )
    AufgabeEvent.objects.filter(aufgabe__in=aufgaben).update(at=F("at") - delta)
    if vermerk is not None:
        Vermerk.objects.filter(pk=vermerk.pk).update(
            created_at=F("created_at") - delta,
            known_on=timezone.localdate(now - delta),
        )


def _plausible(code: str, kunde: Kunde, today) -> bool:
    """Whom a note of this type can be about: a pregnancy only a woman of child-bearing
    age (the demo knows a woman by her first name)."""
    if code == "schwangerschaft":
        age = (today - kunde.date_of_birth).days // 365
        return kunde.first_name in FIRST_NAMES_F and 18 <= age <= 45
    return True


def build(*, jobcenter, staff, rng, now=None) -> None:
    now = now or timezone.now()
    if not ApiClient.objects.filter(jobcenter=jobcenter, name=DEMO_CLIENT).exists():
        # The token is not printed: `manage.py routing_api_client <name>` makes one to use.
        api_client_create(jobcenter=jobcenter, name=DEMO_CLIENT)
    api_user = ApiClient.objects.get(jobcenter=jobcenter, name=DEMO_CLIENT).user
    today = timezone.localdate(now)
    kunden = list(
        Kunde.objects.filter(
            jobcenter=jobcenter,
            bedarfsgemeinschaft__leistung_team__isnull=False,
            date_of_birth__lte=today - timedelta(days=18 * 365),
        )
        .select_related("bedarfsgemeinschaft__leistung_team", "ifk")
        .order_by("pk")
    )
    if not kunden:
        return
    types = {
        t.code: t
        for t in InformationType.objects.filter(jobcenter=jobcenter, active=True).prefetch_related(
            "rules"
        )
    }
    # (source desk, type, urgent): a plausible morning's worth of information.
    plan = [
        ("ez", "schwangerschaft", False),
        ("ez", "umzug", False),
        ("ez", "beschaeftigung-aufnahme", False),
        ("ez", "beschaeftigung-ende", False),
        ("ez", "mietschulden-stromsperre", True),
        ("empfang", "arbeitsunfaehigkeit", False),
        ("empfang", "schulbescheinigung", False),
        ("empfang", "kostenantrag", False),
        ("leistung", "aufhebung-ablehnung", False),
        ("leistung", "einstiegsgeld", False),
        ("leistung", "beschaeftigung-aufnahme", False),
        ("integration", "beschaeftigung-aufnahme", True),
        ("integration", "umzug", False),
        ("integration", "tod", True),
        ("hotline", "sonstiges", False),
        ("hotline", "gespraechswunsch", False),
        ("hotline", "krankengeld", False),
        ("hotline", "bg-personen", False),
        ("hotline", "ortsabwesenheit", False),
        ("api", "arbeitsunfaehigkeit", False),
        ("api", "umzug", False),
        ("api", "mietschulden-stromsperre", True),
        ("ez", "ausschlussgrund", False),
        ("ez", "stationaere-unterbringung", False),
        ("empfang", "massnahme-unterlagen", False),
        ("empfang", "arbeitspaket-schueler", False),
        ("ez", "schwangerschaft", True),
        ("ez", "umzug", False),
    ]
    routed = []
    for desk, code, urgent in plan:
        information_type = types.get(code)
        candidates = [k for k in kunden if _plausible(code, k, today)]
        if information_type is None or not candidates:
            continue
        kunde = rng.choice(candidates)
        author = api_user if desk == "api" else _author(desk, kunde, staff)
        try:
            note = vermerk_route(
                author=author,
                kunde=kunde,
                information_type=information_type,
                known_on=today,
                urgent=urgent,
                attachment_ref=rng.choice(["", "", "d.3 " + str(rng.randint(100000, 999999))]),
                source=Vermerk.Source.API if desk == "api" else None,
                **_fields(information_type, today, rng),
            )
        except RoutingError:
            continue
        routed.append(note)

    # Every state a mailbox item can be in.
    items = [a for note in routed for a in note.aufgaben]
    rng.shuffle(items)
    for index, aufgabe in enumerate(items):
        worker = _worker(aufgabe, staff)
        state = index % 7
        if worker is None or state == 0:
            continue  # open, not claimed
        if state == 1:
            aufgabe_claim(actor=worker, aufgabe_id=aufgabe.pk)
        elif state == 2:
            aufgabe_done(actor=worker, aufgabe_id=aufgabe.pk, note=rng.choice(DONE_NOTES))
        elif state == 3:
            aufgabe_follow_up(
                actor=worker,
                aufgabe_id=aufgabe.pk,
                on=today + timedelta(days=rng.randint(3, 14)),
                note="Nachweis angefordert",
            )
        elif state == 4:
            # A follow-up date that has passed: it stands out again.
            aufgabe_claim(actor=worker, aufgabe_id=aufgabe.pk)
            Aufgabe.objects.filter(pk=aufgabe.pk).update(
                follow_up_on=today - timedelta(days=rng.randint(1, 3))
            )
        elif state == 5 and aufgabe.postfach_id and aufgabe.postfach.team.kind == "leistung":
            other = (
                staff["leistung2"].teams.first()
                if worker == staff["leistung"]
                else staff["leistung"].teams.first()
            )
            aufgabe_reroute(
                actor=worker,
                aufgabe_id=aufgabe.pk,
                postfach=other.postfach,
                reason="Die BG wird inzwischen vom anderen Leistungsteam betreut.",
            )
        elif state == 6 and aufgabe.postfach_id:
            # An item already on the other side is simply left where it is.
            with contextlib.suppress(RoutingError):
                aufgabe_forward(actor=worker, aufgabe_id=aufgabe.pk, note="Zur Kenntnis")
    for note in routed:
        _age(note.aufgaben, note.vermerk, rng.randint(0, 6 * 24), now)

    # The front desk's tickets with a call back within 24 h (rule R-RU-01), one already overdue.
    leistung_team = staff["leistung"].teams.first()
    for hours_ago in (2, 30):
        kunde = rng.choice(kunden)
        started = now - timedelta(hours=hours_ago)
        ticket = aufgabe_create(
            created_by=staff["empfang"],
            postfach=leistung_team.postfach,
            kunde=kunde,
            kind=Aufgabe.Kind.TICKET,
            title=f"Rückruf: Frage zum Bescheid – {kunde.last_name}",
            description="Kundin bittet um Rückruf zur Höhe der Nachzahlung.",
        )
        deadline_open(
            jobcenter=jobcenter,
            kind=RuleKind.CALLBACK,
            started_at=started,
            team=leistung_team,
            aufgabe=ticket,
        )
        _age([ticket], None, hours_ago, now)


def _worker(aufgabe: Aufgabe, staff: dict):
    """Someone of the receiving team (or the person) who works the item."""
    if aufgabe.assignee_id:
        return aufgabe.assignee
    team = aufgabe.postfach.team
    for key in ("leistung", "leistung2", "ifk", "ifk2", "ifk3", "ez", "hotline"):
        user = staff.get(key)
        if user is not None and user.teams.filter(pk=team.pk).exists():
            return user
    return None
