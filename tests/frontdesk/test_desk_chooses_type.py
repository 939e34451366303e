"""At the desk the receptionist says what was reported or handed in; routing's table alone
decides the mailboxes (rule R-IA-03, R-IA-04)."""

# ruff: noqa: F811 (the kunde fixture is imported)

import pytest

from frontdesk.errors import FrontdeskError
from frontdesk.models import Outcome
from routing.models import Aufgabe, InformationType

from .conftest import at
from .test_routing_by_table import desk_note_targets, kunde  # noqa: F401

pytestmark = pytest.mark.django_db


def type_of(jobcenter, code):
    return InformationType.objects.get(jobcenter=jobcenter, code=code)


@pytest.mark.rule("R-IA-03")
def test_an_address_change_reaches_leistung_and_integration(check_in, teams, kunde, catalogue):
    # WU 3: "Umzug" goes to Leistung and Integration at once (the IFK works in Team ue25).
    concern = catalogue["veraenderung"]
    visit = check_in(
        "veraenderung",
        kunde=kunde,
        settle=Outcome.RESOLVED,
        note="Talstraße 1",
        information_types={concern.pk: type_of(kunde.jobcenter, "umzug")},
        now=at(9),
    )
    assert desk_note_targets(visit) == {
        (teams["leistung"].postfach.pk, None),
        (teams["ue25"].postfach.pk, None),
    }


@pytest.mark.rule("R-IA-04")
def test_a_sick_note_handed_in_reaches_the_pap(check_in, staff, kunde, catalogue):
    # HF Anlage 1 Nr. 6.1: "AU Bescheinigungen entgegennehmen, weiterleiten an pAp".
    concern = catalogue["unterlagen"]
    visit = check_in(
        "unterlagen",
        kunde=kunde,
        settle=Outcome.RESOLVED,
        information_types={concern.pk: type_of(kunde.jobcenter, "arbeitsunfaehigkeit")},
        now=at(9),
    )
    assert desk_note_targets(visit) == {(None, staff["ifk"].pk)}


@pytest.mark.rule("R-IA-04")
def test_krankengeld_reported_reaches_leistung_and_the_pap(
    check_in,
    staff,
    teams,
    kunde,
    catalogue,
):
    # HF Anlage 1 Nr. 3.10: a placement-relevant income change goes to the pAp as well.
    concern = catalogue["veraenderung"]
    visit = check_in(
        "veraenderung",
        kunde=kunde,
        settle=Outcome.RESOLVED,
        information_types={concern.pk: type_of(kunde.jobcenter, "krankengeld")},
        now=at(9),
    )
    assert desk_note_targets(visit) == {
        (teams["leistung"].postfach.pk, None),
        (None, staff["ifk"].pk),
    }


def test_without_a_choice_or_default_the_desk_is_asked(check_in, kunde, catalogue):
    concern = catalogue["unterlagen"]
    concern.information_type = None  # the Jobcenter took the default away
    concern.save()
    with pytest.raises(FrontdeskError) as refused:
        check_in("unterlagen", kunde=kunde, settle=Outcome.RESOLVED, now=at(9))
    assert "was mitgeteilt oder abgegeben" in refused.value.message
    assert not Aufgabe.objects.filter(kunde=kunde, vermerk__isnull=False).exists()


def test_a_type_not_offered_is_refused(check_in, kunde, catalogue):
    with pytest.raises(FrontdeskError):
        check_in(
            "unterlagen",
            kunde=kunde,
            settle=Outcome.RESOLVED,
            information_types={catalogue["unterlagen"].pk: type_of(kunde.jobcenter, "tod")},
            now=at(9),
        )


def test_the_choices_are_short_and_most_frequent_first(catalogue):
    labels = [str(c) for c in catalogue["unterlagen"].desk_choices]
    assert labels[0] == "Arbeitsunfähigkeitsbescheinigung / Attest" and len(labels) <= 10


@pytest.mark.rule("R-IA-03")
def test_the_checkin_page_offers_the_choice_and_routes_by_it(
    login,
    staff,
    teams,
    site,
    desks,
    kunde,
    catalogue,
):
    from django.urls import reverse

    concern = catalogue["unterlagen"]
    client = login(staff["empfang"])
    page = client.get(reverse("frontdesk:checkin")).content.decode()
    assert "Unterlagen abgeben: was genau?" in page and "Schulbescheinigung" in page
    school = type_of(kunde.jobcenter, "schulbescheinigung")
    client.post(
        reverse("frontdesk:checkin"),
        {
            "standort": site.pk,
            "kunde": kunde.pk,
            "concerns": [concern.pk],
            f"type_{concern.pk}": school.pk,
            "action": "settle",
            "note": "Zeugnis 2026",
        },
    )
    # WU 3: Schulbescheinigungen go to Leistung and Integration.
    note = Aufgabe.objects.filter(vermerk__information_type=school)
    assert {a.postfach_id for a in note} == {
        teams["leistung"].postfach.pk,
        teams["ue25"].postfach.pk,
    }
