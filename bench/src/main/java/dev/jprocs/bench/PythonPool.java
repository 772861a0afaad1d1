package dev.jprocs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Python baseline: {@code shared/bench/python_pool.py} (multiprocessing.Pool; Biopython's C
 * aligner for align, ProDy for anm) run as a subprocess, one JSON line per run.
 *
 * <p>The script is used as it is. Two things it does that matter when reading the figures: its
 * {@code seconds} covers creating the Pool (forking its workers), the map and closing the Pool,
 * but not the interpreter's start or, for align, drawing the input sequences; and its align
 * computes only the score ({@code PairwiseAligner.score}), where jprocs' align also traces back
 * one optimal alignment.
 */
final class PythonPool {
  /** A workload that hangs (a Pool whose initializer fails keeps respawning) is killed after this. */
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /**
   * One run of the script.
   *
   * @param seconds the script's own figure ({@code "seconds"} in its JSON line)
   * @param wallSeconds from starting the interpreter to its exit
   * @param json the whole JSON line
   */
  record Run(double seconds, double wallSeconds, JsonNode json) {}

  private final Path python;
  private final Path script;
  private final TimedCommand command;
  private final boolean biopython;
  private final boolean prody;

  private PythonPool(Path python, Path script, TimedCommand command, boolean biopython,
      boolean prody) {
    this.python = python;
    this.script = script;
    this.command = command;
    this.biopython = biopython;
    this.prody = prody;
  }

  /**
   * Checks that {@code python} runs and which of Biopython and ProDy it imports. Returns null, with
   * the reason in {@code notes}, when there is no usable Python at all.
   */
  static PythonPool probe(Path python, Path script, TimedCommand command, List<String> notes)
      throws InterruptedException {
    if (!Files.isExecutable(python)) {
      notes.add("Python baselines skipped: " + python + " is not an executable (--python PATH;"
          + " on Debian: apt-get install -y python3 python3-biopython python3-prody)");
      return null;
    }
    if (!Files.isRegularFile(script)) {
      notes.add("Python baselines skipped: " + script + " is missing (--python-script PATH)");
      return null;
    }
    if (!imports(python, "import multiprocessing", command)) {
      notes.add("Python baselines skipped: " + python + " -c 'import multiprocessing' failed");
      return null;
    }
    boolean biopython = imports(python, "import Bio.Align", command);
    boolean prody = imports(python, "import prody", command);
    if (!biopython) {
      notes.add("Python align baselines skipped: " + python + " cannot import Bio"
          + " (apt-get install -y python3-biopython)");
    }
    if (!prody) {
      notes.add("Python anm baselines skipped: " + python + " cannot import prody"
          + " (apt-get install -y python3-prody)");
    }
    return new PythonPool(python, script, command, biopython, prody);
  }

  private static boolean imports(Path python, String statement, TimedCommand command)
      throws InterruptedException {
    try {
      return command.run(List.of(python.toString(), "-c", statement), Map.of(),
          Duration.ofMinutes(1)).exitCode() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  boolean hasBiopython() {
    return biopython;
  }

  boolean hasPrody() {
    return prody;
  }

  String version() {
    return python.toString();
  }

  /**
   * Runs {@code python_pool.py WORKLOAD ARGS...} once.
   *
   * @throws IOException when it fails or prints no JSON line; the message has its stderr's end
   */
  Run run(String workload, String... args) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(python.toString(), script.toString(), workload));
    line.addAll(List.of(args));
    TimedCommand.Outcome outcome = command.run(line, Map.of(), TIMEOUT);
    String last = outcome.stdout().lines().filter(l -> l.startsWith("{"))
        .reduce((first, second) -> second).orElse(null);
    if (outcome.exitCode() != 0 || last == null) {
      throw new IOException(String.join(" ", line) + " exited " + outcome.exitCode()
          + (last == null ? " without a JSON line" : "") + "; last stderr lines:\n"
          + outcome.stderrTail(10));
    }
    JsonNode json = Codec.parse(last);
    return new Run(json.path("seconds").asDouble(), outcome.wallNanos() / 1e9, json);
  }
}
