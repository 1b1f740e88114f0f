#!/usr/bin/env bash
# The whole test suite: lint, format check, types, then pytest (unit, flows, infra, end to end).
# Benchmarks are not part of it: run `ccaas bench ...` or scripts/bench_*.py on demand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== pytest" && pytest "$@"
