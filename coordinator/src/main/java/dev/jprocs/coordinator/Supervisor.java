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
  /** A booted worker JVM without a slot, ready to take the next one that opens; guarded by this. */
  private WorkerHandle spare;
  /** Spares that were started and not promoted, so the pool can wait for their exit; by this. */
  private final List<WorkerHandle> unusedSpares = new ArrayList<>();
  /** Spares that exited before they were needed, in a row; supervisor thread only. */
  private int spareFailures;

  /** Spares that exit unused in a row before the pool stops keeping one. */
  static final int MAX_SPARE_FAILURES = 3;

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

  /**
   * Every process this supervisor started that may still be running: the slots' workers and any
   * spare that took no slot. The pool waits for all of them before it is closed.
   */
  synchronized List<WorkerHandle> processes() {
    List<WorkerHandle> all = new ArrayList<>(slots.values());
    all.addAll(unusedSpares);
    return all;
  }

  /**
   * Starts a spare worker JVM in the background after the configured delay, if this pool keeps
   * one: it boots and waits, so a slot whose worker ends is taken over in milliseconds rather than after a JVM's
   * start. Any thread; the work runs on the supervisor thread.
   */
  void keepSpare() {
    if (!config.spareWorker || !launcher.startsSpares()) {
      return;
    }
    thread.schedule(this::startSpare, config.spareDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void startSpare() {
    synchronized (this) {
      if (!replacing || spare != null || spareFailures >= MAX_SPARE_FAILURES) {
        return;
      }
    }
    try {
      Process process = launcher.startSpare();
      WorkerHandle started = new WorkerHandle(WorkerHandle.SPARE, process, listener, config, false,
          thread);
      synchronized (this) {
        spare = started;
        unusedSpares.add(started);
      }
      log.debug("spare worker started as pid {}", process.pid());
    } catch (IOException e) {
      log.warn("cannot start a spare worker; replacements will start from scratch: {}", e.toString());
      spareFailures = MAX_SPARE_FAILURES;
    }
  }

  /** The spare's pid, or -1 while there is none. */
  synchronized long sparePid() {
    return spare == null || spare.ended() ? -1 : spare.pid();
  }

  /** Takes the spare, if there is a live one, for a slot. Supervisor thread. */
  private synchronized WorkerHandle takeSpare() {
    WorkerHandle taken = spare;
    spare = null;
    if (taken == null || taken.ended()) {
      return null;
    }
    unusedSpares.remove(taken);
    return taken;
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
    if (Thread.currentThread() != supervisorThread) {
      try {
        // A respawn or spare start already running on the supervisor thread finishes first.
        thread.submit(() -> {}).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
        throw new IllegalStateException("the supervisor thread failed", e);
      }
    }
    WorkerHandle unused;
    synchronized (this) {
      unused = spare;
      spare = null;
    }
    if (unused != null) {
      unused.shutdown(); // as its first line: a spare told to shut down exits 0 at once
    }
  }


  /** Runs {@code check} on the supervisor thread every {@code periodMillis}. */
  void every(long periodMillis, Runnable check) {
    thread.scheduleWithFixedDelay(check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Reacts to the end of {@code worker}'s process. Supervisor thread only. */
  void onExit(WorkerHandle worker, WorkerExit exit) {
    if (worker.spare()) {
      spareEnded(worker, exit);
      return;
    }
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

  /**
   * A spare ended without a slot: told to at the pool's end, or it failed to boot. Another is
   * started unless spares keep failing, which is logged once with the evidence.
   */
  private void spareEnded(WorkerHandle worker, WorkerExit exit) {
    synchronized (this) {
      unusedSpares.remove(worker);
      if (spare == worker) {
        spare = null;
      }
    }
    if (!replacing) {
      return; // the pool is closing: this is the spare it told to go
    }
    if (++spareFailures >= MAX_SPARE_FAILURES) {
      log.warn("no more spare workers: {} in a row exited before they were needed; the last: {}",
          spareFailures, exit.describe());
      return;
    }
    log.info("a spare worker exited before it was needed ({}); starting another", exit.status());
    thread.schedule(this::startSpare, config.restartPolicy.delay(spareFailures).toMillis(),
        TimeUnit.MILLISECONDS);
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

  /**
   * Puts a new worker in slot {@code workerId}: the spare, when there is one, which says hello as
   * soon as it reads its assignment; else a JVM started now. Supervisor thread.
   */
  private void respawn(String workerId) {
    if (!replacing) {
      return;
    }
    restarts.merge(workerId, 1, Integer::sum);
    WorkerHandle standIn = takeSpare();
    if (standIn == null) {
      startInSlot(workerId);
      return;
    }
    standIn.assign(workerId, tracing(workerId));
    synchronized (this) {
      slots.put(workerId, standIn);
    }
    // Before the assignment goes out: the spare answers it with a hello at once, and the events
    // must say the slot's new worker was spawned before they say it is ready.
    config.events.workerSpawned(workerId, standIn.pid(), restarts(workerId));
    standIn.sendAssignment();
    log.info("{} restarted: the spare worker, pid {}, took its place", workerId, standIn.pid());
    helloWithin(standIn);
    startSpare(); // for the next one
  }

  /** Kills {@code worker} if it has not said hello within the start timeout. */
  private void helloWithin(WorkerHandle worker) {
    thread.schedule(() -> {
      if (!worker.ready().isDone()) {
        worker.kill(worker.workerId() + " did not say hello within " + config.startTimeout.toSeconds() + " s");
      }
    }, config.startTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts a worker in slot {@code workerId} and gives it the start timeout to say hello. */
  private void startInSlot(String workerId) {
    if (!replacing) {
      return;
    }
    try {
      WorkerHandle worker = spawn(workerId);
      log.info("{} started as pid {}", workerId, worker.pid());
      helloWithin(worker); // a replacement that never says hello must not hold its slot forever
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
