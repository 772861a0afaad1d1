#!/usr/bin/env bash
# Runs a jprocs cluster member (a Hazelcast member JVM with the jprocs tasks); builds the project
# first when its jars are missing or older than the sources. Works from any current directory.
# All arguments go to the member (--help): at least --join HOST[:PORT],...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
# Hazelcast's access to JDK internals (it warns and runs slower without), and the JVM's own
# warnings on stderr: the same flags as dev.jprocs.cluster.MemberMain.JVM_OPTIONS.
export JPROCS_JAVA_OPTS="-Xlog:disable -Xlog:all=warning:stderr --add-modules java.se \
--add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED \
--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED ${JPROCS_JAVA_OPTS:-}"
jprocs_exec "$root" dev.jprocs.cluster.MemberMain "$@"
