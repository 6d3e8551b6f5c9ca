#!/usr/bin/env bash
# Runs the end-to-end tests inside a private network namespace that has only
# loopback, so nothing a test starts can reach or be reached from outside.
#   tests/e2e/run.sh [node --test arguments...]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f dist/index.html ] || { echo "run.sh: build the app first (make build)" >&2; exit 1; }
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/e2e/*.test.mjs)
exec unshare --net --fork -- bash -c 'ip link set lo up && exec node --test --test-concurrency=1 "$@"' e2e "${files[@]}"
