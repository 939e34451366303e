"""Fixtures of the routing tests: the seeded catalogue, a customer with BG, team and IFK."""

import pytest

from routing.models import InformationType
from tests.factories import person, register, seed_catalogues


def ensure_catalogue() -> None:
    """Each Jobcenter's default catalogue; put back if a transactional test emptied it."""
    seed_catalogues()


@pytest.fixture(autouse=True)
def catalogue(db):
    ensure_catalogue()


@pytest.fixture
def types(jobcenter):
    """Our Jobcenter's information types by code."""
    return {
        t.code: t
        for t in InformationType.objects.filter(jobcenter=jobcenter).prefetch_related("rules")
    }


@pytest.fixture
def antrag(staff, teams):
    """A case of a customer in Team leistung's BG, with IFK `ifk` (Integration Ü25)."""
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Sabine", "Kowalski", is_head=True)],
    )


@pytest.fixture
def kunde(antrag):
    return antrag.applicant
