package dev.jprocs.coordinator.logs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.coordinator.Frame;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.protocol.Codec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log of a run, {@code events.jsonl}: one JSON object a line for everything that
 * happens to workers and tasks, each with {@code time} (UTC, to the microsecond) and
 * {@code event}, then its fields:
 *
 * <pre>
 *  spawned       worker pid                  a process started in a slot (restart: one that replaces another)
 *  restart       worker pid restarts
 *  ready         worker pid                  it said hello
 *  task sent     worker pid taskId task rank count attempt
 *  result        worker pid taskId attempt outputs errors
 *  late result   worker pid taskId attempt   an answer to a written-off attempt, dropped
 *  retry         taskId task rank count reason
 *  sentinel      worker pid
 *  goodbye       worker pid exitCode tasks items errors
 *  death         worker pid exitCode status [signal] [problem] stderrTail[] lastFrames[] description
 *  stray output  worker pid length bytes (base64 of the start) excerpt
 *  error | lost | refused | cancelled        one input without an output (TaskFailure.Kind):
 *                task rank [worker pid] attempts [exception] message [trace]
 *  input error   source line rank message    an input line that never reached the pool
 *  pool broken   reason
 * </pre>
 *
 * <p>{@code rank} is the rank in the job (for a chunk, of its first input). {@link RunSummary}
 * reads the file back at the end of a run.
 *
 * <p>Threads: the {@link PoolEvents} methods are called on the pool's threads, sometimes under
 * its scheduling lock; each builds its event and queues it, never blocking. One daemon thread,
 * {@code jprocs-events}, writes them in order and flushes whenever the queue is empty, so a
 * reader of the file lags by at most what is queued. Nothing is thrown into the pool: the first
 * I/O error is logged once (WARN) and the log stops there ({@link #failure()}).
 */
public final class EventLog implements PoolEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  /** How much of a stray line the event keeps, as bytes (base64) and as an excerpt. */
  static final int STRAY_BYTES = 1024;
  /** How much of each of a dead worker's last frames the event keeps. */
  static final int FRAME_CHARS = 200;

  /** One event and when it happened; its time is formatted on the writer thread, off the pool's. */
  private record Queued(Instant time, ObjectNode event) {}

  /** Tells the writer that {@link #close()} was called and everything before it is queued. */
  private static final Queued END = new Queued(Instant.EPOCH, JsonNodeFactory.instance.objectNode());

  private final Path file;
  private final Writer out;
  private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;
  private volatile IOException failure;

  private EventLog(Path file, Writer out) {
    this.file = file;
    this.out = out;
    this.writer = new Thread(this::writeLoop, "jprocs-events");
    writer.setDaemon(true);
  }

  /**
   * Opens {@code file} for appending (creating it) and starts the writer thread.
   *
   * @throws IOException when the file cannot be opened
   */
  public static EventLog open(Path file) throws IOException {
    Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    EventLog events = new EventLog(file, out);
    events.writer.start();
    return events;
  }

  /** The file this log writes. */
  public Path file() {
    return file;
  }

  /** The I/O error that stopped this log, or null while it works: then the file is incomplete. */
  public IOException failure() {
    return failure;
  }

  // --- Events ---------------------------------------------------------------------------------

  @Override
  public void workerSpawned(String workerId, long pid, int restarts) {
    ObjectNode event = worker(restarts > 0 ? "restart" : "spawned", workerId, pid);
    if (restarts > 0) {
      event.put("restarts", restarts);
    }
    queue(event);
  }

  @Override
  public void workerReady(String workerId, long pid) {
    queue(worker("ready", workerId, pid));
  }

  @Override
  public void taskSent(String workerId, long pid, long taskId, String task, long firstRank,
      int count, int attempt) {
    queue(worker("task sent", workerId, pid).put("taskId", taskId).put("task", task)
        .put("rank", firstRank).put("count", count).put("attempt", attempt));
  }

  @Override
  public void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
      int errors) {
    queue(worker("result", workerId, pid).put("taskId", taskId).put("attempt", attempt)
        .put("outputs", outputs).put("errors", errors));
  }

  @Override
  public void lateResultDropped(String workerId, long pid, long taskId, int attempt) {
    queue(worker("late result", workerId, pid).put("taskId", taskId).put("attempt", attempt));
  }

  @Override
  public void inputFailed(TaskFailure failure) {
    ObjectNode event = event(kindEvent(failure.kind()))
        .put("task", failure.task())
        .put("rank", failure.rank());
    if (failure.workerId() != null) {
      event.put("worker", failure.workerId()).put("pid", failure.pid());
    }
    event.put("attempts", failure.attempts());
    if (failure.exception() != null) {
      event.put("exception", failure.exception());
    }
    if (failure.message() != null) {
      event.put("message", failure.message());
    }
    if (failure.remoteTrace() != null && !failure.remoteTrace().isEmpty()) {
      event.put("trace", failure.remoteTrace());
    }
    queue(event);
  }

  /** The event name of a failure kind: error, lost, refused, cancelled. */
  static String kindEvent(TaskFailure.Kind kind) {
    return switch (kind) {
      case TASK_ERROR -> "error";
      case WORKER_DIED -> "lost";
      case INPUT_REFUSED -> "refused";
      case CANCELLED -> "cancelled";
    };
  }

  @Override
  public void taskRetried(long taskId, String task, long firstRank, int count, String reason) {
    queue(event("retry").put("taskId", taskId).put("task", task).put("rank", firstRank)
        .put("count", count).put("reason", reason));
  }

  @Override
  public void sentinelSent(String workerId, long pid) {
    queue(worker("sentinel", workerId, pid));
  }

  @Override
  public void workerRetired(WorkerExit exit) {
    ObjectNode event = worker("goodbye", exit.workerId(), exit.pid()).put("exitCode", exit.exitCode());
    if (exit.goodbye() != null) {
      event.put("tasks", exit.goodbye().tasks()).put("items", exit.goodbye().items())
          .put("errors", exit.goodbye().errors());
    }
    queue(event);
  }

  @Override
  public void workerDied(WorkerExit exit, String description) {
    ObjectNode event = worker("death", exit.workerId(), exit.pid())
        .put("exitCode", exit.exitCode())
        .put("status", exit.status());
    if (exit.signal() != null) {
      event.put("signal", exit.signal());
    }
    if (exit.problem() != null) {
      event.put("problem", exit.problem());
    }
    ArrayNode stderr = event.putArray("stderrTail");
    exit.stderrTail().forEach(stderr::add);
    ArrayNode frames = event.putArray("lastFrames");
    for (Frame frame : exit.lastFrames()) {
      ObjectNode row = frames.addObject()
          .put("time", LogTime.format(frame.time()))
          .put("dir", frame.direction().arrow())
          .put("type", frame.type());
      if (frame.taskId() >= 0) {
        row.put("taskId", frame.taskId());
      }
      if (frame.rank() >= 0) {
        row.put("rank", frame.rank());
      }
      LineText.Cut excerpt = LineText.cut(frame.line(), frame.bytes(), FRAME_CHARS);
      row.put("bytes", frame.bytes()).put("excerpt", excerpt.text());
      if (excerpt.cut()) {
        row.put("cut", true);
      }
    }
    event.put("description", description);
    queue(event);
  }

  @Override
  public void strayOutput(String workerId, long pid, byte[] start, long length) {
    byte[] kept = start.length <= STRAY_BYTES ? start : java.util.Arrays.copyOf(start, STRAY_BYTES);
    queue(worker("stray output", workerId, pid)
        .put("length", length)
        .put("bytes", Base64.getEncoder().encodeToString(kept))
        .put("excerpt", LineText.printable(kept, STRAY_BYTES)));
  }

  @Override
  public void poolBroken(String reason) {
    queue(event("pool broken").put("reason", reason));
  }

  /**
   * Records an input line that never reached the pool because it is not a JSON value: where it
   * is ({@code source} and 1-based {@code line}), the rank it keeps in the output, and why.
   */
  public void inputError(String source, int line, long rank, String message) {
    queue(event("input error").put("source", source).put("line", line).put("rank", rank)
        .put("message", message));
  }

  private static ObjectNode event(String name) {
    return JsonNodeFactory.instance.objectNode()
        .putNull("time") // first in the line; the writer fills it in
        .put("event", name);
  }

  private static ObjectNode worker(String name, String workerId, long pid) {
    return event(name).put("worker", workerId).put("pid", pid);
  }

  /** Queues one event for the writer; never blocks. Any thread. */
  private void queue(ObjectNode event) {
    if (closed || failure != null) {
      return; // after close(), or after an I/O error already reported: nothing more is written
    }
    queue.add(new Queued(Instant.now(), event)); // wakes the writer, if it waits in take()
  }

  // --- The writer -----------------------------------------------------------------------------

  /** Writes queued events in order; flushes when the queue runs dry. jprocs-events thread. */
  private void writeLoop() {
    try {
      while (true) {
        Queued next = queue.take(); // woken by queue() or by close()'s END
        while (next != null) {
          if (next == END) {
            out.flush();
            return;
          }
          next.event().put("time", LogTime.format(next.time())); // keeps its place, first
          out.write(Codec.toJson(next.event()));
          out.write('\n');
          next = queue.poll();
        }
        out.flush();
      }
    } catch (IOException e) {
      failure = e;
      queue.clear();
      log.warn("the event log {} stopped at an I/O error; events from now on are not recorded: {}",
          file, e.toString());
    } catch (InterruptedException e) {
      // Nobody interrupts this thread but the JVM at exit; what was written is flushed below.
      Thread.currentThread().interrupt();
    } finally {
      try {
        out.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
          log.warn("the event log {} could not be closed: {}", file, e.toString());
        }
      }
    }
  }

  /**
   * Writes every event queued so far, closes the file and returns; later events are dropped.
   * Idempotent; any thread but the writer.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(END); // the writer returns once it reaches END, after everything before it
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
