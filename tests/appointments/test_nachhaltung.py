"""Follow-ups at the contacts (Nachhaltung, Rhein-Lahn 2.6 and 2.8; rules R-NH-01 to
R-NH-05): each a deadline the scan flags and the IFK's worklist shows. The expected dates
are counted by hand from the seed's words (calendar days, due at 24:00 Berlin)."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from appointments.errors import AppointmentError
from appointments.models import AvailabilityRestriction, Delivery, Kind, PlacementProposal
from appointments.services import nachhaltung as nh
from appointments.services.follow_ups import contact_record, follow_up_book
from appointments.worklist import follow_up_rows
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import scan
from minimumstandards.workdays import BERLIN, end_of_day
from routing.worklist import deadline_alerts
from tests.factories import person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db

OPEN, MET, LATE = Deadline.Status.OPEN, Deadline.Status.MET, Deadline.Status.LATE


def customer(people, teams, born=date(1985, 3, 27), first="Kim"):
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, "Nachhalt", born, is_head=True)],
        ifk=people["ifk"],
    )
    return antrag.applicant


def the_deadline(kunde, kind, status=OPEN):
    return Deadline.objects.get(kunde=kunde, kind=kind, status=status)


def start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BERLIN)


# --- R-NH-01 --------------------------------------------------------------------------------


@pytest.mark.rule("R-NH-01")
def test_feedback_on_a_proposal_is_due_three_weeks_after_receipt(clock, profile, people, teams):
    kunde = customer(people, teams)
    # Handed over on Monday 23 March 2026: 21 calendar days (Easter does not count off) →
    # due at the end of Monday 13 April 2026.
    proposal = nh.proposal_record(
        actor=people["ifk"],
        kunde=kunde,
        reference="Lagerhelfer, Spedition Nord, Ref. 4711",
        received_on=date(2026, 3, 23),
        close_follow_up=True,
    )
    deadline = the_deadline(kunde, RuleKind.VV_FEEDBACK)
    assert proposal.deadline == deadline
    assert deadline.started_at == start(date(2026, 3, 23))
    assert deadline.due_at == end_of_day(date(2026, 4, 13))
    assert deadline.owner_user == people["ifk"] and deadline.team == teams["ue25"]
    # Feedback on the last day: met.
    clock.set(at(date(2026, 4, 13), 15))
    nh.proposal_feedback_record(
        actor=people["ifk"],
        kunde=kunde,
        proposal=proposal,
        feedback_on=date(2026, 4, 13),
        feedback="Vorstellungsgespräch am 20.04.",
    )
    deadline.refresh_from_db()
    assert deadline.status == MET


@pytest.mark.rule("R-NH-01")
def test_a_posted_proposal_counts_from_its_receipt_and_late_feedback_is_late(
    clock, profile, people, teams
):
    kunde = customer(people, teams)
    # Posted Monday 23 March, received on the fourth day (the caller's date): Friday 27
    # March → due at the end of Friday 17 April 2026.
    proposal = nh.proposal_record(
        actor=people["ifk"],
        kunde=kunde,
        reference="Ref. 0815",
        received_on=date(2026, 3, 27),
        close_follow_up=True,
    )
    assert proposal.deadline.due_at == end_of_day(date(2026, 4, 17))
    clock.set(at(date(2026, 4, 18), 9))
    scan(now=at(date(2026, 4, 18), 0, 1))
    proposal.deadline.refresh_from_db()
    assert proposal.deadline.flagged_level == Deadline.Level.BREACH
    nh.proposal_feedback_record(
        actor=people["ifk"],
        kunde=kunde,
        proposal=proposal,
        feedback_on=date(2026, 4, 18),
        feedback="Absage erhalten",
    )
    proposal.deadline.refresh_from_db()
    assert proposal.deadline.status == LATE


@pytest.mark.rule("R-NH-01")
def test_each_proposal_has_its_own_clock_and_only_close_follow_up_one(
    clock, profile, people, teams
):
    kunde = customer(people, teams)
    loose = nh.proposal_record(
        actor=people["ifk"],
        kunde=kunde,
        reference="Ref. 1",
        received_on=date(2026, 3, 23),
        close_follow_up=False,
    )
    assert loose.deadline is None
    first, second = (
        nh.proposal_record(
            actor=people["ifk"],
            kunde=kunde,
            reference=f"Ref. {n}",
            received_on=date(2026, 3, 23),
            close_follow_up=True,
        )
        for n in (2, 3)
    )
    assert first.deadline != second.deadline
    nh.proposal_feedback_record(
        actor=people["ifk"],
        kunde=kunde,
        proposal=first,
        feedback_on=date(2026, 3, 23),
        feedback="beworben",
    )
    assert [d.pk for d in Deadline.objects.open().filter(kind=RuleKind.VV_FEEDBACK)] == [
        second.deadline_id
    ]
    with pytest.raises(AppointmentError) as error:
        nh.proposal_feedback_record(
            actor=people["ifk"],
            kunde=kunde,
            proposal=second,
            feedback_on=date(2026, 3, 20),
            feedback="beworben",
        )
    assert error.value.field == "feedback_on"


# --- R-NH-02 --------------------------------------------------------------------------------


def contact(people, kunde, when, minutes=45):
    return contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=when,
        minutes=minutes,
        form="persoenlich",
        text="Stand der Maßnahme besprochen.",
    )


@pytest.mark.rule("R-NH-02")
def test_the_measure_window_runs_four_weeks_either_side_of_the_end(clock, profile, people, teams):
    kunde = customer(people, teams)
    # Ends Friday 27 November 2026: the window runs Friday 30 October to Friday 25 December
    # 2026; due at the end of 25 December.
    measure = nh.measure_record(
        actor=people["ifk"], kunde=kunde, title="FbW Lagerlogistik", ends_on=date(2026, 11, 27)
    )
    deadline = measure.deadline
    assert deadline.started_at == start(date(2026, 10, 30))
    assert deadline.due_at == end_of_day(date(2026, 12, 25))
    # On the worklist from the window's first day, not before.
    assert not follow_up_rows(people["ifk"], at(date(2026, 10, 29), 23, 59))
    [row] = follow_up_rows(people["ifk"], at(date(2026, 10, 30), 8))
    assert row.kunde == kunde and row.due_at == end_of_day(date(2026, 12, 25))
    clock.set(at(date(2026, 11, 2), 8))
    # A contact the day before the window does not complete it; a short one in it neither.
    contact(people, kunde, at(date(2026, 10, 29), 10))
    contact(people, kunde, at(date(2026, 10, 30), 9), minutes=20)
    deadline.refresh_from_db()
    assert deadline.status == OPEN
    # A qualified contact on the window's first day does.
    contact(people, kunde, at(date(2026, 10, 30), 10))
    deadline.refresh_from_db()
    assert deadline.status == MET
    assert deadline.completed_at == at(date(2026, 10, 30), 10)


@pytest.mark.rule("R-NH-02")
def test_a_contact_already_held_in_the_window_counts_and_one_after_it_is_late(
    clock, profile, people, teams
):
    kunde = customer(people, teams)
    clock.set(at(date(2026, 3, 30), 8))
    contact(people, kunde, at(date(2026, 3, 25), 10))
    # Ended Friday 6 March 2026: window 6 February – 3 April 2026; the contact of 25 March
    # held before the measure was recorded meets it.
    held = nh.measure_record(
        actor=people["ifk"], kunde=kunde, title="Sprachkurs B1", ends_on=date(2026, 3, 6)
    )
    held.deadline.refresh_from_db()
    assert held.deadline.status == MET
    # Ended Friday 13 February: window 16 January – 13 March 2026; a contact on 30 March is late.
    late = nh.measure_record(
        actor=people["ifk"], kunde=kunde, title="AVGS", ends_on=date(2026, 2, 13)
    )
    assert late.deadline.due_at == end_of_day(date(2026, 3, 13))
    late.deadline.refresh_from_db()
    assert late.deadline.status == OPEN  # the contact of 25 March came after the window
    contact(people, kunde, at(date(2026, 3, 30), 7))
    late.deadline.refresh_from_db()
    assert late.deadline.status == LATE


# --- R-NH-03 --------------------------------------------------------------------------------


@pytest.mark.rule("R-NH-03")
@pytest.mark.parametrize(
    "born, last, due",
    [
        # Born 10 March 2011: 15 on 10 March 2026, the first certificate is due that day.
        (date(2011, 3, 10), None, date(2026, 3, 10)),
        # Twelve years old: due on the 15th birthday, 10 March 2029.
        (date(2014, 3, 10), None, date(2029, 3, 10)),
        # Fifteen already, no certificate on file: due today (Monday 2 February 2026).
        (date(2010, 3, 10), None, date(2026, 2, 2)),
        # The last one of 1 September 2025: the next a year later.
        (date(2010, 3, 10), date(2025, 9, 1), date(2026, 9, 1)),
    ],
)
def test_the_school_certificate_is_due_from_15_and_yearly(
    clock, profile, people, teams, born, last, due
):
    clock.set(at(date(2026, 2, 2), 8))
    kunde = customer(people, teams, born=born)
    nh.school_record_save(
        actor=people["ifk"], kunde=kunde, leaving_year=None, last_certificate_on=last
    )
    assert the_deadline(kunde, RuleKind.SCHOOL_CERTIFICATE).due_at == end_of_day(due)


@pytest.mark.rule("R-NH-03")
def test_a_certificate_received_completes_and_opens_the_next_year(clock, profile, people, teams):
    clock.set(at(date(2026, 2, 2), 8))
    kunde = customer(people, teams, born=date(2011, 3, 10))
    nh.school_record_save(actor=people["ifk"], kunde=kunde, leaving_year=None)
    first = the_deadline(kunde, RuleKind.SCHOOL_CERTIFICATE)
    # Four weeks before the end of 10 March: on the worklist from 11 February.
    assert not follow_up_rows(people["ifk"], at(date(2026, 2, 10), 12))
    assert [r.title for r in follow_up_rows(people["ifk"], at(date(2026, 2, 11), 8))] == [
        "Schulbescheinigung"
    ]
    clock.set(at(date(2026, 3, 4), 10))
    nh.school_certificate_record(actor=people["ifk"], kunde=kunde, received_on=date(2026, 3, 4))
    first.refresh_from_db()
    assert first.status == MET
    assert the_deadline(kunde, RuleKind.SCHOOL_CERTIFICATE).due_at == end_of_day(date(2027, 3, 4))


# --- R-NH-04 --------------------------------------------------------------------------------


@pytest.mark.rule("R-NH-04")
def test_a_leaving_class_is_invited_by_the_end_of_january(clock, profile, people, teams):
    kunde = customer(people, teams, born=date(2011, 5, 1))
    nh.school_record_save(actor=people["ifk"], kunde=kunde, leaving_year=2027)
    deadline = the_deadline(kunde, RuleKind.LEAVING_CLASS)
    assert deadline.started_at == start(date(2027, 1, 1))
    # Leaving year 2027: due 31 January 2027, 24:00 Berlin (23:00 UTC).
    assert deadline.due_at == end_of_day(date(2027, 1, 31))
    assert deadline.due_at.astimezone(BERLIN).date() == date(2027, 1, 31)
    clock.set(at(date(2027, 2, 1), 9))
    nh.school_invitation_record(actor=people["ifk"], kunde=kunde, invited_on=date(2027, 1, 31))
    deadline.refresh_from_db()
    assert deadline.status == MET


@pytest.mark.rule("R-NH-04")
def test_a_consultation_booked_in_the_last_school_year_is_the_invitation(
    clock, profile, people, teams, site
):
    release(
        people["ifk"],
        site,
        kind=Kind.FOLGEGESPRAECH,
        days=[0, 1, 3],
        starts=time(10),
        ends=time(12),
    )
    kunde = customer(people, teams, born=date(2010, 5, 1))
    nh.school_record_save(actor=people["ifk"], kunde=kunde, leaving_year=2027)
    nh_deadline = the_deadline(kunde, RuleKind.LEAVING_CLASS)
    # Booked in March 2026, before the last school year (from 1 August 2026): still open.
    follow_up_book(
        actor=people["ifk"],
        kunde=kunde,
        caseworker=people["ifk"],
        starts_at=at(date(2026, 3, 24), 10),
        delivery=Delivery.PERSOENLICH,
    )
    nh_deadline.refresh_from_db()
    assert nh_deadline.status == OPEN
    # Booked on Monday 7 December 2026 for the next day: invited, in time.
    clock.set(at(date(2026, 12, 7), 8))
    follow_up_book(
        actor=people["ifk"],
        kunde=kunde,
        caseworker=people["ifk"],
        starts_at=at(date(2026, 12, 8), 10),
        delivery=Delivery.PERSOENLICH,
    )
    nh_deadline.refresh_from_db()
    assert nh_deadline.status == MET


# --- R-NH-05 --------------------------------------------------------------------------------


@pytest.mark.rule("R-NH-05")
def test_a_restriction_is_reviewed_every_six_months(clock, profile, people, teams):
    kunde = customer(people, teams)
    with pytest.raises(AppointmentError) as error:
        nh.restriction_save(
            actor=people["ifk"], kunde=kunde, since=date(2026, 1, 15), reason="Pflege", evidence=""
        )
    assert error.value.field == "evidence"
    # Since 15 January 2026: first review due at the end of 15 July 2026.
    nh.restriction_save(
        actor=people["ifk"],
        kunde=kunde,
        since=date(2026, 1, 15),
        reason="Pflege der Mutter",
        evidence="Bescheid Pflegegrad 3",
    )
    first = the_deadline(kunde, RuleKind.AVAILABILITY_REVIEW)
    assert first.due_at == end_of_day(date(2026, 7, 15))
    clock.set(at(date(2026, 7, 1), 9))
    nh.restriction_review_record(actor=people["ifk"], kunde=kunde, reviewed_on=date(2026, 7, 1))
    first.refresh_from_db()
    assert first.status == MET
    # Reviewed 1 July 2026: the next review by the end of 1 January 2027.
    second = the_deadline(kunde, RuleKind.AVAILABILITY_REVIEW)
    assert second.due_at == end_of_day(date(2027, 1, 1))
    # The restriction ends: no further review.
    nh.restriction_review_record(
        actor=people["ifk"], kunde=kunde, reviewed_on=date(2026, 7, 1), ended=True
    )
    second.refresh_from_db()
    assert second.status == MET
    assert not Deadline.objects.open().filter(kunde=kunde, kind=RuleKind.AVAILABILITY_REVIEW)
    assert AvailabilityRestriction.objects.get(kunde=kunde).ended_on == date(2026, 7, 1)


@pytest.mark.rule("R-NH-05")
def test_six_months_end_on_the_last_day_of_a_shorter_month(clock, profile, people, teams):
    kunde = customer(people, teams)
    # Since 31 August 2025: six months later is 28 February 2026, already past on 23 March.
    nh.restriction_save(
        actor=people["ifk"],
        kunde=kunde,
        since=date(2025, 8, 31),
        reason="Kinderbetreuung",
        evidence="Bescheinigung der Kita",
    )
    deadline = the_deadline(kunde, RuleKind.AVAILABILITY_REVIEW)
    assert deadline.due_at == end_of_day(date(2026, 2, 28))
    [row] = follow_up_rows(people["ifk"], at(date(2026, 3, 23), 8))
    assert row.level == "danger"


# --- worklist, page, profile ----------------------------------------------------------------


@pytest.mark.rule("R-NH-01")
def test_follow_ups_are_rows_of_their_own_not_deadlines_at_risk(clock, profile, people, teams):
    kunde = customer(people, teams)
    nh.proposal_record(
        actor=people["ifk"],
        kunde=kunde,
        reference="Ref. 9",
        received_on=date(2026, 3, 23),
        close_follow_up=True,
    )
    now = at(date(2026, 4, 13), 8)  # the last day: at risk
    [row] = follow_up_rows(people["ifk"], now)
    assert row.level == "warning" and row.category_label == "Nachhaltung"
    assert row.url.endswith("#nachhaltung")
    assert not [r for r in deadline_alerts(people["ifk"], now) if r.kunde == kunde]
    assert not follow_up_rows(people["ifk2"], now)


@pytest.mark.rule("R-NH-01")
def test_the_page_keeps_the_input_and_shows_the_error_at_its_field(
    clock, profile, people, teams, client
):
    kunde = customer(people, teams)
    client.force_login(people["ifk"])
    url = reverse("appointments:follow_up_record", args=[kunde.pk])
    response = client.post(
        url, {"action": "vv", "vv-reference": "", "vv-received_on": "27.03.2026"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in body and 'value="27.03.2026"' in body
    response = client.post(
        url,
        {
            "action": "vv",
            "vv-reference": "Ref. 7",
            "vv-received_on": "27.03.2026",
            "vv-close_follow_up": "on",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#nachhaltung")
    assert PlacementProposal.objects.get(kunde=kunde).deadline.due_at == end_of_day(
        date(2026, 4, 17)
    )
    page = client.get(reverse("appointments:contact", args=[kunde.pk])).content.decode()
    assert "Rückmeldung zum Vermittlungsvorschlag" in page and "17.04.2026" in page
    assert client.post(url, {"action": "unknown"}).status_code == 400


@pytest.mark.rule("R-NH-03")
@pytest.mark.rule("R-NH-05")
def test_the_section_shows_each_follow_up_and_its_forms(clock, profile, people, teams, client):
    kunde = customer(people, teams, born=date(2011, 5, 1))
    ifk = people["ifk"]
    nh.proposal_record(
        actor=ifk,
        kunde=kunde,
        reference="Ref. 5",
        received_on=date(2026, 3, 23),
        close_follow_up=True,
    )
    nh.measure_record(actor=ifk, kunde=kunde, title="Sprachkurs B2", ends_on=date(2026, 6, 30))
    nh.school_record_save(actor=ifk, kunde=kunde, leaving_year=2027)
    nh.restriction_save(
        actor=ifk, kunde=kunde, since=date(2026, 1, 15), reason="Pflege", evidence="Bescheid"
    )
    client.force_login(ifk)
    page = client.get(reverse("appointments:contact", args=[kunde.pk])).content.decode()
    for text in (
        "Nachhaltung",
        "Rückmeldung zur Bewerbung erfassen",
        "Sprachkurs B2",
        "Zum Beratungsgespräch eingeladen",
        "Schulbescheinigung liegt vor",
        "Überprüfung erfassen",
        "fällig bis Mi 15.07.2026",  # the § 10 review
        "fällig bis So 31.01.2027",  # the leaving class
    ):
        assert text in page, text
    # A review before the last one is refused at its field, the input kept.
    response = client.post(
        reverse("appointments:follow_up_record", args=[kunde.pk]),
        {"action": "review", "review-reviewed_on": "01.01.2026"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "nicht vor der letzten (15.01.2026)" in body and 'value="01.01.2026"' in body
