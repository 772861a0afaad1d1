package dev.jprocs.coordinator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.Results;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.TaskResult;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.WorkerStartException;
import dev.jprocs.coordinator.control.ControlServer;
import dev.jprocs.coordinator.control.RunDirectory;
import dev.jprocs.coordinator.logs.AllEvents;
import dev.jprocs.coordinator.logs.EventLog;
import dev.jprocs.coordinator.logs.RunSummary;
import dev.jprocs.coordinator.logs.TraceLog;
import dev.jprocs.coordinator.logs.WorkerStderrFiles;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.JsonText;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskRegistry;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  /** What the JVM itself exits with after SIGINT; SIGTERM gives 143. */
  static final int INTERRUPTED = 130;
  /**
   * The fewest inputs for which --vector-api=auto has the workers resolve the Vector API: below
   * it, the module's start-up cost and the vector kernel's warm-up outweigh what it saves
   * (measured, align on 2 workers end to end, runs interleaved: on and off took the same at
   * 15,000 inputs, 0.98 s; on took 0.895 s against 0.935 s at 20,000, 7 of 10 pairs faster, and
   * 0.945 against 1.135 s at 30,000, 8 of 8; at 400,000 3.2-3.5 s against 5.2 s. Before the
   * kernel's row 0 and its workers' loop compiles were made cheaper the two met at 50,000).
   */
  public static final int VECTOR_API_MIN_INPUTS = 20_000;

  @Option(names = "--procs", paramLabel = "N",
      description = "Worker JVMs to start (default: available processors, ${DEFAULT-VALUE}).")
  int procs = Runtime.getRuntime().availableProcessors();

  @Option(names = "--task", paramLabel = "NAME",
      description = "Task to run on each input (default: align; anm with --structures or --search).")
  String task;

  @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "TASK",
      description = "The task, as a word: `coordinator.sh --procs 4 anm` is `--task anm`.")
  String taskWord;

  @Option(names = "--mode", paramLabel = "processes|threads", defaultValue = "processes",
      description = "Workers are child JVMs (processes, the default) or threads of this JVM (threads:"
          + " cheaper, for I/O-bound tasks such as fetch; no isolation).")
  String mode;

  @Option(names = "--cluster", paramLabel = "HOST[:PORT]", split = ",",
      description = "Run the workers on a jprocs cluster instead of this machine: connect to the members"
          + " (scripts/member.sh) at these addresses (port 5701 when left out) and run one worker per member"
          + " thread, on members that join mid-run too. Not with --procs or --mode; worker JVM options do"
          + " not apply, and each member has its own --classpath. ','-separated, repeatable.")
  List<String> cluster = new ArrayList<>();

  @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "jprocs",
      description = "The cluster's name, as its members were started with (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--cluster-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "How long to try to reach --cluster before giving up, and how long a run waits"
          + " for a member when none is left before it stops (default: ${DEFAULT-VALUE}).")
  double clusterTimeout;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--structures", paramLabel = "DIR",
      description = "Inputs are the structure files (*.pdb, *.ent) in DIR, by name (implies --task anm).")
  Path structures;

  @Option(names = "--search", paramLabel = "TERM",
      description = "Inputs are the PDB entries NCBI's E-utilities find for TERM (protein database, entries"
          + " with PDB structures), downloaded from the RCSB archive into --cache once (implies --task anm).")
  String search;

  @Option(names = "--search-max", paramLabel = "N", defaultValue = "20",
      description = "At most N entries from --search (default: ${DEFAULT-VALUE}).")
  int searchMax;

  @Option(names = "--cache", paramLabel = "DIR", defaultValue = "${env:JPROCS_CACHE:-cache/pdb}",
      description = "Where --search keeps downloaded entries (default: $JPROCS_CACHE, else ./cache/pdb).")
  Path cache;

  @Option(names = "--eutils-url", paramLabel = "URL",
      description = "Base URL of NCBI's E-utilities (default: " + "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/" + ").")
  java.net.URI eutilsUrl = dev.jprocs.coordinator.search.StructureSearch.EUTILS;

  @Option(names = "--rcsb-url", paramLabel = "URL",
      description = "Base URL of the RCSB download service (default: https://files.rcsb.org/download/).")
  java.net.URI rcsbUrl = dev.jprocs.coordinator.search.StructureSearch.RCSB;

  @Option(names = "--http-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Timeout of each --search request (default: ${DEFAULT-VALUE}).")
  double httpTimeout;

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
      description = "Inputs per task message; 0 chooses: four chunks per worker, at most 4096 inputs each"
          + " (default: ${DEFAULT-VALUE}).")
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

  @Option(names = "--task-timeout", paramLabel = "SECONDS",
      description = "Longest one input may run; its worker is then killed and replaced, and the input"
          + " retried or failed like any death (default: no limit).")
  Double taskTimeout;

  @Option(names = "--max-tasks-per-worker", paramLabel = "N", defaultValue = "0",
      description = "Retire a worker gracefully and start a fresh one after N inputs, a guard against"
          + " leaks (default: 0, never).")
  long maxTasksPerWorker;

  @Option(names = "--spare-worker", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Keep one booted spare worker JVM from 2 s into the run, so a worker that dies is"
          + " replaced in milliseconds; --no-spare-worker saves that JVM (default: on; processes"
          + " only).")
  boolean spareWorker;

  @Option(names = "--vector-api", paramLabel = "WHEN", defaultValue = "auto",
      description = "Whether worker JVMs resolve the incubating jdk.incubator.vector module, which"
          + " align uses to compute 16-32 alignments at once: auto (when the task uses it and the run"
          + " has at least " + VECTOR_API_MIN_INPUTS + " inputs), on, or off. Costs each worker about"
          + " 30 ms of start (default: ${DEFAULT-VALUE}).")
  String vectorApi;

  @Option(names = "--max-restarts", paramLabel = "R", defaultValue = "50",
      description = "Stop the run (a restart storm) after more than R worker restarts within"
          + " --restart-window (default: ${DEFAULT-VALUE}).")
  int maxRestarts;

  @Option(names = "--restart-window", paramLabel = "SECONDS", defaultValue = "60",
      description = "The window of --max-restarts (default: ${DEFAULT-VALUE}).")
  double restartWindow;

  @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "10",
      description = "On Ctrl-C, SIGTERM or the end of the run, how long workers get to finish what they"
          + " hold after the shutdown sentinel before they are killed (default: ${DEFAULT-VALUE}).")
  double grace;

  @Option(names = "--java", paramLabel = "PATH",
      description = "The java command that runs the workers, for example a newer JDK's bin/java"
          + " (default: the one running the coordinator).")
  Path workerJava;

  @Option(names = "--worker-heap", paramLabel = "SIZE", defaultValue = "512m",
      description = "Maximum heap of each worker JVM, as -Xmx takes it (default: ${DEFAULT-VALUE}).")
  String workerHeap;

  @Option(names = "--jvm-option", paramLabel = "FLAG",
      description = "A flag for every worker JVM, for example --jvm-option=-Dkey=value; repeatable.")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--max-line-bytes", paramLabel = "N", defaultValue = "268435456",
      description = "Longest protocol line accepted either way (default: ${DEFAULT-VALUE}).")
  int maxLineBytes;

  @Option(names = "--logs", paramLabel = "DIR", defaultValue = "${env:JPROCS_LOGS:-logs}",
      description = "Where runs keep their directory DIR/<run-id>/ (owner-only, with the control socket that"
          + " scripts/workers.sh uses); DIR/latest is the newest (default: $JPROCS_LOGS, else ./logs).")
  Path logs;

  @Option(names = "--trace-pipes",
      description = "Record every line each way through every worker's pipe in the run directory's trace/"
          + " (scripts/pipes.sh shows them); scripts/workers.sh trace N on|off switches one worker during a run.")
  boolean tracePipes;

  @Option(names = "--trace-max-chars", paramLabel = "N", defaultValue = "" + TraceLog.DEFAULT_MAX_CHARS,
      description = "How many characters of each traced line are kept; the full length is noted (default: ${DEFAULT-VALUE}).")
  int traceMaxChars;

  @Option(names = "--progress", negatable = true,
      description = "A progress bar with ETA on stderr (never stdout): by default shown when stderr is a"
          + " terminal and the run has lasted a second; --progress shows it from the start, wherever"
          + " stderr goes; --no-progress never.")
  Boolean progress;

  @Option(names = "--list-tasks", description = "List the tasks on the worker classpath and exit.")
  boolean listTasks;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;
  private final Terminals terminals;

  CoordinatorCommand(InputStream stdin, PrintStream stdout, PrintStream stderr, Terminals terminals) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.terminals = terminals;
  }

  /**
   * Which of stdout and stderr are terminals, and stderr's width in columns (0 when it is not a
   * terminal). The JVM cannot ask isatty() of each stream ({@code System.console()} answers for
   * stdin and stdout together), so scripts/coordinator.sh asks and exports the answer.
   */
  record Terminals(int stderrColumns, boolean stdoutIsTerminal) {
    static final Terminals NONE = new Terminals(0, false);

    /** From JPROCS_STDERR_COLUMNS (set only when stderr is a terminal) and JPROCS_STDOUT_TERMINAL. */
    static Terminals fromEnvironment(Map<String, String> env) {
      String columns = env.get("JPROCS_STDERR_COLUMNS");
      int width = 0;
      if (columns != null) {
        try {
          width = Integer.parseInt(columns.trim());
        } catch (NumberFormatException e) {
          width = ProgressDisplay.DEFAULT_COLUMNS; // a terminal of unknown width
        }
        width = width < 20 ? ProgressDisplay.DEFAULT_COLUMNS : width;
      }
      return new Terminals(width, "1".equals(env.get("JPROCS_STDOUT_TERMINAL")));
    }
  }

  public static void main(String[] args) {
    warmUp = startWarmUp();
    System.exit(run(args, System.in, System.out, System.err, Terminals.fromEnvironment(System.getenv())));
  }

  /**
   * Set by {@link #main} only: a thread that, while this one builds picocli's model of the options
   * (some 0.1 s: its classes are too old for the class archive and it reads every annotation
   * reflectively), initializes on the other core what the run needs next: logging, the digest
   * behind the workers' class archive, the built-in tasks and the codec. {@link #call} joins it
   * before it does anything else, so nothing logs while logging is being set up.
   */
  private static volatile Thread warmUp;

  private static Thread startWarmUp() {
    Thread thread = new Thread(() -> {
      try {
        org.slf4j.LoggerFactory.getILoggerFactory();
        java.security.MessageDigest.getInstance("SHA-256");
        TaskRegistry.load(CoordinatorCommand.class.getClassLoader());
        Codec.toJson(JsonNodeFactory.instance.objectNode().put("rank", 0));
      } catch (Exception | LinkageError e) {
        // Only time is lost: the run meets the same problem again on its own thread, and reports it.
      }
    }, "jprocs-warm-up");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void joinWarmUp() throws InterruptedException {
    Thread thread = warmUp;
    if (thread != null) {
      thread.join(); // it ends by itself: nothing it calls waits on this thread
    }
  }

  /** Runs the command line, with neither stdout nor stderr a terminal, and returns its exit status. */
  static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    return run(args, stdin, stdout, stderr, Terminals.NONE);
  }

  /** Runs the command line and returns its exit status. */
  static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr,
      Terminals terminals) {
    CommandLine cli = new CommandLine(new CoordinatorCommand(stdin, stdout, stderr, terminals));
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
    joinWarmUp();
    PoolConfig.Builder config;
    TaskRegistry tasks;
    try {
      config = poolConfig();
      tasks = config.build().tasks();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return usage(e.getMessage());
    }
    if (listTasks) {
      tasks.tasks().forEach((name, t) -> stdout.printf("%-12s %s%n", name, t.description()));
      return OK;
    }
    if (taskWord != null && task != null && !taskWord.equals(task)) {
      return usage("two tasks given: " + taskWord + " and --task " + task);
    }
    task = taskWord != null ? taskWord : task != null ? task
        : structures != null || search != null ? "anm" : "align";
    if (structures != null && search != null) {
      return usage("--structures and --search are two ways to give inputs; choose one");
    }
    Task chosen = tasks.find(task);
    if (chosen == null) {
      return usage("no task named '" + task + "'; the worker classpath has: "
          + String.join(", ", tasks.names()));
    }
    if (count < 0 || top < 0 || chunksize < 0) {
      return usage("--count, --top and --chunksize must not be negative");
    }

    // Sample inputs are made on another thread while the workers start: 100,000 of them and
    // their bookkeeping took 70 ms of C1-compiled code before the first spawn.
    boolean samples = input == null && structures == null && search == null;
    if (samples && chosen.sampleInputs(0, seed).isEmpty()) {
      return usage("task '" + task + "' has no sample inputs; give --input FILE");
    }
    List<InputFile.Line> inputs = null;
    try {
      if (!samples) {
        inputs = readInputs();
      }
    } catch (NoSuchFileException e) {
      return usage((e.getReason() == null ? "input file " : e.getReason() + ": ") + e.getFile()
          + " does not exist");
    } catch (IOException e) {
      return usage(input != null ? "cannot read " + input + ": " + e.getMessage() : e.getMessage());
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    switch (vectorApi) {
      case "auto" -> config.vectorApi(chosen.usesVectorApi()
          && (samples ? count : inputs.size()) >= VECTOR_API_MIN_INPUTS);
      case "on" -> config.vectorApi(true);
      case "off" -> config.vectorApi(false);
      default -> {
        return usage("--vector-api is auto, on or off, got '" + vectorApi + "'");
      }
    }
    boolean outputToStdout = "-".equals(output);
    PrintStream human = outputToStdout ? stderr : stdout;
    List<InputFile.Line> read = inputs;
    CompletableFuture<Job> job = CompletableFuture.supplyAsync(
        () -> Job.of(samples ? sampleLines(chosen) : read), runnable -> {
          Thread thread = new Thread(runnable, "jprocs-inputs");
          thread.setDaemon(true);
          thread.start();
        });
    try (OutputStream out = openOutput()) {
      return run(config, job, out, human);
    } catch (IOException e) {
      stderr.println("coordinator.sh: cannot write " + output + ": " + e.getMessage());
      return FAILED;
    }
  }

  /** The pool's settings from the options; the run's logs are added when the run starts. */
  private PoolConfig.Builder poolConfig() {
    if (procs < 1) {
      throw new IllegalArgumentException("--procs must be at least 1, got " + procs);
    }
    if (traceMaxChars < 0) {
      throw new IllegalArgumentException("--trace-max-chars must not be negative, got " + traceMaxChars);
    }
    PoolConfig.Builder builder = PoolConfig.builder();
    switch (mode) {
      case "processes" -> builder.mode(PoolConfig.Mode.PROCESSES);
      case "threads" -> builder.mode(PoolConfig.Mode.THREADS);
      default -> throw new IllegalArgumentException("--mode is processes or threads, got '" + mode + "'");
    }
    if (taskTimeout != null) {
      builder.taskTimeout(seconds(taskTimeout, "--task-timeout"));
    }
    if (!cluster.isEmpty()) {
      for (String option : List.of("--procs", "--mode")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
          throw new IllegalArgumentException("--cluster and " + option + " are two places for the"
              + " workers; choose one");
        }
      }
      builder.cluster(cluster).clusterName(clusterName)
          .clusterConnectTimeout(seconds(clusterTimeout, "--cluster-timeout"));
    }
    if (workerJava != null) {
      builder.java(workerJava);
    }
    return builder
        .procs(procs)
        .classpath(classpath)
        .jvmOptions(jvmOptions)
        .workerHeap(workerHeap)
        .maxAttempts(maxAttempts)
        .maxLineBytes(maxLineBytes)
        .maxTasksPerWorker(maxTasksPerWorker)
        .restartLimit(maxRestarts, seconds(restartWindow, "--restart-window"))
        .shutdownGrace(seconds(grace, "--grace"))
        .spareWorker(spareWorker);
  }

  /**
   * What a person sees of the workers as the run goes, on {@code human}: who started, who finished
   * with how much.
   */
  private static PoolEvents humanEvents(PrintStream human) {
    return new PoolEvents() {
      @Override
      public void workerReady(String workerId, long pid) {
        human.println("Started " + workerId + " (pid " + pid + ")");
      }

      @Override
      public void workerRetired(WorkerExit exit) {
        long records = exit.goodbye() == null ? 0 : exit.goodbye().items();
        human.println(exit.workerId() + " done with " + records + " records");
      }
    };
  }

  /**
   * The run's progress bar on stderr, when {@link #barWanted}. Asked for, it shows from the start;
   * otherwise after {@link ProgressDisplay#DELAY}.
   */
  private ProgressDisplay progressDisplay(long total) {
    boolean asked = Boolean.TRUE.equals(progress);
    int columns = terminals.stderrColumns() > 0 ? terminals.stderrColumns() : ProgressDisplay.DEFAULT_COLUMNS;
    return new ProgressDisplay(task, total, stderr, columns,
        asked ? java.time.Duration.ZERO : ProgressDisplay.DELAY);
  }

  /**
   * Whether the run shows a progress bar: --progress, or stderr is a terminal and --no-progress
   * was not given.
   */
  private boolean barWanted() {
    return Boolean.TRUE.equals(progress) || (progress == null && terminals.stderrColumns() > 0);
  }

  private static java.time.Duration seconds(double seconds, String option) {
    if (!(seconds > 0) || seconds > 1e9) {
      throw new IllegalArgumentException(option + " must be a positive number of seconds, got " + seconds);
    }
    return java.time.Duration.ofNanos(Math.round(seconds * 1e9));
  }

  /**
   * The lines of --input, or one per file of --structures or --search; samples are made by
   * {@link #sampleLines}.
   */
  private List<InputFile.Line> readInputs() throws IOException {
    if ((structures != null || search != null) && input != null) {
      throw new IllegalArgumentException("--input and --" + (search != null ? "search" : "structures")
          + " are two ways to give inputs; choose one");
    }
    if (structures != null) {
      return pathLines(StructureFiles.in(structures));
    }
    if (search != null) {
      return pathLines(searchStructures());
    }
    if (input.equals("-")) {
      return InputFile.read(new BufferedReader(
          new InputStreamReader(stdin, StandardCharsets.UTF_8)), "<stdin>");
    }
    try (BufferedReader reader = Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
      return InputFile.read(reader, input);
    }
  }

  /**
   * The task's {@code --count} sample inputs, as lines of a file without errors. Each line is
   * made when it is read: a run holds its inputs to the end, and a million lines held as records
   * were 32 MB of the 200 MB that outgrew the collector's first old generation (a full collection
   * of some 0.3 s in the middle of the run).
   */
  private List<InputFile.Line> sampleLines(Task chosen) {
    List<JsonNode> made = chosen.sampleInputs(count, seed).orElseThrow(); // call() checked
    // A task of the user's may make a list that is slow to index, such as a LinkedList.
    List<JsonNode> samples = made instanceof RandomAccess ? made : new ArrayList<>(made);
    return new AbstractList<>() {
      @Override
      public InputFile.Line get(int rank) {
        return new InputFile.Line(rank, 0, samples.get(rank), null);
      }

      @Override
      public int size() {
        return samples.size();
      }
    };
  }

  /**
   * A run's inputs: every line, and the valid ones to send with the rank each has among the lines
   * (ints: a million boxed ranks were some 20 MB held for the run).
   */
  private record Job(List<InputFile.Line> lines, List<JsonNode> valid, int[] lineRanks) {
    static Job of(List<InputFile.Line> lines) {
      List<JsonNode> valid = new ArrayList<>(lines.size());
      int[] lineRanks = new int[lines.size()];
      for (InputFile.Line line : lines) {
        if (line.error() == null) {
          lineRanks[valid.size()] = line.rank();
          valid.add(line.value());
        }
      }
      return new Job(lines, valid, Arrays.copyOf(lineRanks, valid.size()));
    }
  }

  /** Waits for the inputs being made; what went wrong making them is thrown as it was. */
  private static Job made(CompletableFuture<Job> job) {
    try {
      return job.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  private void logInputErrors(List<InputFile.Line> lines, RunLogs logs) {
    if (logs.events == null) {
      return;
    }
    for (InputFile.Line line : lines) {
      if (line.error() != null) {
        logs.events.inputError(inputName(), line.lineNumber(), line.rank(), line.error());
      }
    }
  }

  /** The --output buffer: a record of align is some 200 bytes. */
  private static final int OUTPUT_BUFFER_BYTES = 1 << 16;

  /**
   * One line of --output: {@code {"rank": R, field: value}}, the value's text copied as it is:
   * an output as its worker wrote it (building its tree to write it again made 100,000 aligns
   * end to end 1.81 s rather than 1.50; see Pool.results).
   */
  private static void writeRecord(OutputStream out, int rank, String field, JsonText value)
      throws IOException {
    out.write(("{\"rank\":" + rank + ",\"" + field + "\":").getBytes(StandardCharsets.UTF_8));
    value.writeTo(out);
    out.write('}');
    out.write('\n');
  }

  private static List<InputFile.Line> pathLines(List<Path> files) {
    List<InputFile.Line> lines = new ArrayList<>(files.size());
    for (Path file : files) {
      lines.add(new InputFile.Line(lines.size(), 0,
          TextNode.valueOf(file.toAbsolutePath().toString()), null));
    }
    return lines;
  }

  /** Runs the search before any worker starts; a network problem is the run's one-line error. */
  private List<Path> searchStructures() throws IOException {
    var finder = new dev.jprocs.coordinator.search.StructureSearch(eutilsUrl, rcsbUrl, cache,
        seconds(httpTimeout, "--http-timeout"));
    try {
      var found = finder.search(search, searchMax);
      stderr.printf("coordinator.sh: '%s' found %d PDB entries (%d downloaded, %d from %s)%n", search,
          found.pdbIds().size(), found.downloaded(), found.pdbIds().size() - found.downloaded(), cache);
      if (found.files().isEmpty()) {
        throw new IllegalArgumentException("--search '" + search + "' found no PDB entry");
      }
      return found.files();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during --search", e);
    }
  }

  private OutputStream openOutput() throws IOException {
    if (output == null) {
      return OutputStream.nullOutputStream();
    }
    if (output.equals("-")) {
      return new BufferedOutputStream(stdout, OUTPUT_BUFFER_BYTES) {
        @Override
        public void close() throws IOException {
          flush(); // stdout stays open for the report
        }
      };
    }
    return new BufferedOutputStream(Files.newOutputStream(Path.of(output)), OUTPUT_BUFFER_BYTES);
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

  private int run(PoolConfig.Builder builder, CompletableFuture<Job> job, OutputStream out,
      PrintStream human) throws IOException {
    ProgressDisplay bar = null;
    PrintStream systemErr = System.err;
    try {
      // Started after the inputs are made, so the bar's clock is the run's and it knows how many.
      bar = barWanted() ? progressDisplay(made(job).valid().size()) : null;
      if (bar != null) {
        if (human == stderr || terminals.stdoutIsTerminal()) {
          human = bar.guard(human); // the same terminal: each line erases the bar first
        }
        if (stderr == systemErr) {
          // The log's console appender writes to whatever System.err is at each write (logback's
          // ConsoleTarget), so its lines, worker stderr among them, erase the bar first too.
          System.setErr(bar.guard(systemErr));
        }
      }
      return run(builder, job, out, human, bar);
    } finally {
      if (bar != null) {
        bar.close();
        System.setErr(systemErr);
      }
    }
  }

  /**
   * Runs the job and prints its summary; {@code bar} (may be null) is closed once every outcome
   * is in, before the pool closes and the summary is printed.
   */
  private int run(PoolConfig.Builder builder, CompletableFuture<Job> job, OutputStream out,
      PrintStream human, ProgressDisplay bar) throws IOException {
    long started = System.nanoTime();
    Report report = Report.forTask(task, top);
    int failed = 0;
    String broken;
    int workers; // as the pool started: the procs, or the slots of the cluster's members
    RunDirectory runDirectory = createRunDirectory(); // before the workers, so they can log there
    RunLogs logs = openLogs(runDirectory);
    PoolConfig config;
    List<InputFile.Line> lines;
    int[] lineRanks; // the output rank of each valid input, by job rank
    try {
      config = builder
          .events(AllEvents.of(humanEvents(human), logs.events, logs.stderrFiles, bar))
          .pipeTracer(logs.trace == null ? frame -> { } : logs.trace)
          .tracePipes(tracePipes && logs.trace != null)
          .build();
      Pool pool;
      try {
        pool = Pool.start(config);
      } catch (WorkerStartException e) {
        logInputErrors(made(job).lines(), logs);
        closeBar(bar);
        stderr.println("coordinator.sh: " + (cluster.isEmpty() ? "a worker could not start: " : "")
            + e.getMessage());
        return FAILED;
      }
      workers = pool.workers().size();
      Job inputs = made(job); // made while the workers started
      lines = inputs.lines();
      lineRanks = inputs.lineRanks();
      List<JsonNode> valid = inputs.valid();
      logInputErrors(lines, logs);
      Interruption interruption = new Interruption(config);
      ControlServer control = startControl(runDirectory, pool, human);
      if (tracePipes && logs.trace != null) {
        human.println("Tracing every worker's pipe into " + runDirectory.traceDirectory()
            + " (scripts/pipes.sh --follow)");
      }
      int finished = 0;
      try (pool; control; interruption) { // control (may be null) closes first: no command reaches a closing pool
        Results results = pool.results(taskSpec(), valid, chunksize);
        int next = 0; // index into valid
        boolean writing = output != null; // else no record is made: 100,000 aligns took 0.1 s more
        for (InputFile.Line line : lines) {
          if (line.error() != null) {
            failed++;
            if (writing) {
              writeRecord(out, line.rank(), "error", JsonText.of(TextNode.valueOf(line.error())));
            }
            continue;
          }
          if (writing && !results.nextReady()) {
            out.flush(); // what is finished is on disk while we wait
          }
          TaskResult result = results.next();
          if (result.ok()) {
            finished++;
            report.add(new Report.Row(line.rank(), valid.get(next), result));
          } else {
            failed++;
          }
          next++;
          if (writing) {
            writeRecord(out, line.rank(), result.ok() ? "output" : "error", result.ok()
                ? result.outputJson() : JsonText.of(Codec.toTree(errorJson(result.failure()))));
          }
        }
        out.flush();
        closeBar(bar); // before the pool closes: workers' goodbyes print lines of their own
        broken = pool.brokenReason();
        if (interruption.happened()) {
          stderr.printf("coordinator.sh: interrupted: %d of %d inputs finished and written; the rest"
              + " were cancelled%n", finished, lines.size());
          return INTERRUPTED;
        }
      }
    } finally {
      logs.close(); // every event of the run is in the file after this
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    report.print(human, lines.size());
    human.printf("%d tasks on %d worker%s in %.2f s%n", lines.size(), workers,
        workers == 1 ? "" : "s", seconds);
    RunSummary summary = logs.summary();
    if (summary != null) {
      printWorkers(summary, runDirectory, human);
    }
    if (broken != null) {
      stderr.println("coordinator.sh: the run stopped early: " + broken);
    }
    if (failed > 0) {
      stderr.printf("%d of %d inputs failed:%n", failed, lines.size());
      printFailures(summary, failed, lineRanks);
      return FAILED;
    }
    return broken == null ? OK : FAILED;
  }

  private static void closeBar(ProgressDisplay bar) {
    if (bar != null) {
      bar.close();
    }
  }

  private String inputName() {
    return input == null ? "<samples>" : input.equals("-") ? "<stdin>" : input;
  }

  /** Deaths and the like, when there were any, from the event log. */
  private void printWorkers(RunSummary summary, RunDirectory run, PrintStream human) {
    if (summary.deaths().isEmpty() && summary.strayOutputs() == 0 && summary.lateResults() == 0) {
      return;
    }
    human.printf("%s, %s, %s, %s, %s%s%n", count(summary.deaths().size(), "worker death"),
        count(summary.restarts(), "restart"), count(summary.retries(), "retried chunk"),
        count(summary.strayOutputs(), "stray output"), count(summary.lateResults(), "late result"),
        run == null ? "" : " (" + run.events() + ")");
    for (RunSummary.Death death : summary.deaths()) {
      human.println("  " + Report.cut(death.describe().replace('\n', ' '), 200));
    }
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /**
   * Every failed input with its rank in the output and the reason, from the event log (whose
   * ranks are the job's: the bad input lines are not in the job); {@code failed} is how many
   * error records the output has.
   */
  private void printFailures(RunSummary summary, int failed, int[] lineRanks) {
    if (summary == null) {
      stderr.println("  (this run has no event log to list them from; each is in the output with its rank)");
      return;
    }
    java.util.TreeMap<Long, String> byRank = new java.util.TreeMap<>();
    for (RunSummary.FailedInput input : summary.failures()) {
      if (input.failure() == null) {
        byRank.put(input.rank(), "rank " + input.rank() + ": " + input.reason());
        continue;
      }
      TaskFailure f = input.failure();
      long rank = f.rank() < lineRanks.length ? lineRanks[(int) f.rank()] : f.rank();
      byRank.put(rank, new TaskFailure(f.kind(), f.task(), rank, f.exception(), f.message(),
          f.remoteTrace(), f.workerId(), f.pid(), f.attempts()).describe());
    }
    byRank.values().forEach(line -> stderr.println("  " + line));
    if (byRank.size() != failed) {
      stderr.println("  (the event log lists " + byRank.size() + " of them"
          + (summary.unreadableLines() > 0 ? "; it has unreadable lines" : "") + ")");
    }
  }

  /**
   * Ctrl-C or SIGTERM while the run goes on: the pool's own shutdown hook cancels what has not
   * started and lets the workers finish what they hold; this hook holds the JVM open until the
   * main thread has written what finished. The JVM then exits 130 (SIGINT) or 143 (SIGTERM).
   */
  private static final class Interruption implements AutoCloseable {
    private final java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean happened = new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread hook;

    Interruption(PoolConfig config) {
      long waitMillis = 2 * config.shutdownGrace().toMillis() + 5_000;
      hook = new Thread(() -> {
        happened.set(true);
        try {
          // Woken by close(), once the main thread has written every outcome.
          written.await(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "coordinator-interrupted");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean happened() {
      return happened.get();
    }

    @Override
    public void close() {
      written.countDown(); // wakes the hook, if the JVM is shutting down
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: the hook is running, and returns now.
      }
    }
  }

  // --- Operator control (scripts/workers.sh, package control): a run directory, its socket and
  // its logs. None is needed for the run itself: when one cannot be made, say so and run without it.

  private RunDirectory createRunDirectory() {
    try {
      return RunDirectory.create(logs);
    } catch (IOException | UnsupportedOperationException e) {
      stderr.println("coordinator.sh: warning: cannot create a run directory under " + logs + " ("
          + e + "); this run has no control socket for scripts/workers.sh, and no logs"
          + (tracePipes ? " (so no pipe trace)" : ""));
      return null;
    }
  }

  /**
   * The run's logs: its event log, each worker's stderr and the pipe traces, in the run
   * directory. Without one, the event log (which the summary is read from) goes to a temporary
   * file, deleted at the end, and the rest is not kept; without even that, nothing is.
   */
  private RunLogs openLogs(RunDirectory run) {
    RunLogs logs = new RunLogs();
    try {
      if (run != null) {
        logs.events = EventLog.open(run.events());
        logs.stderrFiles = new WorkerStderrFiles(run.path());
        logs.trace = new TraceLog(run.traceDirectory(), traceMaxChars);
      } else {
        logs.temporary = Files.createTempFile("jprocs-events-", ".jsonl");
        logs.events = EventLog.open(logs.temporary);
      }
    } catch (IOException e) {
      stderr.println("coordinator.sh: warning: cannot open the event log (" + e + "); the run goes on"
          + " without it");
    }
    return logs;
  }

  /** The logs a run writes; each may be null. */
  private final class RunLogs implements AutoCloseable {
    EventLog events;
    WorkerStderrFiles stderrFiles;
    TraceLog trace;
    Path temporary;

    /** Closes the files, the event log last after the rest, so it has everything. */
    @Override
    public void close() {
      if (trace != null) {
        trace.close();
      }
      if (stderrFiles != null) {
        stderrFiles.close();
      }
      if (events != null) {
        events.close();
      }
    }

    /** The summary read back from the closed event log; null when there is none to read. */
    RunSummary summary() {
      if (events == null) {
        return null;
      }
      try {
        if (events.failure() != null) {
          stderr.println("coordinator.sh: warning: the event log " + events.file() + " stopped early ("
              + events.failure() + "); the summary below may be incomplete");
        }
        return RunSummary.read(events.file());
      } catch (IOException e) {
        stderr.println("coordinator.sh: warning: cannot read the event log back (" + e + ")");
        return null;
      } finally {
        if (temporary != null) {
          try {
            Files.deleteIfExists(temporary);
          } catch (IOException e) {
            stderr.println("coordinator.sh: warning: cannot delete " + temporary + " (" + e + ")");
          }
        }
      }
    }
  }

  /** Starts the control socket and prints where the run is; null when there is none. */
  private ControlServer startControl(RunDirectory run, Pool pool, PrintStream human) {
    if (run == null) {
      return null;
    }
    try {
      ControlServer control = ControlServer.start(run, pool);
      human.println("Run " + run.runId() + ": " + run.path() + " (scripts/workers.sh list)");
      return control;
    } catch (IOException e) {
      stderr.println("coordinator.sh: warning: " + e.getMessage()
          + "; scripts/workers.sh cannot reach this run");
      human.println("Run " + run.runId() + ": " + run.path());
      return null;
    }
  }
  // --- end of operator control

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
