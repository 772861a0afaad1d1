package dev.jprocs.coordinator.cli;

import dev.jprocs.coordinator.control.RunDirectory;
import dev.jprocs.coordinator.logs.TraceReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scripts/pipes.sh}: the pipe traffic of a run, one line per frame, read from the trace
 * files in its run directory ({@link dev.jprocs.coordinator.logs.TraceLog}), for the latest run
 * by default and, with {@code --follow}, as it goes on. Exit status 0 when it read the traces
 * (even if no frame matched), 1 when there is no such run or it has no traces, 2 for a bad
 * command line.
 */
@Command(name = "pipes.sh", mixinStandardHelpOptions = true, version = "jprocs 0.1.0",
    usageHelpAutoWidth = true, sortOptions = false,
    description = {"Shows what crossed the workers' pipes in a coordinator run, one line per frame in time"
        + " order: time of day, worker, -> to it or <- from it, type, task, rank, size, start of the line.",
        "Frames are recorded with scripts/coordinator.sh --trace-pipes, or for one worker of a running"
            + " coordinator with scripts/workers.sh trace N on.", ""},
    footer = {"", "The trace files are JSON Lines (RUN/trace/worker-N.jsonl), for jq; see the README.",
        "Exit status: 0 read; 1 no such run, or it has no trace; 2 bad command line.", ""})
public final class PipesCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  /** How much of each line is shown. */
  static final int PAYLOAD_CHARS = 80;
  /** How often --follow looks for more. */
  static final long FOLLOW_POLL_MILLIS = 200;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());

  @Parameters(index = "0", arity = "0..1", paramLabel = "RUN",
      description = "A run id under the logs root, or a run directory (default: the latest run).")
  String run;

  @Option(names = "--worker", paramLabel = "N", description = "Only worker N (slot number or id).")
  String worker;

  @Option(names = "--type", paramLabel = "T",
      description = "Only messages of type T (hello, task, result, shutdown, goodbye, fault... as in PROTOCOL.md),"
          + " or ? for a line that did not decode.")
  String type;

  @Option(names = "--task", paramLabel = "ID", description = "Only the frames of task ID (its task and result).")
  Long taskId;

  @Option(names = {"-f", "--follow"}, description = "Keep showing frames as they come, until interrupted (Ctrl-C).")
  boolean follow;

  @Option(names = "--logs", paramLabel = "DIR", defaultValue = "${env:JPROCS_LOGS:-logs}",
      description = "Logs root the coordinator was given (default: $JPROCS_LOGS, else ./logs; now ${DEFAULT-VALUE}).")
  Path logs;

  private final PrintStream stdout;
  private final PrintStream stderr;

  PipesCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line and returns its exit status. */
  static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    CommandLine cli = new CommandLine(new PipesCommand(stdout, stderr));
    cli.setOut(new PrintWriter(stdout, true));
    cli.setErr(new PrintWriter(stderr, true));
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      stderr.println("pipes.sh: " + e.getMessage() + " (see --help)");
      return USAGE;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    String workerId = null;
    if (worker != null) {
      try {
        workerId = WorkersCommand.workerId(worker);
      } catch (WorkersCommand.Failure e) {
        stderr.println("pipes.sh: --worker: " + e.getMessage());
        return USAGE;
      }
    }
    Path runDir;
    try {
      runDir = RunDirectory.find(logs, run);
    } catch (IOException e) {
      stderr.println("pipes.sh: " + e.getMessage());
      return FAILED;
    }
    TraceReader reader = new TraceReader(runDir.resolve(RunDirectory.TRACE));
    // The output is buffered and flushed after each read: a trace may hold millions of frames.
    PrintStream out = new PrintStream(new BufferedOutputStream(stdout, 1 << 16), false, StandardCharsets.UTF_8);
    String only = workerId;
    long[] shown = {0};
    java.util.Set<String> types = new java.util.TreeSet<>(); // for the hint when --type matched nothing
    Consumer<TraceReader.Record> print = record -> {
      types.add(record.type());
      if (matches(record, only)) {
        out.println(format(record));
        shown[0]++;
      }
    };
    try {
      if (!reader.hasFiles()) {
        String none = "run " + runDir.getFileName() + " has no pipe trace (" + runDir.resolve(RunDirectory.TRACE)
            + " holds no worker-N.jsonl)";
        if (!follow) {
          stderr.println("pipes.sh: " + none + ": its pipes were not traced. Trace a whole run with"
              + " scripts/coordinator.sh --trace-pipes, or one worker of a running coordinator with"
              + " scripts/workers.sh trace N on");
          return FAILED;
        }
        stderr.println("pipes.sh: " + none + " yet; waiting for frames (scripts/workers.sh trace N on"
            + " switches a worker's tracing on)");
      }
      reader.readAll(print);
      out.flush();
      if (follow) {
        return follow(reader, print, out);
      }
    } catch (IOException e) {
      out.flush();
      stderr.println("pipes.sh: cannot read the trace of run " + runDir.getFileName() + ": " + e);
      return FAILED;
    }
    if (reader.unreadableLines() > 0) {
      stderr.println("pipes.sh: skipped " + reader.unreadableLines() + " lines that are not frames");
    }
    if (shown[0] == 0) {
      stderr.println("pipes.sh: no frame of run " + runDir.getFileName() + " matches"
          + (type != null && !types.contains(type) ? "; its frames' types are " + String.join(", ", types) : ""));
    }
    return OK;
  }

  /** Shows new frames every {@link #FOLLOW_POLL_MILLIS} until interrupted or stdout is closed. */
  private int follow(TraceReader reader, Consumer<TraceReader.Record> print, PrintStream out)
      throws IOException {
    while (true) {
      try {
        Thread.sleep(FOLLOW_POLL_MILLIS); // polling: files written by another process
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OK;
      }
      try {
        reader.readNew(print);
      } catch (java.nio.channels.ClosedByInterruptException e) {
        out.flush(); // interrupted in the middle of a read: what was read is shown
        return OK;
      }
      if (out.checkError()) { // flushes; true once the reader of stdout has gone (pipes.sh | head)
        return OK;
      }
    }
  }

  private boolean matches(TraceReader.Record record, String workerId) {
    return (workerId == null || record.workerId().equals(workerId))
        && (type == null || record.type().equals(type))
        && (taskId == null || record.taskId() == taskId);
  }

  /**
   * One frame for a person:
   * {@code 01:30:43.123456  worker-0   ->  task      task 12     rank 40        1234 B  {"type":...}}.
   */
  static String format(TraceReader.Record record) {
    return String.format(Locale.ROOT, "%s  %-9s  %s  %-8s  %-10s  %-11s  %10s  %s",
        TIME.format(record.time()), record.workerId(), record.direction(), record.type(),
        record.taskId() >= 0 ? "task " + record.taskId() : "",
        record.rank() >= 0 ? "rank " + record.rank() : "",
        record.bytes() + " B", payload(record));
  }

  /** The start of the line, control characters as {@code \xNN}, with "..." when there is more. */
  static String payload(TraceReader.Record record) {
    String line = record.line();
    boolean more = record.cut() || line.codePointCount(0, line.length()) > PAYLOAD_CHARS;
    StringBuilder shown = new StringBuilder(PAYLOAD_CHARS + 8);
    line.codePoints().limit(PAYLOAD_CHARS).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        shown.append(String.format(Locale.ROOT, "\\x%02x", c));
      } else {
        shown.appendCodePoint(c);
      }
    });
    return more ? shown.append("...").toString() : shown.toString();
  }
}
