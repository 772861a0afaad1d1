package dev.jprocs.bench;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Section {@code start}: how long worker JVMs take to start, alone and as a fleet, and how long a
 * killed worker's slot takes to be working again.
 *
 * <p>Times come from {@link EventTimes}: {@code workerSpawned} fires once the process has been
 * forked, {@code workerReady} when its hello is read. For restarts, a pool of 2 runs a queue of
 * 1 ms {@code sleep} inputs at chunksize 1; after worker-0 has answered 20 of them it is killed
 * with {@code ProcessHandle.destroyForcibly} (SIGKILL), and the clock starts just before that call.
 * That is measured twice: with the pool's warm spare (started at once, and given until worker-0
 * has answered 1,000 inputs, about a second, to boot) and without one (a JVM started after the
 * death).
 */
final class WorkerStart implements Section {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Override
  public String name() {
    return "start";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<Double> oneFromCall = new ArrayList<>();
    List<Double> oneFromFork = new ArrayList<>();
    List<Double> fleetOf2 = new ArrayList<>();
    List<Double> fleetOf4 = new ArrayList<>();
    List<Double> pythonOf2 = new ArrayList<>();
    List<Double> pythonOf4 = new ArrayList<>();
    List<Double> noticed = new ArrayList<>();
    List<Double> ready = new ArrayList<>();
    List<Double> firstSent = new ArrayList<>();
    List<Double> firstResult = new ArrayList<>();
    List<Double> noticedCold = new ArrayList<>();
    List<Double> readyCold = new ArrayList<>();
    List<Double> firstSentCold = new ArrayList<>();
    List<Double> firstResultCold = new ArrayList<>();
    for (int run = 1; run <= bench.runs(); run++) {
      bench.progress("start: run " + run + "/" + bench.runs());
      EventTimes times = new EventTimes();
      long call = System.nanoTime();
      Pool one = Pool.start(Bench.config(1, times).build());
      try {
        // Pool.start may return a moment before the workerReady event has been delivered.
        EventTimes.Worker worker = times.await(w -> w.ready.get() != 0, WAIT, "worker-0's hello");
        oneFromCall.add(millis(worker.ready.get() - call));
        oneFromFork.add(millis(worker.ready.get() - worker.spawned));
      } finally {
        one.close();
      }
      fleetOf2.add(fleet(2));
      fleetOf4.add(fleet(4));
      pythonOf2.add(toMillis(bench.python(false, "spawn", "--procs", "2")));
      pythonOf4.add(toMillis(bench.python(false, "spawn", "--procs", "4")));
      restart(true, noticed, ready, firstSent, firstResult);
      restart(false, noticedCold, readyCold, firstSentCold, firstResultCold);
    }
    Report report = bench.report();
    report.add(Figure.of(name(), "1 worker: Pool.start called -> hello read", "ms",
            Samples.of(oneFromCall))
        .target(Target.atMost(150, "ms")));
    report.add(Figure.of(name(), "1 worker: process forked -> hello read", "ms",
        Samples.of(oneFromFork)));
    String pythonSpawn = "python Pool(n) + map(noop, n) + close";
    report.add(Figure.of(name(), "fleet of 2: Pool.start called -> all said hello", "ms",
            Samples.of(fleetOf2))
        .against(pythonSpawn, bench.complete(pythonOf2)));
    report.add(Figure.of(name(), "fleet of 4: Pool.start called -> all said hello", "ms",
            Samples.of(fleetOf4))
        .against(pythonSpawn, bench.complete(pythonOf4))
        .target(Target.atMost(400, "ms")));
    report.add(Figure.of(name(), "restart: SIGKILL -> death noticed", "ms", Samples.of(noticed)));
    report.add(Figure.of(name(), "restart, warm spare: SIGKILL -> replacement said hello", "ms",
        Samples.of(ready)));
    report.add(Figure.of(name(), "restart, warm spare: SIGKILL -> first chunk sent to it", "ms",
            Samples.of(firstSent))
        .target(Target.atMost(100, "ms")));
    report.add(Figure.of(name(), "restart, warm spare: SIGKILL -> its first result read", "ms",
        Samples.of(firstResult)));
    report.add(Figure.of(name(), "restart, no spare: SIGKILL -> replacement said hello", "ms",
        Samples.of(readyCold)));
    report.add(Figure.of(name(), "restart, no spare: SIGKILL -> first chunk sent to it", "ms",
        Samples.of(firstSentCold)));
  }

  /** Milliseconds from calling Pool.start to its return, when every worker has said hello. */
  private static double fleet(int procs) throws Exception {
    long call = System.nanoTime();
    Pool pool = Bench.start(procs);
    double started = millis(System.nanoTime() - call);
    pool.close();
    return started;
  }

  private static void restart(boolean spare, List<Double> noticed, List<Double> ready,
      List<Double> firstSent, List<Double> firstResult) throws Exception {
    EventTimes times = new EventTimes();
    try (Pool pool = Pool.start(Bench.config(2, times).spareWorker(spare, Duration.ZERO).build())) {
      // Far more than the test needs (1 ms each on the surviving worker alone: 20 s); the pool is
      // terminated as soon as the replacement has answered.
      pool.results(TaskSpec.of("sleep"), Collections.nCopies(20_000, 0.001), 1);
      EventTimes.Worker victim = times.await(
          w -> w.workerId.equals("worker-0") && w.results.get() >= (spare ? 1_000 : 20), WAIT,
          "worker-0's results");
      long kill = System.nanoTime();
      ProcessHandle.of(victim.pid).orElseThrow().destroyForcibly();
      EventTimes.Worker replacement = times.await(w -> w.workerId.equals("worker-0")
          && w.restarts >= 1 && w.firstResult.get() != 0, WAIT, "the replacement's first result");
      times.await(w -> w == victim && w.died.get() != 0, WAIT, "worker-0's death to be noticed");
      if (replacement.ready.get() == 0 || replacement.firstSent.get() == 0) {
        // A figure from a missing event would be a time since the JVM started, not a latency.
        throw new IllegalStateException("the pool's events have no hello or no first chunk for "
            + "the replacement of worker-0, pid " + replacement.pid);
      }
      noticed.add(millis(victim.died.get() - kill));
      ready.add(millis(replacement.ready.get() - kill));
      firstSent.add(millis(replacement.firstSent.get() - kill));
      firstResult.add(millis(replacement.firstResult.get() - kill));
      pool.terminate();
    }
  }

  static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static Double toMillis(Double pythonSeconds) {
    return pythonSeconds == null ? null : pythonSeconds * 1000;
  }
}
