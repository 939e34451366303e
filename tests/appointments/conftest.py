"""Fixtures of the appointments tests: a fixed clock, a site with opening hours, released
windows, a third IFK in U25 and the deputies ifk → [ifk2, ifk3]."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from appointments.models import Kind, ReleasedWindow
from jobcenter.models import Deputy, OpeningHours, Standort
from jobcenter.roles import Role
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import UserFactory

# Monday 23 March 2026, 08:00 in Berlin (NW): the clocks change on Sunday 29 March, Good
# Friday is 3 April and Easter Monday 6 April.
MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=BERLIN)
EG_DAYS = (0, 1, 3, 4)  # Mo, Di, Do, Fr (rule R-TE-01)


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.now = MONDAY

    def set(self, moment: datetime) -> None:
        self.now = moment
        self._monkeypatch.setattr(timezone, "now", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    """Freeze `django.utils.timezone.now` (and so localdate) at Monday 23 March 2026 08:00."""
    c = Clock(monkeypatch)
    c.set(MONDAY)
    return c


@pytest.fixture
def site(jobcenter, teams):
    standort = Standort.objects.create(
        jobcenter=jobcenter, name="Hauptstelle", address="Am Markt 1, 42103 Wuppertal"
    )
    for weekday in (0, 1, 3, 4):
        OpeningHours.objects.create(
            standort=standort, weekday=weekday, opens=time(8), closes=time(12)
        )
    OpeningHours.objects.create(standort=standort, weekday=3, opens=time(14), closes=time(17))
    for key in ("u25", "ue25", "ez"):
        teams[key].standort = standort
        teams[key].save()
    return standort


@pytest.fixture
def people(staff, teams, jobcenter):
    """staff plus ifk3 (U25), the lead leading the Integration teams, deputies ifk → ifk2, ifk3."""
    ifk3 = UserFactory(
        username="ifk3", jobcenter=jobcenter, role=Role.INTEGRATION, teams=[teams["u25"]]
    )
    teams["ue25"].lead = staff["teamleitung"]
    teams["ue25"].save()
    Deputy.objects.create(ifk=staff["ifk"], deputy=staff["ifk2"], position=1)
    Deputy.objects.create(ifk=staff["ifk"], deputy=ifk3, position=2)
    return {**staff, "ifk3": ifk3}


@pytest.fixture
def profile(jobcenter):
    """The demo rule profile: first consultation 15 AT from the application, contact density 180 KT."""
    apply_preset(jobcenter=jobcenter, name="demo", valid_from=date(2020, 1, 1))
    return jobcenter


def release(
    caseworker,
    site,
    *,
    kind=Kind.ERSTGESPRAECH,
    days=EG_DAYS,
    starts=time(9),
    ends=time(10),
    valid_from=date(2026, 1, 1),
    **kwargs,
):
    return [
        ReleasedWindow.objects.create(
            caseworker=caseworker,
            kind=kind,
            weekday=day,
            starts=starts,
            ends=ends,
            standort=site,
            valid_from=valid_from,
            **kwargs,
        )
        for day in days
    ]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)
