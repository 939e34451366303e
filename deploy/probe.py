"""Health probe of a container: `python deploy/probe.py [PATH]` exits 0 when gunicorn answers
PATH (default /healthz/live) with 200.

It asks gunicorn directly (GUNICORN_BIND's port on 127.0.0.1) the way the proxy does: with
the first of ALLOWED_HOSTS as Host and X-Forwarded-Proto: https, so production's HTTPS
redirect and host check apply unchanged. Standard library only.
"""

import http.client
import os
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "/healthz/live"
port = int(os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1])
host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
try:
    connection.request(
        "GET", path, headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": "text/plain"}
    )
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
except OSError as error:
    print(f"{path}: {error}", file=sys.stderr)
    sys.exit(1)
print(f"{path}: {response.status}\n{body}".rstrip())
sys.exit(0 if response.status == 200 else 1)
