# Shared by the operator scripts; sourced, not run.

# Builds the project with Maven when the coordinator jar is missing or any source or pom is newer
# than it. The build's own output goes to stderr, so a script's stdout stays its own.
jprocs_build_if_needed() {
  local root="$1" jar="$1/coordinator/target/jprocs-coordinator.jar"
  if [[ -f "$jar" ]] && [[ -z "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    return 0
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    echo "jprocs: $jar is missing or stale and Maven (mvn) is not installed to build it" >&2
    return 1
  fi
  echo "jprocs: building (mvn -B -q -DskipTests package) ..." >&2
  (cd "$root" && mvn -B -q -DskipTests package) >&2
  # The jar plugin leaves a jar whose contents did not change untouched, so a change elsewhere
  # (another module's sources) would otherwise look stale, and rebuild, on every run.
  touch "$jar"
}

# Runs one of the jprocs command-line classes ($2) with the remaining arguments: builds first if
# needed, points run directories and the PDB cache at the repository's (unless the environment
# already does), and replaces this shell with the JVM, so signals reach it directly.
jprocs_exec() {
  local root="$1" main="$2"
  shift 2
  jprocs_build_if_needed "$root"
  export JPROCS_LOGS="${JPROCS_LOGS:-$root/logs}"
  export JPROCS_CACHE="${JPROCS_CACHE:-$root/cache/pdb}"
  # shellcheck disable=SC2086 # JPROCS_JAVA_OPTS is a list of flags
  exec "${JAVA:-java}" ${JPROCS_JAVA_OPTS:-} \
    -cp "$root/coordinator/target/jprocs-coordinator.jar:$root/coordinator/target/lib/*" "$main" "$@"
}
