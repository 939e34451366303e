"""Test settings: a real PostgreSQL via DATABASE_URL, eager Celery, fast hashing."""

from .base import *  # noqa: F403
from .env import envstr

DATABASES = {
    "default": __import__("dj_database_url").parse(
        envstr("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/jobcenter"), conn_max_age=0
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3

# Serve static files straight from their sources (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No broker, worker or beat in the unit tests: /healthz checks the database only here
# (tests/jobcenter/test_health.py checks the other checks one by one).
HEALTH_CHECKS = ["health_check.checks.Database"]

# SMS are kept in reminders.sms.LocmemBackend.outbox (tests of the gateway start their own
# HTTP server and switch to reminders.sms.HttpGatewayBackend).
SMS_BACKEND = "reminders.sms.LocmemBackend"
