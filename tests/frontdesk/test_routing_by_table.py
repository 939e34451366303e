"""The same information goes to the same places whichever desk takes it in (domain.md §5).

A concern says which information type it records; the mailboxes its note reaches are those
routing's table gives for that type, exactly as for a Vermerk written in the EZ.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import Concern, Outcome
from frontdesk.services.calling import visit_call_next
from frontdesk.services.outcomes import visit_finish
from routing.models import Aufgabe, InformationType, RoutingRule
from routing.services import vermerk_route
from tests.factories import JobcenterFactory, person, register, seed_catalogues

from .conftest import at


@pytest.fixture
def kunde(staff, teams):
    """A customer in Team leistung's BG whose IFK works in Team ue25."""
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Sabine", "Kowalski", is_head=True)],
    )
    return antrag.applicant


def reached(aufgaben) -> set[tuple]:
    return {(a.postfach_id, a.assignee_id) for a in aufgaben}


def desk_note_targets(visit) -> set[tuple]:
    return reached(Aufgabe.objects.filter(vermerk__text__contains=visit.number))


def ez_note_targets(staff, kunde, information_type) -> set[tuple]:
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=information_type,
        known_on=timezone.localdate(),
        text="Neue Anschrift: Talstraße 1",
    )
    return reached(routed.aufgaben)


def test_the_concern_records_routings_type(catalogue, jobcenter):
    umzug = catalogue["umzug"].information_type
    assert (umzug.code, umzug.jobcenter_id) == ("umzug", jobcenter.pk)
    assert catalogue["veraenderung"].information_type.code == "umzug"
    assert catalogue["au"].information_type.code == "arbeitsunfaehigkeit"
    assert catalogue["sachstand"].information_type is None


def test_settled_at_the_reception_reaches_what_the_table_gives(check_in, staff, teams, kunde):
    visit = check_in("umzug", kunde=kunde, settle=Outcome.RESOLVED, note="Talstraße 1", now=at(9))
    # Umzug (rule R-IA-03): the BG's Leistung team and the customer's Integration team
    # (the IFK works in Team ue25), worked out by hand from the rule.
    expected = {(teams["leistung"].postfach.pk, None), (teams["ue25"].postfach.pk, None)}
    assert desk_note_targets(visit) == expected
    umzug = visit.visit_concerns.get().concern.information_type
    assert ez_note_targets(staff, kunde, umzug) == expected


def test_settled_at_the_desk_reaches_what_the_table_gives(
    check_in, staff, teams, kunde, desks, open_desk, catalogue
):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    # The reception says what changed (an address: Umzug), kept for the desk that finishes.
    umzug = InformationType.objects.get(jobcenter=kunde.jobcenter, code="umzug")
    visit = check_in(
        "veraenderung",
        kunde=kunde,
        information_types={catalogue["veraenderung"].pk: umzug},
        now=at(9),
    )
    visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=at(9, 5))
    visit_finish(
        actor=staff["ez"],
        desk_id=desks["s1"].pk,
        visit_id=visit.pk,
        outcome=Outcome.RESOLVED,
        handled=list(visit.visit_concerns.values_list("concern_id", flat=True)),
        note="Neue Anschrift",
        now=at(9, 10),
    )
    expected = {(teams["leistung"].postfach.pk, None), (teams["ue25"].postfach.pk, None)}
    assert desk_note_targets(visit) == expected
    umzug = InformationType.objects.get(jobcenter=kunde.jobcenter, code="umzug")
    assert ez_note_targets(staff, kunde, umzug) == expected


def test_changing_the_rule_changes_where_the_desk_note_goes(check_in, staff, teams, kunde):
    umzug = InformationType.objects.get(jobcenter=kunde.jobcenter, code="umzug")
    # The Jobcenter decides Umzug goes to the IFK personally, and no longer to Leistung.
    umzug.rules.filter(target=RoutingRule.Target.INTEGRATION).update(target=RoutingRule.Target.IFK)
    umzug.rules.filter(target=RoutingRule.Target.LEISTUNG).update(active=False)
    visit = check_in("umzug", kunde=kunde, settle=Outcome.RESOLVED, note="Talstraße 1", now=at(9))
    assert desk_note_targets(visit) == {(None, staff["ifk"].pk)}
    assert ez_note_targets(staff, kunde, umzug) == {(None, staff["ifk"].pk)}


def test_another_jobcenters_type_is_refused(catalogue, jobcenter):
    herford = JobcenterFactory(slug="herford", name="Jobcenter Herford")
    seed_catalogues()
    theirs = InformationType.objects.get(jobcenter=herford, code="umzug")
    concern = catalogue["umzug"]
    concern.information_type = theirs
    with pytest.raises(ValidationError) as refused:
        concern.full_clean()
    assert "anderen Jobcenter" in str(refused.value.message_dict["information_type"])


def test_admin_offers_only_the_own_types(login, staff, jobcenter, catalogue):
    herford = JobcenterFactory(slug="herford", name="Jobcenter Herford")
    seed_catalogues()
    client = login(staff["admin"])
    url = reverse("admin:frontdesk_concern_change", args=[catalogue["umzug"].pk])
    form = client.get(url).context["adminform"].form
    offered = form.fields["information_type"].queryset
    assert offered.filter(jobcenter=jobcenter).exists()
    assert not offered.filter(jobcenter=herford).exists()
    assert Concern.objects.filter(jobcenter=herford, information_type__isnull=False).exists()
