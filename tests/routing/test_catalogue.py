"""The seeded catalogue: every item of rules R-IA-03 and R-IA-04 and where it goes."""

import pytest
from django.utils import timezone

from routing.models import Aufgabe, InformationType, RoutingRule
from routing.services import vermerk_route

pytestmark = pytest.mark.django_db

T = RoutingRule.Target

# Rules R-IA-03/R-IA-04, word for word what each list names (both lists, and Herford's).
TO_BOTH = [
    "stationaere-unterbringung",
    "schwangerschaft",
    "mietschulden-stromsperre",
    "umzug",
    "beschaeftigung-aufnahme",
    "beschaeftigung-ende",
    "ausschlussgrund",
    "schulbescheinigung",
    "tod",
]
TO_INTEGRATION = [
    "aufhebung-ablehnung",
    "arbeitsunfaehigkeit",
    "massnahme-unterlagen",
    "kostenantrag",
    "eingliederungszuschuss",
    "einstiegsgeld",
    "arbeitspaket-schueler",
]
TO_PAP = ["krankengeld", "alg1-aenderung", "ueberschuldung", "bg-personen"]
# Rule R-IA-04: a request to be away and a wish for a consultation go to the pAp.
TO_PAP_TOO = ["ortsabwesenheit", "gespraechswunsch"]

# Written out here, not read from routing.catalogue: where each seeded type must go.
EXPECTED_TARGETS = {
    **{code: {"leistung", "integration"} for code in TO_BOTH},
    **{code: {"integration"} for code in TO_INTEGRATION},
    **{code: {"ifk"} for code in TO_PAP + TO_PAP_TOO},
    "sonstiges": {"leistung", "integration"},  # anything else: both read it
}


def test_every_item_of_the_domain_lists_is_seeded(types):
    for code in TO_BOTH:
        assert {r.target for r in types[code].rules.all()} == {T.LEISTUNG, T.INTEGRATION}, code
    for code in TO_INTEGRATION:
        assert {r.target for r in types[code].rules.all()} == {T.INTEGRATION}, code
    for code in TO_PAP:
        assert {r.target for r in types[code].rules.all()} == {T.IFK}, code
    assert all(t.active for t in types.values())
    # Nothing is seeded that the lists above do not name.
    assert set(types) == set(EXPECTED_TARGETS)
    assert {r.target for r in types["schwangerschaft"].rules.all()} == {"leistung", "integration"}


def test_required_fields_and_hints(types):
    R = InformationType.Requirement
    job_end = types["beschaeftigung-ende"]
    assert (job_end.event_date, job_end.reason) == (R.REQUIRED, R.REQUIRED)
    exclusion = types["ausschlussgrund"]
    assert (exclusion.event_date, exclusion.reason) == (R.REQUIRED, R.REQUIRED)
    assert types["aufhebung-ablehnung"].event_date == R.REQUIRED
    assert types["tod"].event_date == R.REQUIRED
    assert types["beschaeftigung-aufnahme"].event_date == R.REQUIRED
    pregnancy = types["schwangerschaft"]
    assert "Mutterpass nicht anfordern" in pregnancy.hint
    assert "Bescheinigung" in pregnancy.hint
    assert "§ 52 SGB II" in types["beschaeftigung-aufnahme"].hint
    assert types["sonstiges"].text_required


def _fields_for(information_type):
    today = timezone.localdate()
    return {
        "event_date": today if information_type.asks_date else None,
        "reason": "Kündigung durch den Arbeitgeber" if information_type.asks_reason else "",
        "text": "Details" if information_type.text_required else "",
    }


@pytest.mark.parametrize("code", list(EXPECTED_TARGETS))
def test_each_seeded_type_reaches_its_targets(code, staff, teams, kunde, types):
    information_type = types[code]
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=information_type,
        known_on=timezone.localdate(),
        **_fields_for(information_type),
    )
    got = {(a.postfach_id, a.assignee_id) for a in routed.aufgaben}
    expected = set()
    if "leistung" in EXPECTED_TARGETS[code]:
        expected.add((teams["leistung"].postfach.pk, None))
    if "integration" in EXPECTED_TARGETS[code]:
        expected.add((teams["ue25"].postfach.pk, None))
    if "ifk" in EXPECTED_TARGETS[code]:
        expected.add((None, staff["ifk"].pk))
    assert got == expected
    assert all(a.kind == Aufgabe.Kind.NOTE and a.vermerk == routed.vermerk for a in routed.aufgaben)
    # The path it took is recorded with the rule and the reason.
    for aufgabe in routed.aufgaben:
        (event,) = aufgabe.events.all()
        assert event.action == "routed" and event.rule_id == aufgabe.rule_id and event.note
