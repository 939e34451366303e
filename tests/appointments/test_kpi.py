"""The Beratungsaktivität KPI and consultations per week (rule R-KP-01) against hand-computed
figures."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from appointments import kpi
from appointments.models import Appointment, ContactProfile, GroupEvent, Kind, Status
from jobcenter.models import AuditEvent
from minimumstandards.services import calendar_for
from minimumstandards.workdays import BERLIN
from tests.factories import person, register

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 23)


NAMES = itertools.count()


def profile_for(people, teams, born, last_contact_days_ago, since_days_ago=400, ifk="ifk"):
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(f"P{next(NAMES)}", "Kennzahl", born, is_head=True)],
        ifk=people[ifk],
    )
    last = None
    if last_contact_days_ago is not None:
        last = datetime.combine(
            TODAY - timedelta(days=last_contact_days_ago),
            datetime.min.time().replace(hour=10),
            tzinfo=BERLIN,
        )
    return ContactProfile.objects.create(
        kunde=antrag.applicant,
        jobcenter=antrag.jobcenter,
        since=TODAY - timedelta(days=since_days_ago),
        last_qualified_contact_at=last,
        next_contact_due=TODAY,
        interval_days=180,
    )


def test_average_days_overall_ue25_u25_against_the_goals(clock, people, teams):
    # Ü25: 10, 100, 200 days → 310 / 3 = 103.33; U25: 60, 150 → 105; never consulted Ü25
    # customer since 50 days → Ü25 (10+100+200+50)/4 = 90.
    for days in (10, 100, 200):
        profile_for(people, teams, date(1980, 1, 1), days)
    profile_for(people, teams, date(1980, 1, 2), None, since_days_ago=50)
    for days in (60, 150):
        profile_for(people, teams, date(2005, 1, 1), days)
    # Another IFK's customer and an inactive profile do not count.
    profile_for(people, teams, date(1980, 1, 3), 999, ifk="ifk2")
    inactive = profile_for(people, teams, date(1980, 1, 4), 500)
    inactive.active = False
    inactive.save()

    result = {a.key: a for a in kpi.beratungsaktivitaet(kpi.profiles_of([people["ifk"].pk]), TODAY)}
    assert result["ue25"].count == 4 and result["ue25"].days == pytest.approx(90.0)
    assert result["u25"].count == 2 and result["u25"].days == pytest.approx(105.0)
    assert result["gesamt"].count == 6 and result["gesamt"].days == pytest.approx(570 / 6)
    assert result["ue25"].met is True  # goal 120
    assert result["u25"].met is False  # goal 90
    assert result["gesamt"].met is True  # 95 <= 110


def test_consultations_per_week_group_event_counts_three(clock, people, teams, jobcenter, site):
    antrag = register(actor=people["ez"], leistung_team=teams["leistung"], ifk=people["ifk"])
    monday = datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)

    def held(
        offset_hours,
        qualified=True,
        kind=Kind.FOLGEGESPRAECH,
        status=Status.DURCHGEFUEHRT,
        who="ifk",
    ):
        start = monday + timedelta(hours=offset_hours)
        Appointment.objects.create(
            jobcenter=jobcenter,
            kunde=antrag.applicant,
            caseworker=people[who],
            kind=kind,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            invitation_occasion="folge",
            booked_by=people[who],
            status=status,
            qualified=qualified,
        )

    held(0)
    held(1)
    held(24, kind=Kind.ERSTGESPRAECH)
    held(25, qualified=False)  # a short contact: not qualified
    held(26, status=Status.MELDEVERSAEUMNIS, qualified=False)
    held(24 * 7)  # the week after (this week)
    held(2, who="ifk2")
    GroupEvent.objects.create(
        jobcenter=jobcenter,
        standort=site,
        starts_at=monday + timedelta(days=2),
        ends_at=monday + timedelta(days=2, hours=2),
        capacity=10,
        host=people["ifk"],
        created_by=people["ifk"],
        status=GroupEvent.EventStatus.DURCHGEFUEHRT,
    )
    weeks = kpi.week_starts(TODAY, 2)
    assert weeks == [date(2026, 3, 16), date(2026, 3, 23)]
    table = dict(
        (c.username, cells)
        for c, cells in kpi.consultations_per_week(
            Appointment.objects.all(),
            GroupEvent.objects.all(),
            [people["ifk"], people["ifk2"]],
            weeks,
        )
    )
    assert table["ifk"][0] == {
        "week": date(2026, 3, 16),
        "single": 3,
        "group": 1,
        "total": 6,
        "target": Decimal("25.0"),
        "rating": kpi.Rating("danger", "Ziel verfehlt"),
    }
    assert table["ifk"][1]["total"] == 1
    assert table["ifk2"][0]["total"] == 1


@pytest.mark.rule("R-DS-01")
def test_kpi_page_for_the_lead_is_team_level_by_default(clock, login, people, teams):
    profile_for(people, teams, date(1980, 1, 1), 30)
    response = login(people["teamleitung"]).get(reverse("appointments:kpi"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beratungsaktivität" in page and "Ziel höchstens" in page
    assert {a.key: a.days for a in response.context["averages"]}["gesamt"] == 30
    # Per-employee figures are personal data (rule R-DS-01): team level by default.
    assert response.context["table"] == []
    assert people["ifk"].get_full_name() not in page
    assert not AuditEvent.objects.filter(summary="Beratungen je IFK eingesehen").exists()
    assert login(people["ez"]).get(reverse("appointments:kpi")).status_code == 403


def test_per_ifk_figures_only_with_the_explicit_permission_and_audited(
    clock, login, people, teams, jobcenter
):
    lead = people["teamleitung"]
    lead.user_permissions.add(Permission.objects.get(codename="view_employee_figures"))
    lead = type(lead).objects.get(pk=lead.pk)  # drop the cached permissions
    response = login(lead).get(reverse("appointments:kpi"))
    assert people["ifk"].get_full_name() in response.content.decode()
    # ifk3 is in U25, not one of the lead's teams.
    assert [cw for cw, _cells in response.context["table"]] == sorted(
        [people["ifk"], people["ifk2"]], key=lambda u: (u.last_name, u.first_name)
    )
    audit = AuditEvent.objects.get(summary="Beratungen je IFK eingesehen")
    assert audit.actor == lead and audit.action == "view"
    assert audit.target_id == jobcenter.pk
    assert audit.target_type == ContentType.objects.get_for_model(jobcenter)


def test_the_permission_alone_does_not_open_the_kpi_page(clock, login, people):
    ez = people["ez"]
    ez.user_permissions.add(Permission.objects.get(codename="view_employee_figures"))
    assert login(ez).get(reverse("appointments:kpi")).status_code == 403


def test_an_ifk_sees_their_own_figures_without_an_audit_row(clock, login, people, teams):
    response = login(people["ifk"]).get(reverse("appointments:kpi"))
    assert [cw for cw, _cells in response.context["table"]] == [people["ifk"]]
    assert not AuditEvent.objects.filter(summary="Beratungen je IFK eingesehen").exists()


# --- weekly target pro rata (RL 2.1: "Orientierungswert für Vollzeitkräfte") --------------


@pytest.mark.rule("R-KP-01")
def test_weekly_target_is_pro_rata_to_the_hours_and_rounded_to_one_decimal():
    # 25 × 19.5 / 39 = 12.5; 25 × 30 / 39 = 19.230… → 19.2; 25 × 20 / 39 = 12.820… → 12.8.
    assert kpi.weekly_target(Decimal("19.5"), Decimal("39")) == Decimal("12.5")
    assert kpi.weekly_target(Decimal("30"), Decimal("39")) == Decimal("19.2")
    assert kpi.weekly_target(Decimal("20"), Decimal("39")) == Decimal("12.8")
    # Empty hours are full time; more than full time stays at 25.
    assert kpi.weekly_target(None, Decimal("39")) == Decimal("25.0")
    assert kpi.weekly_target(Decimal("41"), Decimal("39")) == Decimal("25.0")
    # A week with one holiday has four working days: 25 × 4 / 5 = 20; half time 10.
    assert kpi.weekly_target(None, Decimal("39"), 4) == Decimal("20.0")
    assert kpi.weekly_target(Decimal("19.5"), Decimal("39"), 4) == Decimal("10.0")


def _held(jobcenter, kunde, caseworker, start, kind=Kind.FOLGEGESPRAECH, qualified=True):
    return Appointment.objects.create(
        jobcenter=jobcenter,
        kunde=kunde,
        caseworker=caseworker,
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        invitation_occasion="folge",
        booked_by=caseworker,
        status=Status.DURCHGEFUEHRT,
        qualified=qualified,
    )


@pytest.mark.rule("R-KP-01")
def test_per_week_target_for_part_time_with_a_group_event_and_the_easter_week(
    clock, people, teams, jobcenter, site
):
    part_time = people["ifk"]
    part_time.weekly_hours = Decimal("19.5")
    part_time.save()
    antrag = register(actor=people["ez"], leistung_team=teams["leistung"], ifk=part_time)
    monday = datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)  # Good Friday 3 April (NW)
    for day in range(4):
        _held(jobcenter, antrag.applicant, part_time, monday + timedelta(days=day))
    GroupEvent.objects.create(
        jobcenter=jobcenter,
        standort=site,
        starts_at=monday + timedelta(days=1, hours=3),
        ends_at=monday + timedelta(days=1, hours=5),
        capacity=10,
        host=part_time,
        created_by=part_time,
        status=GroupEvent.EventStatus.DURCHGEFUEHRT,
    )
    weeks = [date(2026, 3, 23), date(2026, 3, 30)]
    table = dict(
        (c.username, cells)
        for c, cells in kpi.consultations_per_week(
            Appointment.objects.all(),
            GroupEvent.objects.all(),
            [part_time, people["ifk2"]],
            weeks,
            calendar=calendar_for(jobcenter),
            full_time_hours=jobcenter.full_time_weekly_hours,
        )
    )
    # A normal week: 25 × 19.5 / 39 = 12.5 for the part-time IFK, 25 for full time.
    assert table["ifk"][0]["target"] == Decimal("12.5")
    assert table["ifk2"][0]["target"] == Decimal("25.0")
    # Easter week, four working days: 12.5 × 4 / 5 = 10; full time 20. Four individual
    # consultations and one group event (counts 3) make 7.
    assert table["ifk"][1] == {
        "week": date(2026, 3, 30),
        "single": 4,
        "group": 1,
        "total": 7,
        "target": Decimal("10.0"),
        # 7 of 10 is more than 10 % short of the target.
        "rating": kpi.Rating("danger", "Ziel verfehlt"),
    }
    assert table["ifk2"][1]["target"] == Decimal("20.0")


def test_the_jobcenter_full_time_hours_default_to_39(jobcenter):
    assert jobcenter.full_time_weekly_hours == Decimal("39.0")


@pytest.mark.rule("R-KP-01")
def test_kpi_page_shows_the_team_target_as_the_sum_of_the_pro_rata_targets(
    clock, login, people, teams
):
    people["ifk2"].weekly_hours = Decimal("19.5")
    people["ifk2"].save()
    response = login(people["teamleitung"]).get(reverse("appointments:kpi"))
    # The lead's teams: ifk (full time, 25) and ifk2 (12.5); week of 23 March has 5 days.
    assert [goal for _total, goal, _rating in response.context["team_weeks"]][-1] == Decimal("37.5")
    assert "0 / 37,5" in response.content.decode()


# --- qualified consultations per month and since the start of the placement period (DW 2) ----


@pytest.mark.rule("R-KP-01")
def test_consultations_in_the_reporting_month_count_by_berlin_time(clock, people, teams, jobcenter):
    ifk = people["ifk"]
    kunde = profile_for(people, teams, date(1980, 5, 5), None, since_days_ago=400).kunde
    # 31 October 2025, 23:30 in Berlin is 22:30 UTC: October.
    _held(jobcenter, kunde, ifk, datetime(2025, 10, 31, 23, 30, tzinfo=BERLIN))
    # 1 November 00:15 in Berlin is still 31 October in UTC: November.
    _held(jobcenter, kunde, ifk, datetime(2025, 11, 1, 0, 15, tzinfo=BERLIN))
    _held(jobcenter, kunde, ifk, datetime(2025, 11, 30, 23, 59, tzinfo=BERLIN))
    _held(jobcenter, kunde, ifk, datetime(2025, 12, 1, 8, 0, tzinfo=BERLIN))
    _held(jobcenter, kunde, ifk, datetime(2025, 10, 1, 0, 0, tzinfo=BERLIN))
    _held(jobcenter, kunde, ifk, datetime(2025, 10, 15, 9, 0, tzinfo=BERLIN), qualified=False)
    _held(jobcenter, kunde, people["ifk2"], datetime(2025, 10, 20, 9, 0, tzinfo=BERLIN))
    months = [date(2025, 10, 1), date(2025, 11, 1)]
    result = {
        a.caseworker.username: a
        for a in kpi.consultations_by_month_and_period(
            Appointment.objects.all(), [ifk, people["ifk2"]], months
        )
    }
    # October: 1 Oct 00:00 and 31 Oct 23:30 (the unqualified one does not count) = 2;
    # November: 1 Nov 00:15 and 30 Nov 23:59 = 2.
    assert result["ifk"].months == (2, 2)
    assert result["ifk2"].months == (1, 0)


@pytest.mark.rule("R-KP-01")
def test_consultations_since_the_start_of_the_placement_period(clock, people, teams, jobcenter):
    ifk = people["ifk"]
    # In care since 1 March 2026 (TODAY 23 March minus 22 days): consultations from that day.
    profile = profile_for(people, teams, date(1980, 6, 6), None, since_days_ago=22)
    assert profile.since == date(2026, 3, 1)
    kunde = profile.kunde
    _held(jobcenter, kunde, ifk, datetime(2026, 2, 28, 23, 30, tzinfo=BERLIN))  # before
    _held(jobcenter, kunde, ifk, datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN))  # first day
    _held(jobcenter, kunde, ifk, datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN))
    # A customer no longer in care: none of theirs counts for the period.
    gone = profile_for(people, teams, date(1980, 7, 7), None, since_days_ago=100)
    gone.active = False
    gone.save()
    _held(jobcenter, gone.kunde, ifk, datetime(2026, 3, 11, 9, 0, tzinfo=BERLIN))
    (activity,) = kpi.consultations_by_month_and_period(
        Appointment.objects.all(), [ifk], [date(2026, 2, 1), date(2026, 3, 1)]
    )
    assert activity.period == 2
    # The months count every qualified consultation held: February 1, March 3.
    assert activity.months == (1, 3)


@pytest.mark.rule("R-KP-01")
def test_kpi_page_shows_month_and_period_counts_for_the_team_only_by_default(
    clock, login, people, teams, jobcenter
):
    kunde = profile_for(people, teams, date(1980, 8, 8), None, since_days_ago=400).kunde
    _held(jobcenter, kunde, people["ifk"], datetime(2026, 2, 27, 9, 0, tzinfo=BERLIN))
    _held(jobcenter, kunde, people["ifk2"], datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    _held(jobcenter, kunde, people["ifk2"], datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN))
    response = login(people["teamleitung"]).get(reverse("appointments:kpi"))
    page = response.content.decode()
    assert "seit Beginn des Vermittlungszeitraums" in page and "Februar 2026" in page
    assert response.context["months"] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert response.context["activity_team"] == ([1, 2], 3)
    assert response.context["activity"] == []


# --- ratings against the targets (issue 14): words and icon, never colour alone ----------


@pytest.mark.rule("R-KP-01")
@pytest.mark.parametrize(
    ("value", "target", "higher", "tone", "text"),
    [
        (25, Decimal("25.0"), True, "success", "Ziel erreicht"),
        (Decimal("22.5"), Decimal("25.0"), True, "warning", "Ziel knapp verfehlt"),
        (22, Decimal("25.0"), True, "danger", "Ziel verfehlt"),
        # Part time, 19.5 of 39 hours: target 12.5; 12 is within 1.25 of it.
        (12, Decimal("12.5"), True, "warning", "Ziel knapp verfehlt"),
        (11, Decimal("12.5"), True, "danger", "Ziel verfehlt"),
        # Days since the last contact: fewer is better (goal 90 for U25).
        (90, 90, False, "success", "Ziel erreicht"),
        (99, 90, False, "warning", "Ziel knapp verfehlt"),
        (Decimal("99.1"), 90, False, "danger", "Ziel verfehlt"),
    ],
)
def test_rating_green_amber_red(value, target, higher, tone, text):
    assert kpi.rate(value, target, higher_is_better=higher) == kpi.Rating(tone, text)


@pytest.mark.rule("R-KP-01")
def test_kpi_page_rates_each_week_with_words_and_icon(clock, login, people, teams):
    people["ifk2"].weekly_hours = Decimal("19.5")
    people["ifk2"].save()
    response = login(people["teamleitung"]).get(reverse("appointments:kpi"))
    body = response.content.decode()
    # No consultations: the team's 0 of 37.5 is missed, said in words with its icon; the
    # week under way is not rated yet.
    ratings = [r.tone if r else None for _t, _g, r in response.context["team_weeks"]]
    assert ratings == ["danger", "danger", "danger", None]
    assert "Woche läuft noch" in body
    assert "Ziel verfehlt" in body
    assert "kern-icon--danger" in body
