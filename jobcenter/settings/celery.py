"""Celery: Redis in production, a filesystem broker for the demo (no Redis needed)."""

from celery.schedules import crontab

from .env import envbool, envint, envstr

CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "redis://localhost:6379/0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker dies before it finishes goes back to the queue (acks late, rejected on
# a lost worker); on Redis it becomes visible again after the visibility timeout. Every task
# is safe to run twice (advisory lock, unique alerts, idempotent day close).
# A worker looks for such tasks every CELERY_RESTORE_INTERVAL seconds (kombu's default
# would look every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": envint("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
# Production runs beat with RedBeat (`--scheduler redbeat.RedBeatScheduler`): the schedule
# lives in Redis and a lock there keeps exactly one beat active; a second beat waits and
# takes over within REDBEAT_LOCK_TIMEOUT seconds when the first one dies (docs/betrieb.md).
# The beat's longest sleep: it extends the lock on every wake-up, and a standby beat polls
# for the lock this often, so it must stay well below the lock's lifetime. Celery's name is
# beat_max_loop_interval (a CELERY_BEAT_MAX_INTERVAL would be ignored: 300 s, longer than
# the lock; the failover test in tests/deploy caught that).
CELERY_BEAT_MAX_LOOP_INTERVAL = envint("BEAT_MAX_INTERVAL", 10)
CELERY_REDBEAT_REDIS_URL = envstr("REDBEAT_REDIS_URL", CELERY_BROKER_URL)
CELERY_REDBEAT_LOCK_TIMEOUT = envint("REDBEAT_LOCK_TIMEOUT", 60)
# How often the minimum-standards scan runs (seconds); the beat schedule reads it.
DEADLINE_SCAN_INTERVAL = envint("DEADLINE_SCAN_INTERVAL", 120)
# /healthz is unhealthy when the last scan is older than this (seconds): a stalled beat or
# worker. Three missed runs by default.
DEADLINE_SCAN_MAX_AGE = envint("DEADLINE_SCAN_MAX_AGE", 3 * DEADLINE_SCAN_INTERVAL)
# How often the reminder scan looks for due reminders (seconds).
REMINDER_SCAN_INTERVAL = envint("REMINDER_SCAN_INTERVAL", 600)
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
    # Appointment reminders and reminders of owed documents that are due (idempotent).
    "reminders-due": {
        "task": "reminders.tasks.send_due_reminders",
        "schedule": float(REMINDER_SCAN_INTERVAL),
    },
    # At night: what is past its retention period is deleted or anonymised (privacy).
    "privacy-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=15),
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
# When they go out: "office" (the site's opening hours on working days; without opening
# hours 8-16) or "always" (a mailbox watched round the clock; the stack test uses it, so
# its "no mail twice" holds at any hour the suite runs).
DEADLINE_ALERT_EMAIL_HOURS = envstr("DEADLINE_ALERT_EMAIL_HOURS", "office")
if DEADLINE_ALERT_EMAIL_HOURS not in ("office", "always"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DEADLINE_ALERT_EMAIL_HOURS must be office or always, got {DEADLINE_ALERT_EMAIL_HOURS!r}."
    )
