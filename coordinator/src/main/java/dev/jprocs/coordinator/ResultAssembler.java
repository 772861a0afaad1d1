package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.IntegralList;
import dev.jprocs.protocol.JsonText;
import dev.jprocs.protocol.JsonTextList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongPredicate;

/**
 * Puts one job's outcomes, which arrive in any order and possibly more than once, back in rank
 * order. Each rank is accepted once; a second outcome for it is refused, which is what makes every
 * result reach the caller exactly once when a chunk was retried.
 *
 * <p>An outcome is held until the caller takes it ({@link #takeRank}, or from the arrival queue),
 * not for the job's life: a long job's results do not pile up in the coordinator's heap.
 *
 * <p>Stdout reader threads call {@link #offerChunk} and the supervisor {@link #offer}; caller
 * threads wait in {@link #awaitRank}, {@link #takeRank}, {@link #takeReady} or
 * {@link #awaitNextArrival}. Thread-safe.
 */
final class ResultAssembler {
  private final boolean[] decided; // guarded by this; true once a rank has its outcome
  /**
   * Guarded by this; null before the outcome and once taken. An output that came in a chunk is
   * held bare (a TaskResult each would be a million more live objects for a million inputs): as
   * its JsonNode, as a Long when the chunk's outputs came as an {@link IntegralList}, or as a
   * {@link JsonText} when they came as text; anything else as the TaskResult offered.
   * {@link #result} makes a TaskResult of any of them.
   */
  private final Object[] byRank;
  private final BlockingQueue<TaskResult> arrivals; // null unless the caller wants arrival order
  private final CompletableFuture<Void> complete = new CompletableFuture<>();
  private final boolean keepsOutputText;
  private int filled; // guarded by this

  /**
   * @param size how many ranks the job has
   * @param keepArrivals whether {@link #awaitNextArrival} will be used
   */
  ResultAssembler(int size, boolean keepArrivals) {
    this(size, keepArrivals, false);
  }

  /**
   * @param keepsOutputText whether the job's outputs had best stay as the worker's JSON text until
   *     the caller asks for a tree (see {@link #keepsOutputText})
   */
  ResultAssembler(int size, boolean keepArrivals, boolean keepsOutputText) {
    this.keepsOutputText = keepsOutputText;
    this.decided = new boolean[size];
    this.byRank = keepArrivals ? null : new Object[size];
    this.arrivals = keepArrivals ? new LinkedBlockingQueue<>() : null;
    if (size == 0) {
      complete.complete(null);
    }
  }

  int size() {
    return decided.length;
  }

  /**
   * Whether the caller reads outputs as TaskResults, which build a tree only when asked, so the
   * stdout readers had best not build them ({@link Codec#decode(byte[], LongPredicate)}).
   */
  boolean keepsOutputText() {
    return keepsOutputText;
  }

  /**
   * Records the outcome for its rank. Returns false, recording nothing, when that rank already
   * has one.
   */
  boolean offer(TaskResult result) {
    return record(Math.toIntExact(result.rank()), new Object[] {result})[0];
  }

  /**
   * Records a chunk's outcomes at once, with one wake-up of the waiting caller rather than one per
   * rank: for rank {@code firstRank + i}, {@code failures[i]} when that is not null, else
   * {@code outputs.get(i)}. Returns, for each, whether it was recorded (false: its rank already
   * had an outcome).
   *
   * @param failures null when no input of the chunk failed
   */
  boolean[] offerChunk(int firstRank, List<JsonNode> outputs, TaskFailure[] failures) {
    // Made before the lock, which the caller taking outcomes waits for.
    IntegralList integers = outputs instanceof IntegralList list ? list : null;
    JsonTextList texts = outputs instanceof JsonTextList list ? list : null;
    Object[] held = new Object[outputs.size()];
    for (int i = 0; i < held.length; i++) {
      if (failures != null && failures[i] != null) {
        held[i] = new TaskResult(firstRank + i, null, failures[i]);
      } else if (texts != null) {
        held[i] = arrivals != null ? new TaskResult(firstRank + i, texts.text(i)) : texts.text(i);
      } else if (arrivals != null) {
        held[i] = new TaskResult(firstRank + i, outputs.get(i), null);
      } else {
        held[i] = integers != null ? (Object) integers.longAt(i) : outputs.get(i);
      }
    }
    return record(firstRank, held);
  }

  /**
   * Records the outcomes from {@code firstRank} on, each as {@link #byRank} holds it; a job that
   * keeps arrival order gets TaskResults only, and queues them.
   */
  private boolean[] record(int firstRank, Object[] held) {
    boolean[] recorded = new boolean[held.length];
    boolean last = false;
    synchronized (this) {
      for (int i = 0; i < held.length; i++) {
        int rank = firstRank + i;
        if (!decided[rank]) {
          decided[rank] = true;
          if (byRank != null) {
            byRank[rank] = held[i];
          }
          recorded[i] = true;
          last = ++filled == decided.length;
        }
      }
      notifyAll(); // wakes callers waiting in awaitRank, takeRank or takeReady
    }
    if (arrivals != null) {
      for (int i = 0; i < held.length; i++) {
        if (recorded[i]) {
          arrivals.add((TaskResult) held[i]); // wakes a caller waiting in awaitNextArrival
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
    Object held;
    synchronized (this) {
      while (!decided[index]) {
        wait(); // woken by record
      }
      held = byRank[index];
      if (held == null) {
        throw new IllegalStateException("the outcome of rank " + rank + " was taken already");
      }
      if (take) {
        byRank[index] = null;
      }
    }
    return result(rank, held);
  }

  /**
   * The outcome held as {@link #byRank} holds it, converted as {@link TaskResult#value} converts;
   * a Long wanted as a Long is returned as it is.
   */
  static <R> R value(long rank, Object held, Class<R> type) {
    return held instanceof Long number && type == Long.class ? type.cast(number)
        : result(rank, held).value(type);
  }

  /** The TaskResult for an outcome held as {@link #byRank} holds it. */
  static TaskResult result(long rank, Object held) {
    if (held instanceof TaskResult result) {
      return result;
    }
    if (held instanceof JsonText text) {
      return new TaskResult(rank, text);
    }
    return new TaskResult(rank, held instanceof Long value ? IntegralList.node(value)
        : (JsonNode) held, null);
  }

  /**
   * Blocks until rank {@code from} has its outcome, then takes it and every outcome after it that
   * has arrived, up to {@code into.length} of them, with one lock: for a caller that reads every
   * rank in order. Each element becomes the outcome as {@link #byRank} holds it (a JsonNode, a
   * Long, a JsonText or a TaskResult; see {@link #value(long, Object, Class)}); returns how many
   * were taken.
   *
   * @throws IllegalStateException as {@link #takeRank}
   */
  int takeReady(int from, Object[] into) throws InterruptedException {
    if (byRank == null) {
      throw new IllegalStateException("this job keeps arrival order, not rank order");
    }
    synchronized (this) {
      while (!decided[from]) {
        wait(); // woken by record
      }
      int taken = 0;
      for (int rank = from; rank < decided.length && taken < into.length && decided[rank]; rank++) {
        Object held = byRank[rank];
        if (held == null) {
          throw new IllegalStateException("the outcome of rank " + rank + " was taken already");
        }
        byRank[rank] = null;
        into[taken++] = held;
      }
      return taken;
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
