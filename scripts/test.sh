#!/usr/bin/env bash
# `make test`: every check, then the whole suite, on a throwaway PostgreSQL and Redis.
# SPLIT_E2E=1 make test: the browser journeys (tests/e2e) in a second pytest process beside
# the rest (scripts/quicktest.sh). Off by default: on a saturated 2-core machine (load 10)
# the second process's own migrations and servers made a sample slower (159-183 s split
# against 110 s in one process); try it where the cores are free.
# For a part of the suite without the checks: `bash scripts/quicktest.sh tests/intake -x`.
set -euo pipefail
RUN_CHECKS=1 SPLIT_E2E=${SPLIT_E2E:-0} exec bash "$(dirname "$0")/quicktest.sh" "$@"
