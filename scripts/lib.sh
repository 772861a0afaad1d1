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

# The coordinator JVM's class archive (JDK 17 AppCDS) for the java command $2: the JVM maps the
# classes it loads from it instead of reading jars, which takes a third or more off its start.
# Named after the java command, so another JDK gets its own archive rather than a refused one.
jprocs_class_archive() {
  echo "$1/coordinator/target/coordinator-$(command -v "$2" | cksum | cut -d' ' -f1).jsa"
}

# Makes the coordinator's class archive when it is missing or older than the jars: one short run of
# the default job lists the classes its JVM loads (that run's first worker also makes the workers'
# archive), and a static archive is dumped from the list. Static, not dynamic (-XX:ArchiveClasses-
# AtExit): JDK 17 archives picocli's Java 5 classes only in a static archive, and with them the
# first worker starts some 60 ms sooner. Nothing is printed on stdout; a failure only costs speed.
jprocs_archive_if_needed() {
  local root="$1" java="$2" archive
  archive="$(jprocs_class_archive "$root" "$java")"
  if [[ -f "$archive" ]] && [[ -z "$(find "$root/coordinator/target/jprocs-coordinator.jar" \
      "$root/coordinator/target/lib" -newer "$archive" -print -quit 2>/dev/null)" ]]; then
    return 0
  fi
  echo "jprocs: making class archives for quicker starts (one short run) ..." >&2
  local partial="$archive.$$.partial" classes="$archive.$$.classes" logs=
  local cp="$root/coordinator/target/jprocs-coordinator.jar:$root/coordinator/target/lib/*"
  # The short run's run directory is a scratch one, removed after it.
  # shellcheck disable=SC2086 # JPROCS_JAVA_OPTS is a list of flags
  if logs="$(mktemp -d "${TMPDIR:-/tmp}/jprocs-archive.XXXXXX")" && JPROCS_LOGS="$logs" \
      "$java" -Xlog:disable -Xlog:all=warning:stderr -Xlog:'cds*=off:stderr' -XX:+UseParallelGC \
      ${JPROCS_JAVA_OPTS:-} -XX:DumpLoadedClassList="$classes" -cp "$cp" \
      dev.jprocs.coordinator.cli.CoordinatorCommand --procs 1 --count 50 --output /dev/null \
      >/dev/null 2>&1 && [[ -s "$classes" ]] \
    && "$java" -Xlog:disable -Xlog:all=warning:stderr -Xlog:'cds*=off:stderr' -XX:+UseParallelGC \
      ${JPROCS_JAVA_OPTS:-} -Xshare:dump -XX:SharedClassListFile="$classes" \
      -XX:SharedArchiveFile="$partial" -cp "$cp" >/dev/null 2>&1 && [[ -s "$partial" ]]; then
    mv -f "$partial" "$archive"
  else
    rm -f "$partial"
    echo "jprocs: could not make the class archive; starting without it" >&2
  fi
  rm -rf ${logs:+"$logs"}
  rm -f "$classes"
}

# Runs one of the jprocs command-line classes ($2) with the remaining arguments: builds first if
# needed, points run directories, the PDB cache and the workers' class archives at the
# repository's (unless the environment already does), and replaces this shell with the JVM, so
# signals reach it directly. The JVM's own warnings go to stderr: stdout carries results.
# A caller whose JVM will run no task code first sets the shell variable jprocs_jit=c1.
jprocs_exec() {
  local root="$1" main="$2" java="${JAVA:-java}" archive
  shift 2
  jprocs_build_if_needed "$root"
  export JPROCS_LOGS="${JPROCS_LOGS:-$root/logs}"
  export JPROCS_CACHE="${JPROCS_CACHE:-$root/cache/pdb}"
  export JPROCS_CLASS_ARCHIVE="${JPROCS_CLASS_ARCHIVE:-$root/cache/cds}"
  local share=()
  if [[ "${JPROCS_CLASS_ARCHIVE}" != off ]]; then
    jprocs_archive_if_needed "$root" "$java"
    archive="$(jprocs_class_archive "$root" "$java")"
    [[ -f "$archive" ]] && share=(-XX:SharedArchiveFile="$archive")
  fi
  # The parallel collector: a coordinator holds a job's inputs and results while it runs, and G1
  # spent most of a million-input map copying them (measured: 0.25 s -> 0.13 s per million squares).
  # Its young generation at 192 MB, not a third of the initial heap (1/64 of the machine's memory):
  # a coordinator allocates some 100 MB for 100,000 aligns, and the default's one collection (eden
  # 95 MB on 24 GB) came near the end of the run, 36 ms with 40 MB live, while the workers waited
  # on full pipes. 20 interleaved pairs: the coordinator's CPU (medians) 0.730 -> 0.675 s and
  # 0.780 -> 0.735 s, less in 16; the run 1.35 -> 1.24 s and 1.39 -> 1.37 s, faster in 15.
  local jit=()
  # The client compiler only: a coordinator's own work is reading, writing and routing JSON, and
  # on two cores the server compiler's threads took CPU from the workers' first chunks (measured:
  # 0.55 s of C2 in a 2.4 s run of 100,000 aligns; 2.0 s with C1 alone). JPROCS_JAVA_OPTS comes
  # after, so -XX:TieredStopAtLevel=4 there restores the default.
  [[ "${jprocs_jit:-}" == c1 ]] && jit=(-XX:TieredStopAtLevel=1)
  # shellcheck disable=SC2086 # JPROCS_JAVA_OPTS is a list of flags
  exec "$java" -Xlog:disable -Xlog:all=warning:stderr -XX:+UseParallelGC -Xmn192m "${share[@]}" \
    "${jit[@]}" ${JPROCS_JAVA_OPTS:-} \
    -cp "$root/coordinator/target/jprocs-coordinator.jar:$root/coordinator/target/lib/*" "$main" "$@"
}
