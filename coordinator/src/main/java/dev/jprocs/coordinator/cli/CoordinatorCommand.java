package dev.jprocs.coordinator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.TaskResult;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.WorkerStartException;
import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskRegistry;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/coordinator.sh}: runs one task over many inputs on a pool of worker JVMs, writes
 * the outputs in input order and prints a ranked report. Exit status 0 when every input has an
 * output, 1 when some failed or the run could not go on, 2 for a bad command line or input source.
 */
@Command(name = "coordinator.sh", mixinStandardHelpOptions = true, version = "jprocs 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Runs a task over many inputs in separate worker JVMs and reassembles the outputs in input order.",
        "With no --input, a task's sample inputs are generated from --count and --seed: the default "
            + "job aligns 1000 random 64-base DNA sequences against a reference.", ""},
    footer = {"", "Exit status: 0 every input has an output; 1 some failed or the run stopped; "
        + "2 bad command line or input source.",
        "Tasks on the worker classpath are listed by --list-tasks."})
public final class CoordinatorCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Option(names = "--procs", paramLabel = "N",
      description = "Worker JVMs to start (default: available processors, ${DEFAULT-VALUE}).")
  int procs = Runtime.getRuntime().availableProcessors();

  @Option(names = "--task", paramLabel = "NAME", defaultValue = "align",
      description = "Task to run on each input (default: ${DEFAULT-VALUE}).")
  String task;

  @Option(names = "--input", paramLabel = "FILE|-",
      description = "JSON Lines input, one JSON value per line; - reads stdin. Default: the task's sample inputs.")
  String input;

  @Option(names = "--output", paramLabel = "FILE|-",
      description = "Write the outputs as JSON Lines in input order, each with its rank; - writes stdout"
          + " (the report then goes to stderr).")
  String output;

  @Option(names = "--count", paramLabel = "N", defaultValue = "1000",
      description = "How many sample inputs to generate when there is no --input (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed for the sample inputs; the same seed gives the same run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--chunksize", paramLabel = "N", defaultValue = "0",
      description = "Inputs per task message; 0 chooses: four chunks per worker (default: ${DEFAULT-VALUE}).")
  int chunksize;

  @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
      description = "A task option, for example -o reference=ACGT for align; VALUE is JSON if it parses, else text.")
  Map<String, String> options = new java.util.LinkedHashMap<>();

  @Option(names = "--top", paramLabel = "N", defaultValue = "10",
      description = "How many outputs the report shows (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--classpath", paramLabel = "PATH", split = ":",
      description = "Jars or directories with more tasks (listed in META-INF/services/dev.jprocs.worker.Task),"
          + " added to every worker's classpath; ':'-separated, repeatable.")
  List<Path> classpath = new ArrayList<>();

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
      description = "Dispatches of an input before a worker death fails it (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--worker-heap", paramLabel = "SIZE", defaultValue = "512m",
      description = "Maximum heap of each worker JVM, as -Xmx takes it (default: ${DEFAULT-VALUE}).")
  String workerHeap;

  @Option(names = "--jvm-option", paramLabel = "FLAG",
      description = "A flag for every worker JVM, for example --jvm-option=-Dkey=value; repeatable.")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--max-line-bytes", paramLabel = "N", defaultValue = "268435456",
      description = "Longest protocol line accepted either way (default: ${DEFAULT-VALUE}).")
  int maxLineBytes;

  @Option(names = "--list-tasks", description = "List the tasks on the worker classpath and exit.")
  boolean listTasks;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  CoordinatorCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command line and returns its exit status. */
  static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    CommandLine cli = new CommandLine(new CoordinatorCommand(stdin, stdout, stderr));
    cli.setOut(new java.io.PrintWriter(stdout, true));
    cli.setErr(new java.io.PrintWriter(stderr, true));
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      stderr.println("coordinator.sh: " + e.getMessage() + " (see --help)");
      return USAGE;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    PoolConfig config;
    TaskRegistry tasks;
    try {
      config = poolConfig();
      tasks = config.tasks();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return usage(e.getMessage());
    }
    if (listTasks) {
      tasks.tasks().forEach((name, t) -> stdout.printf("%-12s %s%n", name, t.description()));
      return OK;
    }
    Task chosen = tasks.find(task);
    if (chosen == null) {
      return usage("no task named '" + task + "'; the worker classpath has: "
          + String.join(", ", tasks.names()));
    }
    if (count < 0 || top < 0 || chunksize < 0) {
      return usage("--count, --top and --chunksize must not be negative");
    }

    List<InputFile.Line> inputs;
    try {
      inputs = readInputs(chosen);
    } catch (NoSuchFileException e) {
      return usage("input file " + e.getFile() + " does not exist");
    } catch (IOException e) {
      return usage("cannot read " + input + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    boolean outputToStdout = "-".equals(output);
    PrintStream human = outputToStdout ? stderr : stdout;
    try (Writer out = openOutput()) {
      return run(config, inputs, out, human);
    } catch (IOException e) {
      stderr.println("coordinator.sh: cannot write " + output + ": " + e.getMessage());
      return FAILED;
    }
  }

  private PoolConfig poolConfig() {
    if (procs < 1) {
      throw new IllegalArgumentException("--procs must be at least 1, got " + procs);
    }
    return PoolConfig.builder()
        .procs(procs)
        .classpath(classpath)
        .jvmOptions(jvmOptions)
        .workerHeap(workerHeap)
        .maxAttempts(maxAttempts)
        .maxLineBytes(maxLineBytes)
        .events(new PoolEvents() {
          @Override
          public void workerReady(String workerId, long pid) {
            human().println("Started " + workerId + " (pid " + pid + ")");
          }

          @Override
          public void workerRetired(WorkerExit exit) {
            long records = exit.goodbye() == null ? 0 : exit.goodbye().items();
            human().println(exit.workerId() + " done with " + records + " records");
          }
        })
        .build();
  }

  private PrintStream human() {
    return "-".equals(output) ? stderr : stdout;
  }

  private List<InputFile.Line> readInputs(Task chosen) throws IOException {
    if (input == null) {
      List<JsonNode> samples = chosen.sampleInputs(count, seed).orElseThrow(() ->
          new IllegalArgumentException("task '" + task + "' has no sample inputs; give --input FILE"));
      List<InputFile.Line> lines = new ArrayList<>(samples.size());
      for (JsonNode sample : samples) {
        lines.add(new InputFile.Line(lines.size(), 0, sample, null));
      }
      return lines;
    }
    if (input.equals("-")) {
      return InputFile.read(new BufferedReader(
          new InputStreamReader(stdin, StandardCharsets.UTF_8)), "<stdin>");
    }
    try (BufferedReader reader = Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
      return InputFile.read(reader, input);
    }
  }

  private Writer openOutput() throws IOException {
    if (output == null) {
      return Writer.nullWriter();
    }
    if (output.equals("-")) {
      return new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8)) {
        @Override
        public void close() throws IOException {
          flush(); // stdout stays open for the report
        }
      };
    }
    return Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8);
  }

  private TaskSpec taskSpec() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    options.forEach((key, value) -> {
      try {
        json.set(key, Codec.parse(value));
      } catch (JsonProcessingException e) {
        json.put(key, value); // not JSON: the text itself
      }
    });
    return new TaskSpec(task, json);
  }

  private int run(PoolConfig config, List<InputFile.Line> lines, Writer out, PrintStream human)
      throws IOException {
    long started = System.nanoTime();
    List<JsonNode> valid = new ArrayList<>();
    List<Integer> validRanks = new ArrayList<>();
    for (InputFile.Line line : lines) {
      if (line.error() == null) {
        valid.add(line.value());
        validRanks.add(line.rank());
      }
    }
    Report report = Report.forTask(task, top);
    List<String> failures = new ArrayList<>();
    String broken;
    Pool pool;
    try {
      pool = Pool.start(config);
    } catch (WorkerStartException e) {
      stderr.println("coordinator.sh: a worker could not start: " + e.getMessage());
      return FAILED;
    }
    try (pool) {
      Iterator<TaskResult> results = pool.results(taskSpec(), valid, chunksize);
      int next = 0; // index into valid
      for (InputFile.Line line : lines) {
        ObjectNode record = JsonNodeFactory.instance.objectNode().put("rank", line.rank());
        if (line.error() != null) {
          record.put("error", line.error());
          failures.add("rank " + line.rank() + ": " + line.error());
        } else {
          TaskResult result = results.next();
          if (result.ok()) {
            record.set("output", result.output());
            report.add(new Report.Row(line.rank(), valid.get(next), result.output()));
          } else {
            record.set("error", Codec.toTree(errorJson(result.failure())));
            failures.add(result.failure().describe().replace(" rank " + result.rank(),
                " rank " + line.rank()));
          }
          next++;
        }
        out.write(record.toString());
        out.write('\n');
      }
      broken = pool.brokenReason();
    }
    out.flush();
    double seconds = (System.nanoTime() - started) / 1e9;
    report.print(human, lines.size());
    human.printf("%d tasks on %d worker%s in %.2f s%n", lines.size(), config.procs(),
        config.procs() == 1 ? "" : "s", seconds);
    if (broken != null) {
      stderr.println("coordinator.sh: the run stopped early: " + broken);
    }
    if (!failures.isEmpty()) {
      stderr.printf("%d of %d inputs failed:%n", failures.size(), lines.size());
      failures.forEach(f -> stderr.println("  " + f));
      return FAILED;
    }
    return broken == null ? OK : FAILED;
  }

  private static Map<String, Object> errorJson(TaskFailure failure) {
    Map<String, Object> error = new java.util.LinkedHashMap<>();
    error.put("kind", failure.kind().name().toLowerCase());
    if (failure.exception() != null) {
      error.put("exception", failure.exception());
    }
    error.put("message", failure.message());
    if (failure.workerId() != null) {
      error.put("worker", failure.workerId());
      error.put("pid", failure.pid());
    }
    error.put("attempts", failure.attempts());
    return error;
  }

  private int usage(String problem) {
    stderr.println("coordinator.sh: " + problem);
    return USAGE;
  }
}
