#!/usr/bin/env bash
# Creates .venv and installs the project with its dev tools; reinstalls only when pyproject.toml
# changes. Sourced by the README's two commands, so a fresh machine needs nothing else but
# Python 3.11+ and Node.js (which the CDK's jsii runtime uses to synthesize).
#
# Sourcing must not change the caller's shell: an interactive user keeps their options (a leaked
# `set -e` closes the terminal on the next failing command) and their folder. So the work runs in
# a subshell with its own `set -euo pipefail` and `cd`, and only the exports below reach the
# caller. A failure returns its status, which stops a caller that runs with `set -e`.
_ccaas_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(
  set -euo pipefail
  cd "$_ccaas_root"

  PYTHON="${PYTHON:-python3}"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Python 3.11 or newer is required (found: $("$PYTHON" --version 2>&1))." >&2
    exit 2
  fi
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js is required: the AWS CDK synthesizes through it (https://nodejs.org)." >&2
    exit 2
  fi

  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing dependencies into .venv (first run takes a few minutes)..." >&2
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e '.[dev]' >&2
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
  # The chat widget's one npm dependency (amazon-connect-chatjs, pinned by web/package-lock.json),
  # installed here with the Python ones so synthesis and the tests never reach for the registry.
  web_stamp="web/node_modules/.installed-$(sha256sum web/package-lock.json | cut -c1-16)"
  if [ ! -f "$web_stamp" ]; then
    echo "Installing the chat widget's npm dependency into web/node_modules..." >&2
    (cd web && npm ci --no-audit --no-fund --omit=dev --loglevel=error >&2)
    touch "$web_stamp"
  fi
)
_ccaas_status=$?
if [ "$_ccaas_status" -ne 0 ]; then
  unset _ccaas_root
  # `return` when sourced; `exit` when run as a script (`bash scripts/bootstrap.sh`).
  return "$_ccaas_status" 2>/dev/null || exit "$_ccaas_status"
fi
unset _ccaas_status
case ":$PATH:" in
  *":$_ccaas_root/.venv/bin:"*) ;;  # sourced again: already there
  *) export PATH="$_ccaas_root/.venv/bin:$PATH" ;;
esac
unset _ccaas_root
# jsii prints an end-of-life banner for Node 20 on every import of aws_cdk.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export CDK_DISABLE_CLI_TELEMETRY=true
