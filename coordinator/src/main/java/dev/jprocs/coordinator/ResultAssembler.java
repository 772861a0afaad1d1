package dev.jprocs.coordinator;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Puts one job's outcomes, which arrive in any order and possibly more than once, back in rank
 * order. Each rank is accepted once; a second outcome for it is refused, which is what makes every
 * result reach the caller exactly once when a chunk was retried.
 *
 * <p>An outcome is held until the caller takes it ({@link #takeRank}, or from the arrival queue),
 * not for the job's life: a long job's results do not pile up in the coordinator's heap.
 *
 * <p>Stdout reader threads and the supervisor call {@link #offer}; caller threads wait in
 * {@link #awaitRank}, {@link #takeRank} or {@link #awaitNextArrival}. Thread-safe.
 */
final class ResultAssembler {
  private final boolean[] decided; // guarded by this; true once a rank has its outcome
  private final TaskResult[] byRank; // guarded by this; null before the outcome and once taken
  private final BlockingQueue<TaskResult> arrivals; // null unless the caller wants arrival order
  private final CompletableFuture<Void> complete = new CompletableFuture<>();
  private int filled; // guarded by this

  /**
   * @param size how many ranks the job has
   * @param keepArrivals whether {@link #awaitNextArrival} will be used
   */
  ResultAssembler(int size, boolean keepArrivals) {
    this.decided = new boolean[size];
    this.byRank = keepArrivals ? null : new TaskResult[size];
    this.arrivals = keepArrivals ? new LinkedBlockingQueue<>() : null;
    if (size == 0) {
      complete.complete(null);
    }
  }

  int size() {
    return decided.length;
  }

  /**
   * Records the outcome for its rank. Returns false, recording nothing, when that rank already
   * has one.
   */
  boolean offer(TaskResult result) {
    return offerAll(new TaskResult[] {result})[0];
  }

  /**
   * Records a chunk's outcomes at once, with one wake-up of the waiting caller rather than one per
   * rank. Returns, for each, whether it was recorded (false: its rank already had an outcome).
   */
  boolean[] offerAll(TaskResult[] results) {
    boolean[] recorded = new boolean[results.length];
    boolean last = false;
    synchronized (this) {
      for (int i = 0; i < results.length; i++) {
        int rank = Math.toIntExact(results[i].rank());
        if (!decided[rank]) {
          decided[rank] = true;
          if (byRank != null) {
            byRank[rank] = results[i];
          }
          recorded[i] = true;
          last = ++filled == decided.length;
        }
      }
      notifyAll(); // wakes callers waiting in awaitRank or takeRank
    }
    if (arrivals != null) {
      for (int i = 0; i < results.length; i++) {
        if (recorded[i]) {
          arrivals.add(results[i]); // wakes a caller waiting in awaitNextArrival
        }
      }
    }
    if (last) {
      complete.complete(null); // wakes Pool.close waiting for outstanding jobs
    }
    return recorded;
  }

  /** True when {@code rank} has an outcome (taken or not). */
  synchronized boolean has(long rank) {
    return decided[Math.toIntExact(rank)];
  }

  /**
   * Blocks until {@code rank} has its outcome and returns it, keeping it for the next call.
   *
   * @throws IllegalStateException when the outcome was taken, or this job keeps arrival order
   */
  TaskResult awaitRank(long rank) throws InterruptedException {
    return await(rank, false);
  }

  /**
   * Blocks until {@code rank} has its outcome and returns it, letting go of it: for a caller that
   * reads each rank once, in order.
   *
   * @throws IllegalStateException when the outcome was taken already, or this job keeps arrival
   *     order
   */
  TaskResult takeRank(long rank) throws InterruptedException {
    return await(rank, true);
  }

  private TaskResult await(long rank, boolean take) throws InterruptedException {
    if (byRank == null) {
      throw new IllegalStateException("this job keeps arrival order, not rank order");
    }
    int index = Math.toIntExact(rank);
    synchronized (this) {
      while (!decided[index]) {
        wait(); // woken by offerAll
      }
      TaskResult result = byRank[index];
      if (result == null) {
        throw new IllegalStateException("the outcome of rank " + rank + " was taken already");
      }
      if (take) {
        byRank[index] = null;
      }
      return result;
    }
  }

  /** Blocks until the next outcome, in the order they arrived, and returns it. */
  TaskResult awaitNextArrival() throws InterruptedException {
    if (arrivals == null) {
      throw new IllegalStateException("this job keeps no arrival order");
    }
    return arrivals.take();
  }

  /** Completes when every rank has an outcome. */
  CompletableFuture<Void> completion() {
    return complete;
  }
}
