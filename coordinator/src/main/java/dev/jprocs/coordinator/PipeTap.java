package dev.jprocs.coordinator;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one worker process's pipe carried: the last frames each way, kept for its death report,
 * and, while tracing is on, every frame handed to the {@link PipeTracer}.
 *
 * <p>{@link #sent} is called on the worker's stdin thread, {@link #received} on its stdout thread;
 * {@link #lastFrames} on any. With tracing off, a frame costs a reference and a timestamp stored
 * in a ring: the line is decoded again only if a death report asks for it.
 */
final class PipeTap {
  /** The last {@code capacity} lines of one direction. Guarded by itself. */
  private static final class Ring {
    final byte[][] lines;
    final long[] nanos;
    int next;
    int count;

    Ring(int capacity) {
      lines = new byte[capacity][];
      nanos = new long[capacity];
    }

    synchronized void add(byte[] line, long at) {
      if (lines.length == 0) {
        return;
      }
      lines[next] = line;
      nanos[next] = at;
      next = (next + 1) % lines.length;
      count = Math.min(count + 1, lines.length);
    }

    /** Copies out (nanos, line) pairs, oldest first. */
    synchronized List<Object[]> snapshot() {
      List<Object[]> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int at = (next - count + i + lines.length) % lines.length;
        out.add(new Object[] {nanos[at], lines[at]});
      }
      return out;
    }
  }

  /** Changes once for a spare, when it takes a slot. */
  private volatile String workerId;
  private final long pid;
  private final PipeTracer tracer;
  private final Ring toWorker;
  private final Ring fromWorker;
  private final Instant baseTime = Instant.now();
  private final long baseNanos = System.nanoTime();
  /** The first rank of each task message sent while tracing, so its result's frame can show it. */
  private final Map<Long, Long> ranksInFlight = new ConcurrentHashMap<>();
  private volatile boolean tracing;

  PipeTap(String workerId, long pid, int lastFrames, PipeTracer tracer, boolean tracing) {
    this.workerId = workerId;
    this.pid = pid;
    this.tracer = tracer;
    this.toWorker = new Ring(lastFrames);
    this.fromWorker = new Ring(lastFrames);
    this.tracing = tracing;
  }

  /** From now on, frames are of worker {@code workerId}: a spare took that slot. Any thread. */
  void rename(String workerId) {
    this.workerId = workerId;
  }

  void trace(boolean on) {
    tracing = on;
    if (!on) {
      ranksInFlight.clear();
    }
  }

  /** A line written to the worker's stdin, its {@code \n} included. Stdin thread. */
  void sent(byte[] line, Message message) {
    long now = System.nanoTime();
    toWorker.add(line, now);
    if (tracing) {
      long taskId = -1;
      long rank = -1;
      if (message instanceof Message.Task task) {
        taskId = task.taskId();
        rank = task.rank();
        ranksInFlight.put(taskId, rank);
      }
      tracer.frame(frame(now, Frame.Direction.TO_WORKER, message.type(), taskId, rank, line));
    }
  }

  /** A line read from the worker's stdout; {@code message} is null when it did not decode. Stdout thread. */
  void received(byte[] line, Message message) {
    long now = System.nanoTime();
    fromWorker.add(line, now);
    if (tracing) {
      long taskId = message instanceof Message.Result result ? result.taskId() : -1;
      Long rank = taskId >= 0 ? ranksInFlight.remove(taskId) : null;
      tracer.frame(frame(now, Frame.Direction.FROM_WORKER, message == null ? "?" : message.type(),
          taskId, rank == null ? -1 : rank, line));
    }
  }

  /** The last frames each way, oldest first, with their types and ranks worked out again. */
  List<Frame> lastFrames() {
    List<Frame> frames = new ArrayList<>();
    Map<Long, Long> ranks = new HashMap<>();
    for (Object[] entry : toWorker.snapshot()) {
      byte[] line = (byte[]) entry[1];
      Message message = decode(line);
      long taskId = -1;
      long rank = -1;
      if (message instanceof Message.Task task) {
        taskId = task.taskId();
        rank = task.rank();
        ranks.put(taskId, rank);
      }
      frames.add(frame((Long) entry[0], Frame.Direction.TO_WORKER, type(message), taskId, rank, line));
    }
    for (Object[] entry : fromWorker.snapshot()) {
      byte[] line = (byte[]) entry[1];
      Message message = decode(line);
      long taskId = message instanceof Message.Result result ? result.taskId() : -1;
      frames.add(frame((Long) entry[0], Frame.Direction.FROM_WORKER, type(message), taskId,
          ranks.getOrDefault(taskId, -1L), line));
    }
    frames.sort(Comparator.comparing(Frame::time));
    return frames;
  }

  private static Message decode(byte[] line) {
    try {
      return Codec.decode(line);
    } catch (ProtocolException e) {
      return null; // shown as type "?": the bytes themselves are the evidence
    }
  }

  private static String type(Message message) {
    return message == null ? "?" : message.type();
  }

  private Frame frame(long nanos, Frame.Direction direction, String type, long taskId, long rank,
      byte[] line) {
    Instant time = baseTime.plusNanos(nanos - baseNanos).truncatedTo(ChronoUnit.MICROS);
    // Lines sent keep their \n in the ring (no copy on the hot path); a frame has none.
    byte[] frame = line.length > 0 && line[line.length - 1] == '\n'
        ? Arrays.copyOf(line, line.length - 1) : line;
    return new Frame(time, workerId, pid, direction, type, taskId, rank, frame.length, frame);
  }
}
