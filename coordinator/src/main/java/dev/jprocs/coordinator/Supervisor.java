package dev.jprocs.coordinator;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that reacts to a worker's end. It owns the worker slots ({@code worker-0} ...):
 * when a worker process ends it takes back the chunks the worker held, retries them (attempt
 * raised) or fails them after the last attempt, describes the death once, and starts a
 * replacement in the same slot, backing off when a slot keeps failing and giving up (a restart
 * storm) rather than looping forever.
 *
 * <p>Every reaction runs on its own single thread, {@code jprocs-supervisor}, which is also the
 * executor that {@link WorkerHandle} calls {@code onExit} on; so deaths are handled one at a time
 * and in the order they were noticed.
 */
final class Supervisor {
  /** Fails every input of a chunk, with what happened. */
  @FunctionalInterface
  interface Failure {
    void fail(Chunk chunk, TaskFailure.Kind kind, String message, String evidence);
  }

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** Exits before hello in a row, in one slot, that stop the pool. */
  static final int MAX_FAILED_STARTS = 4;

  private final PoolConfig config;
  private final WorkerLauncher launcher;
  private final Scheduler scheduler;
  private final WorkerHandle.Listener listener;
  private final Failure failure;
  private final Consumer<String> broken;
  private volatile Thread supervisorThread;
  private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "jprocs-supervisor");
    t.setDaemon(true);
    supervisorThread = t;
    return t;
  }, (late, executor) -> late.run()); // a process that ends after shutdown is still accounted for
  private final Map<String, WorkerHandle> slots = new LinkedHashMap<>(); // guarded by this
  private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
  private final Map<String, Boolean> tracing = new ConcurrentHashMap<>();
  private final Map<String, Integer> failedStarts = new HashMap<>(); // supervisor thread only
  private final Map<String, Integer> failuresInARow = new HashMap<>(); // supervisor thread only
  private final Deque<Long> restartTimes = new ArrayDeque<>(); // supervisor thread only
  private volatile boolean replacing = true;

  /**
   * @param failure fails a chunk that will not be tried again
   * @param broken stops the pool with a reason, after a restart storm
   */
  Supervisor(PoolConfig config, WorkerLauncher launcher, Scheduler scheduler,
      WorkerHandle.Listener listener, Failure failure, Consumer<String> broken) {
    this.config = config;
    this.launcher = launcher;
    this.scheduler = scheduler;
    this.listener = listener;
    this.failure = failure;
    this.broken = broken;
  }

  /** Starts a worker process in {@code workerId}'s slot. Any thread. */
  WorkerHandle spawn(String workerId) throws IOException {
    Process process = launcher.start(workerId);
    WorkerHandle worker = new WorkerHandle(workerId, process, listener, config,
        tracing(workerId), thread);
    synchronized (this) {
      slots.put(workerId, worker);
    }
    config.events.workerSpawned(workerId, process.pid(), restarts(workerId));
    return worker;
  }

  /** Whether slot {@code workerId}'s pipe is traced; it stays so across restarts. */
  boolean tracing(String workerId) {
    return tracing.getOrDefault(workerId, config.tracePipes);
  }

  /** Switches tracing of slot {@code workerId} on or off; returns whether it was on. Any thread. */
  synchronized boolean trace(String workerId, boolean on) {
    boolean was = tracing(workerId);
    tracing.put(workerId, on);
    WorkerHandle worker = slots.get(workerId);
    if (worker != null) {
      worker.trace(on);
    }
    return was;
  }

  /** The current worker of every slot, in slot order. */
  synchronized List<WorkerHandle> workers() {
    return new ArrayList<>(slots.values());
  }

  /** How many processes slot {@code workerId} has had after its first. */
  int restarts(String workerId) {
    return restarts.getOrDefault(workerId, 0);
  }

  /**
   * From now on, a worker that ends is not replaced, and what it held is cancelled. Returns once
   * no replacement can be starting any more, so {@link #workers()} is then final. Any thread.
   */
  void stopReplacing() {
    replacing = false;
    if (Thread.currentThread() == supervisorThread) {
      return; // nothing else runs on this thread meanwhile
    }
    try {
      // A respawn already running on the supervisor thread finishes before this no-op does.
      thread.submit(() -> {}).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
      throw new IllegalStateException("the supervisor thread failed", e);
    }
  }

  /** Runs {@code check} on the supervisor thread every {@code periodMillis}. */
  void every(long periodMillis, Runnable check) {
    thread.scheduleWithFixedDelay(check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Reacts to the end of {@code worker}'s process. Supervisor thread only. */
  void onExit(WorkerHandle worker, WorkerExit exit) {
    List<Chunk> lost = scheduler.workerGone(worker);
    boolean current;
    synchronized (this) {
      current = slots.get(worker.workerId()) == worker;
    }
    if (exit.clean() && lost.isEmpty()) {
      config.events.workerRetired(exit);
      if (replacing && current && launcher.canRestart(worker.workerId())) {
        respawn(worker.workerId()); // a graceful restart or a recycled worker: replace it now
      } else if (current && replacing) {
        forget(worker);
      }
      return;
    }
    String description = describe(exit, lost);
    log.warn(description);
    config.events.workerDied(exit, description);
    if (!replacing) {
      lost.forEach(chunk -> failure.fail(chunk, TaskFailure.Kind.CANCELLED,
          "the pool stopped before it finished", null));
      return;
    }
    reclaim(lost, exit.workerId() + " (pid " + exit.pid() + ") " + exit.status()
        + (exit.problem() == null ? "" : ": " + exit.problem()), String.join("\n", exit.stderrTail()));
    if (current && launcher.canRestart(worker.workerId())) {
      replace(worker, exit);
    } else if (current) {
      forget(worker); // its source is gone (a cluster member left): not a restart, not a storm
    }
  }

  /** Closes the slot of a worker that cannot be restarted; it is no longer listed. */
  private void forget(WorkerHandle worker) {
    synchronized (this) {
      slots.remove(worker.workerId(), worker);
    }
    log.info("{} is closed: what it ran on is gone", worker.workerId());
  }

  /**
   * Opens new slots (a cluster member joined) and starts a worker in each, on the supervisor
   * thread; each must say hello within the start timeout, like a replacement. Any thread.
   */
  void add(List<String> workerIds) {
    thread.execute(() -> workerIds.forEach(this::startInSlot));
  }

  /**
   * Takes back the chunks of a worker that died. Only the oldest, which the worker was running
   * (it answers in order), is charged with the death: it is failed once it has been charged
   * {@code maxAttempts} times, and otherwise goes out again as one chunk per input, so an input
   * that kills its worker every time ends up failing alone. The chunks queued behind it had not
   * started and go out again as they were. Any thread.
   *
   * @param held the worker's chunks, oldest first
   * @param how how the worker died, for the failure message
   * @param evidence what the worker last wrote to stderr, possibly empty
   */
  void reclaim(List<Chunk> held, String how, String evidence) {
    if (held.isEmpty()) {
      return;
    }
    List<Chunk> again = new ArrayList<>();
    Chunk running = held.get(0);
    running.deaths++;
    if (running.deaths >= config.maxAttempts) {
      failure.fail(running, TaskFailure.Kind.WORKER_DIED, "its worker died while running it, on "
          + running.deaths + (running.deaths == 1 ? " attempt" : " attempts") + "; the last: " + how,
          evidence);
    } else if (running.count == 1) {
      again.add(running);
    } else {
      for (int i = 0; i < running.count; i++) {
        Chunk single = new Chunk(scheduler.newTaskId(), running.job, running.firstRank + i, 1);
        single.attempt = running.attempt; // raised again when it is dispatched
        single.deaths = running.deaths;
        again.add(single);
      }
    }
    again.forEach(chunk -> retried(chunk, "its worker died while running it: " + how));
    List<Chunk> waiting = held.subList(1, held.size());
    waiting.forEach(chunk -> retried(chunk, "its worker died before starting it"));
    again.addAll(waiting);
    scheduler.retry(again);
  }

  private void retried(Chunk chunk, String reason) {
    config.events.taskRetried(chunk.taskId, chunk.job.task().name(), chunk.firstRank, chunk.count,
        reason);
  }

  private void replace(WorkerHandle dead, WorkerExit exit) {
    String workerId = dead.workerId();
    boolean greeted = dead.ready().isDone() && !dead.ready().isCompletedExceptionally();
    if (!greeted && failedStarts.merge(workerId, 1, Integer::sum) >= MAX_FAILED_STARTS) {
      broken.accept("restart storm: " + workerId + " failed to start " + MAX_FAILED_STARTS
          + " times in a row; the last attempt: " + exit.describe());
      return;
    }
    int failures = dead.answered() ? 0 : failuresInARow.merge(workerId, 1, Integer::sum);
    if (failures == 0) {
      failuresInARow.remove(workerId);
    }
    long now = System.nanoTime();
    restartTimes.addLast(now);
    while (now - restartTimes.peekFirst() > config.restartWindow.toNanos()) {
      restartTimes.removeFirst();
    }
    if (restartTimes.size() > config.maxRestarts) {
      broken.accept("restart storm: " + restartTimes.size() + " worker restarts in "
          + config.restartWindow.toSeconds() + " s (--max-restarts " + config.maxRestarts
          + "); the last death: " + exit.describe());
      return;
    }
    long delayMillis = config.restartPolicy.delay(failures).toMillis();
    thread.schedule(() -> respawn(workerId), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void respawn(String workerId) {
    if (!replacing) {
      return;
    }
    restarts.merge(workerId, 1, Integer::sum);
    startInSlot(workerId);
  }

  /** Starts a worker in slot {@code workerId} and gives it the start timeout to say hello. */
  private void startInSlot(String workerId) {
    if (!replacing) {
      return;
    }
    try {
      WorkerHandle worker = spawn(workerId);
      log.info("{} started as pid {}", workerId, worker.pid());
      // A replacement that never says hello must not hold its slot forever.
      thread.schedule(() -> {
        if (!worker.ready().isDone()) {
          worker.kill(workerId + " did not say hello within " + config.startTimeout.toSeconds() + " s");
        }
      }, config.startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      if (!launcher.canRestart(workerId)) {
        log.info("{} not started: {}", workerId, e.getMessage()); // its member left meanwhile
        return;
      }
      broken.accept("cannot start a worker in " + workerId + ": " + e.getMessage());
    }
  }

  /** A worker said hello: its slot starts well again. Any thread. */
  void started(WorkerHandle worker) {
    thread.execute(() -> failedStarts.remove(worker.workerId()));
  }

  private static String describe(WorkerExit exit, List<Chunk> lost) {
    List<String> held = new ArrayList<>();
    for (Chunk chunk : lost) {
      held.add("task " + chunk.taskId + " (" + chunk.job.task().name() + " " + chunk.ranks()
          + ", attempt " + chunk.attempt + ")");
    }
    return "worker died: " + exit.describe(lost.isEmpty() ? "it held no task"
        : "it held " + String.join(", ", held));
  }

  /** Ends the supervisor thread's periodic checks; exits noticed later are still handled. */
  void shutdown() {
    thread.shutdownNow();
  }
}
