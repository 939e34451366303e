"""Logging: no personal data. Log lines carry ids and event names, never names or bodies."""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Request logs contain query strings (searches by name): keep them at WARNING.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # gunicorn's access log would carry search queries (names) in URLs: it stays off.
        "gunicorn.access": {"level": "WARNING", "propagate": False},
    },
}
