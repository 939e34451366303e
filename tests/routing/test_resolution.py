"""Rules resolved to a customer's teams, as seen from each desk (rule R-IA-02)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Kunde
from jobcenter.models import Team
from jobcenter.roles import Role
from routing.models import Aufgabe, InformationType, RoutingRule, Vermerk
from routing.resolution import plan_routing
from tests.factories import TeamFactory, UserFactory, person, register

pytestmark = pytest.mark.django_db


def labels(plan):
    return sorted(t.label for t in plan.deliveries)


def test_both_sides_resolve_to_bg_team_and_ifk_team(staff, kunde, types):
    plan = plan_routing(information_type=types["schwangerschaft"], kunde=kunde, author=staff["ez"])
    assert plan.ok
    assert labels(plan) == ["Postfach Team leistung", "Postfach Team ue25"]
    reasons = " ".join(r for t in plan.targets for r in t.reasons)
    assert f"BG {kunde.bedarfsgemeinschaft.number} gehört zum Team Team leistung" in reasons
    assert "die IFK" in reasons and "Team ue25" in reasons


def test_ifk_in_u25_team_routes_to_u25(staff, teams, types):
    young_ifk = UserFactory(
        username="ifk-u25",
        jobcenter=staff["ez"].jobcenter,
        role=Role.INTEGRATION,
        teams=[teams["u25"]],
    )
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        ifk=young_ifk,
        persons=[person("Tim", "Jung", born=date(2004, 5, 1), is_head=True)],
    )
    plan = plan_routing(
        information_type=types["schulbescheinigung"], kunde=antrag.applicant, author=staff["ez"]
    )
    assert labels(plan) == ["Postfach Team leistung_b", "Postfach Team u25"]


@pytest.mark.parametrize("born, team", [(date(2005, 1, 1), "u25"), (date(1970, 1, 1), "ue25")])
def test_without_ifk_the_age_decides(staff, teams, types, born, team):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ohne", "Betreuung", born=born, is_head=True)],
    )
    plan = plan_routing(
        information_type=types["arbeitsunfaehigkeit"], kunde=antrag.applicant, author=staff["ez"]
    )
    assert labels(plan) == [f"Postfach Team {team}"]
    assert "keine IFK zugeordnet" in plan.targets[0].reasons[0]


def test_pap_rule_goes_to_the_ifk_personally_or_falls_back_to_the_team(staff, teams, kunde, types):
    plan = plan_routing(information_type=types["ueberschuldung"], kunde=kunde, author=staff["ez"])
    assert [t.assignee for t in plan.deliveries] == [staff["ifk"]]
    kunde.ifk = None
    kunde.save()
    plan = plan_routing(information_type=types["ueberschuldung"], kunde=kunde, author=staff["ez"])
    assert labels(plan) == ["Postfach Team ue25"]
    assert "keine IFK zugeordnet, daher an das Integrationsteam" in plan.targets[0].reasons[0]


def test_team_kind_rule_and_duplicate_targets_are_merged(staff, teams, kunde, types):
    but = TeamFactory(jobcenter=staff["ez"].jobcenter, kind=Team.Kind.BUT, name="Team BuT")
    t = types["schulbescheinigung"]
    RoutingRule.objects.create(
        information_type=t, target=RoutingRule.Target.TEAM_KIND, team_kind=Team.Kind.BUT
    )
    RoutingRule.objects.create(
        information_type=t, target=RoutingRule.Target.TEAM_KIND, team_kind=Team.Kind.LEISTUNG
    )
    t = InformationType.objects.get(pk=t.pk)  # the fixture's prefetched rules are stale
    plan = plan_routing(information_type=t, kunde=kunde, author=staff["ez"])
    # "Team einer Art Leistung" resolves to the first Leistung team: here the BG's, merged.
    assert labels(plan) == ["Postfach Team BuT", "Postfach Team leistung", "Postfach Team ue25"]
    merged = next(x for x in plan.targets if x.postfach == teams["leistung"].postfach)
    assert len(merged.rules) == 2 and len(merged.reasons) == 2
    assert but.postfach in [x.postfach for x in plan.targets]


def test_problems_are_named_and_nothing_is_half_routed(staff, teams, types):
    # A customer without a BG: Leistung cannot be reached.
    kunde = Kunde.objects.create(
        jobcenter=staff["ez"].jobcenter,
        kundennummer="900D999999",
        first_name="Ohne",
        last_name="BG",
        date_of_birth=date(1980, 1, 1),
    )
    plan = plan_routing(information_type=types["umzug"], kunde=kunde, author=staff["ez"])
    assert not plan.ok
    assert "keine Bedarfsgemeinschaft mit zuständigem Leistungsteam" in plan.problems[0]


def test_type_without_active_rule_routes_nowhere_and_says_so(staff, kunde, types):
    t = types["umzug"]
    t.rules.update(active=False)
    t = InformationType.objects.get(pk=t.pk)
    plan = plan_routing(information_type=t, kunde=kunde, author=staff["ez"])
    assert "keine Weiterleitung hinterlegt" in plan.problems[0]


# --- per source desk (rule R-IA-02) --------------------------------------------------------------


def test_ez_and_servicetheke_send_to_every_mailbox(staff, kunde, types):
    for who in ("ez", "empfang", "teamleitung"):
        plan = plan_routing(information_type=types["umzug"], kunde=kunde, author=staff[who])
        assert len(plan.deliveries) == 2, who


def test_leistung_forwards_to_integration_only(staff, kunde, types):
    plan = plan_routing(information_type=types["umzug"], kunde=kunde, author=staff["leistung"])
    assert plan.source == Vermerk.Source.LEISTUNG
    assert labels(plan) == ["Postfach Team ue25"]
    skipped = [t for t in plan.targets if t.skipped]
    assert skipped[0].postfach.team.kind == Team.Kind.LEISTUNG
    # Another Leistung team writing about this customer does send to the BG's team.
    other = plan_routing(information_type=types["umzug"], kunde=kunde, author=staff["leistung_b"])
    assert len(other.deliveries) == 2


def test_integration_forwards_to_leistung_urgent_ones_flagged_for_a_call(staff, kunde, types):
    plan = plan_routing(
        information_type=types["beschaeftigung-aufnahme"],
        kunde=kunde,
        author=staff["ifk"],
        urgent=True,
    )
    assert labels(plan) == ["Postfach Team leistung"]
    assert plan.deliveries[0].call_requested
    calm = plan_routing(
        information_type=types["beschaeftigung-aufnahme"], kunde=kunde, author=staff["ifk"]
    )
    assert not calm.deliveries[0].call_requested
    # The IFK's own pAp type stays with them: nothing to forward.
    own = plan_routing(information_type=types["ueberschuldung"], kunde=kunde, author=staff["ifk"])
    assert own.ok and not own.deliveries and own.targets[0].skipped


def test_hotline_tickets_go_everywhere_as_tickets(staff, kunde, types):
    from routing.services import vermerk_route

    routed = vermerk_route(
        author=staff["hotline"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    assert {a.kind for a in routed.aufgaben} == {Aufgabe.Kind.TICKET}
    assert len(routed.aufgaben) == 2
    assert routed.vermerk.source == Vermerk.Source.HOTLINE


# --- the dry run -------------------------------------------------------------------------------


def test_dry_run_shows_where_and_why_and_saves_nothing(login, staff, kunde):
    client = login(staff["ez"])
    response = client.post(
        reverse("routing:vermerk_new"),
        {"action": "probelauf", "kunde": kunde.pk, "information_type": "schwangerschaft"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Probelauf" in page
    assert "Postfach Team leistung" in page and "Postfach Team ue25" in page
    assert "gehört zum Team" in page
    assert not Vermerk.objects.filter(information_type__isnull=False).exists()
    assert not Aufgabe.objects.filter(vermerk__isnull=False).exists()


def test_dry_run_names_missing_choices(login, staff):
    response = login(staff["ez"]).post(
        reverse("routing:vermerk_new"), {"action": "probelauf", "information_type": "gibtsnicht"}
    )
    page = response.content.decode()
    assert "Für den Probelauf bitte" in page
    assert "Diese Informationsart gibt es nicht" in page
