"""Production: every secret from the environment, HTTPS only."""

from .base import *  # noqa: F403
from .env import envbool, envint, envstr

SECRET_KEY = envstr("SECRET_KEY")
DEBUG = False
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# One cache shared by every gunicorn worker: throttles (API, failed logins) count across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": envstr("CACHE_URL", "redis://localhost:6379/1"),
    }
}
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
# Submitting a domain to the browsers' HSTS preload list is the domain owner's decision,
# taken once per Jobcenter domain; until then the check that nags for it is silenced.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Mail (deadline alerts to team mailboxes, DEADLINE_ALERT_EMAIL): the Jobcenter's relay.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
# Only for the file backend (a test, a dry run): the folder the mails are written to.
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", "/tmp/jobcenter-mail")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "fristen@jobcenter.invalid")
SERVER_EMAIL = envstr("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Log lines: time, level, logger, message, and the process id (which gunicorn worker or
# Celery process); never a name, a query string or a request body (jobcenter/settings/logging.py).
LOGGING["formatters"]["plain"]["format"] = (  # noqa: F405
    "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s"
)
LOG_LEVEL = envstr("LOG_LEVEL", "INFO")
LOGGING["root"]["level"] = LOG_LEVEL  # noqa: F405
