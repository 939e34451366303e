"""Developer and demo settings: SQLite, a filesystem Celery broker, DEBUG on."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import envbool, envstr

DEBUG = envbool("DEBUG", True)

_broker_dir = Path(envstr("DEMO_BROKER_DIR", str(BASE_DIR / ".demo" / "broker")))
for _sub in ("out", "processed"):
    (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_broker_dir / "out"),
    "data_folder_out": str(_broker_dir / "out"),
    "data_folder_processed": str(_broker_dir / "processed"),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from their sources (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
