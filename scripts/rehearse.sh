#!/usr/bin/env bash
# The main job on embedded defaults. Installs what it needs, then runs `ccaas` with the arguments
# given (default: synthesize the dev stage and print what it holds).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
if [ "$#" -eq 0 ]; then
  set -- synth --stage dev
fi
exec ccaas "$@"
