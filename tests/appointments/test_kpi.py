"""The Beratungsaktivität KPI and consultations per week (rule R-KP-01) against hand-computed
figures."""

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from appointments import kpi
from appointments.models import Appointment, ContactProfile, GroupEvent, Kind, Status
from jobcenter.models import AuditEvent
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
    assert table["ifk"][0] == {"week": date(2026, 3, 16), "single": 3, "group": 1, "total": 6}
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
