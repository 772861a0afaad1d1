package dev.jprocs.coordinator.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.WorkerLauncher;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import dev.jprocs.worker.WorkerMain;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.ChildMain;
import dev.jprocs.worker.child.Pipe;
import dev.jprocs.worker.child.PipeEnd;
import dev.jprocs.worker.child.Serialization;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM running a class or a task, like Python's {@code multiprocessing.Process}:
 *
 * <pre>{@code
 * JvmProcess p = JvmProcess.of(Greeter.class, "bob").start();   // Greeter has a main(String[])
 * p.join();
 * p.exitCode();                                                  // 0
 * }</pre>
 *
 * <p>Configure it ({@link #name}, {@link #share}, {@link #classpath}, {@link #jvmOptions},
 * {@link #output}) before {@link #start()}; a process starts once. The child runs
 * {@link ChildMain} on the worker's lean classpath, plus the target class's own jar or directory
 * and what {@link #classpath} adds. Its stdin and stdout carry its {@link #pipe()} and its
 * requests to the {@link SharedQueue}s shared with it; what it prints (its {@code System.out}
 * goes to its stderr) is handed, line by line, to {@link #output}, by default this JVM's
 * {@code System.err}.
 *
 * <p>No child outlives this JVM: it exits when its stdin ends, which the kernel makes happen when
 * this JVM dies, even by SIGKILL, and when it sees its parent process gone. Python, in contrast,
 * joins non-daemon children at exit; here, join them yourself.
 *
 * <p>Threads: {@code NAME-stdin} writes what the pipe and the queues send to the child;
 * {@code NAME-stdout} reads its messages, answering queue requests; {@code NAME-stderr} drains
 * its output; {@code NAME-exit} accounts for its end. Thread-safe.
 */
public final class JvmProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JvmProcess.class);
  private static final AtomicInteger NEXT_NUMBER = new AtomicInteger();
  private static final int STDERR_TAIL_LINES = 20;
  private static final int MAX_LINE_BYTES = WorkerMain.DEFAULT_MAX_LINE_BYTES;

  /** ChildMain's arguments that name the target; {@code --main CLASS ARGS...} comes last. */
  private final List<String> target;
  private final List<Path> classpath = new ArrayList<>(); // guarded by this until start
  private final List<String> jvmOptions = new ArrayList<>(); // guarded by this until start
  private final Map<String, SharedQueue<?>> queues = new LinkedHashMap<>(); // fixed at start
  private String name = "process-" + NEXT_NUMBER.getAndIncrement();
  private volatile Consumer<String> output = line -> System.err.println(line);

  private final BlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>(); // guarded by itself
  private final CompletableFuture<Integer> exited = new CompletableFuture<>();
  private volatile Process process;
  private volatile PipeEnd pipe;
  /** True once the child's stdout has ended: nothing sent to it from then on can be read. */
  private volatile boolean disconnected;
  private Thread writer;
  private Thread reader;
  private Thread errorReader;

  private JvmProcess(List<String> target, Path classpathEntry) {
    this.target = List.copyOf(target);
    if (classpathEntry != null) {
      classpath.add(classpathEntry);
    }
  }

  /**
   * A process that runs {@code target}'s {@code public static void main(String[])} with
   * {@code args}, or, when it has none, a new instance of it as a {@link Runnable}. The
   * target's jar or class directory goes on the child's classpath; {@link #classpath} adds more.
   * The target should use only the worker's classes ({@link Child} for its pipe and queues), the
   * JDK and what is added: the coordinator's classes are not on a child's classpath.
   */
  public static JvmProcess of(Class<?> target, String... args) {
    return new JvmProcess(mainArguments(target.getName(), args), locationOf(target));
  }

  /** As {@link #of(Class, String...)}, for a class found on the child's classpath by name. */
  public static JvmProcess of(String className, String... args) {
    return new JvmProcess(mainArguments(className, args), null);
  }

  /**
   * A process that runs task {@code task} (by name, as the pool's workers find it) once on
   * {@code argument}, with rank 0 and attempt 1, and sends its output over the pipe: read it with
   * {@code pipe().recv(type)}. A task that throws makes the process exit 1 with the stack trace
   * in its output, and that recv end with {@link dev.jprocs.worker.child.PipeClosedException}.
   *
   * @throws IllegalArgumentException when the argument cannot be written as JSON (naming the field)
   */
  public static JvmProcess ofTask(TaskSpec task, Object argument) {
    JsonNode input = Serialization.toTree(argument, "the argument of task " + task.name());
    return new JvmProcess(List.of("--task", task.name(), "--input", Codec.toJson(input),
        "--options", Codec.toJson(task.options())), null);
  }

  private static List<String> mainArguments(String className, String... args) {
    List<String> arguments = new ArrayList<>(List.of("--main", className));
    arguments.addAll(Arrays.asList(args));
    return arguments;
  }

  /** The jar or directory {@code type} was loaded from, or null for a JDK class. */
  private static Path locationOf(Class<?> type) {
    var source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      Path path = Path.of(source.getLocation().toURI());
      return Files.exists(path) ? path : null;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot tell where " + type.getName()
          + " was loaded from, to put it on the child's classpath", e);
    }
  }

  // --- Before start ---------------------------------------------------------------------------

  /** Names the process (default {@code process-N}); the child sees it as {@link Child#name()}. */
  public synchronized JvmProcess name(String name) {
    requireNotStarted();
    if (Objects.requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException("a process name must not be blank");
    }
    this.name = name;
    return this;
  }

  /**
   * Lets the child reach {@code queue} by its name, with {@link Child#queue}. Python passes the
   * queue as an argument; this is that.
   *
   * @throws IllegalArgumentException when another queue of the same name is already shared
   */
  public synchronized JvmProcess share(SharedQueue<?> queue) {
    requireNotStarted();
    SharedQueue<?> before = queues.putIfAbsent(queue.name(), queue);
    if (before != null && before != queue) {
      throw new IllegalArgumentException("another queue named '" + queue.name()
          + "' is already shared with " + name);
    }
    return this;
  }

  /** Adds jars or class directories to the child's classpath, after the worker's own. */
  public synchronized JvmProcess classpath(Path... entries) {
    requireNotStarted();
    for (Path entry : entries) {
      if (!Files.exists(entry)) {
        throw new IllegalArgumentException("classpath entry " + entry + " does not exist");
      }
      classpath.add(entry.toAbsolutePath());
    }
    return this;
  }

  /** Adds flags for the child JVM, for example {@code -Xmx64m} or {@code -Dkey=value}. */
  public synchronized JvmProcess jvmOptions(String... options) {
    requireNotStarted();
    jvmOptions.addAll(Arrays.asList(options));
    return this;
  }

  /**
   * Where the child's output goes, one line at a time, on its {@code NAME-stderr} thread:
   * whatever it writes to {@code System.out} or {@code System.err}. Default: this JVM's
   * {@code System.err}. May be set at any time.
   */
  public JvmProcess output(Consumer<String> lines) {
    this.output = Objects.requireNonNull(lines, "lines");
    return this;
  }

  // --- Running --------------------------------------------------------------------------------

  /**
   * Starts the child JVM and returns at once, without waiting for it to be ready.
   *
   * @throws IllegalStateException when it was started before
   * @throws IOException when the java command cannot be run
   */
  public synchronized JvmProcess start() throws IOException {
    requireNotStarted();
    List<String> arguments = new ArrayList<>(List.of("--name", name));
    for (String queue : queues.keySet()) {
      arguments.add("--queue");
      arguments.add(queue);
    }
    arguments.addAll(target);
    ProcessBuilder builder = new ProcessBuilder(WorkerLauncher.childCommand(classpath,
        jvmOptions, ChildMain.class.getName(), arguments));
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    Process started = builder.start();
    pipe = new PipeEnd(name + " (pid " + started.pid() + ")", this::enqueue, MAX_LINE_BYTES);
    process = started;
    writer = thread("stdin", this::writeLoop);
    reader = thread("stdout", this::readLoop);
    errorReader = thread("stderr", this::readErrors);
    started.onExit().thenRunAsync(this::ended, body -> thread("exit", body));
    return this;
  }

  /**
   * The coordinator's end of the pipe to this child; the child's end is {@link Child#pipe()}.
   * Always the same object.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public Pipe pipe() {
    requireStarted();
    return pipe;
  }

  /**
   * Waits for the child to exit and for everything it wrote to be handed over (its output lines,
   * its last pipe values).
   *
   * @throws IllegalStateException when it was never started
   */
  public void join() throws InterruptedException {
    requireStarted();
    try {
      exited.get(); // completed by ended(), on the exit thread
    } catch (ExecutionException e) {
      throw new IllegalStateException("accounting for " + name + "'s end failed", e.getCause());
    }
  }

  /** As {@link #join()}, waiting at most {@code timeout}; returns whether the child has ended. */
  public boolean join(Duration timeout) throws InterruptedException {
    requireStarted();
    try {
      exited.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("accounting for " + name + "'s end failed", e.getCause());
    }
  }

  /** Whether the child JVM has been started and has not exited. */
  public boolean isAlive() {
    Process started = process;
    return started != null && started.isAlive();
  }

  /**
   * The child's exit status, or null while it runs or before it starts (Python's {@code None}).
   * A child killed by signal N has 128+N: 143 for SIGTERM, 137 for SIGKILL.
   */
  public Integer exitCode() {
    Process started = process;
    return started == null || started.isAlive() ? null : started.exitValue();
  }

  /**
   * The child's process id.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public long pid() {
    requireStarted();
    return process.pid();
  }

  /** The process's name, for example {@code process-0}. */
  public synchronized String name() {
    return name;
  }

  /**
   * Asks the child to stop (SIGTERM): its JVM runs its shutdown hooks and exits 143. Returns at
   * once; {@link #join()} waits for the end. Harmless once it has ended.
   */
  public void terminate() {
    requireStarted();
    // Through the handle: Process.destroy() also closes this side of the pipes, which would end
    // the child's stdin (so it halts before its hooks run) and cut off its last output.
    process.toHandle().destroy();
  }

  /** Kills the child at once (SIGKILL, exit 137). Harmless once it has ended. */
  public void kill() {
    requireStarted();
    process.toHandle().destroyForcibly(); // keeps the pipes, so its last output is still drained
  }

  /** The last lines of the child's output, oldest first. */
  public List<String> lastOutput() {
    synchronized (stderrTail) {
      return List.copyOf(stderrTail);
    }
  }

  /**
   * Kills the child if it is still running and waits for its end to be accounted for; unlike
   * Python's {@code close()}, which refuses a running process. Idempotent.
   */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      process.toHandle().destroyForcibly();
    }
    exited.join(); // completed by ended(), on the exit thread
  }

  // --- Called by SharedQueue, under its monitor -------------------------------------------------

  /** Whether the child can still read what is sent to it. */
  boolean disconnected() {
    return disconnected;
  }

  /** Queues {@code reply} for the child; dropped when it can no longer read it. Never blocks. */
  void reply(Message.QueueReply reply) {
    if (!disconnected) {
      outbox.add(Codec.encode(reply)); // wakes the writer thread
    }
  }

  // --- The pipe threads -----------------------------------------------------------------------

  private void enqueue(byte[] line) throws IOException {
    if (disconnected) {
      throw new IOException(who() + " has ended");
    }
    outbox.add(line); // wakes the writer thread
  }

  private Thread thread(String stream, Runnable body) {
    Thread thread = new Thread(body, name + "-" + stream);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** The writer: one line at a time from the outbox to the child's stdin, until it ends. */
  private void writeLoop() {
    try (OutputStream stdin = new BufferedOutputStream(process.getOutputStream(), 64 * 1024)) {
      while (true) {
        byte[] line = outbox.take(); // woken by enqueue/reply, or interrupted by ended()
        stdin.write(line);
        if (outbox.isEmpty()) {
          stdin.flush(); // one flush for whatever queued up meanwhile
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the child has ended; closing its stdin is all that is left
    } catch (IOException e) {
      // Broken pipe: the child is gone. Its end reaches callers through the pipe and join().
      log.debug("{}: stdin closed: {}", this, e.toString());
    }
  }

  /** The reader: the child's messages, until its stdout ends. */
  private void readLoop() {
    FrameReader lines = new FrameReader(process.getInputStream(), MAX_LINE_BYTES);
    try {
      while (true) {
        byte[] line;
        try {
          line = lines.readLine();
        } catch (ProtocolException e) {
          // Overlong, or cut off by the end: the reader skips it and goes on at the next line.
          log.warn("{} wrote a line on stdout that is not protocol: {}", this, e.getMessage());
          continue;
        }
        if (line == null) {
          break;
        }
        try {
          accept(Codec.decode(line));
        } catch (ProtocolException e) {
          // Native code or a stray write to file descriptor 1: evidence, and not the pipe's.
          log.warn("{} wrote a line on stdout that is not protocol: {}", this, e.getMessage());
        }
      }
    } catch (IOException e) {
      log.debug("{}: stdout closed: {}", this, e.toString());
    }
    disconnected = true;
    pipe.ended(endReason());
  }

  private void accept(Message message) {
    if (message instanceof Message.PipeSend send) {
      if (!pipe.received(send.value())) {
        log.warn("{} sent a value after closing its end of the pipe; dropped", this);
      }
    } else if (message instanceof Message.PipeEof) {
      pipe.ended(who() + " closed its end of the pipe");
    } else if (message instanceof Message.QueuePut put) {
      SharedQueue<?> queue = queue(put.requestId(), put.queue());
      if (queue != null) {
        try {
          queue.putJson(put.value());
          reply(new Message.QueueReply(put.requestId(), Message.QueueReply.OK, null, null));
        } catch (IllegalStateException e) {
          reply(new Message.QueueReply(put.requestId(), Message.QueueReply.REFUSED, null,
              e.getMessage()));
        }
      }
    } else if (message instanceof Message.QueueGet get) {
      SharedQueue<?> queue = queue(get.requestId(), get.queue());
      if (queue != null) {
        queue.getFor(this, get.requestId(), get.waitMillis());
      }
    } else if (message instanceof Message.QueueClose close) {
      SharedQueue<?> queue = queue(close.requestId(), close.queue());
      if (queue != null) {
        queue.close();
        reply(new Message.QueueReply(close.requestId(), Message.QueueReply.OK, null, null));
      }
    } else {
      log.warn("{} sent a '{}' message, which a child never sends; ignored", this, message.type());
    }
  }

  /** The shared queue {@code queueName}, or null after refusing the request that named another. */
  private SharedQueue<?> queue(long requestId, String queueName) {
    SharedQueue<?> queue = queues.get(queueName);
    if (queue == null) {
      reply(new Message.QueueReply(requestId, Message.QueueReply.REFUSED, null,
          "no queue named '" + queueName + "' is shared with " + name + "; shared: "
              + queues.keySet()));
    }
    return queue;
  }

  /** Why the child's stdout ended, with its exit status and last output when they are known. */
  private String endReason() {
    try {
      // The end of stdout nearly always means the exit; give the JDK and the stderr reader a
      // moment, so the reason can say how it ended and what it printed last.
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        return who() + " closed its stdout";
      }
      errorReader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return who() + " closed its stdout";
    }
    List<String> tail = lastOutput();
    return who() + " ended: " + status(process.exitValue())
        + (tail.isEmpty() ? "" : "; last output lines:\n  | " + String.join("\n  | ", tail));
  }

  /** The drain of the child's stderr: every line to the output sink, the last ones kept. */
  private void readErrors() {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        synchronized (stderrTail) {
          if (stderrTail.size() == STDERR_TAIL_LINES) {
            stderrTail.removeFirst();
          }
          stderrTail.addLast(line.length() > 2000 ? line.substring(0, 2000) + "..." : line);
        }
        try {
          output.accept(line);
        } catch (RuntimeException e) {
          log.warn("{}: the output sink threw on a line; the drain goes on", this, e);
        }
      }
    } catch (IOException e) {
      log.debug("{}: stderr closed: {}", this, e.toString());
    }
  }

  /** Runs once on the {@code NAME-exit} thread after the child exited. */
  private void ended() {
    // The pipes reach their end as soon as the child is gone, unless a grandchild inherited them;
    // wait for the readers, so every value and line is in, but not forever.
    join(reader, Duration.ofSeconds(5));
    join(errorReader, Duration.ofSeconds(2));
    disconnected = true;
    pipe.ended(who() + " ended: " + status(process.exitValue()));
    writer.interrupt(); // wakes the writer blocked on an empty outbox
    for (SharedQueue<?> queue : queues.values()) {
      queue.forget(this);
    }
    exited.complete(process.exitValue()); // wakes join() and close()
  }

  private void join(Thread thread, Duration timeout) {
    try {
      thread.join(timeout.toMillis());
      if (thread.isAlive()) {
        log.warn("{} exited but its {} is still open (a child process of its own?)", this,
            thread.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code process-0 (pid 4711)}, for messages. */
  private String who() {
    return name + " (pid " + process.pid() + ")";
  }

  private static String status(int exitCode) {
    return new WorkerExit("", 0, exitCode, null, null, List.of(), List.of()).status();
  }

  private void requireNotStarted() {
    if (process != null) {
      throw new IllegalStateException(name + " was already started; a process starts once");
    }
  }

  private void requireStarted() {
    if (process == null) {
      throw new IllegalStateException(name + " has not been started");
    }
  }

  /**
   * {@code JvmProcess[process-0, pid 4711, started]}, or {@code initial}, or
   * {@code stopped: killed by SIGTERM (exit 143)}, like Python's repr of a Process.
   */
  @Override
  public String toString() {
    Process started = process;
    if (started == null) {
      return "JvmProcess[" + name + ", initial]";
    }
    return "JvmProcess[" + name + ", pid " + started.pid() + ", "
        + (started.isAlive() ? "started" : "stopped: " + status(started.exitValue())) + "]";
  }
}
