"""The seeded catalogue: every item of rules R-IA-03 and R-IA-04 and where it goes."""

from datetime import timedelta

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
    "massnahme-unterlagen",
    "kostenantrag",
    "eingliederungszuschuss",
    "einstiegsgeld",
    "arbeitspaket-schueler",
]
# Rule R-IA-04 (HF Anlage 1 Nr. 3.10, Anlage 3 Nr. 6.1): on top of Leistung, to the pAp.
TO_LEISTUNG_AND_PAP = ["krankengeld", "alg1-aenderung", "betreuungsgeld", "rente", "bg-personen"]
# Rule R-IA-04: over-indebtedness and sick notes ("AU Bescheinigungen … weiterleiten an pAp",
# HF Anlage 1 Nr. 6.1; WU 3 says Integration, which the pAp is part of) go to the pAp.
TO_PAP = ["ueberschuldung", "arbeitsunfaehigkeit"]
# Rule R-IA-04: a request to be away and a wish for a consultation go to the pAp.
TO_PAP_TOO = ["ortsabwesenheit", "gespraechswunsch"]
# Rule R-IA-04: Eigenbemühungen are received with an entry note, sent nowhere.
TO_NOBODY = ["eigenbemuehungen"]

# Written out here, not read from routing.catalogue: where each seeded type must go.
EXPECTED_TARGETS = {
    **{code: {"leistung", "integration"} for code in TO_BOTH},
    **{code: {"integration"} for code in TO_INTEGRATION},
    **{code: {"ifk"} for code in TO_PAP + TO_PAP_TOO},
    **{code: {"leistung", "ifk"} for code in TO_LEISTUNG_AND_PAP},
    **{code: set() for code in TO_NOBODY},
    # Rule R-IA-04: the return from an Ortsabwesenheit goes to the pAp when late (below).
    "ortsabwesenheit-rueckmeldung": {"ifk"},
    "sonstiges": {"leistung", "integration"},  # anything else: both read it
}


def test_every_item_of_the_domain_lists_is_seeded(types):
    for code in TO_BOTH:
        assert {r.target for r in types[code].rules.all()} == {T.LEISTUNG, T.INTEGRATION}, code
    for code in TO_INTEGRATION:
        assert {r.target for r in types[code].rules.all()} == {T.INTEGRATION}, code
    for code in TO_PAP:
        assert {r.target for r in types[code].rules.all()} == {T.IFK}, code
    for code in TO_LEISTUNG_AND_PAP:
        assert {r.target for r in types[code].rules.all()} == {T.LEISTUNG, T.IFK}, code
    assert not types["eigenbemuehungen"].routed
    assert not types["eigenbemuehungen"].rules.exists()
    (late,) = types["ortsabwesenheit-rueckmeldung"].rules.all()
    assert (late.target, late.only_when_late) == (T.IFK, True)
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
    if information_type.code == "ortsabwesenheit-rueckmeldung":
        today -= timedelta(days=1)  # due back yesterday: late, so it is forwarded
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


@pytest.mark.rule("R-IA-04")
@pytest.mark.parametrize("code", TO_LEISTUNG_AND_PAP)
def test_herford_changes_reach_leistung_and_the_pap_with_a_follow_up(
    code, staff, teams, kunde, types
):
    # HF Anlage 1 Nr. 3.10: "Historienvermerk VerBIS und unterminierte Wv an pAp"; the EZ
    # (Leistung staff) processes the change too. Known on 2 June: the follow-up without a
    # date of its own is due that same day, 2 June, in both mailboxes.
    known_on = timezone.localdate() - timedelta(days=1)
    kunde.created_at = kunde.created_at - timedelta(days=10)
    kunde.save(update_fields=["created_at"])
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types[code],
        known_on=known_on,
        text="Personen: Max Muster, geb. 01.01.2000",
    )
    assert {(a.postfach_id, a.assignee_id) for a in routed.aufgaben} == {
        (teams["leistung"].postfach.pk, None),
        (None, staff["ifk"].pk),
    }
    assert routed.vermerk.follow_up_on == known_on  # the history note carries it
    assert {a.follow_up_on for a in routed.aufgaben} == {known_on}


@pytest.mark.rule("R-IA-04")
def test_eigenbemuehungen_are_an_entry_note_only(staff, kunde, types):
    # HF Anlage 1 Nr. 6.1: "Eigenbemühungen entgegennehmen … einschl. Eingangsvermerk":
    # recorded on the customer, forwarded to nobody.
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["eigenbemuehungen"],
        known_on=timezone.localdate(),
    )
    assert routed.aufgaben == []
    assert routed.vermerk.kunde == kunde and routed.vermerk.information_type.code == (
        "eigenbemuehungen"
    )


@pytest.mark.rule("R-IA-04")
def test_ortsabwesenheit_return_reaches_the_pap_only_when_late(staff, kunde, types):
    # HF Anlage 1 Nr. 6.1: "Ortsabwesenheit (Rückmeldung): Historienvermerk, Wv erstellen.
    # Bei nicht rechtzeitiger Rückmeldung Weiterleitung an pAp". Due back on day D: reported
    # on D is in time (a note with a follow-up, nobody else); reported on D+1 is late (pAp).
    rueckmeldung = types["ortsabwesenheit-rueckmeldung"]
    today = timezone.localdate()
    kunde.created_at = kunde.created_at - timedelta(days=10)
    kunde.save(update_fields=["created_at"])
    in_time = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=rueckmeldung,
        known_on=today,
        event_date=today,
    )
    assert in_time.aufgaben == []
    assert in_time.vermerk.follow_up_on == today
    late = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=rueckmeldung,
        known_on=today,
        event_date=today - timedelta(days=1),
    )
    assert [(a.postfach_id, a.assignee_id) for a in late.aufgaben] == [(None, staff["ifk"].pk)]
    assert late.aufgaben[0].follow_up_on == today
