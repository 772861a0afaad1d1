package dev.jprocs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Section {@code e2e}: the command line as a person runs it, timed from starting the process to
 * its exit (JVM starts, input generation, the report included): {@code scripts/coordinator.sh}
 * on 100,000 aligns and the default job, against {@code python_pool.py align} timed the same way
 * (interpreter start and drawing the sequences included).
 *
 * <p>The project is built before the first timed run, so no run times a build, and each command
 * runs once untimed, so no run times the making of class archives; a run whose stderr shows that
 * the script rebuilt anyway (someone edited a source meanwhile) is measured again.
 */
final class EndToEnd implements Section {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Override
  public String name() {
    return "e2e";
  }

  @Override
  public void run(Bench bench) throws Exception {
    Path root = bench.root();
    String script = root.resolve("scripts/coordinator.sh").toString();
    build(bench);
    int count = bench.aligns();
    List<Double> align = new ArrayList<>();
    List<Double> scalarAlign = new ArrayList<>();
    List<Double> defaultJob = new ArrayList<>();
    List<Double> pythonAlign = new ArrayList<>();
    List<Double> pythonDefault = new ArrayList<>();
    boolean pythonAligns = bench.python() != null && bench.python().hasBiopython();
    // One untimed run of each command first: the first run after a build makes the class archives
    // (the coordinator's, and the workers' for each set of worker JVM options: with and without
    // the Vector API), which took one timed run of 100,000 aligns to 4.8 s against 1.0-1.4 s.
    bench.progress("e2e: a first run of each command, untimed (class archives)");
    cli(bench, script, "--task", "align", "--count", "1000", "--procs", "2", "--top", "0",
        "--vector-api=on");
    cli(bench, script, "--task", "align", "--count", "1000", "--procs", "2", "--top", "0",
        "--vector-api=off");
    cli(bench, script, "--procs", "4");
    if (pythonAligns) {
      bench.python(true, "align", "--procs", "2", "--count", "1000", "--seed", "7");
    }
    for (int run = 1; run <= bench.runs(); run++) {
      bench.progress("e2e: run " + run + "/" + bench.runs());
      align.add(cli(bench, script, "--task", "align", "--count", Integer.toString(count),
          "--procs", "2", "--top", "0"));
      scalarAlign.add(cli(bench, script, "--task", "align", "--count", Integer.toString(count),
          "--procs", "2", "--top", "0", "--vector-api=off"));
      defaultJob.add(cli(bench, script, "--procs", "4"));
      if (pythonAligns) {
        pythonAlign.add(bench.python(true, "align", "--procs", "2", "--count",
            Integer.toString(count), "--seed", "7"));
        pythonDefault.add(bench.python(true, "align", "--procs", "4", "--count", "1000",
            "--seed", "7"));
      }
    }
    String n = TrivialTasks.count(count);
    bench.report().add(Figure.of(name(), "coordinator.sh --task align --count " + count
            + " --procs 2 --top 0", "s", Samples.of(align))
        .against("python_pool.py align --procs 2 --count " + count + ", process wall time",
            bench.complete(pythonAlign))
        .target(Target.atMostTimesBaseline(0.5, "python"))
        .note("align x" + n + " end to end: process start to exit (--vector-api=auto: "
            + (count >= dev.jprocs.coordinator.cli.CoordinatorCommand.VECTOR_API_MIN_INPUTS ? "on" : "off")
            + ")"));
    bench.report().add(Figure.of(name(), "the same with --vector-api=off", "s", Samples.of(scalarAlign))
        .against("python_pool.py align --procs 2 --count " + count + ", process wall time",
            bench.complete(pythonAlign))
        .note("workers without the Vector API: align one sequence at a time"));
    bench.report().add(Figure.of(name(), "default job: coordinator.sh --procs 4", "s",
            Samples.of(defaultJob))
        .against("python_pool.py align --procs 4 --count 1000, process wall time",
            bench.complete(pythonDefault))
        .target(Target.atMost(1, "s")));
  }

  /** Builds the project if a source is newer than its jars, as coordinator.sh would; untimed. */
  private static void build(Bench bench) throws Exception {
    Path root = bench.root();
    TimedCommand.Outcome outcome = bench.command().run(List.of("bash", "-c",
        ". \"$1/scripts/lib.sh\" && jprocs_build_if_needed \"$1\"", "build", root.toString()),
        Map.of(), TIMEOUT);
    if (outcome.exitCode() != 0) {
      throw new IOException("building the project failed:\n" + outcome.stderrTail(20));
    }
  }

  /** Seconds of one run of the script, measured again if it had to rebuild first. */
  private static double cli(Bench bench, String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(script));
    command.addAll(List.of(args));
    Map<String, String> environment = Map.of("JPROCS_LOGS", bench.scratch().resolve("logs").toString());
    for (int attempt = 1; ; attempt++) {
      TimedCommand.Outcome outcome = bench.command().run(command, environment, TIMEOUT);
      if (outcome.exitCode() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + outcome.exitCode() + ":\n"
            + outcome.stderrTail(20));
      }
      if (!outcome.stderr().contains("jprocs: building")) {
        return outcome.wallNanos() / 1e9;
      }
      if (attempt == 3) {
        throw new IOException(String.join(" ", command) + " rebuilt the project on each of 3 runs"
            + " (sources keep changing); no figure taken");
      }
    }
  }
}
