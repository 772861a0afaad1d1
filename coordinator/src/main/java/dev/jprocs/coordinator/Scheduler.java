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
 * chunk, gets the next pending chunk, up to a window of chunks in flight per worker so its pipe's
 * round trip is hidden behind the work. The window is small (2) for chunks that take time, and
 * grows for a worker whose chunks are short, to about {@link #QUEUED_MILLIS} of its work: with one
 * input per chunk, a round trip of 50-100 us would otherwise leave the worker idle most of the
 * time. A retried chunk goes to the front of the queue.
 *
 * <p>All state is guarded by this object's monitor; methods are called from callers' threads
 * (new work), stdout reader threads (results) and the supervisor thread (deaths). Sending queues
 * a message on the worker's writer thread, or writes a short line to an idle worker's pipe, which
 * has room for it ({@link WorkerHandle#sendTask}); so no method blocks on a pipe.
 */
final class Scheduler {
  /** The most chunks a worker may hold when its chunks are short. */
  static final int MAX_WINDOW = 256;
  /** How much of a worker's work, at its recent pace, the grown window queues ahead of it. */
  static final long QUEUED_MILLIS = 2;

  /** What one live worker holds. */
  private static final class Load {
    final ArrayDeque<Chunk> held = new ArrayDeque<>();
    /** When the worker started on the oldest chunk it holds (it answers in order). */
    long headStartedNanos;
    boolean accepting = true;
    long itemsDone;
    /** Its recent time per chunk, a moving average; 0 until it has answered one. */
    long chunkNanos;
  }

  /** A snapshot of one worker's load, for reports. */
  record WorkerLoad(boolean accepting, int itemsHeld, long itemsDone) {}

  /** A worker whose current chunk has run longer than its time. */
  record Overdue(WorkerHandle worker, Chunk chunk, long runningNanos) {}

  private final int window;
  private final int maxWindow;
  private final long maxItemsPerWorker;
  private final PoolEvents events;
  private final Deque<Chunk> pending = new ArrayDeque<>();
  private final Map<WorkerHandle, Load> loads = new LinkedHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong nextTaskId =
      new java.util.concurrent.atomic.AtomicLong(1);

  /**
   * @param window how many chunks a worker may hold at once
   * @param maxWindow how many it may hold when its chunks are short; {@code window} for a fixed
   *     window
   * @param maxItemsPerWorker after how many inputs a worker takes no more work (to be recycled);
   *     0 for never
   */
  Scheduler(int window, int maxWindow, long maxItemsPerWorker, PoolEvents events) {
    if (window < 1 || maxWindow < window) {
      throw new IllegalArgumentException("window must be at least 1 and at most maxWindow, got "
          + window + " and " + maxWindow);
    }
    this.window = window;
    this.maxWindow = maxWindow;
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
   * Takes the chunk that {@code worker} answered with {@code result} off its load, reports the
   * result received, and hands the worker its next chunk (so the event log shows the answer
   * before what it made room for). Returns null when the worker holds no such chunk at that
   * attempt: a late answer from an attempt already written off, which the caller drops.
   */
  synchronized Chunk answered(WorkerHandle worker, dev.jprocs.protocol.Message.Result result) {
    Load load = loads.get(worker);
    long startedNanos = load == null ? 0 : load.headStartedNanos;
    Chunk chunk = remove(worker, result.taskId(), result.attempt());
    if (chunk != null) {
      events.resultReceived(worker.workerId(), worker.pid(), result.taskId(), result.attempt(),
          result.outputs().size(), result.errors().size());
      long tookNanos = Math.max(1, System.nanoTime() - startedNanos);
      // A moving average over about the last eight chunks: quick to follow a new job's pace.
      load.chunkNanos = load.chunkNanos == 0 ? tookNanos : load.chunkNanos + (tookNanos - load.chunkNanos) / 8;
      load.itemsDone += chunk.count;
      dispatch();
    }
    return chunk;
  }

  /** How many chunks {@code load}'s worker may hold now: more when its chunks are short. */
  private int window(Load load) {
    if (maxWindow == window || load.chunkNanos == 0) {
      return window;
    }
    long fits = QUEUED_MILLIS * 1_000_000 / load.chunkNanos;
    return (int) Math.max(window, Math.min(maxWindow, fits));
  }

  /**
   * Whether the chunk {@code taskId} that {@code worker} holds is of a job whose outputs had best
   * stay text ({@link ResultAssembler#keepsOutputText}); false when it holds no such chunk.
   */
  synchronized boolean keepsOutputText(WorkerHandle worker, long taskId) {
    Load load = loads.get(worker);
    if (load != null) {
      for (Chunk chunk : load.held) {
        if (chunk.taskId == taskId) {
          return chunk.job.results().keepsOutputText();
        }
      }
    }
    return false;
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
        if (!load.accepting || load.held.size() >= window(load) || pending.isEmpty()) {
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
        boolean idle = load.held.isEmpty();
        if (idle) {
          load.headStartedNanos = System.nanoTime(); // an idle worker starts on it at once
        }
        load.held.addLast(chunk);
        WorkerHandle worker = entry.getKey();
        worker.sendTask(chunk.message(), idle);
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
