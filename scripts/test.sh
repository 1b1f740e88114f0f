#!/usr/bin/env bash
# The whole test suite: lint, format check, types, then pytest (unit, flows, infra, end to end).
# Benchmarks are not part of it (one test runs `ccaas bench --quick`): run `ccaas bench` on
# demand. The budget is 5 minutes on a fresh clone with 2 cores, install excluded; pytest prints
# its 15 slowest tests so the closing note of every issue can show where the time goes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== pytest" && pytest -n auto --durations=15 "$@"
