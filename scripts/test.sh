#!/usr/bin/env bash
# The whole test suite: lint, format check, types, then pytest (unit, flows, infra, end to end).
# Benchmarks are not part of it: run scripts/bench_*.py on demand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== pytest" && pytest -n auto "$@"
