"""Developer and demo settings: SQLite, a filesystem Celery broker.

DEBUG stays off even here (DEBUG=1 turns it on for a developer): the demo holds realistic
names and birth dates, and Django's debug page would show them and the environment.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import envbool, envstr

DEBUG = envbool("DEBUG", False)

# SQLite for the demo's few desks: WAL lets readers go on while one writes, IMMEDIATE
# transactions take the write lock up front (no "database is locked" when two desks call at
# once: the second waits up to `timeout` seconds for the first).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

_broker_dir = Path(envstr("DEMO_BROKER_DIR", str(BASE_DIR / ".demo" / "broker")))
for _sub in ("out", "processed", "control"):
    (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_broker_dir / "out"),
    "data_folder_out": str(_broker_dir / "out"),
    "data_folder_processed": str(_broker_dir / "processed"),
    # kombu's broadcast (worker control) folder, else "control/" in the working directory
    "control_folder": str(_broker_dir / "control"),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from their sources (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's cache is per process and its broker a folder: /healthz checks the database.
HEALTH_CHECKS = ["health_check.checks.Database"]

# The demo's mails and SMS land in folders (README "Erinnerungen"): nothing leaves the machine.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(BASE_DIR / ".demo" / "mail"))
SMS_BACKEND = envstr("SMS_BACKEND", "reminders.sms.FileBackend")
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(BASE_DIR / ".demo" / "sms"))
