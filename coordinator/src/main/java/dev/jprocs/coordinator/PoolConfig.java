package dev.jprocs.coordinator;

import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.WorkerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Pool} starts and drives its workers. Immutable; made with {@link #builder()}.
 */
public final class PoolConfig {
  /**
   * Worker JVM flags for a small, quick-starting process; a user's options come after them. An
   * OutOfMemoryError on any of the worker's threads ends it (status 3), so its pool sees a death
   * and retries, and the JVM says why on stderr, never on the wire: a worker whose stdin reader
   * ran out of memory on a big line used to stay alive, silent, and hang its pool.
   */
  static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData",
      "-Xshare:auto", "-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr");
  /** The incubating module that {@link Builder#vectorApi} has workers resolve. */
  static final String VECTOR_MODULE = "jdk.incubator.vector";

  /**
   * Worker JVM flags for {@link Builder#vectorApi}. Vector API code runs very slowly until C2 has
   * compiled it, so align's vector kernel is compiled after 1% of the usual calls and loop trips
   * (measured: 64,000 alignments took 0.39 s from a cold JVM, 0.24 s this way), and every other
   * method after ten times its usual count: a worker has one C2 thread, which spent 0.9 s of a
   * 100,000-align run compiling 104 methods, the kernel queued behind the codec and the Vector
   * API's own fallback code (0.6 s and 65 methods this way; the run 1.43 -> 1.30 s, median of 10
   * interleaved). C2 compiles a loop on stack (OSR) only after ten times that count again, 4
   * million trips: a worker compiled align's and the traceback's loops that way and then the
   * same methods whole soon after, twice the work ({@code -XX:+LogCompilation}: 0.32 -> 0.20 s of
   * C2 for 50,000 aligns; the worker's CPU 0.97 -> 0.87 s, median of 10). {@code quiet} keeps the
   * JVM from echoing the command on stdout, which carries the protocol.
   */
  static final List<String> VECTOR_API_OPTIONS = List.of("--add-modules=" + VECTOR_MODULE,
      "-XX:CompileThresholdScaling=10", "-XX:Tier4BackEdgeThreshold=400000",
      "-XX:CompileCommand=quiet",
      "-XX:CompileCommand=CompileThresholdScaling,dev.jprocs.worker.tasks.VectorAligner::fillRow,0.01");

  /** A worker's initial heap, when its heap cap is at least that: it grows as work needs. */
  static final long INITIAL_HEAP_BYTES = 32L * 1024 * 1024;

  /** {@code 512m}, {@code 2g}, {@code 4096k} or plain bytes, as the JVM reads {@code -Xmx}. */
  static long bytes(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long shift = switch (unit) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    String digits = shift == 0 ? size : size.substring(0, size.length() - 1);
    return Long.parseLong(digits) << shift;
  }

  final int procs;
  final List<Path> classpath;
  final List<String> jvmOptions;
  final String workerHeap;
  final Path java;
  /** Whether workers resolve {@link #VECTOR_MODULE}, when their JDK has it. */
  final boolean vectorApi;
  final int window;
  /** The most chunks a worker holding short ones may hold; {@link #window} when fixed. */
  final int maxWindow;
  final int maxAttempts;
  final int maxLineBytes;
  final Duration startTimeout;
  final Duration shutdownGrace;
  final PoolEvents events;
  final String mainClass;
  final Duration taskTimeout;
  final long maxTasksPerWorker;
  final int maxRestarts;
  final Duration restartWindow;
  final RestartPolicy restartPolicy;
  final boolean tracePipes;
  final PipeTracer pipeTracer;
  final int lastFrames;
  final Mode mode;
  /** Whether the pool keeps a booted spare worker JVM to take a dead worker's slot at once. */
  final boolean spareWorker;
  /** How long after the pool has started its spare starts (short runs never pay for it). */
  final Duration spareDelay;
  /** Where the workers' class archive is kept; null for none. */
  final Path classArchive;
  /** Run once in each worker before its hello; null for none. */
  final WorkerLauncher.Initializer initializer;
  /** The cluster the workers run on, or null for workers on this machine. */
  final dev.jprocs.cluster.ClientSettings cluster;

  /** How workers run. */
  public enum Mode {
    /** Each worker is a child JVM: isolation, real parallelism, crash safety. The default. */
    PROCESSES,
    /** Each worker is a thread of this JVM over in-memory pipes: cheap, for I/O-bound tasks. */
    THREADS
  }

  private PoolConfig(Builder b) {
    this.procs = b.procs;
    this.classpath = List.copyOf(b.classpath);
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.workerHeap = b.workerHeap;
    this.java = b.java;
    this.vectorApi = b.vectorApi;
    this.window = b.window;
    this.maxWindow = b.maxWindow;
    this.maxAttempts = b.maxAttempts;
    this.maxLineBytes = b.maxLineBytes;
    this.startTimeout = b.startTimeout;
    this.shutdownGrace = b.shutdownGrace;
    this.events = b.events;
    this.mainClass = b.mainClass;
    this.taskTimeout = b.taskTimeout;
    this.maxTasksPerWorker = b.maxTasksPerWorker;
    this.maxRestarts = b.maxRestarts;
    this.restartWindow = b.restartWindow;
    this.restartPolicy = b.restartPolicy;
    this.tracePipes = b.tracePipes;
    this.pipeTracer = b.pipeTracer;
    this.lastFrames = b.lastFrames;
    this.mode = b.mode;
    this.classArchive = b.classArchive;
    this.spareWorker = b.spareWorker;
    this.spareDelay = b.spareDelay;
    this.initializer = b.initializer;
    this.cluster = b.clusterAddresses.isEmpty() ? null : new dev.jprocs.cluster.ClientSettings(
        b.clusterAddresses, b.clusterName, b.clusterConnectTimeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  public int procs() {
    return procs;
  }

  /** How long workers get to finish after the sentinel before they are killed. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /**
   * Loads the tasks that this configuration's workers will have, without starting any, so a
   * caller can check a task name first.
   *
   * @throws IllegalStateException when two tasks share a name or a listed class cannot load
   */
  public TaskRegistry tasks() {
    return TaskRegistry.load(launcher().taskClassLoader());
  }

  WorkerLauncher launcher() {
    List<String> options = new ArrayList<>(DEFAULT_JVM_OPTIONS);
    options.add("-Xmx" + workerHeap);
    if (bytes(workerHeap) >= INITIAL_HEAP_BYTES) {
      // The default initial heap is 1/64 of the machine's memory, and a young generation that big
      // is touched page by page before its first collection: measured, an idle worker's RSS was
      // 1.5 MB more, and 158 MB instead of 62 after a million squares. Much smaller (8m) and a
      // chunk's inputs and outputs outlive the young generation: align's worker spent 6% of its
      // time collecting, full collections included (32m: 1%, and 7 MB more RSS after work).
      options.add("-Xms" + INITIAL_HEAP_BYTES / (1024 * 1024) + "m");
    }
    if (vectorApi && hasModule(java, VECTOR_MODULE)) {
      options.addAll(VECTOR_API_OPTIONS);
    }
    options.addAll(jvmOptions);
    return new WorkerLauncher(java, classpath, options, mainClass, maxLineBytes, classArchive)
        .initializer(initializer);
  }

  /**
   * Whether the JDK of {@code java} has {@code module}: asked of this JVM's own image when it is
   * this JVM's java, else read from the {@code MODULES} line of the JDK's {@code release} file.
   * False when that cannot be read: a worker asked to resolve a module it lacks would not start.
   */
  static boolean hasModule(Path java, String module) {
    if (java.toAbsolutePath().normalize().equals(WorkerLauncher.currentJava().toAbsolutePath().normalize())) {
      return ModuleFinder.ofSystem().find(module).isPresent();
    }
    Path bin = java.toAbsolutePath().getParent();
    Path release = bin == null || bin.getParent() == null ? null : bin.getParent().resolve("release");
    try {
      if (release == null || !Files.isRegularFile(release)) {
        return false;
      }
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("MODULES=")) {
          String modules = line.substring("MODULES=".length()).replace("\"", "");
          return List.of(modules.trim().split("\\s+")).contains(module);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
    return false;
  }

  /** Builds a {@link PoolConfig}; every setter checks its value and names it when it is bad. */
  public static final class Builder {
    private int procs = Runtime.getRuntime().availableProcessors();
    private final List<Path> classpath = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private String workerHeap = "512m";
    private Path java = WorkerLauncher.currentJava();
    private boolean vectorApi;
    private int window = 2;
    private int maxWindow = Scheduler.MAX_WINDOW;
    private int maxAttempts = 3;
    private int maxLineBytes = WorkerMain.DEFAULT_MAX_LINE_BYTES;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private PoolEvents events = new PoolEvents() {};
    private String mainClass = WorkerMain.class.getName();
    private Duration taskTimeout;
    private long maxTasksPerWorker;
    private int maxRestarts = 50;
    private Duration restartWindow = Duration.ofSeconds(60);
    private RestartPolicy restartPolicy = RestartPolicy.exponentialBackoff();
    private boolean tracePipes;
    private PipeTracer pipeTracer = frame -> { };
    private int lastFrames = 8;
    private Mode mode = Mode.PROCESSES;
    private Path classArchive = defaultClassArchive();
    private boolean spareWorker = true;
    private Duration spareDelay = Duration.ofSeconds(2);
    private WorkerLauncher.Initializer initializer;
    private final List<String> clusterAddresses = new ArrayList<>();
    private String clusterName = dev.jprocs.cluster.MemberSettings.DEFAULT_CLUSTER_NAME;
    private Duration clusterConnectTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Runs the workers on a jprocs cluster ({@code scripts/member.sh}) rather than on this
     * machine: the pool connects to the members at {@code addresses} ({@code HOST[:PORT]}, port
     * 5701 when left out) as a Hazelcast client and opens one worker slot per member thread, on
     * the members there now and on those that join later. {@link #procs}, {@link #mode}, the JVM
     * settings and the initializer do not apply; {@link #classpath} only lets this side check task
     * names (each member has its own {@code --classpath}). Default: none, workers on this machine.
     *
     * @throws IllegalArgumentException when an address is empty
     */
    public Builder cluster(List<String> addresses) {
      for (String address : addresses) {
        if (address == null || address.isBlank()) {
          throw new IllegalArgumentException("a cluster address is empty: " + addresses);
        }
      }
      clusterAddresses.clear();
      clusterAddresses.addAll(addresses);
      return this;
    }

    /** The cluster's name, as its members were started with; default {@code jprocs}. */
    public Builder clusterName(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("the cluster name must not be empty");
      }
      this.clusterName = name;
      return this;
    }

    /** How long {@link Pool#start} tries to reach the cluster before it fails; default 10 s. */
    public Builder clusterConnectTimeout(Duration timeout) {
      this.clusterConnectTimeout = positive(timeout, "cluster connect timeout");
      return this;
    }

    /** The longest initializer argument as JSON: it travels on the worker's command line. */
    static final int MAX_INITIALIZER_JSON = 64 * 1024;

    /**
     * Runs {@code task} on {@code argument} once in each worker, before it takes any work (Python's
     * {@code Pool(initializer=..., initargs=...)}), also in a worker that replaces another; its
     * output is dropped. What it leaves in the worker JVM (static state, a loaded model) is there
     * for the tasks. A worker whose initializer throws exits 1 with the error on stderr, which the
     * pool reports as a failed start. It counts against {@link #startTimeout}.
     *
     * @throws IllegalArgumentException when the argument cannot be written as JSON (naming the
     *     field) or is over 64 KiB as JSON
     */
    public Builder initializer(TaskSpec task, Object argument) {
      Objects.requireNonNull(task, "task");
      com.fasterxml.jackson.databind.JsonNode input =
          dev.jprocs.worker.child.Serialization.toTree(argument, "the initializer's argument");
      int length = dev.jprocs.protocol.Codec.toJson(input).length();
      if (length > MAX_INITIALIZER_JSON) {
        throw new IllegalArgumentException("the initializer's argument is " + length
            + " characters as JSON, over " + MAX_INITIALIZER_JSON + "; it travels on the worker's"
            + " command line, so pass a file name instead");
      }
      this.initializer = new WorkerLauncher.Initializer(task, input);
      return this;
    }

    /** Python's name for {@link #maxTasksPerWorker}: the same setting. */
    public Builder maxTasksPerChild(long tasks) {
      return maxTasksPerWorker(tasks);
    }

    /**
     * Whether the pool keeps one spare worker JVM, booted and idle, from {@code delay} after it
     * started: when a worker ends, the spare takes its slot at once (a replacement is at work in
     * milliseconds instead of a JVM's start) and another spare boots in the background. Costs one
     * idle JVM. Default on, 2 s, so a run shorter than that never boots one; worker processes only (not threads or a cluster).
     */
    public Builder spareWorker(boolean keep, Duration delay) {
      this.spareWorker = keep;
      this.spareDelay = Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("the spare's delay must not be negative, got " + delay);
      }
      return this;
    }

    /** As {@link #spareWorker(boolean, Duration)}, with the default delay of 2 s. */
    public Builder spareWorker(boolean keep) {
      return spareWorker(keep, spareDelay);
    }

    /**
     * Keeps the workers' class archive in {@code directory} (made owner-only), or has none when
     * null. Workers then map the classes they load from an archive that the first worker of a pool
     * dumped at its exit, which about halves their start. The default is {@code
     * $JPROCS_CLASS_ARCHIVE} ({@code off} for none), else {@code $XDG_CACHE_HOME/jprocs/cds}, else
     * {@code ~/.cache/jprocs/cds}. Only a classpath of jars can be archived.
     */
    public Builder classArchive(Path directory) {
      this.classArchive = directory;
      return this;
    }

    private static Path defaultClassArchive() {
      String configured = System.getenv("JPROCS_CLASS_ARCHIVE");
      if (configured != null && !configured.isBlank()) {
        return configured.equals("off") ? null : Path.of(configured);
      }
      String cache = System.getenv("XDG_CACHE_HOME");
      Path base = cache != null && !cache.isBlank() ? Path.of(cache)
          : Path.of(System.getProperty("user.home"), ".cache");
      return base.resolve("jprocs").resolve("cds");
    }

    /** Child JVMs (the default) or threads of this JVM; the tasks and the API are the same. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Whether every worker's frames go to the {@link #pipeTracer} from the start; {@link Pool#trace}
     * switches one worker on or off later. Default off.
     */
    public Builder tracePipes(boolean on) {
      this.tracePipes = on;
      return this;
    }

    /** Where traced frames go; default nowhere. */
    public Builder pipeTracer(PipeTracer tracer) {
      this.pipeTracer = Objects.requireNonNull(tracer, "tracer");
      return this;
    }

    /** How many of its last frames each way a worker keeps for its death report; default 8. */
    public Builder lastFrames(int frames) {
      if (frames < 0) {
        throw new IllegalArgumentException("last frames must not be negative, got " + frames);
      }
      this.lastFrames = frames;
      return this;
    }

    /**
     * How long one input may run; a worker over it (its chunk's inputs times this) is killed and
     * replaced, and the input is retried or failed like any death. Default: no limit.
     */
    public Builder taskTimeout(Duration timeout) {
      this.taskTimeout = positive(timeout, "task timeout");
      return this;
    }

    /**
     * After how many inputs a worker is retired gracefully and replaced, as a guard against leaks;
     * it may go over by the rest of its last chunk. Default 0: never.
     */
    public Builder maxTasksPerWorker(long tasks) {
      if (tasks < 0) {
        throw new IllegalArgumentException("max tasks per worker must not be negative, got " + tasks);
      }
      this.maxTasksPerWorker = tasks;
      return this;
    }

    /**
     * Stop the pool (a restart storm) when more than {@code restarts} workers are restarted within
     * {@code window}; default 50 in 60 s.
     */
    public Builder restartLimit(int restarts, Duration window) {
      if (restarts < 1) {
        throw new IllegalArgumentException("max restarts must be at least 1, got " + restarts);
      }
      this.maxRestarts = restarts;
      this.restartWindow = positive(window, "restart window");
      return this;
    }

    /** The delay before restarting a slot that keeps failing; default exponential backoff. */
    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How many worker processes; default: the number of available processors. */
    public Builder procs(int procs) {
      if (procs < 1) {
        throw new IllegalArgumentException("procs must be at least 1, got " + procs);
      }
      this.procs = procs;
      return this;
    }

    /** Adds jars or class directories with more tasks to every worker's classpath. */
    public Builder classpath(List<Path> entries) {
      for (Path entry : entries) {
        if (!Files.exists(entry)) {
          throw new IllegalArgumentException("classpath entry " + entry + " does not exist");
        }
        classpath.add(entry.toAbsolutePath());
      }
      return this;
    }

    /** Adds flags for every worker JVM, for example {@code -Dkey=value}. */
    public Builder jvmOptions(List<String> options) {
      for (int i = 0; i < options.size(); i++) {
        // A blank argument would reach java as its main class: "Could not find or load main class".
        if (options.get(i) == null || options.get(i).isBlank()) {
          throw new IllegalArgumentException("JVM option " + i + " of " + options.stream()
              .map(option -> option == null ? "null" : "'" + option + "'").toList()
              + " is " + (options.get(i) == null ? "null" : "blank"));
        }
      }
      jvmOptions.addAll(options);
      return this;
    }

    /** Each worker's maximum heap, as -Xmx takes it (for example {@code 512m}); default 512m. */
    public Builder workerHeap(String heap) {
      if (!heap.matches("\\d+[kKmMgG]?")) {
        throw new IllegalArgumentException("worker heap must look like 512m or 2g, got '" + heap + "'");
      }
      this.workerHeap = heap;
      return this;
    }

    /**
     * Whether worker JVMs resolve the incubating {@code jdk.incubator.vector} module, which tasks
     * such as align use to compute many inputs at once ({@code Task.usesVectorApi}): align then
     * takes about 1 us an input instead of 12. Costs each worker about 30 ms more to start (JDK 17
     * then resolves its module graph at start instead of mapping it from its class archive) and
     * prints "WARNING: Using incubator modules" on its stderr, which the pool logs at debug level.
     * Ignored when the workers' JDK lacks the module. Default off; the CLI turns it on for big
     * runs of such a task.
     */
    public Builder vectorApi(boolean resolve) {
      this.vectorApi = resolve;
      return this;
    }

    /** The java command for workers; default: the one running this JVM. */
    public Builder java(Path java) {
      this.java = Objects.requireNonNull(java, "java");
      return this;
    }

    /**
     * How many chunks a worker may hold at once, fixed. By default a worker holds 2, and more when
     * its chunks take little time (up to {@value Scheduler#MAX_WINDOW}, about
     * {@value Scheduler#QUEUED_MILLIS} ms of its work), so tiny chunks are not paced by the pipe's
     * round trip.
     */
    public Builder window(int window) {
      if (window < 1) {
        throw new IllegalArgumentException("window must be at least 1, got " + window);
      }
      this.window = window;
      this.maxWindow = window;
      return this;
    }

    /** How many times an input is dispatched before a worker death fails it; default 3. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("max attempts must be at least 1, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The longest protocol line accepted either way, in bytes; default 256 MiB. */
    public Builder maxLineBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("max line bytes must be at least 1024, got " + bytes);
      }
      this.maxLineBytes = bytes;
      return this;
    }

    /** How long a worker may take to say hello; default 60 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = positive(timeout, "start timeout");
      return this;
    }

    /** How long {@code close} waits for a worker to exit after the sentinel before killing it. */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = positive(grace, "shutdown grace");
      return this;
    }

    /** Who hears of workers starting, exiting and dying; default: nobody. */
    public Builder events(PoolEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /** The worker main class; tests name stand-ins that misbehave. */
    Builder mainClass(String mainClass) {
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
      return this;
    }

    /**
     * @throws IllegalArgumentException when a cluster is given with thread mode or an initializer,
     *     which only workers on this machine have
     */
    public PoolConfig build() {
      if (!clusterAddresses.isEmpty() && mode == Mode.THREADS) {
        throw new IllegalArgumentException("thread mode and a cluster are two places for the"
            + " workers; choose one");
      }
      if (!clusterAddresses.isEmpty() && initializer != null) {
        throw new IllegalArgumentException("an initializer is not supported on a cluster");
      }
      return new PoolConfig(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
