"""gunicorn in production (docker-compose.yml's web service; tests/deploy start it the same way).

`gunicorn --config deploy/gunicorn.conf.py jobcenter.wsgi:application`. Where it listens and
how many workers it runs come from the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn reads WEB_CONCURRENCY itself; 2-4 per CPU core (docs/betrieb.md, sizing).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Behind nginx's keepalive upstream connections.
keepalive = 75
# The access log stays off: URLs carry search queries (names). nginx logs path and status.
accesslog = None
errorlog = "-"
# Restarted workers now and then keep a slow leak from growing (jittered, not all at once).
max_requests = 2000
max_requests_jitter = 200
