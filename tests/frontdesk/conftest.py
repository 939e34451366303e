"""The front desk's fixtures: a site with desks, the concern catalogue, check-in helpers."""

from datetime import datetime, time

import pytest
from django.utils import timezone

from frontdesk.models import Concern, Desk, Display
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.desks import desk_open
from frontdesk.services.displays import display_create
from jobcenter.models import Standort
from tests.factories import seed_catalogues


def seed_catalogue() -> None:
    """Each Jobcenter's default catalogue; transactional tests empty the tables, so seed again."""
    seed_catalogues()


@pytest.fixture
def catalogue(jobcenter):
    """Our Jobcenter's concerns by code."""
    seed_catalogue()
    return {c.code: c for c in Concern.objects.of(jobcenter)}


@pytest.fixture
def site(jobcenter):
    return Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")


@pytest.fixture
def other_site(jobcenter):
    return Standort.objects.create(jobcenter=jobcenter, name="Geschäftsstelle Süd")


@pytest.fixture
def desks(site, teams):
    """Two Eingangszone counters and one Leistung room at the site."""

    def make(name, *team_keys, position=0):
        desk = Desk.objects.create(standort=site, name=name, position=position)
        desk.teams.set([teams[k] for k in team_keys])
        return desk

    return {
        "s1": make("Schalter 1", "ez", position=1),
        "s2": make("Schalter 2", "ez", position=2),
        "leistung": make("Raum 204", "leistung", position=3),
    }


def make_display(standort, name: str) -> Display:
    """A display with its key; the clear key is kept on the instance for the tests only (the
    database holds just its hash)."""
    display, token = display_create(standort=standort, name=name)
    display.token = token
    return display


@pytest.fixture
def display(site):
    return make_display(site, "Wartebereich")


def at(hour: int, minute: int = 0, second: int = 0, day=None):
    """An aware moment today (or on `day`), Berlin time."""
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


@pytest.fixture
def frozen_at(monkeypatch):
    """Freeze `timezone.now` at a moment today: `frozen_at(10, 30)`. Tests whose fixtures
    place events at 9:00 today need "now" after them, whatever hour the suite runs."""

    def freeze(hour: int, minute: int = 0):
        moment = at(hour, minute)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def check_in(staff, site, catalogue):
    """Check someone in at the reception: `check_in("unterlagen", now=..., **fields)`."""

    def do(*codes, actor=None, standort=None, now=None, **fields):
        return visit_check_in(
            actor=actor or staff["empfang"],
            data=CheckIn(
                standort=standort or site, concerns=[catalogue[c] for c in codes], **fields
            ),
            now=now,
        )

    return do


@pytest.fixture
def open_desk():
    def do(user, desk, now=None):
        return desk_open(actor=user, desk_id=desk.pk, now=now)

    return do
