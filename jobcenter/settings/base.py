from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import envbool, envint, envlist, envstr
from .sso import *  # noqa: F403
from .sso import OIDC_ENABLED, OIDC_OP_LOGOUT_ENDPOINT, provider_origin, sso_backends

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = envstr("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = False
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1")
# The address customers reach from outside (the link and QR code in letters and reminders).
PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL", "http://localhost:8000")
# Days a customer's appointment link stays valid after its appointment ended.
CUSTOMER_LINK_GRACE_DAYS = envint("CUSTOMER_LINK_GRACE_DAYS", 14)

# Confirmations and reminders (reminders/, README "Erinnerungen"). E-mail goes through
# Django's mail backend (EMAIL_*); SMS through SMS_BACKEND: the HTTP gateway (sends nothing
# while SMS_GATEWAY_URL is empty) or reminders.sms.FileBackend (a folder, for the demo).
SMS_BACKEND = envstr("SMS_BACKEND", "reminders.sms.HttpGatewayBackend")
SMS_GATEWAY_URL = envstr("SMS_GATEWAY_URL", "")
SMS_GATEWAY_USER = envstr("SMS_GATEWAY_USER", "")
SMS_GATEWAY_PASSWORD = envstr("SMS_GATEWAY_PASSWORD", "")
SMS_GATEWAY_TOKEN = envstr("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_FORMAT = envstr("SMS_GATEWAY_FORMAT", "json")
SMS_GATEWAY_SENDER = envstr("SMS_GATEWAY_SENDER", "Jobcenter")
SMS_GATEWAY_TIMEOUT = envint("SMS_GATEWAY_TIMEOUT", 10)
SMS_FILE_PATH = envstr("SMS_FILE_PATH", "/tmp/jobcenter-sms")
# Sender of customer mails (empty: DEFAULT_FROM_EMAIL); replies go to the Jobcenter's address.
REMINDER_FROM_EMAIL = envstr("REMINDER_FROM_EMAIL", "")
# Reminders go out between these hours (Europe/Berlin), never at night.
REMINDER_SEND_FROM_HOUR = envint("REMINDER_SEND_FROM_HOUR", 8)
REMINDER_SEND_UNTIL_HOUR = envint("REMINDER_SEND_UNTIL_HOUR", 20)
# Attempts per message before it stays "fehlgeschlagen" (backoff 1, 2, 4 … minutes).
REMINDER_MAX_ATTEMPTS = envint("REMINDER_MAX_ATTEMPTS", 6)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Trigram lookups for the typo-tolerant customer search (intake.selectors).
    "django.contrib.postgres",
    "django_htmx",
    "axes",
    "csp",
    # /healthz and `manage.py health_check` (jobcenter.health).
    "health_check",
    # Loads every app's rules.py: the permissions, one module per app (jobcenter.predicates).
    "rules.apps.AutodiscoverRulesConfig",
    "jobcenter",
    "intake",
    "routing",
    "frontdesk",
    "appointments",
    "minimumstandards",
    # Confirmations and reminders by e-mail and SMS, with the customer's consent.
    "reminders",
    # Retention, legal holds, erasure and the Art. 15 export across every app above.
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An unchanged poll of a desk list or a display: 304 from one row, before the rest of
    # the stack (issue 13; it reads the session row itself, never writes it).
    "frontdesk.polling.PollMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jobcenter.middleware.IdleSessionMiddleware",
    "jobcenter.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL character in a query or form is answered 400 before any view (PostgreSQL).
    "jobcenter.input_guard.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jobcenter.urls"
WSGI_APPLICATION = "jobcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jobcenter.context_processors.navigation",
                "minimumstandards.context_processors.deadline_badge",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
# Behind PgBouncer in transaction mode (docs/betrieb.md): no server-side cursors, which
# would outlive the transaction that PgBouncer pins a server connection for.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = envbool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The deadline scan's indexes carry INCLUDE columns for index-only scans on PostgreSQL; the
# demo's SQLite builds them without (the same index, read with the table).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "jobcenter.User"
AUTHENTICATION_BACKENDS = [
    # axes first so a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # The front office's permissions, composed in each app's rules.py (django-rules).
    "rules.permissions.ObjectPermissionBackend",
    # The directory (LDAP, OpenID Connect) when configured (settings/sso.py) ...
    *sso_backends(),
    # ... and the local password: everyone without SSO, only break-glass accounts with it.
    "jobcenter.sso.LocalPasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins per user name *and* client address: a colleague
# cannot lock someone out from another PC. Behind the TLS proxy the client address is taken
# from X-Forwarded-For (TRUSTED_PROXY_COUNT proxies in front), else every user would share
# the proxy's address. Failures across user names are capped per address separately
# (LOGIN_FAILURES_PER_ADDRESS in LOGIN_FAILURE_WINDOW seconds, jobcenter.views.LoginView).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "jobcenter.http.client_address"
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 15 * 60)
# Calls per API client and minute (routing.api).
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", 120)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after inactivity (jobcenter.middleware.IdleSessionMiddleware): a real request
# renews them, a poll of an open page does not.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content security policy: everything is served by the app itself, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Logging out posts a form that redirects to the provider's end_session_endpoint; browsers
# apply form-action to that redirect.
if OIDC_ENABLED and provider_origin(OIDC_OP_LOGOUT_ENDPOINT):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        provider_origin(OIDC_OP_LOGOUT_ENDPOINT)
    )

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch"))]
# The self check-in kiosk's languages (issue 16), each named in itself; a Jobcenter offers
# those of them it chose (Jobcenter.display_languages). Deliberately not in LANGUAGES:
# LocaleMiddleware would then follow a staff browser's Accept-Language, and the staff UI
# stays German. The kiosk activates its language per request (translation.override).
KIOSK_LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "English"),
    ("tr", "Türkçe"),
    ("ar", "العربية"),
    ("uk", "Українська"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# /healthz (jobcenter.health): each check a class of django-health-check, by dotted path.
# Database, the shared cache (Redis), the broker (Redis), a live Celery worker, and the age
# of the last deadline scan (a stalled beat is an unhealthy system). /healthz/live is the
# cheap liveness answer (no database) for container health checks.
HEALTH_CHECKS = [
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "jobcenter.health.Broker",
    "jobcenter.health.CeleryWorker",
    "minimumstandards.health.DeadlineScanFresh",
]

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

from .celery import *  # noqa: E402,F403
from .logging import *  # noqa: E402,F403
