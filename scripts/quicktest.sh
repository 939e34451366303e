#!/usr/bin/env bash
# Start a throwaway PostgreSQL and Redis, run pytest with the given arguments, stop what we
# started. `make test` (scripts/test.sh) runs it with RUN_CHECKS=1: the Django, migration,
# deployment, compose, lint and rule-coverage checks first, then the whole suite.
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
if [ "${RUN_CHECKS:-0}" = 1 ]; then
  .venv/bin/python manage.py check --fail-level WARNING
  .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
    echo "Models changed without a migration: run manage.py makemigrations." >&2; exit 1; }
  DJANGO_SETTINGS_MODULE=jobcenter.settings.production SECRET_KEY=check-deploy-only-$(date +%s)-abcdefghijklmnopqrstuvwxyz0123456789 \
    .venv/bin/python manage.py check --deploy --fail-level WARNING
  .venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
  .venv/bin/ruff check .
  .venv/bin/python scripts/rules_coverage.py --check
fi
DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest "$@"
