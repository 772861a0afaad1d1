package dev.jprocs.coordinator;

import java.time.Instant;

/**
 * A snapshot of one worker slot, as {@link Pool#workers()} reports it.
 *
 * @param workerId the slot, for example {@code worker-2}; it keeps its id across restarts
 * @param pid the process now in the slot
 * @param state where that process is in its life
 * @param itemsDone inputs this process has answered
 * @param itemsHeld inputs sent to it and not yet answered
 * @param restarts how many processes this slot has had after its first
 * @param startedAt when this process was started
 * @param member the address of the cluster member the slot runs on ("127.0.0.1:5702"; its pid is
 *     that member's, on that machine), or null for a worker on this machine
 */
public record WorkerInfo(String workerId, long pid, State state, long itemsDone, int itemsHeld,
    int restarts, Instant startedAt, String member) {

  /** Where a worker process is in its life. */
  public enum State {
    /** Started, has not said hello yet. */
    STARTING,
    /** Takes work. */
    READY,
    /** Finishes what it holds and then exits, to be replaced or because the pool is closing. */
    RETIRING,
    /** The process has ended; a replacement may be on its way. */
    EXITED
  }

  /** True while the process is alive and takes work. */
  public boolean ready() {
    return state == State.READY;
  }
}
