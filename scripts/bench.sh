#!/usr/bin/env bash
# `make bench`: start a throwaway PostgreSQL, seed a large Jobcenter, time the deadline scan.
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir=$(mktemp -d /tmp/jobcenter-bench.XXXXXX)
chmod 755 "$run_dir"
port=$(.venv/bin/python scripts/free_port.py)
cleanup() { bash scripts/pg.sh stop "$run_dir/pg"; rm -rf "$run_dir"; }
trap cleanup EXIT INT TERM
bash scripts/pg.sh start "$run_dir/pg" "$port"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/jobcenter"
export DJANGO_SETTINGS_MODULE=jobcenter.settings.test
.venv/bin/python manage.py migrate --no-input >/dev/null
# The front desk through gunicorn; before the deadline scan, whose line must come last.
.venv/bin/python bench/frontdesk_http.py
# The back office's list pages on the large Jobcenter (removes its seed again afterwards).
# A failed page fails `make bench`, after the deadline scan has still printed the last line.
backoffice=0
.venv/bin/python bench/backoffice.py || backoffice=$?
.venv/bin/python bench/deadline_scan.py
exit "$backoffice"
