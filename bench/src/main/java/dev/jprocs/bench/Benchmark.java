package dev.jprocs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench.sh}: measures jprocs against issue 7's targets and baselines (Python's
 * {@code multiprocessing.Pool}, an in-process thread pool), prints a table on stdout and writes
 * the same figures as JSON. Progress goes to stderr.
 */
@Command(name = "bench.sh", mixinStandardHelpOptions = true, version = "jprocs bench 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Measures jprocs: worker start and restart, per-task overhead, CPU-bound scaling over 1-4"
            + " workers (with an Amdahl fit and a PNG chart), memory, pipe tracing and thread mode;"
            + " beside Python's multiprocessing.Pool (../shared/bench/python_pool.py) and an"
            + " in-process thread pool. Each figure is the median of --runs runs, with min and max.",
        "Sections, in order: " + Benchmark.SECTION_NAMES + "; jmh only when asked for."})
public final class Benchmark implements Callable<Integer> {
  static final String SECTION_NAMES = "start, trivial, cpu, e2e, memory, trace, threads, cluster";

  @Option(names = "--runs", paramLabel = "N",
      description = "Runs per figure; the table shows their median, min and max (default: 5, 3 with --quick).")
  Integer runs;

  @Option(names = "--quick",
      description = "A smoke test: 3 runs, 100,000 squares, 10,000 aligns, 16 URLs.")
  boolean quick;

  @Option(names = "--only", paramLabel = "SECTION", split = ",",
      description = "Run only these sections (" + SECTION_NAMES + ", jmh).")
  List<String> only = new ArrayList<>();

  @Option(names = "--jmh",
      description = "Run the JMH microbenchmarks (codec, aligner) instead; same as --only jmh.")
  boolean jmh;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Where the figures go as JSON (default: bench/target/bench.json).")
  Path json;

  @Option(names = "--png", paramLabel = "FILE",
      description = "Where the pool-size chart goes (default: bench/target/pool-size.png).")
  Path png;

  @Option(names = "--python", paramLabel = "PATH", defaultValue = "/usr/bin/python3",
      description = "The Python for the baselines; its rows are skipped, with a note, when it or"
          + " Biopython/ProDy is missing (default: ${DEFAULT-VALUE}).")
  Path python;

  @Option(names = "--python-script", paramLabel = "PATH",
      description = "The Python baseline script (default: ../shared/bench/python_pool.py beside the repository).")
  Path pythonScript;

  @Option(names = "--root", paramLabel = "DIR", defaultValue = "${sys:jprocs.root:-.}",
      description = "The repository root (default: set by scripts/bench.sh).")
  Path root;

  private final String commandLine;

  Benchmark(String commandLine) {
    this.commandLine = commandLine;
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true"); // XChart draws without a display
    int status = new CommandLine(new Benchmark("scripts/bench.sh " + String.join(" ", args)))
        .execute(args);
    System.exit(status);
  }

  @Override
  public Integer call() throws Exception {
    List<Section> all = List.of(new WorkerStart(), new TrivialTasks(), new CpuBound(),
        new EndToEnd(), new Memory(), new PipeTracing(), new ThreadMode(), new ClusterTasks(),
        new Jmh());
    List<String> wanted = jmh ? List.of("jmh") : only.isEmpty()
        ? List.of(SECTION_NAMES.split(", ")) : only;
    for (String name : wanted) {
      if (all.stream().noneMatch(s -> s.name().equals(name))) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "no section '" + name + "'; there are: " + SECTION_NAMES + ", jmh");
      }
    }
    int runCount = runs != null ? runs : quick ? 3 : 5;
    if (runCount < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--runs must be at least 1, got " + runCount);
    }
    Path repository = root.toAbsolutePath().normalize();
    Path jsonFile = json != null ? json : repository.resolve("bench/target/bench.json");
    Path pngFile = png != null ? png : repository.resolve("bench/target/pool-size.png");
    Path script = pythonScript != null ? pythonScript
        : repository.resolveSibling("shared").resolve("bench/python_pool.py");
    Path scratch = repository.resolve("bench/target/scratch");
    Report report = new Report();
    TimedCommand command = new TimedCommand(scratch);

    Map<String, Object> context = new LinkedHashMap<>();
    context.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    context.put("command", commandLine);
    context.put("runs", runCount);
    context.put("quick", quick);
    context.put("sections", wanted);
    context.put("cores", Runtime.getRuntime().availableProcessors());
    context.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    context.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    context.put("memoryMB", memoryMegabytes());
    context.put("loadBefore", loadAverage());

    PythonPool pythonPool = null;
    if (!wanted.equals(List.of("jmh"))) {
      List<String> notes = new ArrayList<>();
      pythonPool = PythonPool.probe(python, script, command, notes);
      notes.forEach(report::note);
      if (pythonPool != null) {
        context.put("python", pythonPool.version());
      }
    }
    Bench bench = new Bench(runCount, quick, repository, scratch, pngFile, report, command,
        pythonPool);
    bench.progress("load average " + loadAverage() + "; " + runCount + " runs per figure"
        + (quick ? ", quick sizes" : ""));
    int failed = 0;
    for (Section section : all) {
      if (!wanted.contains(section.name())) {
        continue;
      }
      long start = System.nanoTime();
      try {
        section.run(bench);
      } catch (Exception e) {
        failed++;
        report.note("section " + section.name() + " failed: " + e);
        e.printStackTrace();
      }
      bench.progress(section.name() + " took " + Math.round((System.nanoTime() - start) / 1e9) + " s");
    }
    context.put("loadAfter", loadAverage());
    report.note("load average (1, 5, 15 min) before: " + context.get("loadBefore") + "; after: "
        + context.get("loadAfter") + "; " + context.get("cores") + " cores");
    report.print(System.out);
    report.writeJson(jsonFile, context);
    System.out.println();
    System.out.println("JSON: " + jsonFile);
    return failed == 0 ? 0 : 1;
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** The machine's memory in MB, from /proc/meminfo; -1 when it cannot be read. */
  private static long memoryMegabytes() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }
}
