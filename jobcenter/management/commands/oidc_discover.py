"""`manage.py oidc_discover <issuer>`: read the provider's endpoints once, print .env lines.

The operator knows the provider's issuer (Keycloak: https://sso.example/realms/jobcenter,
Entra ID: https://login.microsoftonline.com/<tenant>/v2.0, ADFS: https://adfs.example/adfs).
The command reads <issuer>/.well-known/openid-configuration and prints the OIDC_OP_* lines
for .env. Discovery at deploy time, not at every start: the endpoints are pinned in .env,
reviewed by a person, and a provider that is down or answers something else at start-up
cannot change where the login goes.

Refused: an issuer that is not https (plain http only on loopback, for tests), a document
whose "issuer" differs from the one asked for (OpenID Connect Discovery 1.0, 4.3), missing
endpoints, an endpoint on another scheme than https.
"""

import ipaddress
from urllib.parse import urlsplit

import requests
from django.core.management.base import BaseCommand, CommandError

# The .env name for each field of the discovery document; the logout endpoint is optional.
FIELDS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
OPTIONAL = {"OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint"}


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or "")):
        return url
    raise CommandError(f"{name}: {url!r} ist keine https-Adresse.")


def discover(issuer: str, *, timeout: float = 10, verify: bool | str = True) -> dict[str, str]:
    """The settings for .env from the provider's discovery document."""
    issuer = _check_url("issuer", issuer.rstrip("/"))
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=timeout, verify=verify)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise CommandError(f"{url} nicht lesbar: {error}") from error
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise CommandError(
            f"Der Anbieter nennt sich {document.get('issuer')!r}, nicht {issuer!r}: "
            "falscher Aussteller (issuer)."
        )
    values = {}
    for name, key in FIELDS.items():
        if not document.get(key):
            raise CommandError(f"Das Discovery-Dokument nennt kein {key}.")
        values[name] = _check_url(key, document[key])
    for name, key in OPTIONAL.items():
        if document.get(key):
            values[name] = _check_url(key, document[key])
    algos = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    values["OIDC_RP_SIGN_ALGO"] = "RS256" if "RS256" in algos else algos[0]
    return values


class Command(BaseCommand):
    help = "Liest die Endpunkte eines OpenID-Anbieters (issuer) und gibt die Zeilen für .env aus."

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="z. B. https://sso.example/realms/jobcenter")
        parser.add_argument("--timeout", type=float, default=10)
        parser.add_argument(
            "--ca-bundle", default="", help="Zertifikat der eigenen CA (sonst die des Systems)"
        )

    def handle(self, issuer, timeout, ca_bundle, **options):
        values = discover(issuer, timeout=timeout, verify=ca_bundle or True)
        self.stdout.write(f"# OpenID Connect, gelesen von {issuer.rstrip('/')}")
        self.stdout.write("OIDC_ENABLED=true")
        for name, value in values.items():
            self.stdout.write(f"{name}={value}")
        self.stdout.write("# OIDC_RP_CLIENT_ID= und OIDC_RP_CLIENT_SECRET= vom Anbieter eintragen")
