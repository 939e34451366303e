"""The demo is plausible at whatever hour it is started.

The demo is built as of a pinned moment (the command's `now`, which the command also gives
the services' clock while it builds), and the whole data set is then read back from the
database: nobody waits outside the opening hours, nothing
is dated after "now", no one died in the future, no man is pregnant, no parent is a child,
no appointment falls on a weekend or a holiday of Nordrhein-Westfalen.
"""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments.models import Appointment, GroupEvent, Status
from frontdesk.models import OPEN_VISIT_STATES, Visit, VisitEvent
from intake.models import AntragTransition, Kunde, Nachweis
from jobcenter.models import OpeningHours, Standort
from routing.models import Vermerk

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MOMENTS = {
    "Mittwoch 01:00 (geschlossen)": datetime(2026, 12, 2, 1, 0, tzinfo=BERLIN),
    "Montag 08:05 (gerade geöffnet)": datetime(2026, 11, 30, 8, 5, tzinfo=BERLIN),
    "Freitag 16:30 (nach Schluss)": datetime(2026, 11, 27, 16, 30, tzinfo=BERLIN),
    "Samstag 10:00": datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN),
    "Heiligabend 10:00 (Donnerstag, Schließtag)": datetime(2026, 12, 24, 10, 0, tzinfo=BERLIN),
    "Donnerstag 10:45 (offen)": datetime(2026, 12, 3, 10, 45, tzinfo=BERLIN),
}
# Days the demo Jobcenter (Nordrhein-Westfalen) does not work, around the moments above:
# its default closing days and the public holidays of NW.
NOT_WORKING = {
    date(2026, 10, 3),
    date(2026, 11, 1),
    date(2026, 12, 24),
    date(2026, 12, 25),
    date(2026, 12, 26),
    date(2026, 12, 31),
    date(2027, 1, 1),
}
# Names the demo gives, read as a person would: who is a woman, who is a man.
WOMEN = {
    "Anna", "Maria", "Sabine", "Julia", "Leonie", "Fatma", "Elif", "Olena", "Katarzyna",
    "Petra", "Laura", "Sophie", "Mia", "Hannah", "Emily", "Aylin", "Nadine", "Monika",
}  # fmt: skip
MEN = {
    "Thomas", "Michael", "Andreas", "Stefan", "Lukas", "Jonas", "Mehmet", "Ahmad",
    "Oleksandr", "Piotr", "Daniel", "Markus", "Felix", "Paul", "Ben", "Yusuf", "Jan",
}  # fmt: skip


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in NOT_WORKING


@pytest.mark.parametrize("name", list(MOMENTS))
def test_demo_is_plausible_at(name):
    """One build per moment (it takes a while), every invariant over its data."""
    now = MOMENTS[name]
    call_command("demo_jobcenter", "--customers", "40", now=now, stdout=StringIO())
    for check in CHECKS:
        check(now)


def _local(moment) -> datetime:
    return timezone.localtime(moment, BERLIN)


def _open_at(standort_id, moment) -> bool:
    local = _local(moment)
    if not _working_day(local.date()):
        return False
    return OpeningHours.objects.filter(
        standort_id=standort_id,
        weekday=local.weekday(),
        opens__lte=local.time(),
        closes__gt=local.time(),
    ).exists()


def check_visits_only_in_opening_hours_and_never_after_now(now):
    visits = list(Visit.objects.all())
    assert visits, "the demo has past days at the front desk"
    for visit in visits:
        assert visit.checked_in_at <= now
        assert _open_at(visit.standort_id, visit.checked_in_at), (
            f"checked in at {_local(visit.checked_in_at):%a %d.%m. %H:%M}, the site was closed"
        )
        for moment in (visit.called_at, visit.finished_at, visit.queued_at):
            assert moment is None or moment <= now
    assert not VisitEvent.objects.filter(at__gt=now).exists()


def check_nobody_waits_while_the_site_is_closed(now):
    today = _local(now).date()
    open_visits = Visit.objects.filter(state__in=OPEN_VISIT_STATES)
    # Nobody is left over from an earlier day.
    assert not open_visits.exclude(day=today).exists()
    for visit in open_visits:
        assert _open_at(visit.standort_id, now), "a queue while the doors are shut"
    if not _working_day(today) or _local(now).hour < 8:
        assert not Visit.objects.filter(day=today).exists()


def check_today_has_a_queue_while_open(now):
    """The other side of the coin: the demo still shows a live morning when it is open."""
    main = Standort.objects.get(name="Hauptstelle Am Markt")
    if _open_at(main.pk, now) and _local(now).hour >= 9:
        assert Visit.objects.filter(standort=main, state__in=OPEN_VISIT_STATES).count() >= 3


def check_appointments_on_working_days_and_outcomes_in_the_past(now):
    appointments = list(Appointment.objects.all())
    assert appointments
    for appointment in appointments:
        day = _local(appointment.starts_at).date()
        assert _working_day(day), f"{appointment.get_kind_display()} on {day:%a %d.%m.%Y}"
        if appointment.status in (Status.DURCHGEFUEHRT, Status.MELDEVERSAEUMNIS):
            assert appointment.ends_at <= now
        assert appointment.outcome_at is None or appointment.outcome_at <= now
    for event in GroupEvent.objects.all():
        assert _working_day(_local(event.starts_at).date())
        if event.status == GroupEvent.EventStatus.DURCHGEFUEHRT:
            assert event.ends_at <= now


def check_case_history_is_in_the_past_on_working_days(now):
    steps = AntragTransition.objects.all()
    assert steps.exists()
    assert not steps.filter(at__gt=now).exists()
    for at in steps.values_list("at", flat=True):
        assert _working_day(_local(at).date())


def check_nobody_dies_in_the_future(now):
    today = _local(now).date()
    deaths = Vermerk.objects.filter(information_type__code="tod")
    assert deaths.exists()
    for note in deaths:
        assert note.event_date is None or note.event_date <= note.known_on <= today
    assert not Vermerk.objects.filter(known_on__gt=today).exists()


def check_pregnancy_and_mehrbedarf_only_for_women_of_plausible_age(now):
    today = _local(now).date()
    pregnancies = Vermerk.objects.filter(information_type__code="schwangerschaft")
    assert pregnancies.exists()
    for note in pregnancies.select_related("kunde"):
        kunde = note.kunde
        assert kunde.first_name not in MEN, f"{kunde.first_name} is pregnant"
        assert kunde.first_name in WOMEN
        assert 16 <= _age(kunde.date_of_birth, today) <= 50
        assert note.event_date is None or note.event_date > note.known_on
    meb = Nachweis.objects.filter(document_type__name__startswith="Anlage MEB").select_related(
        "antrag__bedarfsgemeinschaft"
    )
    for nachweis in meb:
        members = Kunde.objects.filter(bedarfsgemeinschaft=nachweis.antrag.bedarfsgemeinschaft)
        assert any(
            m.first_name in WOMEN
            and 16 <= _age(m.date_of_birth, nachweis.antrag.application_date) <= 50
            for m in members
        )


def check_children_are_at_least_14_years_younger_than_their_parents(now):
    children = Kunde.objects.filter(relation_to_head=Kunde.Relation.KIND)
    assert children.exists()
    for child in children.select_related("bedarfsgemeinschaft"):
        parents = Kunde.objects.filter(bedarfsgemeinschaft=child.bedarfsgemeinschaft).filter(
            relation_to_head__in=["", Kunde.Relation.PARTNER]
        )
        assert parents.exists()
        for parent in parents:
            assert child.date_of_birth - parent.date_of_birth >= timedelta(days=14 * 365 + 3)
    # Adults are adults: the Vorstand and partners are 18 or older.
    today = _local(now).date()
    for kunde in Kunde.objects.filter(relation_to_head__in=["", Kunde.Relation.PARTNER]):
        assert _age(kunde.date_of_birth, today) >= 18


CHECKS = [
    check_visits_only_in_opening_hours_and_never_after_now,
    check_nobody_waits_while_the_site_is_closed,
    check_today_has_a_queue_while_open,
    check_appointments_on_working_days_and_outcomes_in_the_past,
    check_case_history_is_in_the_past_on_working_days,
    check_nobody_dies_in_the_future,
    check_pregnancy_and_mehrbedarf_only_for_women_of_plausible_age,
    check_children_are_at_least_14_years_younger_than_their_parents,
]


def test_jetzt_alone_pins_the_demo_without_a_frozen_clock():
    """`--jetzt` from the command line, read as Berlin time."""
    now = MOMENTS["Mittwoch 01:00 (geschlossen)"]
    call_command(
        "demo_jobcenter", "--customers", "40", "--jetzt", "2026-12-02T01:00", stdout=StringIO()
    )
    for check in CHECKS:
        check(now)
