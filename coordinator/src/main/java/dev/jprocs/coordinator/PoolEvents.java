package dev.jprocs.coordinator;

/**
 * Hears everything that happens to a pool's workers and tasks: what the event log records and
 * the command line prints. Methods are called on the pool's own threads (a worker's stdin, stdout
 * or stderr thread, the supervisor, or the thread that submitted work, sometimes while the pool
 * holds its scheduling lock), so they must return quickly, must not block and must not call back
 * into the pool. Every method does nothing by default.
 */
public interface PoolEvents {
  /** A worker process was started in slot {@code workerId}; {@code restarts} before it in that slot. */
  default void workerSpawned(String workerId, long pid, int restarts) {}

  /** A worker process said hello and takes work. */
  default void workerReady(String workerId, long pid) {}

  /** A chunk of {@code count} inputs from {@code firstRank} was queued for a worker. */
  default void taskSent(String workerId, long pid, long taskId, String task, long firstRank,
      int count, int attempt) {}

  /** A worker answered a chunk; {@code errors} of its inputs failed in the task. */
  default void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
      int errors) {}

  /** A worker answered a chunk it no longer held (a written-off attempt); the answer was dropped. */
  default void lateResultDropped(String workerId, long pid, long taskId, int attempt) {}

  /** One input ended without an output: its task threw, its workers died, or it was cancelled. */
  default void inputFailed(TaskFailure failure) {}

  /** A chunk goes out again after its worker died or it could not be sent. */
  default void taskRetried(long taskId, String task, long firstRank, int count, String reason) {}

  /** The shutdown sentinel was queued for a worker. */
  default void sentinelSent(String workerId, long pid) {}

  /** A worker said goodbye and exited 0. */
  default void workerRetired(WorkerExit exit) {}

  /**
   * A worker process ended unexpectedly. {@code description} says, once, who died, how, what it
   * held, its last frames and the end of its stderr.
   */
  default void workerDied(WorkerExit exit, String description) {}

  /**
   * A worker wrote something to stdout that is not protocol: the start of the bytes, and their
   * full length. The worker is then killed for breaking the protocol.
   */
  default void strayOutput(String workerId, long pid, byte[] start, long length) {}

  /** One line a worker wrote to stderr, as it came. Called on that worker's stderr thread. */
  default void workerStderr(String workerId, long pid, String line) {}

  /** The pool stopped by itself (a restart storm); what was unfinished fails as cancelled. */
  default void poolBroken(String reason) {}
}
