#!/usr/bin/env bash
# Runs the jprocs coordinator; builds the project first when its jars are missing or older than
# the sources. Works from any current directory. All arguments go to the coordinator (--help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
jprocs_build_if_needed "$root"
# Run directories (with the control socket scripts/workers.sh uses) go under one root both agree on.
export JPROCS_LOGS="${JPROCS_LOGS:-$root/logs}"
export JPROCS_CACHE="${JPROCS_CACHE:-$root/cache/pdb}"
exec "${JAVA:-java}" ${JPROCS_JAVA_OPTS:-} -cp "$root/coordinator/target/jprocs-coordinator.jar:$root/coordinator/target/lib/*" \
  dev.jprocs.coordinator.cli.CoordinatorCommand "$@"
