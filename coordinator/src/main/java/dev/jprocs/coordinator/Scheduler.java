package dev.jprocs.coordinator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which chunk goes to which worker. Workers pull: a worker that becomes ready, or answers a
 * chunk, gets the next pending chunk, up to a small window of chunks in flight per worker so its
 * pipe's round trip is hidden behind the work. A retried chunk goes to the front of the queue.
 *
 * <p>All state is guarded by this object's monitor; methods are called from callers' threads
 * (new work), stdout reader threads (results) and the supervisor thread (deaths). Sending only
 * queues a message on the worker's writer thread, so no method blocks on a pipe.
 */
final class Scheduler {
  /** What one live worker holds. */
  private static final class Load {
    final ArrayDeque<Chunk> held = new ArrayDeque<>();
    /** When the worker started on the oldest chunk it holds (it answers in order). */
    long headStartedNanos;
    boolean accepting = true;
    long itemsDone;
  }

  /** A snapshot of one worker's load, for reports. */
  record WorkerLoad(boolean accepting, int itemsHeld, long itemsDone) {}

  /** A worker whose current chunk has run longer than its time. */
  record Overdue(WorkerHandle worker, Chunk chunk, long runningNanos) {}

  private final int window;
  private final long maxItemsPerWorker;
  private final PoolEvents events;
  private final Deque<Chunk> pending = new ArrayDeque<>();
  private final Map<WorkerHandle, Load> loads = new LinkedHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong nextTaskId =
      new java.util.concurrent.atomic.AtomicLong(1);

  /**
   * @param window how many chunks a worker may hold at once
   * @param maxItemsPerWorker after how many inputs a worker takes no more work (to be recycled);
   *     0 for never
   */
  Scheduler(int window, long maxItemsPerWorker, PoolEvents events) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, got " + window);
    }
    this.window = window;
    this.maxItemsPerWorker = maxItemsPerWorker;
    this.events = events;
  }

  /** A new task id, unique in this pool. Any thread. */
  long newTaskId() {
    return nextTaskId.getAndIncrement();
  }

  /** Queues new chunks behind those already waiting, and hands out what it can. */
  synchronized void submit(List<Chunk> chunks) {
    pending.addAll(chunks);
    dispatch();
  }

  /** Queues chunks whose worker died in front of all others, in their original order. */
  synchronized void retry(List<Chunk> chunks) {
    for (int i = chunks.size() - 1; i >= 0; i--) {
      Chunk chunk = chunks.get(i);
      chunk.holder = null;
      pending.addFirst(chunk);
    }
    dispatch();
  }

  /** Starts giving work to a worker that said hello. */
  synchronized void workerReady(WorkerHandle worker) {
    if (worker.ended()) {
      return; // it died while its hello was being handled: give it nothing to lose
    }
    loads.put(worker, new Load());
    dispatch();
  }

  /**
   * Takes the chunk that {@code worker} answered off its load and hands it the next one. Returns
   * null when the worker holds no such chunk at that attempt: a late answer from an attempt
   * already written off, which the caller drops.
   */
  synchronized Chunk answered(WorkerHandle worker, long taskId, int attempt) {
    Chunk chunk = remove(worker, taskId, attempt);
    if (chunk != null) {
      Load load = loads.get(worker);
      load.itemsDone += chunk.count;
      dispatch();
    }
    return chunk;
  }

  /**
   * Takes a chunk off {@code worker}'s load without counting it as done (it could not be sent),
   * and hands the worker the next one. Returns null when the worker holds no such chunk.
   */
  synchronized Chunk withdraw(WorkerHandle worker, long taskId, int attempt) {
    Chunk chunk = remove(worker, taskId, attempt);
    if (chunk != null) {
      dispatch();
    }
    return chunk;
  }

  private Chunk remove(WorkerHandle worker, long taskId, int attempt) {
    Load load = loads.get(worker);
    if (load == null) {
      return null;
    }
    for (Iterator<Chunk> it = load.held.iterator(); it.hasNext(); ) {
      Chunk chunk = it.next();
      if (chunk.taskId == taskId && chunk.attempt == attempt) {
        it.remove();
        chunk.holder = null;
        load.headStartedNanos = System.nanoTime(); // the worker goes on to its next chunk now
        return chunk;
      }
    }
    return null;
  }

  /** Stops giving {@code worker} work; it keeps what it holds. Returns true if it holds nothing. */
  synchronized boolean stopAccepting(WorkerHandle worker) {
    Load load = loads.get(worker);
    if (load == null) {
      return true;
    }
    load.accepting = false;
    return load.held.isEmpty();
  }

  /** True when {@code worker} takes no more work and holds nothing: it may be sent the sentinel. */
  synchronized boolean retiredAndEmpty(WorkerHandle worker) {
    Load load = loads.get(worker);
    return load != null && !load.accepting && load.held.isEmpty();
  }

  /** Forgets a worker that has exited and returns the chunks it held, oldest first. */
  synchronized List<Chunk> workerGone(WorkerHandle worker) {
    Load load = loads.remove(worker);
    if (load == null) {
      return List.of();
    }
    List<Chunk> lost = new ArrayList<>(load.held);
    lost.forEach(chunk -> chunk.holder = null);
    return lost;
  }

  /** Removes every chunk, waiting or held, and returns them: the pool is stopping. */
  synchronized List<Chunk> drain() {
    List<Chunk> all = drainPending();
    for (Load load : loads.values()) {
      all.addAll(load.held);
      load.held.clear();
    }
    return all;
  }

  /**
   * Removes the chunks no worker holds yet and returns them, and stops giving workers work; the
   * held chunks stay with their workers to be finished.
   */
  synchronized List<Chunk> drainPending() {
    List<Chunk> waiting = new ArrayList<>(pending);
    pending.clear();
    loads.values().forEach(load -> load.accepting = false);
    return waiting;
  }

  /** What {@code worker} holds and has done, or null when it takes no part (not ready, or gone). */
  synchronized WorkerLoad load(WorkerHandle worker) {
    Load load = loads.get(worker);
    return load == null ? null : new WorkerLoad(load.accepting, itemsHeld(load), load.itemsDone);
  }

  private static int itemsHeld(Load load) {
    int items = 0;
    for (Chunk chunk : load.held) {
      items += chunk.count;
    }
    return items;
  }

  /**
   * Returns the workers whose current chunk has run longer than {@code nanosPerInput} for each of
   * its inputs.
   */
  synchronized List<Overdue> overdue(long nanosPerInput) {
    long now = System.nanoTime();
    List<Overdue> out = new ArrayList<>();
    loads.forEach((worker, load) -> {
      Chunk head = load.held.peekFirst();
      if (head != null && now - load.headStartedNanos > nanosPerInput * head.count) {
        out.add(new Overdue(worker, head, now - load.headStartedNanos));
      }
    });
    return out;
  }

  /** Fills every accepting worker's window, one chunk per worker per round, fairly. */
  private void dispatch() {
    boolean gave = true;
    while (gave && !pending.isEmpty()) {
      gave = false;
      for (Map.Entry<WorkerHandle, Load> entry : loads.entrySet()) {
        Load load = entry.getValue();
        if (!load.accepting || load.held.size() >= window || pending.isEmpty()) {
          continue;
        }
        if (maxItemsPerWorker > 0 && load.itemsDone + itemsHeld(load) >= maxItemsPerWorker) {
          load.accepting = false; // recycled once it has answered what it holds
          continue;
        }
        Chunk chunk = pending.pollFirst();
        if (chunk.job.results().completion().isDone()) {
          continue; // every rank already has an outcome (the job was cancelled)
        }
        chunk.attempt++;
        chunk.holder = entry.getKey();
        if (load.held.isEmpty()) {
          load.headStartedNanos = System.nanoTime(); // an idle worker starts on it at once
        }
        load.held.addLast(chunk);
        WorkerHandle worker = entry.getKey();
        worker.send(chunk.message());
        events.taskSent(worker.workerId(), worker.pid(), chunk.taskId, chunk.job.task().name(),
            chunk.firstRank, chunk.count, chunk.attempt);
        if (maxItemsPerWorker > 0 && load.itemsDone + itemsHeld(load) >= maxItemsPerWorker) {
          load.accepting = false; // recycled once it has answered what it holds
        }
        gave = true;
      }
    }
  }
}
