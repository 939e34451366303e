"""`manage.py oidc_discover <issuer>` against the real npm oidc-provider: the endpoints it
prints are the ones the SSO tests configure by hand (tests/sso/servers.py), and it refuses
a wrong issuer and plain http off loopback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_prints_the_env_lines_of_the_providers_endpoints(oidc_provider):
    out = StringIO()
    call_command("oidc_discover", oidc_provider.issuer + "/", stdout=out)
    lines = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#")
    )
    issuer = oidc_provider.issuer
    assert lines == {
        "OIDC_ENABLED": "true",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{issuer}/auth",
        "OIDC_OP_TOKEN_ENDPOINT": f"{issuer}/token",
        "OIDC_OP_USER_ENDPOINT": f"{issuer}/me",
        "OIDC_OP_JWKS_ENDPOINT": f"{issuer}/jwks",
        "OIDC_OP_LOGOUT_ENDPOINT": f"{issuer}/session/end",
        "OIDC_RP_SIGN_ALGO": "RS256",
    }
    # The same values the SSO journeys use against this provider.
    configured = oidc_provider.settings()
    for name, value in lines.items():
        if name.startswith("OIDC_OP_"):
            assert configured[name] == value


def test_refuses_a_provider_that_names_another_issuer(oidc_provider):
    # localhost instead of 127.0.0.1: the same server, but not the issuer it names itself.
    other = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    with pytest.raises(CommandError, match="falscher Aussteller"):
        call_command("oidc_discover", other, stdout=StringIO())


def test_refuses_plain_http_off_loopback():
    with pytest.raises(CommandError, match="keine https-Adresse"):
        call_command("oidc_discover", "http://sso.jobcenter.example/realms/jc", stdout=StringIO())
