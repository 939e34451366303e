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
e2e_pid=""
cleanup() {
  if [ -n "$e2e_pid" ]; then kill -- "-$e2e_pid" 2>/dev/null || true; fi
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
export DJANGO_ALLOW_ASYNC_UNSAFE=true
if [ "${SPLIT_E2E:-0}" != 1 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# SPLIT_E2E=1 (make test): the browser journeys run in a second pytest process beside the
# rest. They mostly wait for Chromium and the live server, so the two share the cores well.
# Each process has its own test database (test_jobcenter / test_jobcenter_e2e in the same
# cluster) and Redis db index (0 / 1); the servers the session fixtures start (live server,
# slapd, oidc-provider) pick free ports per process. A failure in either fails the run;
# both outputs are shown, the journeys' after the rest. E2E_PATHS narrows the journeys,
# MAIN_PATHS the rest (default: the whole suite but tests/e2e).
e2e_paths=${E2E_PATHS:-tests/e2e}
e2e_log="$run_dir/e2e.log"
set -m  # the journeys in their own process group: cleanup stops them with their browsers
DATABASE_URL="postgres://postgres@127.0.0.1:$port/jobcenter_e2e" \
  TEST_REDIS_URL="redis://127.0.0.1:$redis_port/1" \
  .venv/bin/python -m pytest "$@" $e2e_paths >"$e2e_log" 2>&1 &
e2e_pid=$!
set +m
set +e
# shellcheck disable=SC2086
.venv/bin/python -m pytest "$@" ${MAIN_PATHS:---ignore=tests/e2e}
main_rc=$?
wait "$e2e_pid"
e2e_rc=$?
e2e_pid=""
set -e
echo
echo "=== Browser journeys ($e2e_paths, second pytest process): exit $e2e_rc ==="
cat "$e2e_log"
echo "=== Rest of the suite: exit $main_rc; browser journeys: exit $e2e_rc ==="
[ "$main_rc" = 0 ] && [ "$e2e_rc" = 0 ]
