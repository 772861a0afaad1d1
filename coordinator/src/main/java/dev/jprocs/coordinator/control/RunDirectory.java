package dev.jprocs.coordinator.control;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * One coordinator run's directory, {@code <root>/<runId>/}, readable and writable by its owner
 * only, and the {@code <root>/latest} link that names the newest run.
 *
 * <pre>
 *  &lt;root&gt;/                      --logs DIR, default $JPROCS_LOGS or ./logs
 *    latest -&gt; 20261122-013012-4711   symlink, replaced atomically by each new run
 *    20261122-013012-4711/      rwx------  (UTC start time, coordinator pid)
 *      control.sock             rw-------  {@link ControlServer}; deleted when the run ends
 *      events.jsonl             what happened to workers and tasks, one JSON object a line
 *                               ({@link dev.jprocs.coordinator.logs.EventLog})
 *      worker-0.41233.stderr.log   one worker process's stderr, as it came
 *                               ({@link dev.jprocs.coordinator.logs.WorkerStderrFiles})
 *      trace/worker-0.jsonl     every frame through slot worker-0's pipe while traced, and its
 *      trace/worker-0.1.jsonl   rolled archives, .1 the newest ({@link dev.jprocs.coordinator.logs.TraceLog})
 * </pre>
 *
 * <p>Whatever a run writes for its operator (control socket, logs) goes in its directory, under a
 * name defined here, so that {@code scripts/workers.sh} and the coordinator agree on it.
 */
public final class RunDirectory {
  /** The link to the newest run, and the name a client gives for it. */
  public static final String LATEST = "latest";
  /** The control socket's file name in a run directory. */
  public static final String CONTROL_SOCKET = "control.sock";
  /** The event log's file name in a run directory. */
  public static final String EVENTS = "events.jsonl";
  /** The directory of the pipe traces in a run directory. */
  public static final String TRACE = "trace";

  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path root;
  private final String runId;
  private final Path path;

  private RunDirectory(Path root, String runId) {
    this.root = root;
    this.runId = runId;
    this.path = root.resolve(runId);
  }

  /**
   * Creates a new run directory under {@code root} (made if missing), owner-only, and points
   * {@code root/latest} at it. The run id is the UTC time and this process's pid, with a suffix
   * {@code -2}, {@code -3}... when one process starts several runs in a second.
   *
   * @throws IOException when the directory or the link cannot be made
   */
  public static RunDirectory create(Path root) throws IOException {
    Files.createDirectories(root);
    String base = RUN_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + ProcessHandle.current().pid();
    for (int n = 1; ; n++) {
      RunDirectory run = new RunDirectory(root, n == 1 ? base : base + "-" + n);
      try {
        // createDirectory is atomic: of two runs racing for one id, one gets it and the other
        // tries the next suffix.
        Files.createDirectory(run.path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      Files.setPosixFilePermissions(run.path, OWNER_ONLY); // the umask may have taken bits off
      run.pointLatestHere();
      return run;
    }
  }

  /**
   * Replaces {@code root/latest} with a relative link to this run, atomically: a reader sees the
   * old link or the new one, never none. Relative, so the logs root can be moved as a whole.
   */
  private void pointLatestHere() throws IOException {
    Path temporary = root.resolve("." + LATEST + "-" + runId);
    Files.deleteIfExists(temporary);
    Files.createSymbolicLink(temporary, Path.of(runId));
    Files.move(temporary, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Finds the directory of an existing run, for a client: {@code run} null or {@code "latest"}
   * follows {@code root/latest}; otherwise it is a run id under {@code root} or the path of a run
   * directory. Does not check that the run is still going.
   *
   * @throws FileNotFoundException saying what was looked for, when there is no such directory
   */
  public static Path find(Path root, String run) throws IOException {
    if (run == null || run.equals(LATEST)) {
      Path latest = root.resolve(LATEST);
      if (!Files.exists(latest, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileNotFoundException("no run found: " + latest + " does not exist (has a"
            + " coordinator run with this logs root? give --logs DIR or set JPROCS_LOGS)");
      }
      if (!Files.isDirectory(latest)) {
        throw new FileNotFoundException("no run found: " + latest + " points at "
            + root.resolve(Files.readSymbolicLink(latest)) + ", which is not a directory");
      }
      return latest.toRealPath();
    }
    Path underRoot = root.resolve(run);
    if (!run.contains("/") && Files.isDirectory(underRoot)) {
      return underRoot.toRealPath();
    }
    Path asGiven = Path.of(run);
    if (Files.isDirectory(asGiven)) {
      return asGiven.toRealPath();
    }
    throw new FileNotFoundException("no run '" + run + "': neither " + underRoot + " nor "
        + asGiven.toAbsolutePath() + " is a directory");
  }

  /** The logs root this run is under. */
  public Path root() {
    return root;
  }

  /** The run's id, its directory's name, for example {@code 20261122-013012-4711}. */
  public String runId() {
    return runId;
  }

  /** The run's directory, {@code root/runId}. */
  public Path path() {
    return path;
  }

  /** Where this run's {@link ControlServer} listens. */
  public Path controlSocket() {
    return path.resolve(CONTROL_SOCKET);
  }

  /** This run's event log. */
  public Path events() {
    return path.resolve(EVENTS);
  }

  /** The directory of this run's pipe traces; made by the first traced frame. */
  public Path traceDirectory() {
    return path.resolve(TRACE);
  }

  /** The stderr log of worker process {@code pid} in slot {@code workerId}, in run directory {@code run}. */
  public static Path stderrLog(Path run, String workerId, long pid) {
    return run.resolve(workerId + "." + pid + ".stderr.log");
  }

  @Override
  public String toString() {
    return "run " + runId + " (" + path + ")";
  }
}
