#!/usr/bin/env bash
# The main job on embedded defaults. Installs what it needs, then runs `ccaas` with the arguments
# given (default: rehearse the dmv day against config/dev.yaml, offline).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
if [ "$#" -eq 0 ]; then
  set -- rehearse
fi
exec ccaas "$@"
