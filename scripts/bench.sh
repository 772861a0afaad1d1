#!/usr/bin/env bash
# Runs the jprocs benchmark (bench/, dev.jprocs.bench.Benchmark): builds the project first when its
# jars are missing or older than the sources, so no build is timed. Works from any current
# directory. All arguments go to the benchmark (--help); --quick is a smoke test, --jmh runs the
# JMH microbenchmarks. The table goes to stdout, progress to stderr, the JSON to bench/target/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
jprocs_build_if_needed "$root"
jar="$root/bench/target/jprocs-bench.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/pom.xml" "$root"/{protocol,worker,cluster,coordinator,bench}/pom.xml \
    "$root"/{protocol,worker,cluster,coordinator,bench}/src/main -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "bench.sh: building the bench module (mvn -q -DskipTests -pl bench -am package) ..." >&2
  (cd "$root" && mvn -q -DskipTests -pl bench -am package) >&2
  touch "$jar" # an unchanged jar is not rewritten; see lib.sh
fi
# Run from a private copy of the jars: other builds of this tree (mvn package, mvn clean) may
# replace or delete target/ while the benchmark and its worker JVMs are running.
copy="$(mktemp -d "${TMPDIR:-/tmp}/jprocs-bench.XXXXXX")"
trap 'rm -rf "$copy"' EXIT
cp "$jar" "$copy/"
cp -r "$root/bench/target/lib" "$copy/lib"
export JPROCS_LOGS="${JPROCS_LOGS:-$root/bench/target/scratch/logs}"
# The same collector as coordinator.sh's JVM (see lib.sh); JPROCS_BENCH_JAVA_OPTS can override it.
"${JAVA:-java}" -Djava.awt.headless=true -Djprocs.root="$root" -XX:+UseParallelGC ${JPROCS_BENCH_JAVA_OPTS:-} \
  -cp "$copy/jprocs-bench.jar:$copy/lib/*" dev.jprocs.bench.Benchmark "$@"
