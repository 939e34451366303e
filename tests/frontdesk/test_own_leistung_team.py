"""A ticket or appointment "with the Sachbearbeitung" goes to the customer's own Leistung team
(rule R-EM-02); an unknown walk-in's ticket goes to the Eingangszone, which can find out."""

import pytest

from frontdesk.models import Outcome
from jobcenter.models import Team
from routing.models import Aufgabe
from tests.factories import TeamFactory, person, register

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def leistung_teams(jobcenter, site):
    # L–Z sits at the site and comes first there: the old lookup picked it for everybody.
    return {
        "a_k": TeamFactory(jobcenter=jobcenter, kind=Team.Kind.LEISTUNG, name="Leistung A–K"),
        "l_z": TeamFactory(
            jobcenter=jobcenter, kind=Team.Kind.LEISTUNG, name="Leistung L–Z", standort=site
        ),
    }


def ticket_of(visit) -> Aufgabe:
    return Aufgabe.objects.get(kind=Aufgabe.Kind.TICKET, title__contains=visit.number)


@pytest.mark.rule("R-EM-02")
def test_a_customer_of_leistung_a_k_gets_the_ticket_in_a_k(check_in, staff, teams, leistung_teams):
    # HF Anlage 1 Nr. 3.13: Widerspruch → "Terminierung Sachbearbeitung"; the customer's BG
    # belongs to Leistung A–K, so A–K gets the ticket, not L–Z.
    kunde = register(
        actor=staff["ez"],
        leistung_team=leistung_teams["a_k"],
        persons=[person("Anna", "Becker", is_head=True)],
    ).applicant
    visit = check_in(
        "widerspruch", kunde=kunde, settle=Outcome.TICKET, note="Rückruf 0171 1234", now=at(9)
    )
    assert ticket_of(visit).postfach == leistung_teams["a_k"].postfach


@pytest.mark.rule("R-EM-02")
def test_an_unknown_walk_in_goes_to_the_eingangszone(check_in, teams, leistung_teams):
    visit = check_in("widerspruch", settle=Outcome.TICKET, note="Rückruf 0171 1234", now=at(9))
    assert ticket_of(visit).postfach == teams["ez"].postfach
