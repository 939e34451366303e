"""One user per role in one Jobcenter, plus an outsider from another (cf. healthchecks'
alice/bob/charlie)."""

import pytest

from jobcenter.models import Team
from jobcenter.roles import Role

from .factories import PASSWORD, JobcenterFactory, TeamFactory, UserFactory, register
from .sso.servers import ldap_server, oidc_provider  # noqa: F401 (session fixtures)


@pytest.fixture
def jobcenter(db):
    return JobcenterFactory(slug="wuppertal", name="Jobcenter Wuppertal", bundesland="NW")


@pytest.fixture
def teams(jobcenter):
    kinds = {
        "ez": Team.Kind.EINGANGSZONE,
        "leistung": Team.Kind.LEISTUNG,
        "leistung_b": Team.Kind.LEISTUNG,
        "u25": Team.Kind.INTEGRATION_U25,
        "ue25": Team.Kind.INTEGRATION_UE25,
        "hotline": Team.Kind.HOTLINE,
    }
    return {
        key: TeamFactory(jobcenter=jobcenter, kind=kind, name=f"Team {key}")
        for key, kind in kinds.items()
    }


@pytest.fixture
def staff(jobcenter, teams):
    def make(username, role, *team_keys):
        return UserFactory(
            username=username,
            jobcenter=jobcenter,
            role=role,
            teams=[teams[k] for k in team_keys],
        )

    return {
        "empfang": make("empfang", Role.EMPFANG),
        "ez": make("ez", Role.EINGANGSZONE, "ez"),
        "leistung": make("leistung", Role.LEISTUNG, "leistung"),
        "leistung_b": make("leistung_b", Role.LEISTUNG, "leistung_b"),
        "ifk": make("ifk", Role.INTEGRATION, "ue25"),
        "ifk2": make("ifk2", Role.INTEGRATION, "ue25"),
        "hotline": make("hotline", Role.HOTLINE, "hotline"),
        "teamleitung": make("teamleitung", Role.TEAMLEITUNG, "ez", "leistung", "ue25"),
        "admin": make("admin", Role.ADMINISTRATION),
    }


@pytest.fixture
def outsider(db):
    """Eingangszone staff of another Jobcenter: must see nothing of ours."""
    return UserFactory(username="outsider", role=Role.EINGANGSZONE)


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def antrag(staff, teams):
    return register(actor=staff["ez"], leistung_team=teams["leistung"])


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
