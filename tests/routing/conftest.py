"""Fixtures of the routing tests: the seeded catalogue, a customer with BG, team and IFK."""

import importlib

import pytest
from django.apps import apps as django_apps

from routing.models import InformationType
from tests.factories import person, register

SEED = importlib.import_module("routing.migrations.0003_information_types")


def ensure_catalogue() -> None:
    """The data migration's catalogue; put back if a transactional test emptied the tables."""
    if not InformationType.objects.exists():
        SEED.seed(django_apps, None)


@pytest.fixture(autouse=True)
def catalogue(db):
    ensure_catalogue()


@pytest.fixture
def types():
    return {t.code: t for t in InformationType.objects.prefetch_related("rules")}


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
