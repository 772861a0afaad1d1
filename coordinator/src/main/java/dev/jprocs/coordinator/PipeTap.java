package dev.jprocs.coordinator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jprocs.protocol.Message;
import java.io.IOException;
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
 * in a ring; only when the worker exits is the start of each kept line read again.
 */
final class PipeTap {
  /**
   * The last {@code capacity} lines of one direction: each line's bytes, or only its first ones,
   * and its length without its {@code \n}. Guarded by itself.
   */
  private static final class Ring {
    final byte[][] lines;
    final int[] lengths;
    final long[] nanos;
    int next;
    int count;

    Ring(int capacity) {
      lines = new byte[capacity][];
      lengths = new int[capacity];
      nanos = new long[capacity];
    }

    synchronized void add(byte[] line, int length, long at) {
      if (lines.length == 0) {
        return;
      }
      lines[next] = line;
      lengths[next] = length;
      nanos[next] = at;
      next = (next + 1) % lines.length;
      count = Math.min(count + 1, lines.length);
    }

    /** Copies out the kept lines, oldest first. */
    synchronized List<Kept> snapshot() {
      List<Kept> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int at = (next - count + i + lines.length) % lines.length;
        out.add(new Kept(nanos[at], lines[at], lengths[at]));
      }
      return out;
    }
  }

  /** A line as a ring keeps it: {@code line} holds its first bytes, at least. */
  private record Kept(long nanos, byte[] line, int length) {}

  /**
   * How much of each line a death report's frame keeps: more than any excerpt shows (WorkerExit
   * 160 characters, the event log 200), at up to 4 bytes a character.
   */
  static final int KEPT_BYTES = 1024;
  private static final JsonFactory HEADS = new JsonFactory();

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
    int length = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
    toWorker.add(line, length, now); // kept whole: the line is the caller's no more
    if (tracing) {
      long taskId = -1;
      long rank = -1;
      if (message instanceof Message.Task task) {
        taskId = task.taskId();
        rank = task.rank();
        ranksInFlight.put(taskId, rank);
      }
      tracer.frame(frame(now, Frame.Direction.TO_WORKER, message.type(), taskId, rank, line,
          length, Integer.MAX_VALUE));
    }
  }

  /**
   * The line {@code line[0, length)} read from the worker's stdout, without its {@code \n};
   * {@code message} is null when it did not decode. The array is the reader's, reused for the
   * next line, so what is kept is copied: at most {@link #KEPT_BYTES} for the ring. Stdout thread.
   */
  void received(byte[] line, int length, Message message) {
    long now = System.nanoTime();
    fromWorker.add(Arrays.copyOf(line, Math.min(length, KEPT_BYTES)), length, now);
    if (tracing) {
      long taskId = message instanceof Message.Result result ? result.taskId() : -1;
      Long rank = taskId >= 0 ? ranksInFlight.remove(taskId) : null;
      tracer.frame(frame(now, Frame.Direction.FROM_WORKER, message == null ? "?" : message.type(),
          taskId, rank == null ? -1 : rank, Arrays.copyOf(line, length), length,
          Integer.MAX_VALUE));
    }
  }

  /**
   * The last frames each way, oldest first, with their types and ids read again from the start of
   * each line, and at most {@link #KEPT_BYTES} of each line. A line may be megabytes of results;
   * this runs at every worker's exit, so it neither decodes nor copies whole lines.
   */
  List<Frame> lastFrames() {
    List<Frame> frames = new ArrayList<>();
    Map<Long, Long> ranks = new HashMap<>();
    for (Kept kept : toWorker.snapshot()) {
      Head head = head(kept.line());
      if (head.type().equals("task") && head.taskId() >= 0) {
        ranks.put(head.taskId(), head.rank());
      }
      frames.add(frame(kept.nanos(), Frame.Direction.TO_WORKER, head.type(), head.taskId(),
          head.rank(), kept.line(), kept.length(), KEPT_BYTES));
    }
    for (Kept kept : fromWorker.snapshot()) {
      Head head = head(kept.line());
      long taskId = head.type().equals("result") ? head.taskId() : -1;
      frames.add(frame(kept.nanos(), Frame.Direction.FROM_WORKER, head.type(), taskId,
          ranks.getOrDefault(taskId, -1L), kept.line(), kept.length(), KEPT_BYTES));
    }
    frames.sort(Comparator.comparing(Frame::time));
    return frames;
  }

  /** A message's type ("?" when the line does not start as one), task id and rank, or -1 each. */
  private record Head(String type, long taskId, long rank) {}

  /**
   * Reads {@code type}, {@code taskId} and {@code rank} from the top level of {@code line}, up to
   * its first array or object value: Codec writes these fields before a message's inputs or
   * outputs. What comes after is not read, so a line broken further on still shows its type; the
   * excerpt of its bytes is the evidence.
   */
  private static Head head(byte[] line) {
    String type = "?";
    long taskId = -1;
    long rank = -1;
    try (JsonParser in = HEADS.createParser(line)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        return new Head(type, taskId, rank);
      }
      while (in.nextToken() == JsonToken.FIELD_NAME) {
        String name = in.currentName();
        JsonToken value = in.nextToken();
        if (value == null || value.isStructStart()) {
          break;
        }
        switch (name) {
          case "type" -> type = value == JsonToken.VALUE_STRING ? in.getText() : "?";
          case "taskId" -> taskId = value == JsonToken.VALUE_NUMBER_INT ? in.getLongValue() : -1;
          case "rank" -> rank = value == JsonToken.VALUE_NUMBER_INT ? in.getLongValue() : -1;
          default -> { }
        }
      }
    } catch (IOException | RuntimeException e) {
      // What was read before the line went wrong stands.
    }
    return new Head(type, taskId, rank);
  }

  /**
   * A frame of a line {@code length} bytes long without its {@code \n}, keeping at most
   * {@code keep} of them; {@code line} holds them, or at least the first {@code keep}. The frame
   * shares {@code line} only when that is exactly what it keeps.
   */
  private Frame frame(long nanos, Frame.Direction direction, String type, long taskId, long rank,
      byte[] line, int length, int keep) {
    Instant time = baseTime.plusNanos(nanos - baseNanos).truncatedTo(ChronoUnit.MICROS);
    // Lines sent keep their \n in the ring (no copy on the hot path); a frame has none.
    int kept = Math.min(length, keep);
    byte[] frame = kept == line.length ? line : Arrays.copyOf(line, kept);
    return new Frame(time, workerId, pid, direction, type, taskId, rank, length, frame);
  }
}
