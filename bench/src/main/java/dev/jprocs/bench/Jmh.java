package dev.jprocs.bench;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Section {@code jmh}: the JMH microbenchmarks of {@code dev.jprocs.bench.jmh} (codec, aligner),
 * in one forked JVM with a short warm-up: 3 warm-up iterations of 1 s, then one measured iteration
 * of 1 s per run. Each iteration's average is one sample. JMH's own log goes to stderr.
 */
final class Jmh implements Section {
  @Override
  public String name() {
    return "jmh";
  }

  @Override
  public void run(Bench bench) throws Exception {
    Options options = new OptionsBuilder()
        .include("dev\\.jprocs\\.bench\\.jmh\\..*")
        .forks(1)
        .warmupIterations(bench.quick() ? 2 : 3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(bench.runs())
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-XX:+UseSerialGC")
        .build();
    Runner runner = new Runner(options,
        OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL));
    for (RunResult run : runner.run()) {
      String benchmark = run.getParams().getBenchmark();
      String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
      List<Double> scores = new ArrayList<>();
      String unit = "";
      for (BenchmarkResult result : run.getBenchmarkResults()) {
        for (IterationResult iteration : result.getIterationResults()) {
          scores.add(iteration.getPrimaryResult().getScore());
          unit = iteration.getPrimaryResult().getScoreUnit();
        }
      }
      bench.report().add(Figure.of(name(), shortName, unit, Samples.of(scores)));
    }
    bench.report().note("jmh: one fork, " + (bench.quick() ? 2 : 3) + " x 1 s warm-up, "
        + bench.runs() + " x 1 s measured; on a 2-core machine shared with other work, so noisy");
  }
}
