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
    boolean accepting = true;
    long chunksDone;
    long itemsDone;
  }

  /** A snapshot of one worker's load, for reports. */
  record WorkerLoad(String workerId, long pid, boolean accepting, int chunksHeld, int itemsHeld,
      long chunksDone, long itemsDone) {}

  private final int window;
  private final Deque<Chunk> pending = new ArrayDeque<>();
  private final Map<WorkerHandle, Load> loads = new LinkedHashMap<>();

  Scheduler(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, got " + window);
    }
    this.window = window;
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
    loads.put(worker, new Load());
    dispatch();
  }

  /**
   * Takes the chunk that {@code worker} answered off its load and hands it the next one. Returns
   * null when the worker holds no such chunk at that attempt: a late answer from an attempt
   * already written off, which the caller drops.
   */
  synchronized Chunk answered(WorkerHandle worker, long taskId, int attempt) {
    Chunk chunk = withdraw(worker, taskId, attempt);
    if (chunk != null) {
      Load load = loads.get(worker);
      load.chunksDone++;
      load.itemsDone += chunk.count;
    }
    return chunk;
  }

  /**
   * Takes a chunk off {@code worker}'s load without counting it as done (it could not be sent),
   * and hands the worker the next one. Returns null when the worker holds no such chunk.
   */
  synchronized Chunk withdraw(WorkerHandle worker, long taskId, int attempt) {
    Load load = loads.get(worker);
    if (load == null) {
      return null;
    }
    for (Iterator<Chunk> it = load.held.iterator(); it.hasNext(); ) {
      Chunk chunk = it.next();
      if (chunk.taskId == taskId && chunk.attempt == attempt) {
        it.remove();
        chunk.holder = null;
        dispatch();
        return chunk;
      }
    }
    return null;
  }

  /** The chunk {@code worker} is working on now (the oldest it holds), or null. */
  synchronized Chunk current(WorkerHandle worker) {
    Load load = loads.get(worker);
    return load == null ? null : load.held.peekFirst();
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

  /** True when {@code worker} is known and holds no chunk. */
  synchronized boolean holdsNothing(WorkerHandle worker) {
    Load load = loads.get(worker);
    return load == null || load.held.isEmpty();
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
    List<Chunk> all = new ArrayList<>(pending);
    pending.clear();
    for (Load load : loads.values()) {
      all.addAll(load.held);
      load.held.clear();
      load.accepting = false;
    }
    return all;
  }

  /** True when no chunk waits and no worker holds one. */
  synchronized boolean idle() {
    return pending.isEmpty() && loads.values().stream().allMatch(load -> load.held.isEmpty());
  }

  synchronized List<WorkerLoad> loads() {
    List<WorkerLoad> out = new ArrayList<>();
    loads.forEach((worker, load) -> out.add(new WorkerLoad(worker.workerId(), worker.pid(),
        load.accepting, load.held.size(), load.held.stream().mapToInt(c -> c.count).sum(),
        load.chunksDone, load.itemsDone)));
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
        Chunk chunk = pending.pollFirst();
        if (chunk.job.results().completion().isDone()) {
          continue; // every rank already has an outcome (the job was cancelled)
        }
        chunk.attempt++;
        chunk.holder = entry.getKey();
        chunk.sentNanos = System.nanoTime();
        load.held.addLast(chunk);
        entry.getKey().send(chunk.message());
        gave = true;
      }
    }
  }
}
