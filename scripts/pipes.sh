#!/usr/bin/env bash
# Shows the pipe traffic of a coordinator run, one line per frame, from its trace files:
#   scripts/pipes.sh [RUN] [--worker N] [--type T] [--task ID] [--follow] [--logs DIR]   (--help for more)
# Reads the latest run under $JPROCS_LOGS (default: logs/ at the repository root, as for
# scripts/coordinator.sh) unless RUN names one. Works from any current directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
jprocs_jit=c1 # no task code runs here (lib.sh)
jprocs_exec "$root" dev.jprocs.coordinator.cli.PipesCommand "$@"
