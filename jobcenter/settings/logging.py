"""Logging: no personal data. Log lines carry ids and event names, never names or bodies."""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"strip_query": {"()": "jobcenter.logfilters.StripQueryString"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Request lines carry query strings (searches by name): for every status they are
        # logged without them (runserver logs 4xx at WARNING, 5xx at ERROR).
        "django.request": {"level": "ERROR", "filters": ["strip_query"]},
        "django.server": {"level": "WARNING", "filters": ["strip_query"]},
        "axes": {"level": "WARNING"},
        # Both log user names and e-mail addresses at INFO/DEBUG; jobcenter.sso logs ids.
        "django_auth_ldap": {"level": "ERROR"},
        "mozilla_django_oidc": {"level": "ERROR"},
        # gunicorn's access log would carry search queries (names) in URLs: it stays off.
        "gunicorn.access": {"level": "WARNING", "propagate": False, "filters": ["strip_query"]},
    },
}
