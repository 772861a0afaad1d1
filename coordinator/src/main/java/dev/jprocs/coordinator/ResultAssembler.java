package dev.jprocs.coordinator;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Puts one job's outcomes, which arrive in any order and possibly more than once, back in rank
 * order. Each rank is accepted once; a second outcome for it is refused, which is what makes every
 * result reach the caller exactly once when a chunk was retried.
 *
 * <p>Stdout reader threads and the supervisor call {@link #offer}; caller threads wait in
 * {@link #awaitRank} or {@link #awaitNextArrival}. Thread-safe.
 */
final class ResultAssembler {
  private final TaskResult[] byRank; // guarded by this
  private final BlockingQueue<TaskResult> arrivals; // null unless the caller wants arrival order
  private final CompletableFuture<Void> complete = new CompletableFuture<>();
  private int filled; // guarded by this

  /**
   * @param size how many ranks the job has
   * @param keepArrivals whether {@link #awaitNextArrival} will be used
   */
  ResultAssembler(int size, boolean keepArrivals) {
    this.byRank = new TaskResult[size];
    this.arrivals = keepArrivals ? new LinkedBlockingQueue<>() : null;
    if (size == 0) {
      complete.complete(null);
    }
  }

  int size() {
    return byRank.length;
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
        if (byRank[rank] == null) {
          byRank[rank] = results[i];
          recorded[i] = true;
          last = ++filled == byRank.length;
        }
      }
      notifyAll(); // wakes callers waiting in awaitRank
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

  /** True when {@code rank} has an outcome. */
  synchronized boolean has(long rank) {
    return byRank[Math.toIntExact(rank)] != null;
  }

  /** Blocks until {@code rank} has its outcome and returns it. */
  TaskResult awaitRank(long rank) throws InterruptedException {
    int index = Math.toIntExact(rank);
    synchronized (this) {
      while (byRank[index] == null) {
        wait(); // woken by offer
      }
      return byRank[index];
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
