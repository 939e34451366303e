"""Celery: Redis in production, a filesystem broker for the demo (no Redis needed)."""

from celery.schedules import crontab

from .env import envbool, envint, envstr

CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "redis://localhost:6379/0")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_TASK_IGNORE_RESULT = True
# How often the minimum-standards scan runs (seconds); the beat schedule reads it.
DEADLINE_SCAN_INTERVAL = envint("DEADLINE_SCAN_INTERVAL", 120)
CELERY_BEAT_SCHEDULE: dict = {
    "scan-deadlines": {
        "task": "minimumstandards.tasks.scan_deadlines",
        "schedule": float(DEADLINE_SCAN_INTERVAL),
    },
    # After the offices close: visits left open from earlier days are closed.
    "frontdesk-close-day": {
        "task": "frontdesk.tasks.close_day",
        "schedule": crontab(hour=21, minute=30),
    },
    # The monthly minimum-standards report per team (PDF and Excel to the team leads): checked
    # every morning, sent on the month's first working day (or the next run after it), once.
    "minimumstandards-monthly-reports": {
        "task": "minimumstandards.tasks.send_monthly_reports",
        "schedule": crontab(hour=6, minute=30),
    },
}

# Optional: mail new deadline alerts to the team mailbox's address (office hours only).
DEADLINE_ALERT_EMAIL = envbool("DEADLINE_ALERT_EMAIL", False)
