package dev.jprocs.coordinator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that reacts to a worker's end. It owns the worker slots ({@code worker-0} ...):
 * when a worker process ends it takes back the chunks the worker held, retries them (attempt
 * raised) or fails them after the last attempt, describes the death once, and starts a
 * replacement in the same slot, backing off when a slot keeps failing to start and giving up
 * (a restart storm) rather than looping forever.
 *
 * <p>Every reaction runs on its own single thread, {@code jprocs-supervisor}, which is also the
 * executor that {@link WorkerHandle} calls {@code onExit} on; so deaths are handled one at a time
 * and in the order they happened.
 */
final class Supervisor {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** Exits before hello in a row, in one slot, that stop the pool. */
  static final int MAX_FAILED_STARTS = 4;
  /** Restarts in {@link #STORM_WINDOW}, over all slots, that stop the pool. */
  static final int MAX_RESTARTS = 50;
  static final Duration STORM_WINDOW = Duration.ofSeconds(60);

  private final PoolConfig config;
  private final WorkerLauncher launcher;
  private final Scheduler scheduler;
  private final WorkerHandle.Listener listener;
  private final Consumer<Chunk> giveUp;
  private final Consumer<String> broken;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "jprocs-supervisor");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, WorkerHandle> slots = new LinkedHashMap<>(); // guarded by this
  private final Map<String, Integer> failedStarts = new HashMap<>(); // supervisor thread only
  private final Deque<Long> restartTimes = new ArrayDeque<>(); // supervisor thread only
  private volatile boolean replacing = true;

  /**
   * @param giveUp fails a chunk whose worker died on its last attempt
   * @param broken stops the pool with a reason, after a restart storm
   */
  Supervisor(PoolConfig config, WorkerLauncher launcher, Scheduler scheduler,
      WorkerHandle.Listener listener, Consumer<Chunk> giveUp, Consumer<String> broken) {
    this.config = config;
    this.launcher = launcher;
    this.scheduler = scheduler;
    this.listener = listener;
    this.giveUp = giveUp;
    this.broken = broken;
  }

  /** Starts a worker process in {@code workerId}'s slot. Any thread. */
  WorkerHandle spawn(String workerId) throws IOException {
    Process process = launcher.start(workerId);
    WorkerHandle worker = new WorkerHandle(workerId, process, listener, config.maxLineBytes, thread);
    synchronized (this) {
      slots.put(workerId, worker);
    }
    return worker;
  }

  /** The current worker of every slot. */
  synchronized List<WorkerHandle> workers() {
    return new ArrayList<>(slots.values());
  }

  /** From now on, a worker that ends is not replaced. */
  void stopReplacing() {
    replacing = false;
  }

  /** A worker of this pool said hello: its slot is healthy again. Any thread. */
  void started(WorkerHandle worker) {
    thread.execute(() -> failedStarts.remove(worker.workerId()));
  }

  /** Reacts to the end of {@code worker}'s process. Supervisor thread only. */
  void onExit(WorkerHandle worker, WorkerExit exit) {
    List<Chunk> lost = scheduler.workerGone(worker);
    if (exit.clean() && lost.isEmpty()) {
      config.events.workerRetired(exit);
      return;
    }
    String description = describe(exit, lost);
    log.warn(description);
    config.events.workerDied(exit, description);

    reclaim(lost);

    boolean current;
    synchronized (this) {
      current = slots.get(worker.workerId()) == worker;
    }
    if (replacing && current) {
      replace(worker, exit);
    }
  }

  /**
   * Sends chunks whose attempt was lost (the worker died, or answered nonsense) out again, or
   * fails those that have had their last attempt. Any thread.
   */
  void reclaim(List<Chunk> lost) {
    List<Chunk> again = new ArrayList<>();
    for (Chunk chunk : lost) {
      if (chunk.attempt >= config.maxAttempts) {
        giveUp.accept(chunk);
      } else {
        again.add(chunk);
      }
    }
    scheduler.retry(again);
  }

  private void replace(WorkerHandle dead, WorkerExit exit) {
    String workerId = dead.workerId();
    int failures = dead.ready().isDone() && !dead.ready().isCompletedExceptionally()
        ? 0 : failedStarts.merge(workerId, 1, Integer::sum);
    if (failures >= MAX_FAILED_STARTS) {
      broken.accept("restart storm: " + workerId + " failed to start " + failures
          + " times in a row; the last attempt: " + exit.describe());
      return;
    }
    long now = System.nanoTime();
    restartTimes.addLast(now);
    while (now - restartTimes.peekFirst() > STORM_WINDOW.toNanos()) {
      restartTimes.removeFirst();
    }
    if (restartTimes.size() > MAX_RESTARTS) {
      broken.accept("restart storm: " + restartTimes.size() + " worker restarts in "
          + STORM_WINDOW.toSeconds() + " s; the last death: " + exit.describe());
      return;
    }
    long delayMillis = failures == 0 ? 0 : Math.min(5_000, 100L << (failures - 1));
    thread.schedule(() -> respawn(workerId), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void respawn(String workerId) {
    if (!replacing) {
      return;
    }
    try {
      WorkerHandle worker = spawn(workerId);
      log.info("{} restarted as pid {}", workerId, worker.pid());
      // A replacement that never says hello must not hold its slot forever.
      thread.schedule(() -> {
        if (!worker.ready().isDone()) {
          worker.kill(workerId + " did not say hello within " + config.startTimeout.toSeconds() + " s");
        }
      }, config.startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      broken.accept("cannot start a replacement for " + workerId + ": " + e.getMessage());
    }
  }

  private static String describe(WorkerExit exit, Collection<Chunk> lost) {
    StringBuilder text = new StringBuilder("worker died: ").append(exit.workerId())
        .append(" (pid ").append(exit.pid()).append(") ").append(exit.status());
    if (exit.problem() != null) {
      text.append(": ").append(exit.problem());
    }
    if (lost.isEmpty()) {
      text.append("; it held no task");
    } else {
      text.append("; it held ");
      List<String> held = new ArrayList<>();
      for (Chunk chunk : lost) {
        held.add("task " + chunk.taskId + " (" + chunk.job.task().name() + " " + chunk.ranks()
            + ", attempt " + chunk.attempt + ")");
      }
      text.append(String.join(", ", held));
    }
    if (!exit.stderrTail().isEmpty()) {
      text.append("; last stderr lines:");
      exit.stderrTail().forEach(line -> text.append("\n  | ").append(line));
    }
    return text.toString();
  }

  /** Ends the supervisor thread once every worker is gone. */
  void shutdown() {
    thread.shutdown();
  }
}
