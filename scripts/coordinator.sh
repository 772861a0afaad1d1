#!/usr/bin/env bash
# Runs the jprocs coordinator; builds the project first when its jars are missing or older than
# the sources. Works from any current directory. All arguments go to the coordinator (--help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
jprocs_exec "$root" dev.jprocs.coordinator.cli.CoordinatorCommand "$@"
