package dev.jprocs.bench;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.WorkerStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One invocation of the benchmark, as the sections see it: how many runs and how large, where the
 * repository is, the report that collects the figures, and the Python baseline when there is one.
 */
final class Bench {
  private final int runs;
  private final boolean quick;
  private final Path root;
  private final Path scratch;
  private final Path png;
  private final Report report;
  private final TimedCommand command;
  private final PythonPool python;

  Bench(int runs, boolean quick, Path root, Path scratch, Path png, Report report,
      TimedCommand command, PythonPool python) {
    this.runs = runs;
    this.quick = quick;
    this.root = root;
    this.scratch = scratch;
    this.png = png;
    this.report = report;
    this.command = command;
    this.python = python;
  }

  /** How many times each figure is measured; the report shows the median, min and max. */
  int runs() {
    return runs;
  }

  boolean quick() {
    return quick;
  }

  /** The repository root: scripts/, data/, and ../shared/ beside it. */
  Path root() {
    return root;
  }

  /** A directory for the benchmark's own files (logs of CLI runs, trace files). */
  Path scratch() throws IOException {
    return Files.createDirectories(scratch);
  }

  /** Where the pool-size chart goes. */
  Path png() {
    return png;
  }

  Report report() {
    return report;
  }

  TimedCommand command() {
    return command;
  }

  /** The Python baseline, or null when there is no usable Python (the report says why). */
  PythonPool python() {
    return python;
  }

  /** Integers squared in the batched trivial-work figure (Python's default count). */
  int squares() {
    return quick ? 100_000 : 1_000_000;
  }

  /** Integers squared one per task message. */
  int singleTasks() {
    return quick ? 10_000 : 100_000;
  }

  /** Sequences aligned in the CPU-bound figures. */
  int aligns() {
    return quick ? 10_000 : 100_000;
  }

  /** Inputs run through a pool before its workers' resident memory is read again. */
  int memoryTasks() {
    return quick ? 100_000 : 1_000_000;
  }

  /** URLs fetched from the slow loopback server. */
  int urls() {
    return quick ? 16 : 40;
  }

  /** Writes a progress line to stderr; stdout is the table's. */
  void progress(String message) {
    System.err.println("bench: " + message);
  }

  /** A pool configuration with the defaults a user gets, {@code procs} workers, and these events. */
  static PoolConfig.Builder config(int procs, PoolEvents events) {
    return PoolConfig.builder().procs(procs).events(events);
  }

  /** Starts a pool of {@code procs} workers with the defaults. */
  static Pool start(int procs) throws WorkerStartException {
    return Pool.start(config(procs, new PoolEvents() {}).build());
  }

  /** The integers 0 to {@code count - 1}, as Python's {@code range(count)}. */
  static List<Integer> range(int count) {
    List<Integer> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(i);
    }
    return values;
  }

  /**
   * Runs a Python workload and returns its time, or null (with a note, once per workload) when it
   * failed; {@code wall} picks the interpreter's whole life over the script's own figure.
   */
  Double python(boolean wall, String workload, String... args) throws InterruptedException {
    if (python == null) {
      return null;
    }
    try {
      PythonPool.Run run = python.run(workload, args);
      return wall ? run.wallSeconds() : run.seconds();
    } catch (IOException e) {
      String note = "a Python baseline failed: " + e.getMessage().replace('\n', ' ');
      if (!report.hasNote(note)) {
        report.note(note);
      }
      return null;
    }
  }

  /** The samples, or null unless every run produced one (a baseline with holes is left out). */
  Samples complete(List<Double> values) {
    return values.size() == runs && values.stream().allMatch(v -> v != null) ? Samples.of(values)
        : null;
  }
}
