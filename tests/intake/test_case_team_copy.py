"""The Leistung team of a case, copied onto its deadlines (issue 13: Leistung's worklist and
case list walk the team's deadlines). The copy is right for every deadline of the case,
whatever its kind, and stays right when the household changes its team or the case its
household; the lists built on it show each team its own cases."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Bedarfsgemeinschaft
from intake.selectors import at_risk_count
from minimumstandards.models import Deadline, DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset
from routing.worklist import open_cases_page
from tests.factories import UserFactory, person, register

pytestmark = pytest.mark.django_db

WORKLIST = reverse("routing:worklist")
CASES = reverse("intake:case_list")
NOW = timezone.make_aware(datetime(2027, 1, 4, 9, 0))


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(autouse=True)
def preset(jobcenter):
    apply_preset(jobcenter=jobcenter, name="demo")


def case(staff, team, last, *, due_in_days=None, warned=False):
    antrag = register(
        actor=staff["ez"],
        leistung_team=team,
        persons=[person("Kim", last, born=date(1985, 3, 27), is_head=True)],
    )
    if due_in_days is not None:
        due = NOW + timedelta(days=due_in_days)
        warn = NOW - timedelta(hours=1) if warned else due - timedelta(hours=1)
        antrag.deadlines.filter(status="open").update(due_at=due, warn_at=warn)
    return antrag


def copies(antrag) -> set:
    return set(antrag.deadlines.values_list("case_team_id", flat=True))


def test_every_deadline_of_a_case_carries_its_households_team(staff, teams):
    antrag = case(staff, teams["leistung"], "Kopie")
    kinds = set(antrag.deadlines.values_list("kind", flat=True))
    assert len(kinds) > 1
    assert copies(antrag) == {teams["leistung"].pk}
    # A deadline made later for the case, given only the case's id, looks the team up.
    rule = DeadlineRule.objects.filter(jobcenter=antrag.jobcenter).first()
    later = Deadline.objects.create(
        jobcenter=antrag.jobcenter,
        antrag_id=antrag.pk,
        rule=rule,
        kind=RuleKind.CALLBACK,
        started_at=NOW,
        due_at=NOW + timedelta(days=1),
        warn_at=NOW,
        status=Deadline.Status.MET,
    )
    assert later.case_team_id == teams["leistung"].pk
    # A customer's own clock has no case and no copy.
    own = Deadline.objects.create(
        jobcenter=antrag.jobcenter,
        kunde=antrag.applicant,
        rule=rule,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=NOW,
        due_at=NOW + timedelta(days=1),
        warn_at=NOW,
    )
    assert own.case_team_id is None


def test_the_copy_follows_the_household_to_another_team(login, staff, teams):
    antrag = case(staff, teams["leistung"], "Umzug", due_in_days=3)
    other = case(staff, teams["leistung"], "Bleibt", due_in_days=5)
    bg = Bedarfsgemeinschaft.objects.get(pk=antrag.bedarfsgemeinschaft_id)
    bg.leistung_team = teams["leistung_b"]
    bg.save()
    assert copies(antrag) == {teams["leistung_b"].pk}
    assert copies(other) == {teams["leistung"].pk}
    # Saving the household again without a change of team rewrites nothing.
    Deadline.objects.filter(antrag=antrag).update(case_team=teams["leistung"])
    bg.save(update_fields=["head"])
    bg.other_household_members = 2
    bg.save()
    assert copies(antrag) == {teams["leistung"].pk}
    Deadline.objects.filter(antrag=antrag).update(case_team=teams["leistung_b"])

    def shown(user):
        rows = login(user).get(WORKLIST, {"art": "fall"}).context["rows"]
        return [r.kunde.last_name for r in rows]

    assert shown(staff["leistung"]) == ["Bleibt"]
    assert shown(staff["leistung_b"]) == ["Umzug"]


def test_the_copy_follows_a_case_moved_to_another_household(staff, teams):
    antrag = case(staff, teams["leistung"], "Wechsel")
    elsewhere = case(staff, teams["leistung_b"], "Ziel")
    antrag.bedarfsgemeinschaft = elsewhere.bedarfsgemeinschaft
    antrag.save()
    assert copies(antrag) == {teams["leistung_b"].pk}


def test_a_worklist_of_two_teams_merges_their_cases_in_due_order(staff, teams, jobcenter):
    from jobcenter.roles import Role

    both = UserFactory(
        username="beide",
        jobcenter=jobcenter,
        role=Role.LEISTUNG,
        teams=[teams["leistung"], teams["leistung_b"]],
    )
    for last, team, days in [
        ("A3", "leistung", 3),
        ("B1", "leistung_b", 1),
        ("A2", "leistung", 2),
        ("B4", "leistung_b", 4),
    ]:
        case(staff, teams[team], last, due_in_days=days)
    rows, total = open_cases_page(both, NOW, sort="faellig", descending=False, limit=3)
    assert total == 4
    # The three due first of both teams (the caller sorts the rows).
    assert [r.kunde.last_name for r in sorted(rows, key=lambda r: r.due_at)] == [
        "B1",
        "A2",
        "A3",
    ]


def test_cases_at_risk_are_counted_per_team_from_the_deadlines(
    login, staff, teams, django_assert_max_num_queries
):
    case(staff, teams["leistung"], "Gewarnt", due_in_days=2, warned=True)
    case(staff, teams["leistung"], "Ueberfaellig", due_in_days=-1)
    case(staff, teams["leistung"], "Ruhig", due_in_days=9)
    case(staff, teams["leistung_b"], "Fremd", due_in_days=-2)
    assert at_risk_count(staff["leistung"], NOW) == 2
    assert at_risk_count(staff["leistung_b"], NOW) == 1
    # Teamleitung sees every case of the Jobcenter.
    assert at_risk_count(staff["teamleitung"], NOW) == 3
    # An IFK sees cases by another rule: the list counts the cases then.
    assert at_risk_count(staff["ifk"], NOW) is None
    client = login(staff["leistung"])
    response = client.get(CASES, {"state": "risk"})
    assert sorted(a.applicant.last_name for a in response.context["page"]) == [
        "Gewarnt",
        "Ueberfaellig",
    ]
    assert response.context["page"].paginator.count == 2
    with django_assert_max_num_queries(30) as few:
        client.get(CASES, {"state": "risk"})
    for i in range(5):
        case(staff, teams["leistung"], f"Mehr{i}", due_in_days=-3 - i)
    with django_assert_max_num_queries(len(few)):
        response = client.get(CASES, {"state": "risk"})
    assert response.context["page"].paginator.count == 7
