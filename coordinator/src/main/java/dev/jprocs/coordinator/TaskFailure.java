package dev.jprocs.coordinator;

/**
 * Why one input has no output: its task threw ({@link Kind#TASK_ERROR}), or the worker running
 * it died on every attempt ({@link Kind#WORKER_DIED}), or the pool stopped before it ran
 * ({@link Kind#CANCELLED}).
 *
 * @param rank the input's position in its job
 * @param exception for a task error, the class of what the task threw; otherwise null
 * @param message what happened, in words a person can act on
 * @param remoteTrace for a task error, the stack trace in the worker; otherwise the evidence
 *     (the dead worker's last stderr lines), possibly empty
 * @param workerId the worker that ran the last attempt, null when none did
 * @param pid that worker's process id, or -1
 * @param attempts how many times the input was dispatched
 */
public record TaskFailure(Kind kind, String task, long rank, String exception, String message,
    String remoteTrace, String workerId, long pid, int attempts) {

  /** The kinds of failure: the task's own, or the worker's. */
  public enum Kind { TASK_ERROR, WORKER_DIED, INPUT_REFUSED, CANCELLED }

  /** One line: the task, rank, where it ran and what went wrong. */
  public String describe() {
    String where = workerId == null ? "" : " on " + workerId + " (pid " + pid + ")";
    String attemptText = attempts > 1 ? ", attempt " + attempts : "";
    return switch (kind) {
      case TASK_ERROR -> task + " rank " + rank + where + attemptText + " failed: "
          + exception + (message == null ? "" : ": " + message);
      case WORKER_DIED -> task + " rank " + rank + " lost: " + message;
      case INPUT_REFUSED -> task + " rank " + rank + " not sent: " + message;
      case CANCELLED -> task + " rank " + rank + " not run: " + message;
    };
  }
}
