package dev.jprocs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.Results;
import dev.jprocs.coordinator.TaskResult;
import dev.jprocs.coordinator.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Section {@code threads}: worker processes against thread-mode workers
 * ({@code PoolConfig.Mode.THREADS}). I/O-bound: {@code fetch} of URLs from a loopback server
 * that answers each after 200 ms, chunksize 1, on 2 and on 8 workers; each run starts a fresh
 * pool, so "pool started" is the pool's first job. CPU-bound: {@code align} on 2 workers, one
 * started pool per mode, warmed up, runs interleaved.
 */
final class ThreadMode implements Section {
  private static final int[] FETCH_SIZES = {2, 8};
  private static final TaskSpec FETCH = TaskSpec.of("fetch");
  private static final TaskSpec ALIGN = TaskSpec.of("align");

  @Override
  public String name() {
    return "threads";
  }

  @Override
  public void run(Bench bench) throws Exception {
    Map<String, List<Double>> started = new LinkedHashMap<>();
    Map<String, List<Double>> endToEnd = new LinkedHashMap<>();
    List<String> urls = new ArrayList<>();
    try (SlowServer server = new SlowServer(Duration.ofMillis(200))) {
      for (int i = 0; i < bench.urls(); i++) {
        urls.add(server.url(i));
      }
      for (int run = 1; run <= bench.runs(); run++) {
        for (PoolConfig.Mode mode : PoolConfig.Mode.values()) {
          for (int size : FETCH_SIZES) {
            bench.progress("threads: fetch, run " + run + "/" + bench.runs() + ", " + size + " "
                + mode.name().toLowerCase());
            String key = key(mode, size);
            long start = System.nanoTime();
            try (Pool pool = Pool.start(config(mode, size))) {
              long ready = System.nanoTime();
              pool.map(FETCH, urls, JsonNode.class, 1);
              started.computeIfAbsent(key, k -> new ArrayList<>())
                  .add(TrivialTasks.seconds(System.nanoTime() - ready));
            }
            endToEnd.computeIfAbsent(key, k -> new ArrayList<>())
                .add(TrivialTasks.seconds(System.nanoTime() - start));
          }
        }
      }
    }
    String fetch = "fetch x" + urls.size() + " (200 ms each), ";
    for (String phase : List.of("pool started", "end to end")) {
      Map<String, List<Double>> times = phase.equals("pool started") ? started : endToEnd;
      for (int size : FETCH_SIZES) {
        Samples processes = Samples.of(times.get(key(PoolConfig.Mode.PROCESSES, size)));
        bench.report().add(Figure.of(name(), fetch + size + " worker processes, " + phase, "s",
            processes));
        bench.report().add(Figure.of(name(), fetch + size + " thread-mode workers, " + phase, "s",
                Samples.of(times.get(key(PoolConfig.Mode.THREADS, size))))
            .against(size + " worker processes", processes));
      }
    }
    align(bench);
  }

  private void align(Bench bench) throws Exception {
    List<JsonNode> sequences = CpuBound.sequences(bench.aligns(), 7);
    List<Double> processes = new ArrayList<>();
    List<Double> threads = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    try (Pool inProcesses = Pool.start(config(PoolConfig.Mode.PROCESSES, 2));
        Pool inThreads = Pool.start(config(PoolConfig.Mode.THREADS, 2))) {
      bench.progress("threads: align warm-up");
      List<JsonNode> warmUp = sequences.subList(0, sequences.size() / 10);
      scores(inProcesses, warmUp);
      scores(inThreads, warmUp);
      for (int run = 1; run <= bench.runs(); run++) {
        bench.progress("threads: align, run " + run + "/" + bench.runs());
        long start = System.nanoTime();
        List<JsonNode> fromProcesses = scores(inProcesses, sequences);
        processes.add(TrivialTasks.seconds(System.nanoTime() - start));
        start = System.nanoTime();
        List<JsonNode> fromThreads = scores(inThreads, sequences);
        threads.add(TrivialTasks.seconds(System.nanoTime() - start));
        long differ = 0;
        for (int i = 0; i < fromProcesses.size(); i++) {
          differ += fromProcesses.get(i).equals(fromThreads.get(i)) ? 0 : 1;
        }
        if (differ > 0) {
          mismatches.add("run " + run + ": " + differ);
        }
      }
    }
    String name = "align x" + TrivialTasks.count(sequences.size()) + ", 2 ";
    Samples baseline = Samples.of(processes);
    bench.report().add(Figure.of(name(), name + "worker processes, pool started", "s", baseline));
    bench.report().add(Figure.of(name(), name + "thread-mode workers, pool started", "s",
            Samples.of(threads))
        .against("2 worker processes", baseline));
    if (!mismatches.isEmpty()) {
      bench.report().note("threads: align outcomes of thread-mode workers differ from worker"
          + " processes' (" + String.join(", ", mismatches) + " of " + sequences.size()
          + " inputs; a failed input counts as differing): its timing is not of the same work");
    }
  }

  /**
   * Aligns every input and returns each score, or the failure's exception class for an input
   * that failed, so the two modes' outcomes can be compared without stopping at a failure.
   */
  private static List<JsonNode> scores(Pool pool, List<JsonNode> inputs) {
    List<JsonNode> outcomes = new ArrayList<>(inputs.size());
    Results results = pool.results(ALIGN, inputs, 1000);
    while (results.hasNext()) {
      TaskResult result = results.next();
      outcomes.add(result.ok() ? result.output().path("score")
          : TextNode.valueOf(result.failure().kind() + " " + result.failure().exception()));
    }
    return outcomes;
  }

  private static PoolConfig config(PoolConfig.Mode mode, int procs) {
    return Bench.config(procs, new PoolEvents() {}).mode(mode).build();
  }

  private static String key(PoolConfig.Mode mode, int size) {
    return mode + "/" + size;
  }
}
