#!/usr/bin/env bash
# The whole test suite: lint, format check, types, then pytest (unit, flows, infra, end to end).
# Benchmarks are not part of it (one test runs `ccaas bench --quick`): run `ccaas bench` on
# demand. The budget is 5 minutes on a fresh clone with 2 cores, install excluded; pytest prints
# its 15 slowest tests so the closing note of every issue can show where the time goes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

echo "== ruff" && ruff check . && ruff format --check .
# mypy runs beside pytest: pytest's workers leave a core idle at times (waiting on the CDK's Node
# process, the last long test), and a cold mypy on a fresh clone takes most of a minute alone.
mypy_log="$(mktemp)"
mypy >"$mypy_log" 2>&1 &
mypy_pid=$!
echo "== pytest (mypy checks types meanwhile)"
pytest_status=0
pytest -n auto --durations=15 "$@" || pytest_status=$?
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
echo "== mypy" && cat "$mypy_log" && rm -f "$mypy_log"
if [ "$pytest_status" -ne 0 ]; then exit "$pytest_status"; fi
exit "$mypy_status"
