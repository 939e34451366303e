#!/usr/bin/env bash
# `make test`: start a throwaway PostgreSQL, run the whole suite, stop what we started.
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir=$(mktemp -d /tmp/jobcenter-test.XXXXXX)
chmod 755 "$run_dir"
port=$(.venv/bin/python scripts/free_port.py)
redis_port=$(.venv/bin/python scripts/free_port.py)
cleanup() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  bash scripts/pg.sh stop "$run_dir/pg"
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM
bash scripts/pg.sh start "$run_dir/pg" "$port"
# A throwaway Redis for the test that sends a task through a real broker to a real worker.
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$run_dir" >/dev/null
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/jobcenter"
export DJANGO_SETTINGS_MODULE=jobcenter.settings.test
.venv/bin/python manage.py check --fail-level WARNING
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Models changed without a migration: run manage.py makemigrations." >&2; exit 1; }
DJANGO_SETTINGS_MODULE=jobcenter.settings.production SECRET_KEY=check-deploy-only-$(date +%s)-abcdefghijklmnopqrstuvwxyz0123456789 \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
.venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
.venv/bin/ruff check .
DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest "$@"
