package dev.jprocs.coordinator;

import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.WorkerClasspath;
import dev.jprocs.worker.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starts worker JVMs with {@link ProcessBuilder}: the java command, the worker's lean classpath
 * (protocol, worker, Jackson, plus the user's jars), and JVM flags that keep the JVM's own output
 * off stdout; or, in thread mode, an in-process {@link ThreadProcess}. Safe to share once made.
 */
public final class WorkerLauncher {
  /**
   * JDK 17 prints unified-logging warnings on stdout unless told otherwise, which would corrupt the
   * channel (bazelbuild/rules_java#158); send them to stderr instead.
   */
  static final List<String> QUIET_STDOUT = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");

  private final Path java;
  private final List<Path> classpath;
  private final List<Path> extraClasspath;
  private final List<String> jvmOptions;
  private final String mainClass;
  private final int maxLineBytes;
  /** The workers' class archive, or null when there is none (disabled, or a class directory). */
  private final ClassArchive archive;
  /** The tasks of thread-mode workers, or null for worker processes. */
  private boolean threads;
  /** The pool's initializer, run once in each worker before its hello; null for none. */
  private Initializer initializer;
  /** The cluster whose members the workers run on, or null for workers on this machine. */
  private ClusterConnection cluster;

  /** A task run once in each worker before its hello, with its argument as JSON. */
  record Initializer(TaskSpec task, com.fasterxml.jackson.databind.JsonNode input) {
    /** The worker's command-line arguments that carry it. */
    List<String> arguments() {
      return List.of("--init-task", task.name(), "--init-input", Codec.toJson(input),
          "--init-options", Codec.toJson(task.options()));
    }
  }

  /**
   * @param extraClasspath the user's jars and directories with more tasks, after the built-in ones
   * @param jvmOptions flags for every worker JVM, after this launcher's own (so they win)
   * @param mainClass the worker's main class; only tests name another
   */
  WorkerLauncher(Path java, List<Path> extraClasspath, List<String> jvmOptions, String mainClass,
      int maxLineBytes) {
    this(java, extraClasspath, jvmOptions, mainClass, maxLineBytes, null);
  }

  /**
   * @param archiveDirectory where the workers' {@link ClassArchive} is kept; null for none
   */
  WorkerLauncher(Path java, List<Path> extraClasspath, List<String> jvmOptions, String mainClass,
      int maxLineBytes, Path archiveDirectory) {
    this.java = java;
    Set<Path> entries = new LinkedHashSet<>(builtInClasspath());
    entries.addAll(extraClasspath);
    this.classpath = List.copyOf(entries);
    this.extraClasspath = List.copyOf(extraClasspath);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.mainClass = mainClass;
    this.maxLineBytes = maxLineBytes;
    this.archive = archiveDirectory == null ? null
        : ClassArchive.of(archiveDirectory, java, this.jvmOptions, this.classpath);
  }

  /**
   * From now on, {@link #start} runs workers as threads of this JVM. Each gets task instances of
   * its own, as a worker process would: a task may keep state (align reuses its buffers) because
   * one worker calls it from one thread.
   */
  WorkerLauncher inThreads() {
    this.threads = true;
    return this;
  }

  /**
   * From now on, {@link #start} opens worker slots on the members of {@code cluster} rather than
   * starting JVMs here, and a slot whose member is gone cannot be restarted.
   */
  WorkerLauncher inCluster(ClusterConnection cluster) {
    this.cluster = cluster;
    return this;
  }

  /**
   * Whether slot {@code workerId} can be started again after its worker ended: always for worker
   * JVMs and threads; for a cluster slot, only while its member is in the cluster.
   */
  boolean canRestart(String workerId) {
    return cluster == null || cluster.canRestart(workerId);
  }

  /** From now on, every worker runs {@code initializer} first; null for none. */
  WorkerLauncher initializer(Initializer initializer) {
    this.initializer = initializer;
    return this;
  }

  /**
   * The command line of a child JVM for {@code dev.jprocs.coordinator.process.JvmProcess}: this
   * JVM's java, the quiet-stdout flags and small-JVM defaults of a worker, then
   * {@code jvmOptions}, the worker's lean classpath plus {@code extraClasspath}, {@code mainClass}
   * and {@code args}. Not for other uses; the pool's own workers are started by {@link #start}.
   */
  public static List<String> childCommand(List<Path> extraClasspath, List<String> jvmOptions,
      String mainClass, List<String> args) {
    WorkerLauncher launcher = new WorkerLauncher(currentJava(), extraClasspath,
        PoolConfig.DEFAULT_JVM_OPTIONS, mainClass, WorkerMain.DEFAULT_MAX_LINE_BYTES);
    List<String> command = new ArrayList<>();
    command.add(launcher.java.toString());
    command.addAll(QUIET_STDOUT);
    command.addAll(launcher.jvmOptions);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(launcher.classpathString());
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /** The java command of the JVM running this code. */
  static Path currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** The full command line that starts worker {@code workerId}. */
  List<String> command(String workerId) {
    return command(workerId, archive == null ? List.of() : archive.useOptions());
  }

  /**
   * @param workerId the slot's worker id, or null for a spare
   * @param archiveOptions the flags that map or dump the class archive; before the pool's JVM
   *     options, so a user's {@code -Xshare:off} wins
   */
  private List<String> command(String workerId, List<String> archiveOptions) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(QUIET_STDOUT);
    command.addAll(archiveOptions);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpathString());
    command.add(mainClass);
    if (workerId == null) {
      command.add("--spare");
    } else {
      command.add("--worker-id");
      command.add(workerId);
    }
    command.add("--max-line-bytes");
    command.add(Integer.toString(maxLineBytes));
    if (initializer != null) {
      command.addAll(initializer.arguments());
    }
    return command;
  }

  /**
   * Starts worker {@code workerId}. Its stdin, stdout and stderr are pipes that the caller must
   * drain (see {@link WorkerHandle}).
   *
   * @throws IOException when the java command cannot be run at all, or a cluster slot's member
   *     is gone
   */
  Process start(String workerId) throws IOException {
    if (cluster != null) {
      return cluster.start(workerId);
    }
    if (threads) {
      return new ThreadProcess(workerId, TaskRegistry.load(taskClassLoader()), maxLineBytes, initializer);
    }
    return startJvm(workerId);
  }

  /**
   * Starts a spare worker JVM: it boots and waits, without a worker id, for the
   * {@code assign} line that gives it a slot (see {@code WorkerMain --spare}). Only for worker
   * processes: see {@link #startsSpares()}.
   *
   * @throws IOException when the java command cannot be run at all
   */
  Process startSpare() throws IOException {
    if (!startsSpares()) {
      throw new IllegalStateException("spares are worker processes; this launcher starts "
          + (threads ? "threads" : "cluster slots"));
    }
    return startJvm(null);
  }

  /** Whether its workers are JVMs of this machine, which a booted spare can stand in for. */
  boolean startsSpares() {
    return cluster == null && !threads;
  }

  /** Starts a worker JVM for slot {@code workerId}, or a spare when it is null. */
  private Process startJvm(String workerId) throws IOException {
    List<String> archiveOptions = archive == null ? List.of() : archive.useOptions();
    ClassArchive.Dump dump = archive != null && archiveOptions.isEmpty() ? archive.dump() : null;
    ProcessBuilder builder = new ProcessBuilder(command(workerId,
        dump == null ? archiveOptions : dump.options()));
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    if (dump != null) {
      // The JVM writes the archive as it exits; workers started after that map it.
      process.onExit().thenAccept(ended -> dump.adopt(ended.exitValue()));
    }
    return process;
  }

  /** The worker classpath, built-in entries first. */
  List<Path> classpath() {
    return classpath;
  }

  String classpathString() {
    return String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList());
  }

  /**
   * A class loader that sees the tasks this launcher's workers will see: the built-in ones through
   * this JVM's own loader, the user's through their classpath entries. The coordinator uses it to
   * check a task name before any worker starts.
   */
  ClassLoader taskClassLoader() {
    List<URL> urls = new ArrayList<>();
    for (Path entry : extraClasspath) {
      try {
        urls.add(entry.toUri().toURL());
      } catch (java.net.MalformedURLException e) {
        throw new IllegalArgumentException("bad classpath entry " + entry + ": " + e.getMessage(), e);
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), WorkerLauncher.class.getClassLoader());
  }

  /**
   * Where the worker's own classes and Jackson come from in this JVM: jars in production, class
   * directories under a build tool. Nothing else of the coordinator's classpath reaches workers.
   */
  static List<Path> builtInClasspath() {
    List<Path> entries = new ArrayList<>();
    for (String anchor : WorkerClasspath.ANCHORS) {
      Class<?> type;
      try {
        type = Class.forName(anchor, false, WorkerLauncher.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("the worker needs " + anchor + ", which is not on this JVM's"
            + " classpath", e);
      }
      Path location = locationOf(type);
      if (!entries.contains(location)) {
        entries.add(location);
      }
    }
    return entries;
  }

  private static Path locationOf(Class<?> type) {
    java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from");
    }
    try {
      Path path = Path.of(source.getLocation().toURI());
      if (!Files.exists(path)) {
        throw new IllegalStateException(type.getName() + " comes from " + path + ", which does not exist");
      }
      return path;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
    }
  }
}
