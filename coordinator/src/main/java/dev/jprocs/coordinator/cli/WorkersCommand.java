package dev.jprocs.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.control.ControlClient;
import dev.jprocs.coordinator.control.RunDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code scripts/workers.sh}: looks at and acts on the workers of a running coordinator through
 * its control socket ({@link dev.jprocs.coordinator.control.ControlServer}). Each subcommand is
 * one request; exit status 0 when it was carried out, 1 when not (no run, run ended, bad worker),
 * 2 for a bad command line.
 */
@Command(name = "workers.sh", mixinStandardHelpOptions = true, version = "jprocs 0.1.0",
    usageHelpAutoWidth = true,
    description = {"Lists, restarts, kills or traces the workers of a running coordinator (scripts/coordinator.sh).", ""},
    footer = {"", "N is a worker's slot number (1) or id (worker-1).",
        "Exit status: 0 done; 1 no such run, the run has ended, or no such worker; 2 bad command line.", ""})
public final class WorkersCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  // INHERIT: the options may come after the subcommand too (workers.sh list --run ID).
  @Option(names = "--logs", paramLabel = "DIR", defaultValue = "${env:JPROCS_LOGS:-logs}", scope = ScopeType.INHERIT,
      description = "Logs root the coordinator was given (default: $JPROCS_LOGS, else ./logs; now ${DEFAULT-VALUE}).")
  Path logs;

  @Option(names = "--run", paramLabel = "RUN", scope = ScopeType.INHERIT,
      description = "A run id under the logs root, or the path of a run directory (default: the latest run).")
  String run;

  private final PrintStream stdout;
  private final PrintStream stderr;

  WorkersCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line and returns its exit status. */
  static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    CommandLine cli = new CommandLine(new WorkersCommand(stdout, stderr));
    cli.setOut(new PrintWriter(stdout, true));
    cli.setErr(new PrintWriter(stderr, true));
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      stderr.println("workers.sh: " + e.getMessage() + " (see --help)");
      return USAGE;
    });
    cli.setExecutionExceptionHandler((e, ignoredCli, ignoredResult) -> {
      if (e instanceof Failure) {
        stderr.println("workers.sh: " + e.getMessage());
        return FAILED;
      }
      throw e;
    });
    return cli.execute(args);
  }

  /** No subcommand given. */
  @Override
  public Integer call() {
    stderr.println("workers.sh: give a command: list, restart N, kill N or trace N on|off (see --help)");
    return USAGE;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "For each worker: id, pid, state, inputs done and held, restarts, uptime, memory (RSS).")
  int list() {
    JsonNode response = send(Map.of("command", "list"));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"worker", "pid", "state", "done", "held", "restarts", "uptime", "rss"});
    for (JsonNode w : response.path("workers")) {
      rows.add(row(w));
    }
    printTable(rows);
    return OK;
  }

  /**
   * One worker of a list answer as a table row. A cluster slot's pid is its member's, on another
   * machine: it reads {@code 1234@10.0.0.2:5701}, and its rss, which this machine cannot see, "-".
   */
  static String[] row(JsonNode w) {
    boolean remote = w.path("member").isTextual();
    String rss = remote ? "-" : w.path("rssBytes").isNumber() ? megabytes(w.path("rssBytes").asLong()) : "?";
    return new String[] {w.path("worker").asText(), pid(w), w.path("state").asText(),
        w.path("itemsDone").asText(), w.path("itemsHeld").asText(), w.path("restarts").asText(),
        uptime(w.path("uptimeMillis").asLong()), rss};
  }

  /** "1234", or "1234@10.0.0.2:5701" for a cluster slot. */
  private static String pid(JsonNode w) {
    return w.path("pid").asText() + (w.path("member").isTextual() ? "@" + w.path("member").asText() : "");
  }

  @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restarts worker N gracefully: it gets no more work, finishes what it holds, exits and is replaced.")
  int restart(@Parameters(paramLabel = "N", description = "slot number or worker id") String worker) {
    JsonNode response = send(Map.of("command", "restart", "worker", workerId(worker)));
    stdout.printf("Restarting %s (pid %s): it takes no more work, finishes its %d held input%s,"
            + " then a new process takes its slot%n", response.path("worker").asText(),
        pid(response), response.path("itemsHeld").asInt(),
        response.path("itemsHeld").asInt() == 1 ? "" : "s");
    return OK;
  }

  @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kills worker N at once (SIGKILL); the inputs it held go to other workers and it is replaced.")
  int kill(@Parameters(paramLabel = "N", description = "slot number or worker id") String worker) {
    JsonNode response = send(Map.of("command", "kill", "worker", workerId(worker)));
    boolean remote = response.path("member").isTextual();
    stdout.printf("Killed %s (pid %s%s); its %d held input%s go%s to other workers and a new %s"
            + " takes its slot%n", response.path("worker").asText(), pid(response),
        remote ? ": only the slot, the member keeps running" : "",
        response.path("itemsHeld").asInt(), response.path("itemsHeld").asInt() == 1 ? "" : "s",
        response.path("itemsHeld").asInt() == 1 ? "es" : "", remote ? "slot on that member" : "process");
    return OK;
  }

  @Command(name = "trace", mixinStandardHelpOptions = true, description = {
      "Switches the tracing of worker N's pipe on or off: every line each way goes to the run's"
          + " trace/worker-N.jsonl, for this process and the ones that replace it (scripts/pipes.sh"
          + " shows them). Without on|off, says whether it is on."})
  int trace(@Parameters(index = "0", paramLabel = "N", description = "slot number or worker id") String worker,
      @Parameters(index = "1", arity = "0..1", paramLabel = "on|off", description = "on or off") Switch state) {
    Map<String, Object> request = new java.util.LinkedHashMap<>();
    request.put("command", "trace");
    request.put("worker", workerId(worker));
    if (state != null) {
      request.put("on", state == Switch.on);
    }
    JsonNode response = send(request);
    String workerId = response.path("worker").asText();
    boolean tracing = response.path("tracing").asBoolean();
    String was = state == null || response.path("was").asBoolean() == tracing ? ""
        : " (it was " + (response.path("was").asBoolean() ? "on" : "off") + ")";
    if (tracing) {
      stdout.printf("Tracing %s (pid %d) is on%s: scripts/pipes.sh --worker %s --follow%n", workerId,
          response.path("pid").asLong(), was, workerId.substring("worker-".length()));
    } else {
      stdout.printf("Tracing %s (pid %d) is off%s%n", workerId, response.path("pid").asLong(), was);
    }
    return OK;
  }

  /** The second argument of {@code trace}; lower case, as it is typed. */
  enum Switch { on, off }

  /** {@code 1} or {@code worker-1} → {@code worker-1}. */
  static String workerId(String n) {
    if (n.matches("\\d{1,9}")) {
      return "worker-" + Integer.parseInt(n);
    }
    if (n.matches("worker-\\d{1,9}")) {
      return n;
    }
    throw new Failure("N is a worker's slot number (1) or id (worker-1), not '" + n + "'");
  }

  /** Sends one request to the chosen run; the response is ok, or this throws {@link Failure}. */
  private JsonNode send(Map<String, ?> request) {
    Path runDir;
    try {
      runDir = RunDirectory.find(logs, run);
    } catch (IOException e) {
      throw new Failure(e.getMessage());
    }
    String name = "run " + runDir.getFileName();
    Path socket = runDir.resolve(RunDirectory.CONTROL_SOCKET);
    if (!Files.exists(socket)) {
      throw new Failure(name + " has no control socket (" + socket + "): the run has ended,"
          + " or its control endpoint did not start");
    }
    JsonNode response;
    try {
      response = ControlClient.call(socket, request, ControlClient.DEFAULT_TIMEOUT);
    } catch (SocketTimeoutException e) {
      throw new Failure(name + " did not answer within " + ControlClient.DEFAULT_TIMEOUT.toSeconds()
          + " s (" + socket + ")");
    } catch (SocketException e) {
      throw new Failure("cannot reach " + name + " at " + socket + " (" + e.getMessage()
          + "): the run may have ended");
    } catch (IOException e) {
      throw new Failure(name + " gave no answer (" + e.getMessage() + " at " + socket
          + "): the run may be ending");
    }
    if (!response.path("ok").asBoolean(false)) {
      throw new Failure(name + ": " + response.path("error").asText("no reason given: " + response));
    }
    return response;
  }

  /** {@code 12.3 s} under a minute, {@code 4m05s} under an hour, else {@code 2h07m}. */
  static String uptime(long millis) {
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60);
  }

  /** {@code 48.2 MB} (decimal megabytes), {@code 1.3 GB} from a thousand MB on. */
  static String megabytes(long bytes) {
    if (bytes < 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
  }

  /** Columns two spaces apart; text columns (worker, state) left-aligned, numbers right. */
  private void printTable(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        boolean left = c == 0 || c == 2;
        String format = "%" + (left ? "-" : "") + width[c] + "s";
        line.append(c == 0 ? "" : "  ").append(String.format(format, row[c]));
      }
      stdout.println(line.toString().stripTrailing());
    }
  }

  /** A request that could not be carried out: one line for the operator, exit status 1. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }
}
