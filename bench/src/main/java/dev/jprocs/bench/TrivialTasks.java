package dev.jprocs.bench;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Section {@code trivial}: {@code square} on 2 workers, batched (automatic chunksize) and one input
 * per task message (chunksize 1), on a started pool and end to end; and the round trip of one
 * chunk.
 *
 * <p>"Pool started" figures reuse one pool across runs, after two unmeasured warm-up runs of each
 * job (with one, the first measured run of the million squares still took 2.8 times the median of
 * the others, and of the chunksize-1 squares 2.5 times: the workers' JIT was still compiling the
 * task path); they time the call, from handing over the Java inputs to having every output back
 * as a Java value. "End to end" figures start a fresh pool each run and include
 * {@code Pool.start} and {@code close}.
 */
final class TrivialTasks implements Section {
  private static final TaskSpec SQUARE = TaskSpec.of("square");

  @Override
  public String name() {
    return "trivial";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<Integer> batch = Bench.range(bench.squares());
    List<Integer> singles = Bench.range(bench.singleTasks());
    List<Integer> roundTrips = Bench.range(bench.quick() ? 5_000 : 20_000);
    int submits = bench.quick() ? 500 : 2_000;
    List<Double> batchedStarted = new ArrayList<>();
    List<Double> singleStarted = new ArrayList<>();
    List<Double> windowOne = new ArrayList<>();
    List<Double> submitted = new ArrayList<>();
    List<Double> pythonBatched = new ArrayList<>();
    List<Double> pythonSingle = new ArrayList<>();
    try (Pool pool = Bench.start(2);
        Pool lockstep = Pool.start(PoolConfig.builder().procs(2).window(1)
            .events(new PoolEvents() {}).build())) {
      bench.progress("trivial: warm-up");
      for (int warmUp = 0; warmUp < 2; warmUp++) {
        pool.map(SQUARE, batch, Long.class, 0);
        drain(pool.imap(SQUARE, singles, Long.class, 1));
        drain(lockstep.imap(SQUARE, roundTrips, Long.class, 1));
        submitEach(pool, submits / 4);
      }
      for (int run = 1; run <= bench.runs(); run++) {
        bench.progress("trivial: run " + run + "/" + bench.runs());
        long start = System.nanoTime();
        pool.map(SQUARE, batch, Long.class, 0);
        batchedStarted.add(seconds(System.nanoTime() - start));
        start = System.nanoTime();
        drain(pool.imap(SQUARE, singles, Long.class, 1));
        singleStarted.add(seconds(System.nanoTime() - start));
        start = System.nanoTime();
        drain(lockstep.imap(SQUARE, roundTrips, Long.class, 1));
        // Two workers each with one chunk in flight: each worker did half the round trips.
        windowOne.add((System.nanoTime() - start) / 1e3 * 2 / roundTrips.size());
        submitted.add(submitEach(pool, submits) / 1e3 / submits);
        pythonBatched.add(bench.python(false, "square", "--procs", "2", "--count",
            Integer.toString(batch.size())));
        pythonSingle.add(bench.python(false, "square", "--procs", "2", "--count",
            Integer.toString(singles.size()), "--chunksize", "1"));
      }
    }
    List<Double> batchedEndToEnd = new ArrayList<>();
    List<Double> singleEndToEnd = new ArrayList<>();
    for (int run = 1; run <= bench.runs(); run++) {
      bench.progress("trivial: end to end, run " + run + "/" + bench.runs());
      long start = System.nanoTime();
      try (Pool pool = Bench.start(2)) {
        pool.map(SQUARE, batch, Long.class, 0);
      }
      batchedEndToEnd.add(seconds(System.nanoTime() - start));
      start = System.nanoTime();
      try (Pool pool = Bench.start(2)) {
        drain(pool.imap(SQUARE, singles, Long.class, 1));
      }
      singleEndToEnd.add(seconds(System.nanoTime() - start));
    }

    Report report = bench.report();
    String n = count(batch.size());
    String m = count(singles.size());
    Samples pythonMap = bench.complete(pythonBatched);
    Samples pythonImap = bench.complete(pythonSingle);
    String pythonMapName = "python Pool(2).map, auto chunksize";
    String pythonImapName = "python Pool(2).imap, chunksize 1";
    report.add(Figure.of(name(), "square x" + n + ", auto chunksize, 2 workers, pool started", "s",
            Samples.of(batchedStarted))
        .against(pythonMapName, pythonMap)
        .target(Target.atMostTimesBaseline(0.5, "python")));
    report.add(Figure.of(name(), "square x" + n + ", auto chunksize, 2 workers, end to end", "s",
            Samples.of(batchedEndToEnd))
        .against(pythonMapName, pythonMap));
    report.add(Figure.of(name(), "square x" + m + ", chunksize 1, 2 workers, pool started", "s",
            Samples.of(singleStarted))
        .against(pythonImapName, pythonImap));
    report.add(Figure.of(name(), "square x" + m + ", chunksize 1, 2 workers, end to end", "s",
            Samples.of(singleEndToEnd))
        .against(pythonImapName, pythonImap));
    double perInput = 1e6 / singles.size();
    report.add(Figure.of(name(), "per-task overhead at chunksize 1 (pool-started time / inputs)",
            "us", Samples.of(singleStarted).map(s -> s * perInput))
        .against(pythonImapName, pythonImap == null ? null : pythonImap.map(s -> s * perInput))
        .target(Target.atMost(3, "us").and(Target.atMostTimesBaseline(0.2, "python"))));
    report.add(Figure.of(name(), "round trip, window 1 (one chunk in flight per worker):"
            + " time x 2 / inputs", "us", Samples.of(windowOne))
        .target(Target.atMost(50, "us"))
        .note(roundTrips.size() + " squares at chunksize 1 on 2 workers with PoolConfig window 1"));
    report.add(Figure.of(name(), "round trip, one submit(...).get() at a time", "us",
        Samples.of(submitted)));
  }

  /** Nanoseconds for {@code count} submits, each awaited before the next. */
  private static long submitEach(Pool pool, int count) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      pool.submit(SQUARE, i, Long.class).get();
    }
    return System.nanoTime() - start;
  }

  static void drain(Iterator<?> results) {
    while (results.hasNext()) {
      results.next();
    }
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** 1000000 as "1,000,000". */
  static String count(int count) {
    return String.format(Locale.ROOT, "%,d", count);
  }
}
