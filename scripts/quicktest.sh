#!/usr/bin/env bash
# Developer shortcut: the throwaway PostgreSQL and Redis of `make test`, then pytest with
# the given arguments only (no checks, no ruff). `make test` runs everything.
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
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$run_dir" >/dev/null
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/jobcenter"
export DJANGO_SETTINGS_MODULE=jobcenter.settings.test
DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest "$@"
