package dev.jprocs.bench;

import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.WorkerExit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Records, with {@link System#nanoTime()}, when each worker process of a pool was spawned, said
 * hello, was sent its first chunk, answered its first chunk and died. Its methods are called on the
 * pool's own threads and only store a time; the benchmark thread reads them and polls
 * {@link #await}.
 */
final class EventTimes implements PoolEvents {
  /** The times of one worker process; 0 for what has not happened yet. */
  static final class Worker {
    final String workerId;
    final long pid;
    final int restarts;
    final long spawned;
    final AtomicLong ready = new AtomicLong();
    final AtomicLong firstSent = new AtomicLong();
    final AtomicLong firstResult = new AtomicLong();
    final AtomicLong results = new AtomicLong();
    final AtomicLong died = new AtomicLong();

    Worker(String workerId, long pid, int restarts, long spawned) {
      this.workerId = workerId;
      this.pid = pid;
      this.restarts = restarts;
      this.spawned = spawned;
    }
  }

  /** By worker id and pid: thread-mode workers all have this JVM's pid. */
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();

  private static String key(String workerId, long pid) {
    return workerId + "/" + pid;
  }

  @Override
  public void workerSpawned(String workerId, long pid, int restarts) {
    workers.put(key(workerId, pid), new Worker(workerId, pid, restarts, System.nanoTime()));
  }

  @Override
  public void workerReady(String workerId, long pid) {
    stamp(workerId, pid, w -> w.ready);
  }

  @Override
  public void taskSent(String workerId, long pid, long taskId, String task, long firstRank,
      int count, int attempt) {
    stamp(workerId, pid, w -> w.firstSent);
  }

  @Override
  public void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
      int errors) {
    long now = System.nanoTime();
    Worker worker = workers.get(key(workerId, pid));
    if (worker != null) {
      worker.firstResult.compareAndSet(0, now);
      worker.results.incrementAndGet();
    }
  }

  @Override
  public void workerDied(WorkerExit exit, String description) {
    stamp(exit.workerId(), exit.pid(), w -> w.died);
  }

  private interface Field {
    AtomicLong of(Worker worker);
  }

  private void stamp(String workerId, long pid, Field field) {
    long now = System.nanoTime();
    Worker worker = workers.get(key(workerId, pid));
    if (worker != null) {
      field.of(worker).compareAndSet(0, now);
    }
  }

  /** Every worker process seen so far. */
  List<Worker> workers() {
    return List.copyOf(workers.values());
  }

  /**
   * Returns the first worker process that matches, polling every millisecond (the times themselves
   * are taken in the callbacks, so the polling does not blur them).
   *
   * @throws TimeoutException when none matches within {@code timeout}
   */
  Worker await(Predicate<Worker> condition, Duration timeout, String what)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Worker worker : workers.values()) {
        if (condition.test(worker)) {
          return worker;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("waited " + timeout.toSeconds() + " s for " + what);
      }
      Thread.sleep(1);
    }
  }
}
