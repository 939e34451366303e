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
