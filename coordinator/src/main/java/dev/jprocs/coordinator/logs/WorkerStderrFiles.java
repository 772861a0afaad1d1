package dev.jprocs.coordinator.logs;

import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.control.RunDirectory;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each worker process's stderr in its own file of the run directory,
 * {@code worker-N.<pid>.stderr.log}, line by line as it comes: flushed per line, since stderr is
 * little and a person may be reading it with {@code tail -f}. A process's file is opened by its
 * first line and closed when the process is gone ({@link #workerRetired}, {@link #workerDied});
 * a line that comes later still (its stderr thread drains after the exit is noticed) reopens it
 * for appending.
 *
 * <p>Threads: {@link #workerStderr} runs on the worker's {@code worker-N-stderr} thread (and on its
 * {@code worker-N-stdout} thread for a line its JVM logged on stdout), the two
 * ends on the supervisor; each file is guarded by its own writer's monitor. The first I/O error
 * is logged once (WARN) and these files stop there; nothing is thrown into the pool.
 */
public final class WorkerStderrFiles implements PoolEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerStderrFiles.class);

  private final Path runDirectory;
  private final Map<String, StderrFile> open = new ConcurrentHashMap<>(); // by "workerId.pid"
  private final AtomicBoolean failed = new AtomicBoolean();
  private volatile boolean closed;

  /** Writes into {@code runDirectory}, which must exist. */
  public WorkerStderrFiles(Path runDirectory) {
    this.runDirectory = runDirectory;
  }

  /** The file of worker process {@code pid} in slot {@code workerId}. */
  public Path file(String workerId, long pid) {
    return RunDirectory.stderrLog(runDirectory, workerId, pid);
  }

  @Override
  public void workerStderr(String workerId, long pid, String line) {
    if (closed || failed.get()) {
      return;
    }
    try {
      while (true) {
        StderrFile file = open.computeIfAbsent(workerId + "." + pid, key -> openFile(workerId, pid));
        synchronized (file) { // against closeFile, when the process's end is noticed meanwhile
          if (file.closed) {
            continue; // closed under us: open it again, for appending
          }
          file.out.write(line);
          file.out.write('\n');
          file.out.flush();
          return;
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      fail(e);
    }
  }

  private StderrFile openFile(String workerId, long pid) {
    try {
      return new StderrFile(Files.newBufferedWriter(file(workerId, pid), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One open file; {@code closed} once {@link #closeFile} has closed it. Guarded by itself. */
  private static final class StderrFile {
    final Writer out;
    boolean closed;

    StderrFile(Writer out) {
      this.out = out;
    }
  }

  @Override
  public void workerRetired(WorkerExit exit) {
    closeFile(exit.workerId() + "." + exit.pid());
  }

  @Override
  public void workerDied(WorkerExit exit, String description) {
    closeFile(exit.workerId() + "." + exit.pid());
  }

  private void closeFile(String key) {
    StderrFile file = open.remove(key);
    if (file == null) {
      return; // it wrote nothing
    }
    synchronized (file) {
      file.closed = true;
      try {
        file.out.close();
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  private void fail(Exception e) {
    if (failed.compareAndSet(false, true)) {
      log.warn("worker stderr files in {} stopped at an I/O error; workers' stderr is no longer"
          + " written there: {}", runDirectory, e.toString());
    }
  }

  /** Closes the files of processes still running; later lines are dropped. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (String key : new ArrayList<>(open.keySet())) {
      closeFile(key);
    }
  }
}
