"""Real directory servers for the single-sign-on tests, started by the tests themselves.

- `ldap_server`: Debian's slapd with a temporary configuration and database, an LDIF of
  people and groups, on a free loopback port (no system service; scripts/ensure_system.sh
  installs `slapd` and `ldap-utils`).
- `oidc_provider`: the npm `oidc-provider` (OpenID Certified), run by node from
  tests/sso/oidc_provider.mjs with one client and a few accounts, on a free loopback port.

Both are session-scoped and never skipped: a missing program fails the tests.
"""

import json
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"

BASE_DN = "dc=jobcenter,dc=test"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "Dienstkonto-Test-2026"
PEOPLE = f"ou=Personen,{BASE_DN}"
GROUPS = f"ou=Gruppen,{BASE_DN}"
# Every directory account's password in the tests.
DIRECTORY_PASSWORD = "Verzeichnis-Test-2026"

# login -> (given name, surname, groups). Groups are groupOfNames under ou=Gruppen.
LDAP_PEOPLE = {
    "lena.leistung": ("Lena", "Leistung", ["JC-Leistung-A"]),
    "tim.teamleitung": ("Tim", "Teamleitung", ["JC-Teamleitung", "JC-Team-EZ", "JC-Leistung-A"]),
    "nora.kantine": ("Nora", "Kantine", ["Kantine"]),
    "wim.wechsel": ("Wim", "Wechsel", ["JC-Eingangszone"]),
    "bea.notfall": ("Bea", "Notfall", ["JC-Leistung-A"]),
}
LDAP_GROUPS = ["JC-Leistung-A", "JC-Teamleitung", "JC-Team-EZ", "JC-Eingangszone", "Kantine"]

# The OpenID provider's accounts: login -> claims (password DIRECTORY_PASSWORD).
OIDC_ACCOUNTS = {
    "ida.integration": {
        "given_name": "Ida",
        "family_name": "Integration",
        "email": "ida.integration@jobcenter.test",
        "groups": ["/JC/Integration-U25"],
    },
    "olaf.ohnegruppe": {
        "given_name": "Olaf",
        "family_name": "Ohnegruppe",
        "email": "olaf@jobcenter.test",
        "groups": ["/Kantine"],
    },
}
OIDC_CLIENT_ID = "jobcenter-frontoffice"
OIDC_CLIENT_SECRET = "test-client-secret-0123456789abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} ended with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


def _ldif() -> str:
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Jobcenter Test\n"
        "dc: jobcenter\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: Personen\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: Gruppen\n",
    ]
    for login, (given, surname, _groups) in LDAP_PEOPLE.items():
        entries.append(
            f"dn: uid={login},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {login}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\n"
            f"mail: {login}@jobcenter.test\nuserPassword: {DIRECTORY_PASSWORD}\n"
        )
    for group in LDAP_GROUPS:
        members = [login for login, (*_n, groups) in LDAP_PEOPLE.items() if group in groups]
        # groupOfNames needs one member at least: the service account keeps a group that
        # a test empties alive.
        lines = f"member: {ADMIN_DN}\n" + "".join(f"member: uid={m},{PEOPLE}\n" for m in members)
        entries.append(f"dn: cn={group},{GROUPS}\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n".join(entries)


@dataclass
class LDAPServer:
    uri: str
    port: int
    base_dn: str = BASE_DN
    admin_dn: str = ADMIN_DN
    admin_password: str = ADMIN_PASSWORD
    people: str = PEOPLE
    groups: str = GROUPS

    def group_dn(self, name: str) -> str:
        return f"cn={name},{self.groups}"

    def user_dn(self, login: str) -> str:
        return f"uid={login},{self.people}"

    def settings(self) -> dict:
        """The Django settings that switch LDAP on against this server."""
        import ldap
        from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

        return {
            "LDAP_ENABLED": True,
            "SSO_ENABLED": True,
            "AUTH_LDAP_SERVER_URI": self.uri,
            "AUTH_LDAP_BIND_DN": self.admin_dn,
            "AUTH_LDAP_BIND_PASSWORD": self.admin_password,
            "AUTH_LDAP_USER_SEARCH": LDAPSearch(self.people, ldap.SCOPE_SUBTREE, "(uid=%(user)s)"),
            "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(
                self.groups, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
            ),
            "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(),
            "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 5},
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "rules.permissions.ObjectPermissionBackend",
                "jobcenter.sso.DirectoryLDAPBackend",
                "jobcenter.sso.LocalPasswordBackend",
            ],
        }

    def modify_members(self, group: str, *, add: str | None = None, remove: str | None = None):
        """Change a group's members as the directory's administration would."""
        import ldap

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(self.admin_dn, self.admin_password)
        try:
            ops = []
            if add:
                ops.append((ldap.MOD_ADD, "member", [self.user_dn(add).encode()]))
            if remove:
                ops.append((ldap.MOD_DELETE, "member", [self.user_dn(remove).encode()]))
            conn.modify_s(self.group_dn(group), ops)
        finally:
            conn.unbind_s()


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[LDAPServer]:
    """slapd with its own configuration, database and data, on a free loopback port."""
    for program in (SLAPD, SLAPADD):
        if not Path(program).exists():
            pytest.fail(f"{program} is missing: run scripts/ensure_system.sh (Debian's slapd).")
    workdir = Path(tempfile.mkdtemp(prefix="jobcenter-slapd-"))
    (workdir / "db").mkdir()
    conf = workdir / "slapd.conf"
    conf.write_text(
        "include /etc/ldap/schema/core.schema\n"
        "include /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        "modulepath /usr/lib/ldap\n"
        "moduleload back_mdb\n"
        f"pidfile {workdir}/slapd.pid\n"
        "database mdb\n"
        "maxsize 10485760\n"
        f'suffix "{BASE_DN}"\n'
        f'rootdn "{ADMIN_DN}"\n'
        f"rootpw {ADMIN_PASSWORD}\n"
        f"directory {workdir}/db\n"
        "access to attrs=userPassword by anonymous auth by self write by * none\n"
        "access to * by users read by * none\n"
    )
    (workdir / "data.ldif").write_text(_ldif())
    subprocess.run(
        [SLAPADD, "-f", str(conf), "-l", str(workdir / "data.ldif")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (no daemon), log nothing.
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "slapd.log").open("wb"),
    )
    try:
        _wait_for_port(port, process, "slapd")
        yield LDAPServer(uri=uri, port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class OIDCProvider:
    issuer: str
    client_id: str = OIDC_CLIENT_ID
    client_secret: str = OIDC_CLIENT_SECRET
    accounts: dict = field(default_factory=lambda: OIDC_ACCOUNTS)

    def settings(self) -> dict:
        """The Django settings that switch OpenID Connect on against this provider."""
        return {
            "OIDC_ENABLED": True,
            "SSO_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/session/end",
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "rules.permissions.ObjectPermissionBackend",
                "jobcenter.sso.DirectoryOIDCBackend",
                "jobcenter.sso.LocalPasswordBackend",
            ],
        }


@pytest.fixture(scope="session")
def oidc_provider(live_server) -> Iterator[OIDCProvider]:
    """oidc-provider under node, registered for the live server's and the test client's
    callback, on a free loopback port."""
    node = shutil.which("node")
    script = ROOT / "tests" / "sso" / "oidc_provider.mjs"
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("node or node_modules/oidc-provider is missing: run `make install`.")
    port = free_port()
    callbacks = [
        f"{live_server.url}/anmelden/sso/antwort/",
        "http://testserver/anmelden/sso/antwort/",
    ]
    logins = [f"{live_server.url}/anmelden/", "http://testserver/anmelden/"]
    workdir = Path(tempfile.mkdtemp(prefix="jobcenter-oidc-"))
    config = workdir / "config.json"
    config.write_text(
        json.dumps(
            {
                "port": port,
                "client": {
                    "client_id": OIDC_CLIENT_ID,
                    "client_secret": OIDC_CLIENT_SECRET,
                    "redirect_uris": callbacks,
                    "post_logout_redirect_uris": logins,
                },
                "accounts": {
                    login: {**claims, "password": DIRECTORY_PASSWORD}
                    for login, claims in OIDC_ACCOUNTS.items()
                },
            }
        )
    )
    process = subprocess.Popen(
        [node, str(script), str(config)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "node.log").open("wb"),
    )
    try:
        _wait_for_port(port, process, "oidc-provider")
        yield OIDCProvider(issuer=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
