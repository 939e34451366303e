#!/usr/bin/env bash
# `make test`: every check, then the whole suite, on a throwaway PostgreSQL and Redis.
# For a part of the suite without the checks: `bash scripts/quicktest.sh tests/intake -x`.
set -euo pipefail
RUN_CHECKS=1 exec bash "$(dirname "$0")/quicktest.sh" "$@"
