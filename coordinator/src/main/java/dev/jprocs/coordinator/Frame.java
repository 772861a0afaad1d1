package dev.jprocs.coordinator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One line that crossed a worker's pipe, as traced or kept for a death report.
 *
 * @param time when it was written (to the worker) or read (from it), to the microsecond
 * @param type the message's {@code type}, or {@code "?"} for a line that did not decode
 * @param taskId the task id it carries, or -1
 * @param rank the rank of the first input it concerns, or -1 when not known
 * @param bytes the line's full length in bytes, without its {@code \n}
 * @param line the line's bytes, possibly only the start of them (see {@code bytes})
 */
public record Frame(Instant time, String workerId, long pid, Direction direction, String type,
    long taskId, long rank, int bytes, byte[] line) {

  /** Which way a frame went. */
  public enum Direction {
    /** Coordinator to worker, on the worker's stdin. */
    TO_WORKER("->"),
    /** Worker to coordinator, on the worker's stdout. */
    FROM_WORKER("<-");

    private final String arrow;

    Direction(String arrow) {
      this.arrow = arrow;
    }

    /** {@code ->} or {@code <-}, as the coordinator sees it. */
    public String arrow() {
      return arrow;
    }
  }

  /** The line as text, cut to {@code maxChars} characters with "..." when longer. */
  public String text(int maxChars) {
    String text = new String(line, StandardCharsets.UTF_8);
    return text.length() <= maxChars && line.length == bytes ? text
        : text.substring(0, Math.min(maxChars, text.length())) + "...";
  }

  /** One line for a person: time, arrow, type, task, size and the start of the line. */
  public String describe(int maxChars) {
    return time + " " + direction.arrow() + " " + type + " ("
        + (taskId >= 0 ? "task " + taskId + ", " : "") + (rank >= 0 ? "rank " + rank + ", " : "")
        + bytes + " bytes) " + text(maxChars);
  }
}
