#!/usr/bin/env bash
# Lists, restarts, kills or traces the workers of a running coordinator through its control socket:
#   scripts/workers.sh [--logs DIR] [--run RUN] list | restart N | kill N | trace N on|off   (--help for more)
# Acts on the latest run under $JPROCS_LOGS (default: logs/ at the repository root, as for
# scripts/coordinator.sh) unless --run names one. Works from any current directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
jprocs_jit=c1 # no task code runs here (lib.sh)
jprocs_exec "$root" dev.jprocs.coordinator.cli.WorkersCommand "$@"
