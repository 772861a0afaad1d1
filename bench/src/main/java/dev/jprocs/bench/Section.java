package dev.jprocs.bench;

/** One part of the benchmark, run on its own with {@code --only NAME}; adds figures to the report. */
interface Section {
  /** The name {@code --only} takes and the report's first column shows. */
  String name();

  /** Measures, adding figures and notes to {@code bench.report()}. Runs on the main thread. */
  void run(Bench bench) throws Exception;
}
