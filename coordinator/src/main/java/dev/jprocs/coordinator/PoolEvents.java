package dev.jprocs.coordinator;

/**
 * Hears what happens to a pool's workers. Methods are called on the pool's own threads (a
 * worker's stdout thread or the supervisor), must return quickly and must not call back into the
 * pool. Every method does nothing by default.
 */
public interface PoolEvents {
  /** A worker process said hello and takes work. */
  default void workerReady(String workerId, long pid) {}

  /** A worker said goodbye and exited 0. */
  default void workerRetired(WorkerExit exit) {}

  /**
   * A worker process ended unexpectedly. {@code description} says, once, who died, how, what it
   * held and the end of its stderr.
   */
  default void workerDied(WorkerExit exit, String description) {}
}
