"""Contact density per customer group (rule R-KD-01): the interval, the next due date,
and the contact-density deadline the scan flags."""

from datetime import date, datetime, timedelta

import pytest

from appointments.models import ContactGroup, ContactProfile, Kind, add_months
from appointments.services.contact_density import contact_profile_save
from appointments.services.follow_ups import contact_record
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import scan
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Vermerk
from tests.factories import person, register

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 23)


def customer(people, teams, born, first="Kim"):
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, "Kontakt", born, is_head=True)],
        ifk=people["ifk"],
    )
    return antrag.applicant


@pytest.mark.parametrize(
    "born, group, graduated, new_since, days",
    [
        (date(2004, 1, 1), ContactGroup.OHNE, None, None, 30),  # U25: monthly, mandatory
        (date(2001, 3, 24), ContactGroup.MARKTFERN, None, None, 30),  # 24 until tomorrow
        (date(2001, 3, 23), ContactGroup.OHNE, None, None, 180),  # 25 today: Ü25
        (date(1980, 1, 1), ContactGroup.MARKTNAH, None, None, 90),
        (date(1980, 1, 1), ContactGroup.FALLMANAGEMENT, None, None, 90),
        (date(1980, 1, 1), ContactGroup.PARAGRAPH_10, None, None, 180),
        (date(1980, 1, 1), ContactGroup.INTEGRIERT, None, None, 180),
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, None, 180),
        (date(1980, 1, 1), ContactGroup.OHNE, None, None, 180),
        # Course graduates: monthly for the first six months after the course (rule R-KD-01).
        (date(1980, 1, 1), ContactGroup.MARKTNAH, date(2025, 10, 1), None, 30),
        (date(1980, 1, 1), ContactGroup.MARKTNAH, date(2025, 9, 22), None, 90),  # 6 months over
        # New customers: monthly recommended for six months from the EG.
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, date(2026, 1, 15), 30),
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, date(2025, 9, 1), 180),
    ],
)
def test_interval_per_group(clock, profile, people, teams, born, group, graduated, new_since, days):
    kunde = customer(people, teams, born)
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=group,
        course_graduated_on=graduated,
        new_customer_since=new_since,
        last_contact_on=date(2026, 3, 2),
    )
    assert saved.interval_days == days
    assert saved.next_contact_due == date(2026, 3, 2) + timedelta(days=days)


def test_never_more_than_180_days_and_the_deadline_is_opened_for_the_scan(
    clock, profile, people, teams
):
    kunde = customer(people, teams, date(1970, 1, 1))
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.INTEGRIERT,
        last_contact_on=date(2025, 9, 1),
    )
    assert saved.next_contact_due == date(2026, 2, 28)  # 180 days after 1 September 2025
    deadline = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    assert deadline.due_at == end_of_day(date(2026, 2, 28))
    assert deadline.team == teams["ue25"] and deadline.owner_user == people["ifk"]
    # Overdue today: the deadline scan flags it like every other deadline.
    scan()
    deadline.refresh_from_db()
    assert deadline.level == Deadline.Level.BREACH


@pytest.mark.rule("R-TE-04")
def test_a_qualified_contact_closes_the_deadline_and_opens_the_next(clock, profile, people, teams):
    kunde = customer(people, teams, date(1970, 1, 1))
    contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.MARKTNAH,
        last_contact_on=date(2026, 1, 5),
    )
    first = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    appointment = contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN),
        minutes=40,
        form="walk_and_talk",
        text="Walk and Talk im Park, Bewerbungsstrategie besprochen.",
    )
    assert appointment.kind == Kind.FOLGEGESPRAECH and appointment.qualified
    assert appointment.vermerk.kind == Vermerk.Kind.BERATUNG
    first.refresh_from_db()
    assert first.status == Deadline.Status.MET
    profile_ = ContactProfile.objects.get(kunde=kunde)
    assert profile_.last_qualified_contact_at == datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN)
    assert profile_.next_contact_due == date(2026, 3, 20) + timedelta(days=90)
    nxt = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    assert nxt.started_at == datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN)
    # The group's interval (3 months) is the deadline's own window, not the 180-day maximum.
    assert nxt.due_at == end_of_day(profile_.next_contact_due)


def test_a_short_contact_does_not_reset_the_clock(clock, profile, people, teams):
    kunde = customer(people, teams, date(1970, 1, 1))
    contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.MARKTNAH,
        last_contact_on=date(2026, 1, 5),
    )
    contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=datetime(2026, 3, 20, 9, tzinfo=BERLIN),
        minutes=10,
        form="telefon",
        text="Anrufversuch, kurz erreicht.",
    )
    assert ContactProfile.objects.get(kunde=kunde).next_contact_due == date(2026, 1, 5) + timedelta(
        days=90
    )
    assert (
        Deadline.objects.filter(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open").count()
        == 1
    )


@pytest.mark.rule("R-TE-04")
def test_a_contact_cannot_be_entered_for_the_future(clock, profile, people, teams):
    from appointments.errors import AppointmentError

    kunde = customer(people, teams, date(1970, 1, 1))
    with pytest.raises(AppointmentError, match="wenn er stattgefunden hat"):
        contact_record(
            actor=people["ifk"],
            kunde=kunde,
            starts_at=datetime(2026, 3, 24, 9, tzinfo=BERLIN),
            minutes=45,
            form="persoenlich",
            text="x",
        )


def test_add_months_keeps_the_day_or_takes_the_last():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 9, 22), 6) == date(2026, 3, 22)
