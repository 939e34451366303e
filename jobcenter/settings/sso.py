"""Single sign-on: OpenID Connect (Keycloak, ADFS, Entra ID) and LDAP / Active Directory.

Both are off unless configured here from the environment (README "Anmeldung über den
Verzeichnisdienst" lists every variable). With either on, a local password logs in only a
break-glass account (`User.break_glass`); the directory's groups give role, Jobcenter and
teams through the administration's table (`jobcenter.sso`, `DirectoryGroupMapping`).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import envbool, envint, envstr

# --- OpenID Connect (mozilla-django-oidc) ---------------------------------------------------

OIDC_ENABLED = envbool("OIDC_ENABLED", False)
_OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
if OIDC_ENABLED:
    _missing = [name for name in _OIDC_REQUIRED if not envstr(name, "")]
    if _missing:
        raise ImproperlyConfigured(
            "OIDC_ENABLED is set, but these variables are missing: " + ", ".join(_missing)
        )
OIDC_RP_CLIENT_ID = envstr("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envstr("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = envstr("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = envstr("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = envstr("OIDC_OP_JWKS_ENDPOINT", "")
# The provider's end_session_endpoint: logging out here ends the provider's session too.
OIDC_OP_LOGOUT_ENDPOINT = envstr("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = envstr("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = envstr("OIDC_RP_SCOPES", "openid email profile")
# The claim carrying the groups (Keycloak: "groups" with a group mapper; Entra ID: "groups"
# with object ids, or "roles" for app roles; ADFS: "group" or "role").
OIDC_GROUPS_CLAIM = envstr("OIDC_GROUPS_CLAIM", "groups")
# The claim that becomes the user name (Keycloak, Entra ID: "preferred_username"; ADFS: "upn").
OIDC_USERNAME_CLAIM = envstr("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
# An in-house CA for the provider's certificate (a file path); else the system's CAs.
OIDC_VERIFY_SSL: bool | str = envstr("OIDC_CA_BUNDLE", "") or True
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
# The id token stays in the session: logout passes it to the provider (id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_CREATE_USER = True
# The text of the login page's button.
SSO_LOGIN_LABEL = envstr("SSO_LOGIN_LABEL", "Mit dem Dienstkonto anmelden")

# --- LDAP / Active Directory (django-auth-ldap) ---------------------------------------------

LDAP_SERVER_URI = envstr("LDAP_SERVER_URI", "")
LDAP_ENABLED = bool(LDAP_SERVER_URI)
AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
AUTH_LDAP_BIND_DN = envstr("LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = envstr("LDAP_BIND_PASSWORD", "")
AUTH_LDAP_START_TLS = envbool("LDAP_START_TLS", False)
AUTH_LDAP_USER_ATTR_MAP = {
    "first_name": envstr("LDAP_ATTR_FIRST_NAME", "givenName"),
    "last_name": envstr("LDAP_ATTR_LAST_NAME", "sn"),
    "email": envstr("LDAP_ATTR_EMAIL", "mail"),
}
AUTH_LDAP_ALWAYS_UPDATE_USER = True
AUTH_LDAP_CACHE_TIMEOUT = 0
LDAP_TIMEOUT = envint("LDAP_TIMEOUT", 5)
LDAP_USER_SEARCH_BASE = envstr("LDAP_USER_SEARCH_BASE", "")
# Active Directory: (sAMAccountName=%(user)s); OpenLDAP: (uid=%(user)s).
LDAP_USER_FILTER = envstr("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_GROUP_SEARCH_BASE = envstr("LDAP_GROUP_SEARCH_BASE", "")
# groupOfNames, groupOfUniqueNames, posixGroup, activeDirectory, nestedActiveDirectory
LDAP_GROUP_TYPE = envstr("LDAP_GROUP_TYPE", "groupOfNames")
LDAP_CA_FILE = envstr("LDAP_CA_FILE", "")

if LDAP_ENABLED:
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        GroupOfUniqueNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
        PosixGroupType,
    )

    if not LDAP_USER_SEARCH_BASE or not LDAP_GROUP_SEARCH_BASE:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set: LDAP_USER_SEARCH_BASE and LDAP_GROUP_SEARCH_BASE are required."
        )
    _group_types = {
        "groupofnames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
        "groupofuniquenames": (GroupOfUniqueNamesType, "(objectClass=groupOfUniqueNames)"),
        "posixgroup": (PosixGroupType, "(objectClass=posixGroup)"),
        "activedirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
        "nestedactivedirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
    }
    try:
        _group_type, _group_filter = _group_types[LDAP_GROUP_TYPE.lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(_group_types)}, got {LDAP_GROUP_TYPE!r}."
        ) from None
    AUTH_LDAP_USER_SEARCH = LDAPSearch(LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE, LDAP_USER_FILTER)
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(LDAP_GROUP_SEARCH_BASE, ldap.SCOPE_SUBTREE, _group_filter)
    AUTH_LDAP_GROUP_TYPE = _group_type()
    AUTH_LDAP_CONNECTION_OPTIONS: dict[int, int | str] = {
        ldap.OPT_NETWORK_TIMEOUT: LDAP_TIMEOUT,
        ldap.OPT_TIMEOUT: LDAP_TIMEOUT,
        # Active Directory answers referrals that python-ldap would chase anonymously.
        ldap.OPT_REFERRALS: 0,
    }
    if LDAP_CA_FILE:
        AUTH_LDAP_CONNECTION_OPTIONS[ldap.OPT_X_TLS_CACERTFILE] = LDAP_CA_FILE
        AUTH_LDAP_CONNECTION_OPTIONS[ldap.OPT_X_TLS_NEWCTX] = 0

SSO_ENABLED = OIDC_ENABLED or LDAP_ENABLED


def sso_backends() -> list[str]:
    """The directory backends in force, before the local (break-glass) password."""
    backends = []
    if LDAP_ENABLED:
        backends.append("jobcenter.sso.DirectoryLDAPBackend")
    if OIDC_ENABLED:
        backends.append("jobcenter.sso.DirectoryOIDCBackend")
    return backends


def provider_origin(url: str) -> str:
    """scheme://host[:port] of an endpoint (for the CSP's form-action)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
