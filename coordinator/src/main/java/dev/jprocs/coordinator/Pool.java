package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Message;
import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.child.Serialization;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of worker JVMs in the spirit of Python's {@code multiprocessing.Pool}: tasks run by name
 * in separate processes, and results come back in the order of the inputs.
 *
 * <pre>{@code
 * try (Pool pool = Pool.start(PoolConfig.builder().procs(4).build())) {
 *   List<Long> squares = pool.map("square", List.of(1, 2, 3), Long.class); // [1, 4, 9]
 * }
 * }</pre>
 *
 * <p>A worker that dies is replaced and the inputs it held are sent again (up to
 * {@link PoolConfig.Builder#maxAttempts}); every input's outcome reaches the caller exactly once.
 * Thread-safe: several threads may run jobs on one pool at once.
 */
public final class Pool implements AutoCloseable, WorkerHandle.Listener {
  private static final Logger log = LoggerFactory.getLogger(Pool.class);

  private enum State { RUNNING, CLOSING, CLOSED, TERMINATED }

  private final PoolConfig config;
  private final TaskRegistry tasks;
  private final Scheduler scheduler;
  private final Supervisor supervisor;
  /** The cluster the workers run on, or null for workers on this machine. */
  private final ClusterConnection cluster;
  private final Set<Job> active = ConcurrentHashMap.newKeySet();
  private final AtomicLong nextJobId = new AtomicLong(1);
  /**
   * Unfinished jobs whose outputs stay text ({@link #results}): while there are none, a stdout
   * reader reading a result line does not ask the scheduler (and take its lock) about its job.
   */
  private final AtomicInteger textJobs = new AtomicInteger();
  /** Completes {@link #submit} futures, so a caller's callbacks never run on a reader thread. */
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "jprocs-callbacks");
    t.setDaemon(true);
    return t;
  });
  private final Thread shutdownHook = new Thread(this::interrupted, "jprocs-shutdown-hook");
  private volatile State state = State.RUNNING;
  private volatile String brokenReason;
  /** How often a cluster pool checks that a member is left while it has work. */
  private static final long CLUSTER_CHECK_MILLIS = 200;
  /** Since when a cluster pool has had work and no member to run it on; supervisor thread only. */
  private long noMemberSince = -1;

  private Pool(PoolConfig config, ClusterConnection cluster) {
    this.config = config;
    this.cluster = cluster;
    this.tasks = config.tasks();
    WorkerLauncher launcher = config.launcher();
    if (config.mode == PoolConfig.Mode.THREADS) {
      launcher.inThreads();
    }
    if (cluster != null) {
      launcher.inCluster(cluster);
    }
    this.scheduler = new Scheduler(config.window, config.maxWindow, config.maxTasksPerWorker, config.events);
    this.supervisor = new Supervisor(config, launcher, scheduler, this, this::fail, this::broken);
    if (config.taskTimeout != null) {
      long period = Math.max(10, Math.min(250, config.taskTimeout.toMillis() / 4));
      supervisor.every(period, this::killOverdueWorkers);
    }
    if (cluster != null) {
      supervisor.every(CLUSTER_CHECK_MILLIS, this::breakWithoutMembers);
    }
  }

  /**
   * Breaks the pool when it has had unfinished work and no cluster member for longer than the
   * cluster's grace (the connect timeout): without this, pending work would wait forever for a
   * member to join. A member that joins within the grace resets it. Supervisor thread.
   */
  private void breakWithoutMembers() {
    String absence = active.isEmpty() || state == State.TERMINATED ? null : cluster.absence();
    if (absence == null) {
      noMemberSince = -1;
      return;
    }
    long now = System.nanoTime();
    if (noMemberSince < 0) {
      noMemberSince = now;
    } else if (now - noMemberSince >= cluster.grace().toNanos()) {
      noMemberSince = -1;
      broken("no cluster member left for " + cluster.grace().toSeconds() + " s (" + absence
          + "; --cluster-timeout)");
    }
  }

  /** Kills each worker whose current chunk has run over the task timeout. Supervisor thread. */
  private void killOverdueWorkers() {
    for (Scheduler.Overdue overdue : scheduler.overdue(config.taskTimeout.toNanos())) {
      overdue.worker().kill(overdue.chunk() + " ran for " + overdue.runningNanos() / 1_000_000
          + " ms, over the task timeout of " + config.taskTimeout.toMillis() + " ms per input"
          + " (--task-timeout)");
    }
  }

  /**
   * Starts {@code config.procs()} worker JVMs and returns once every one has said hello. With a
   * {@linkplain PoolConfig.Builder#cluster cluster}, connects to it instead and opens a worker slot
   * per thread of each member, and returns once every slot has said hello; members that join
   * later get slots as they come.
   *
   * @throws WorkerStartException when a worker exits, breaks the protocol or stays silent past
   *     the start timeout before its hello; no worker is left running then. With a cluster, also
   *     when it cannot be reached within the connect timeout (the message names the addresses)
   * @throws IllegalStateException when the tasks on the worker classpath cannot be loaded
   */
  public static Pool start(PoolConfig config) throws WorkerStartException {
    ClusterConnection cluster = config.cluster == null ? null
        : ClusterConnection.connect(config.cluster, config.maxLineBytes);
    Pool pool;
    try {
      pool = new Pool(config, cluster);
    } catch (RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(pool.shutdownHook);
    try {
      List<String> slotIds = new ArrayList<>();
      if (cluster == null) {
        for (int i = 0; i < config.procs; i++) {
          slotIds.add("worker-" + i);
        }
      } else {
        slotIds.addAll(cluster.openSlots(pool.supervisor::add));
        if (slotIds.isEmpty()) {
          throw new WorkerStartException("cluster '" + config.cluster.clusterName() + "' at "
              + String.join(",", config.cluster.addresses()) + " has no member", null);
        }
      }
      List<WorkerHandle> fleet = new ArrayList<>();
      for (String workerId : slotIds) {
        fleet.add(pool.supervisor.spawn(workerId));
      }
      long deadline = System.nanoTime() + config.startTimeout.toNanos();
      for (WorkerHandle worker : fleet) {
        awaitHello(worker, deadline, config.startTimeout);
      }
      pool.supervisor.keepSpare();
      return pool;
    } catch (WorkerStartException e) {
      pool.terminate();
      throw e;
    } catch (IOException e) {
      pool.terminate();
      throw new WorkerStartException("cannot start a worker JVM: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      pool.terminate();
      throw e;
    }
  }

  private static void awaitHello(WorkerHandle worker, long deadline, Duration timeout)
      throws WorkerStartException {
    try {
      worker.ready().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw (WorkerStartException) e.getCause(); // the only way ready() fails
    } catch (TimeoutException e) {
      worker.kill(worker + " did not say hello within " + timeout.toSeconds() + " s");
      throw new WorkerStartException(worker + " did not say hello within " + timeout.toSeconds()
          + " s; last stderr lines: " + worker.stderrTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerStartException("interrupted while " + worker + " was starting", e);
    }
  }

  /** The pid of the pool's spare worker JVM, or -1 while it has none. */
  long sparePid() {
    return supervisor.sparePid();
  }

  /** The names of the tasks this pool's workers can run, sorted. */
  public Set<String> taskNames() {
    return tasks.names();
  }

  /** The description of task {@code name}, or null when there is no such task. */
  public String taskDescription(String name) {
    var task = tasks.find(name);
    return task == null ? null : task.description();
  }

  /** The current worker of every slot: id, pid, state, and what it holds and has done. */
  public List<WorkerInfo> workers() {
    return supervisor.workers().stream().map(this::info).toList();
  }

  private WorkerInfo info(WorkerHandle worker) {
    Scheduler.WorkerLoad load = scheduler.load(worker);
    WorkerInfo.State state;
    if (!worker.isAlive()) {
      state = WorkerInfo.State.EXITED;
    } else if (load == null) {
      state = worker.ready().isDone() ? WorkerInfo.State.RETIRING : WorkerInfo.State.STARTING;
    } else {
      state = load.accepting() ? WorkerInfo.State.READY : WorkerInfo.State.RETIRING;
    }
    return new WorkerInfo(worker.workerId(), worker.pid(), state,
        load == null ? 0 : load.itemsDone(), load == null ? 0 : load.itemsHeld(),
        supervisor.restarts(worker.workerId()), worker.startedAt(),
        cluster == null ? null : cluster.address(worker.workerId()));
  }

  /**
   * Restarts worker {@code workerId} gracefully: it gets no more work, finishes what it holds,
   * receives the shutdown sentinel and is replaced in its slot by a new process.
   *
   * Returns the worker it acted on, as it was just before.
   *
   * @throws IllegalArgumentException when there is no such worker or it is not taking work
   */
  public WorkerInfo restartWorker(String workerId) {
    WorkerHandle worker = current(workerId);
    WorkerInfo before = info(worker);
    if (scheduler.load(worker) == null || !scheduler.load(worker).accepting()) {
      throw new IllegalArgumentException(worker + " is not taking work; it cannot be restarted now");
    }
    if (scheduler.stopAccepting(worker)) {
      worker.shutdown();
    } // else onResult sends the sentinel when its last chunk is answered
    return before;
  }

  /**
   * Kills worker {@code workerId} at once (SIGKILL); what it held goes to other workers, and a new
   * process takes its slot, as for any death.
   *
   * Returns the worker it killed, as it was just before.
   *
   * @throws IllegalArgumentException when there is no such worker
   */
  public WorkerInfo killWorker(String workerId) {
    WorkerHandle worker = current(workerId);
    WorkerInfo before = info(worker);
    worker.kill("killed on request");
    return before;
  }

  /**
   * Switches tracing of worker {@code workerId}'s pipe on or off, for its current process and the
   * ones that replace it; traced frames go to the configured {@link PipeTracer}. Returns whether
   * it was on.
   *
   * @throws IllegalArgumentException when there is no such worker
   */
  public boolean trace(String workerId, boolean on) {
    current(workerId); // checks the id
    return supervisor.trace(workerId, on);
  }

  /** Whether worker {@code workerId}'s pipe is being traced. */
  public boolean tracing(String workerId) {
    current(workerId);
    return supervisor.tracing(workerId);
  }

  private WorkerHandle current(String workerId) {
    return supervisor.workers().stream().filter(w -> w.workerId().equals(workerId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no worker " + workerId + "; there are "
            + supervisor.workers().stream().map(WorkerHandle::workerId).toList()));
  }

  /**
   * Applies {@code task} to every input and returns the outputs in input order, like Python's
   * {@code Pool.map}. Chunk size is chosen automatically.
   *
   * @throws TaskFailedException for the first input, in rank order, that has no output
   */
  public <R> List<R> map(String task, Iterable<?> inputs, Class<R> type) {
    return map(TaskSpec.of(task), inputs, type, 0);
  }

  /**
   * As {@link #map(String, Iterable, Class)}, with task options and a chunk size (0 chooses one:
   * the inputs spread over four chunks per worker, as Python does, but at most 4096 a chunk).
   */
  public <R> List<R> map(TaskSpec task, Iterable<?> inputs, Class<R> type, int chunksize) {
    Job job = run(task, inputs, chunksize, false);
    List<R> outputs = new ArrayList<>(job.size());
    // Whatever has arrived in order is taken with one lock, not one per rank.
    Object[] ready = new Object[Math.max(1, Math.min(job.size(), MAX_AUTOMATIC_CHUNKSIZE))];
    while (outputs.size() < job.size()) {
      int rank = outputs.size();
      int taken;
      try {
        taken = job.results().takeReady(rank, ready);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted while waiting for a result");
      }
      for (int i = 0; i < taken; i++, rank++) {
        Object held = ready[i];
        ready[i] = null;
        outputs.add(ResultAssembler.value(rank, held, type));
      }
    }
    return outputs;
  }

  /**
   * Applies {@code task} to every input and yields each output as soon as its turn comes, in
   * input order, like Python's {@code Pool.imap}. The iterator's {@code next} throws
   * {@link TaskFailedException} for an input that has no output; later inputs can still be read.
   */
  public <R> Iterator<R> imap(TaskSpec task, Iterable<?> inputs, Class<R> type, int chunksize) {
    return converting(ordered(run(task, inputs, chunksize, false)), type);
  }

  /** As {@link #imap}, but yields outputs in the order they finish, like {@code imap_unordered}. */
  public <R> Iterator<R> imapUnordered(TaskSpec task, Iterable<?> inputs, Class<R> type,
      int chunksize) {
    return converting(unordered(run(task, inputs, chunksize, true)), type);
  }

  /**
   * Applies {@code task} to every input and yields every outcome, output or failure, in input
   * order; for callers that report failures rather than stop at the first. Outputs stay as the
   * JSON text the workers wrote until a {@link TaskResult} is asked for a tree, so a caller that
   * writes them on or reads one field of each builds no trees ({@code coordinator.sh} does both:
   * 100,000 aligns end to end with {@code --output} took 1.50 s instead of 1.81, its JVM 0.89
   * CPU-seconds instead of 1.31, medians of 10 interleaved pairs).
   */
  public Results results(TaskSpec task, Iterable<?> inputs, int chunksize) {
    return ordered(run(task, inputs, chunksize, false, true));
  }

  /**
   * Runs {@code task} on one input; the future completes with its output, or exceptionally with
   * {@link TaskFailedException}. Callbacks run on the pool's callback thread.
   */
  public <R> CompletableFuture<R> submit(TaskSpec task, Object input, Class<R> type) {
    Job job = run(task, List.of(input), 1, false);
    return job.results().completion().thenApplyAsync(done -> {
      try {
        return job.results().awaitRank(0).value(type);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      }
    }, callbacks);
  }

  // --- The rest of Python's Pool: starmap, apply, the async calls ---------------------------

  /**
   * Applies {@code task} to each argument list, sent as one JSON array, and returns the outputs
   * in order, like Python's {@code starmap}: the task reads its arguments as the array's elements.
   *
   * @throws TaskFailedException for the first input, in rank order, that has no output
   */
  public <R> List<R> starmap(String task, List<? extends List<?>> args, Class<R> type) {
    return starmap(TaskSpec.of(task), args, type, 0);
  }

  /** As {@link #starmap(String, List, Class)}, with task options and a chunk size (0: automatic). */
  public <R> List<R> starmap(TaskSpec task, List<? extends List<?>> args, Class<R> type,
      int chunksize) {
    return map(task, args, type, chunksize);
  }

  /**
   * Runs {@code task} on one input and waits for its output, like Python's {@code apply}.
   *
   * @throws TaskFailedException when it has no output; for a task that threw, the cause is the
   *     remote exception with the worker's stack trace
   */
  public <R> R apply(String task, Object input, Class<R> type) {
    return apply(TaskSpec.of(task), input, type);
  }

  /** As {@link #apply(String, Object, Class)}, with task options. */
  public <R> R apply(TaskSpec task, Object input, Class<R> type) {
    Job job = run(task, Collections.singletonList(input), 1, false);
    return await(() -> job.results().awaitRank(0)).value(type);
  }

  /** As {@link #applyAsync(TaskSpec, Object, Class, Consumer, Consumer)}, without callbacks. */
  public <R> AsyncResult<R> applyAsync(TaskSpec task, Object input, Class<R> type) {
    return applyAsync(task, input, type, null, null);
  }

  /**
   * Runs {@code task} on one input without waiting, like Python's {@code apply_async}. When it is
   * done, {@code onSuccess} gets the output or {@code onError} the {@link TaskFailedException}
   * (either may be null), on the pool's callback thread, one callback at a time; then the result
   * becomes ready. A callback that throws is logged; the result is still delivered.
   */
  public <R> AsyncResult<R> applyAsync(TaskSpec task, Object input, Class<R> type,
      Consumer<? super R> onSuccess, Consumer<? super Throwable> onError) {
    Job job = run(task, Collections.singletonList(input), 1, false);
    return whenDone(job, () -> await(() -> job.results().awaitRank(0)).value(type), onSuccess,
        onError);
  }

  /** As {@link #mapAsync(TaskSpec, Iterable, Class, Consumer, Consumer)}, without callbacks. */
  public <R> AsyncResult<List<R>> mapAsync(TaskSpec task, Iterable<?> inputs, Class<R> type) {
    return mapAsync(task, inputs, type, null, null);
  }

  /**
   * Applies {@code task} to every input without waiting, like Python's {@code map_async}: the
   * result is every output in input order, or the failure of the first input, in rank order,
   * that has none. Callbacks as for {@link #applyAsync(TaskSpec, Object, Class, Consumer,
   * Consumer)}: {@code onSuccess} gets the whole list.
   */
  public <R> AsyncResult<List<R>> mapAsync(TaskSpec task, Iterable<?> inputs, Class<R> type,
      Consumer<? super List<R>> onSuccess, Consumer<? super Throwable> onError) {
    Job job = run(task, inputs, 0, false);
    return whenDone(job, () -> {
      List<R> outputs = new ArrayList<>(job.size());
      Iterator<TaskResult> results = ordered(job);
      while (results.hasNext()) {
        outputs.add(results.next().value(type));
      }
      return outputs;
    }, onSuccess, onError);
  }

  /**
   * An async result that, once {@code job} is complete, gets its value from {@code outcome} on
   * the callback thread, runs the callback that applies, and only then becomes ready.
   */
  private <T> AsyncResult<T> whenDone(Job job, Supplier<T> outcome, Consumer<? super T> onSuccess,
      Consumer<? super Throwable> onError) {
    CompletableFuture<T> result = new CompletableFuture<>();
    job.results().completion().thenRunAsync(() -> {
      T value;
      try {
        value = outcome.get();
      } catch (RuntimeException e) {
        callback(onError, e);
        result.completeExceptionally(e); // wakes AsyncResult.get callers
        return;
      }
      callback(onSuccess, value);
      result.complete(value); // wakes AsyncResult.get callers
    }, callbacks);
    return new AsyncResult<>(result);
  }

  private static <T> void callback(Consumer<? super T> callback, T value) {
    if (callback == null) {
      return;
    }
    try {
      callback.accept(value);
    } catch (RuntimeException e) {
      log.error("an async callback threw; the result is delivered all the same", e);
    }
  }

  /**
   * The most inputs an automatic chunk holds. A worker keeps a chunk's inputs and outputs as JSON
   * trees while it runs it, with the next chunk read ahead: a million squares in Python's eight
   * chunks of 125,000 outgrew a worker's young generation at every chunk (a third of the workers'
   * time went to copying and full collections), where chunks of 4096 die young. The messages this
   * adds cost little: at chunksize 1 a task costs 1.5-2.3 us in all.
   */
  static final int MAX_AUTOMATIC_CHUNKSIZE = 4096;

  private Job run(TaskSpec task, Iterable<?> inputs, int chunksize, boolean keepArrivals) {
    return run(task, inputs, chunksize, keepArrivals, false);
  }

  /** @param keepOutputText see {@link ResultAssembler#keepsOutputText} */
  private Job run(TaskSpec task, Iterable<?> inputs, int chunksize, boolean keepArrivals,
      boolean keepOutputText) {
    if (chunksize < 0) {
      throw new IllegalArgumentException("chunksize must be 0 (automatic) or more, got " + chunksize);
    }
    if (tasks.find(task.name()) == null) {
      throw new IllegalArgumentException("no task named '" + task.name()
          + "' on the worker classpath; there are: " + String.join(", ", tasks.names()));
    }
    List<Object> json = toJson(inputs);
    Job job = new Job(nextJobId.getAndIncrement(), task, json,
        new ResultAssembler(json.size(), keepArrivals, keepOutputText));
    synchronized (this) {
      if (state != State.RUNNING) {
        throw new IllegalStateException("the pool is " + state.name().toLowerCase()
            + (brokenReason == null ? "" : " (" + brokenReason + ")") + "; it takes no more work");
      }
      active.add(job);
    }
    job.results().completion().thenRun(() -> active.remove(job));
    if (keepOutputText) {
      textJobs.incrementAndGet(); // before any chunk is sent, so before any of its results is read
      job.results().completion().thenRun(textJobs::decrementAndGet);
    }
    int size = chunksize > 0 ? chunksize : automaticChunksize(json.size(), slotCount());
    List<Chunk> chunks = new ArrayList<>();
    for (int first = 0; first < json.size(); first += size) {
      chunks.add(new Chunk(scheduler.newTaskId(), job, first, Math.min(size, json.size() - first)));
    }
    scheduler.submit(chunks);
    return job;
  }

  /** How many workers share the work: the pool's procs, or the slots of the cluster's members now. */
  private int slotCount() {
    return cluster == null ? config.procs : Math.max(1, cluster.slotCount());
  }

  /**
   * Python's choice, the inputs spread over four chunks per worker (rounded up), but at most
   * {@link #MAX_AUTOMATIC_CHUNKSIZE} inputs a chunk.
   */
  static int automaticChunksize(int inputs, int procs) {
    int chunks = procs * 4;
    long perChunk = ((long) inputs + chunks - 1) / chunks;
    return (int) Math.max(1, Math.min(MAX_AUTOMATIC_CHUNKSIZE, perChunk));
  }

  /**
   * Returns the inputs ready to send: an Integer, Long, Double, Boolean or String as it is (it
   * cannot fail to be JSON, and {@link Chunk#message} makes its node when the chunk goes out, so a
   * million numbers are not a million more nodes living as long as the job), anything else as its
   * JSON tree, made now so that a bad input fails the call and names its rank.
   */
  private static List<Object> toJson(Iterable<?> inputs) {
    List<Object> json = inputs instanceof Collection<?> collection
        ? new ArrayList<>(collection.size()) : new ArrayList<>();
    for (Object input : inputs) {
      if (input instanceof Integer || input instanceof Long || input instanceof Double
          || input instanceof Boolean || input instanceof String) {
        json.add(input);
        continue;
      }
      if (input instanceof JsonNode node) {
        json.add(node); // a tree already: nothing to check (100,000 took 14 ms, now 6)
        continue;
      }
      // Names the field at fault, e.g. 'the input at rank 3 cannot be sent as JSON: field "a.b"'.
      int rank = json.size();
      json.add(Serialization.toTree(input, () -> "the input at rank " + rank));
    }
    return json;
  }

  private static Results ordered(Job job) {
    return new Results() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < job.size();
      }

      @Override
      public boolean nextReady() {
        return hasNext() && job.results().has(next);
      }

      @Override
      public TaskResult next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return await(() -> job.results().takeRank(next++));
      }
    };
  }

  private static Iterator<TaskResult> unordered(Job job) {
    return new Iterator<>() {
      private int taken;

      @Override
      public boolean hasNext() {
        return taken < job.size();
      }

      @Override
      public TaskResult next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        taken++;
        return await(() -> job.results().awaitNextArrival());
      }
    };
  }

  private interface Wait {
    TaskResult get() throws InterruptedException;
  }

  private static TaskResult await(Wait wait) {
    try {
      return wait.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for a result");
    }
  }

  private static <R> Iterator<R> converting(Iterator<TaskResult> results, Class<R> type) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return results.hasNext();
      }

      @Override
      public R next() {
        return results.next().value(type);
      }
    };
  }

  // --- WorkerHandle.Listener: called on worker threads -------------------------------------

  @Override
  public void onReady(WorkerHandle worker) {
    supervisor.started(worker);
    config.events.workerReady(worker.workerId(), worker.pid());
    scheduler.workerReady(worker);
  }

  @Override
  public boolean keepsOutputText(WorkerHandle worker, long taskId) {
    return textJobs.get() > 0 && scheduler.keepsOutputText(worker, taskId);
  }

  @Override
  public void onResult(WorkerHandle worker, Message.Result result) {
    Chunk chunk = scheduler.answered(worker, result);
    if (scheduler.retiredAndEmpty(worker)) {
      worker.shutdown(); // a graceful restart or a recycled worker: it has finished its last chunk
    }
    if (chunk == null) {
      log.warn("dropped a late result from {}: task {} attempt {} is no longer its to answer",
          worker, result.taskId(), result.attempt());
      config.events.lateResultDropped(worker.workerId(), worker.pid(), result.taskId(), result.attempt());
      return;
    }
    if (result.outputs().size() != chunk.count) {
      // The chunk is off the worker's load now: replace the worker, and reclaim the chunk here.
      String problem = worker + " answered " + chunk + " with " + result.outputs().size()
          + " outputs for " + chunk.count + " inputs";
      worker.kill(problem);
      supervisor.reclaim(List.of(chunk), problem, String.join("\n", worker.stderrTail()));
      return;
    }
    // Most results carry no error: index them only when there are some (this runs per chunk).
    TaskFailure[] failures = result.errors().isEmpty() ? null : new TaskFailure[chunk.count];
    for (Message.TaskError error : result.errors()) {
      if (error.index() >= 0 && error.index() < chunk.count) {
        failures[error.index()] = new TaskFailure(TaskFailure.Kind.TASK_ERROR,
            chunk.job.task().name(), chunk.firstRank + error.index(), error.exception(),
            error.message(), error.trace(), worker.workerId(), worker.pid(), result.attempt());
      }
    }
    boolean[] recorded =
        chunk.job.results().offerChunk(chunk.firstRank, result.outputs(), failures);
    for (int i = 0; i < chunk.count; i++) {
      if (!recorded[i]) {
        log.warn("dropped a second result for {} rank {} from {}", chunk.job.task().name(),
            chunk.firstRank + i, worker);
      } else if (failures != null && failures[i] != null) {
        config.events.inputFailed(failures[i]);
      }
    }
  }

  @Override
  public void onUnsendable(WorkerHandle worker, Message.Task task, int bytes) {
    Chunk chunk = scheduler.withdraw(worker, task.taskId(), task.attempt());
    if (chunk == null) {
      return; // already written off (the worker died meanwhile)
    }
    if (chunk.count > 1) {
      // One input is too large; send each on its own so only that one fails.
      List<Chunk> singles = new ArrayList<>();
      for (int i = 0; i < chunk.count; i++) {
        Chunk single = new Chunk(scheduler.newTaskId(), chunk.job, chunk.firstRank + i, 1);
        single.attempt = chunk.attempt - 1; // not sent, so not an attempt
        singles.add(single);
        config.events.taskRetried(single.taskId, chunk.job.task().name(), single.firstRank, 1,
            "its chunk's task message was over the line limit; sent one input at a time");
      }
      scheduler.retry(singles);
      return;
    }
    fail(chunk, TaskFailure.Kind.INPUT_REFUSED, "its task message is " + bytes
        + " bytes, over the line limit of " + config.maxLineBytes + " bytes (--max-line-bytes)", null);
  }

  @Override
  public void onExit(WorkerHandle worker, WorkerExit exit) {
    // A cluster slot's end is told as what happened to its member, not as a process's exit.
    supervisor.onExit(worker, cluster == null ? exit : cluster.explained(exit));
  }

  /** Gives every input of {@code chunk} that has no outcome yet this failure. Any thread. */
  private void fail(Chunk chunk, TaskFailure.Kind kind, String message, String evidence) {
    for (int i = 0; i < chunk.count; i++) {
      long rank = chunk.firstRank + i;
      TaskFailure failure = new TaskFailure(kind, chunk.job.task().name(), rank, null, message,
          evidence, null, -1, chunk.attempt);
      if (chunk.job.results().offer(new TaskResult(rank, null, failure))) {
        config.events.inputFailed(failure);
      }
    }
  }

  /**
   * Stops the pool after a restart storm, or with no cluster member left: what is unfinished
   * fails with the reason.
   */
  private void broken(String reason) {
    log.error("stopping the pool: {}", reason);
    config.events.poolBroken(reason);
    brokenReason = reason;
    synchronized (this) {
      state = State.TERMINATED;
    }
    supervisor.stopReplacing();
    for (Chunk chunk : scheduler.drain()) {
      fail(chunk, TaskFailure.Kind.CANCELLED, "the pool stopped: " + reason, null);
    }
    supervisor.processes().forEach(w -> w.kill("the pool stopped"));
  }

  /** Why the pool stopped by itself (a restart storm, no cluster member left), or null. */
  public String brokenReason() {
    return brokenReason;
  }

  // --- Shutting down --------------------------------------------------------------------------

  /**
   * Stops taking work, lets every job already given finish, sends each worker the shutdown
   * sentinel and waits for them to exit; a worker still running after the grace period is
   * killed. Python's {@code close()} followed by {@code join()}. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (state != State.RUNNING) {
        join(config.shutdownGrace);
        return;
      }
      state = State.CLOSING;
    }
    try {
      CompletableFuture.allOf(active.stream().map(j -> j.results().completion())
          .toArray(CompletableFuture[]::new)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate();
      return;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a job ended abnormally", e.getCause());
    }
    supervisor.stopReplacing();
    sentinelThenKill("the shutdown sentinel");
    finish(State.CLOSED);
  }

  /**
   * Kills every worker at once; inputs without an outcome fail as cancelled. Waits for the
   * processes to be gone. Idempotent.
   */
  public void terminate() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.TERMINATED;
    }
    supervisor.stopReplacing();
    for (Chunk chunk : scheduler.drain()) {
      fail(chunk, TaskFailure.Kind.CANCELLED, "the pool was terminated", null);
    }
    supervisor.processes().forEach(w -> w.kill("the pool was terminated"));
    join(config.shutdownGrace);
    finish(State.TERMINATED);
  }

  /**
   * Waits up to {@code timeout} for every worker process to have exited and been accounted for.
   * Returns true if they all have.
   */
  public boolean join(Duration timeout) {
    List<WorkerHandle> workers = supervisor.processes();
    try {
      CompletableFuture.allOf(workers.stream().map(WorkerHandle::exited)
          .toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a worker's exit handling failed", e.getCause());
    }
  }

  private void finish(State end) {
    synchronized (this) {
      state = end;
    }
    supervisor.shutdown();
    callbacks.shutdown();
    if (cluster != null) {
      cluster.close(); // after the slots ended: none has a call in flight any more
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      log.debug("the JVM is already shutting down; its hook stays: {}", e.toString());
    }
  }

  /**
   * The JVM is exiting (Ctrl-C, SIGTERM, or System.exit) with the pool open: inputs not yet sent
   * are cancelled, every worker gets the sentinel and finishes what it holds within the shutdown
   * grace, then whatever is left is killed. No worker outlives this JVM. Shutdown hook thread.
   */
  private void interrupted() {
    synchronized (this) {
      if (state == State.CLOSED || state == State.TERMINATED) {
        return;
      }
      state = State.TERMINATED;
    }
    log.warn("the coordinator is stopping: cancelling what is not started, letting workers finish"
        + " what they hold for up to {} s", config.shutdownGrace.toSeconds());
    supervisor.stopReplacing();
    for (Chunk chunk : scheduler.drainPending()) {
      fail(chunk, TaskFailure.Kind.CANCELLED, "the coordinator was interrupted", null);
    }
    sentinelThenKill("the coordinator was interrupted");
    if (cluster != null) {
      cluster.close(); // its own shutdown hook is off, so its calls outlive the JVM's other hooks
    }
  }

  /**
   * Sends every worker the sentinel, waits the shutdown grace for them to finish what they hold
   * and exit, then kills whichever is still running and waits for those too. Call after
   * {@link Supervisor#stopReplacing}, so the set of workers is final.
   */
  private void sentinelThenKill(String after) {
    supervisor.workers().forEach(WorkerHandle::shutdown); // an unused spare was told already
    List<WorkerHandle> workers = supervisor.processes();
    if (!join(config.shutdownGrace)) {
      workers.forEach(w -> w.kill("still running " + config.shutdownGrace.toSeconds() + " s after "
          + after));
      join(config.shutdownGrace);
    }
  }
}
