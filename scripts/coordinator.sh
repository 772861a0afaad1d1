#!/usr/bin/env bash
# Runs the jprocs coordinator; builds the project first when its jars are missing or older than
# the sources. Works from any current directory. All arguments go to the coordinator (--help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
# The progress bar goes to stderr only when stderr is a terminal, and the JVM cannot ask isatty()
# of stderr alone: say here which streams are terminals, and stderr's width (see --progress).
if [[ -t 2 ]]; then
  JPROCS_STDERR_COLUMNS="$(stty size <&2 2>/dev/null | cut -d' ' -f2)" || JPROCS_STDERR_COLUMNS=
  export JPROCS_STDERR_COLUMNS="${JPROCS_STDERR_COLUMNS:-80}"
else
  unset JPROCS_STDERR_COLUMNS
fi
if [[ -t 1 ]]; then
  export JPROCS_STDOUT_TERMINAL=1
else
  unset JPROCS_STDOUT_TERMINAL
fi
# Tasks run in this JVM only with --mode threads; otherwise it needs no server compiler (lib.sh).
jprocs_jit=c1
previous=
for arg in "$@"; do
  if [[ "$arg" == --mode=threads || ("$previous" == --mode && "$arg" == threads) ]]; then
    jprocs_jit=
  fi
  previous="$arg"
done
jprocs_exec "$root" dev.jprocs.coordinator.cli.CoordinatorCommand "$@"
