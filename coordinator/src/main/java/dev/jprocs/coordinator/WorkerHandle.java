package dev.jprocs.coordinator;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process and its three pipes. Three threads of its own keep the pipes moving, so the
 * child never blocks on a full pipe: {@code worker-N-stdin} writes what {@link #send} queued (and
 * what {@link #sendTask} did not write at once), {@code worker-N-stdout} reads protocol lines and
 * hands them to the {@link Listener}, and {@code worker-N-stderr} keeps the last stderr lines and
 * logs them.
 *
 * <p>When the process exits, {@link Listener#onExit} is called once, on the executor given to the
 * constructor, after everything the worker wrote to stdout has been handed over; so a result that
 * reached the pipe before the death is never counted as lost.
 */
final class WorkerHandle {
  /** Receives what a worker says. Calls for one worker come one at a time, in order. */
  interface Listener {
    /** The worker said a valid hello and can take work. Called on its stdout thread. */
    void onReady(WorkerHandle worker);

    /**
     * Whether the result of task {@code taskId} should keep its outputs as JSON text rather than
     * trees ({@link Codec#decode(byte[], LongPredicate)}). Called on the worker's stdout thread,
     * while it reads the result's line.
     */
    default boolean keepsOutputText(WorkerHandle worker, long taskId) {
      return false;
    }

    /** A result arrived. Called on the worker's stdout thread. */
    void onResult(WorkerHandle worker, Message.Result result);

    /**
     * A task message was not sent because it is longer than the line limit. Called on the
     * worker's stdin thread.
     */
    void onUnsendable(WorkerHandle worker, Message.Task task, int bytes);

    /** The process has ended, for whatever reason. Called once, on the exit executor. */
    void onExit(WorkerHandle worker, WorkerExit exit);
  }

  private static final Logger log = LoggerFactory.getLogger(WorkerHandle.class);
  private static final Logger stderrLog = LoggerFactory.getLogger("dev.jprocs.worker.stderr");
  private static final int STDERR_TAIL_LINES = 20;
  /**
   * A line of the JVM's own unified logging with its default decorations, such as
   * "[0.476s][info][jfr,startup] Started recording 1". JDK 17 sends JFR's start-up lines to stdout
   * whatever -Xlog says (-XX:StartFlightRecording configures stdout for them after the command
   * line is read), before the worker's main runs.
   */
  private static final Pattern JVM_LOG_LINE = Pattern.compile(
      "\\[[^\\]\\[]{1,40}\\]\\[(trace|debug|info|warning|error) *\\]\\[[a-z0-9,]+ *\\].*");
  private static final Message POISON = new Message.Shutdown();
  /** What the JVM prints on stderr at the start of a worker that resolves the Vector API. */
  private static final String INCUBATOR_WARNING =
      "WARNING: Using incubator modules: " + PoolConfig.VECTOR_MODULE;
  /** What a worker's JVM prints on stderr when -XX:+ExitOnOutOfMemoryError ends it. */
  private static final String OUT_OF_MEMORY = "Terminating due to java.lang.OutOfMemoryError";
  /** The most inputs of a task {@link #sendTask} encodes on its caller's thread. */
  private static final int DIRECT_INPUTS = 16;
  /**
   * The longest line {@link #sendTask} writes on its caller's thread: half the smallest pipe
   * Linux makes (a page), so that a control line the worker has not read yet still leaves room.
   */
  private static final int DIRECT_BYTES = 2048;
  /** The worker id of a spare that has no slot yet. */
  static final String SPARE = "spare";

  /** The slot's id; a spare has {@link #SPARE} until it is assigned a slot. */
  private volatile String workerId;
  private final Process process;
  private final Listener listener;
  private final PoolEvents events;
  private final int maxLineBytes;
  private final PipeTap tap;
  private final Instant startedAt = Instant.now();
  private final BlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>();
  /** The worker's stdin; the writer thread writes it, or sendTask when nothing is queued. */
  private final OutputStream stdin;
  /**
   * False for a worker that is no OS process (thread mode, a cluster slot): its java.io pipe
   * takes the last thread that wrote to it for its writing end, and reports the pipe broken once
   * that thread has ended, which a caller's thread may well do. Only the writer thread writes it.
   */
  private final boolean directWrites;
  /** Guards {@link #queued}, and {@link #stdin} while {@link #sendTask} writes it. */
  private final Object pipeLock = new Object();
  /** Messages queued for the writer thread and not yet written and flushed; guarded by pipeLock. */
  private int queued;
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>(); // guarded by itself
  private final CompletableFuture<Message.Hello> hello = new CompletableFuture<>();
  private final CompletableFuture<WorkerExit> exited = new CompletableFuture<>();
  private final Thread writer;
  private final Thread reader;
  private final Thread errorReader;
  private final java.util.concurrent.atomic.AtomicBoolean shutdownSent =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean answered;
  private volatile boolean ended;
  private volatile Message.Goodbye goodbye;
  private volatile String problem;

  /**
   * @param tracing whether this worker's frames go to the configured tracer from the start
   */
  WorkerHandle(String workerId, Process process, Listener listener, PoolConfig config,
      boolean tracing, Executor exitExecutor) {
    this.workerId = workerId;
    this.process = process;
    this.listener = listener;
    this.events = config.events;
    this.maxLineBytes = config.maxLineBytes;
    this.tap = new PipeTap(workerId, process.pid(), config.lastFrames, config.pipeTracer, tracing);
    this.stdin = new BufferedOutputStream(process.getOutputStream(), 64 * 1024);
    this.directWrites = !(process instanceof PipedProcess);
    this.writer = thread("stdin", this::writeLoop);
    this.reader = thread("stdout", this::readLoop);
    this.errorReader = thread("stderr", this::readErrors);
    process.onExit().thenRunAsync(this::processEnded, exitExecutor);
  }

  private Thread thread(String stream, Runnable body) {
    Thread thread = new Thread(body, workerId + "-" + stream + "-" + process.pid());
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  String workerId() {
    return workerId;
  }

  /** True for a spare that has not been assigned a slot. */
  boolean spare() {
    return SPARE.equals(workerId);
  }

  /**
   * Gives this spare slot {@code workerId}: from now on it is that worker, in events, logs and
   * frames. The process is not told yet: {@link #sendAssignment} does that, and it then says hello
   * with that id, so a caller can record the slot's new worker before its hello can arrive.
   * Supervisor thread.
   *
   * @param tracing whether the slot's pipe is traced
   */
  void assign(String workerId, boolean tracing) {
    if (!spare()) {
      throw new IllegalStateException(this + " is not a spare; it cannot take " + workerId);
    }
    this.workerId = workerId;
    tap.rename(workerId);
    tap.trace(tracing);
    for (Thread thread : List.of(writer, reader, errorReader)) {
      thread.setName(thread.getName().replaceFirst("^" + SPARE, workerId));
    }
  }

  /** Tells the process the slot {@link #assign} gave it. Supervisor thread. */
  void sendAssignment() {
    send(new Message.Assign(workerId));
  }

  long pid() {
    return process.pid();
  }

  Instant startedAt() {
    return startedAt;
  }

  /** Completes with the worker's hello, or exceptionally if it exits or misbehaves first. */
  CompletableFuture<Message.Hello> ready() {
    return hello;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** True once the process has ended, before its end is reported; no work may go to it. */
  boolean ended() {
    return ended;
  }

  /** True once this worker has answered a task: it is healthy enough to do work. */
  boolean answered() {
    return answered;
  }

  /** Completes once the process has ended and {@link Listener#onExit} has returned. */
  CompletableFuture<WorkerExit> exited() {
    return exited;
  }

  /** Starts or stops handing this worker's frames to the tracer. Any thread. */
  void trace(boolean on) {
    tap.trace(on);
  }

  /** Queues a message for the worker's stdin; never blocks. Any thread. */
  void send(Message message) {
    queue(message, null);
  }

  /**
   * Sends a task. When the worker has answered every task it was sent before ({@code idle}),
   * nothing is queued for it and the task's line is short, the line is written and flushed on
   * the caller's thread, without waking the writer thread: with one input per chunk and one chunk
   * in flight, that cut the coordinator's CPU per task from about 26 to 18 us. Such a write cannot
   * block: the worker has read every line it was sent but perhaps a control line, and a pipe holds
   * at least a page. Otherwise, and always for a worker that is not an OS process, the task is
   * queued as by {@link #send}. Never blocks. Any thread.
   */
  void sendTask(Message.Task task, boolean idle) {
    if (!directWrites || !idle || task.inputs().size() > DIRECT_INPUTS) {
      send(task);
      return;
    }
    synchronized (pipeLock) {
      if (queued > 0) {
        queue(task, null);
        return;
      }
      byte[] line = Codec.encode(task);
      if (line.length > Math.min(DIRECT_BYTES, maxLineBytes)) {
        queue(task, line);
        return;
      }
      try {
        stdin.write(line);
        stdin.flush();
      } catch (IOException e) {
        log.debug("{} (pid {}): stdin closed: {}", workerId, pid(), e.toString());
        return; // the worker died: onExit hands the task it holds to another
      }
      tap.sent(line, task);
    }
  }

  private void queue(Message message, byte[] line) {
    synchronized (pipeLock) {
      queued++;
      outbox.add(new Outgoing(message, line));
    }
  }

  /**
   * Sends the shutdown sentinel after whatever is queued; the worker finishes its work first.
   * Only the first call sends it.
   */
  void shutdown() {
    if (!shutdownSent.getAndSet(true)) {
      send(POISON);
      events.sentinelSent(workerId, pid());
    }
  }

  /** Kills the process at once (SIGKILL). Any thread; harmless if it is already gone. */
  void kill(String why) {
    if (problem == null && why != null) {
      problem = why;
    }
    process.destroyForcibly();
  }

  /** The last lines of the worker's stderr, oldest first. */
  List<String> stderrTail() {
    synchronized (stderrTail) {
      return List.copyOf(stderrTail);
    }
  }

  private void writeLoop() {
    try (stdin) {
      while (true) {
        Outgoing next = outbox.take(); // woken by send/shutdown, or interrupted by processEnded()
        Message message = next.message();
        byte[] line = next.line() != null ? next.line() : Codec.encode(message);
        if (line.length > maxLineBytes && message instanceof Message.Task task) {
          written();
          listener.onUnsendable(this, task, line.length);
          continue;
        }
        stdin.write(line);
        tap.sent(line, message);
        if (outbox.isEmpty()) {
          stdin.flush(); // one flush for whatever queued up meanwhile
        }
        written();
        if (message == POISON) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the process is gone; nothing more to write
    } catch (IOException e) {
      // Broken pipe: the worker died. onExit reports it with the evidence; nothing to add here.
      log.debug("{} (pid {}): stdin closed: {}", workerId, pid(), e.toString());
    }
  }

  /**
   * The writer thread is done with one message. Not under the lock while writing: a full pipe
   * would then hold up {@link #sendTask}'s callers.
   */
  private void written() {
    synchronized (pipeLock) {
      queued--;
    }
  }

  private void readLoop() {
    FrameReader lines = new FrameReader(process.getInputStream(), maxLineBytes);
    LongPredicate keepOutputText = taskId -> listener.keepsOutputText(this, taskId);
    try {
      // Each line is decoded where the reader holds it, and no copy of it outlives this loop.
      for (int length; (length = lines.nextLine()) >= 0; ) {
        byte[] line = lines.line();
        Message message;
        try {
          message = Codec.decode(line, length, keepOutputText);
        } catch (ProtocolException e) {
          tap.received(line, length, null);
          String text = new String(line, 0, length, StandardCharsets.UTF_8);
          if (JVM_LOG_LINE.matcher(text).matches()) {
            // Not the worker's doing and not part of a message: keep it with its stderr.
            log.debug("{} (pid {}): its JVM logged on stdout: {}", workerId, pid(), text);
            stderrLine(text);
            continue;
          }
          throw e;
        }
        tap.received(line, length, message);
        if (!accept(message)) {
          return;
        }
      }
    } catch (ProtocolException e) {
      events.strayOutput(workerId, pid(), e.start(), e.length());
      kill(workerId + " broke the protocol on stdout: " + e.getMessage());
    } catch (IOException e) {
      kill(workerId + " stdout could not be read: " + e);
    }
  }

  /** Handles one message from the worker; false when the conversation is over. */
  private boolean accept(Message message) {
    if (message instanceof Message.Result result && hello.isDone()) {
      answered = true;
      listener.onResult(this, result);
      return true;
    } else if (message instanceof Message.Hello greeting && !hello.isDone()) {
      if (greeting.protocol() != Message.PROTOCOL_VERSION) {
        kill(workerId + " speaks protocol version " + greeting.protocol()
            + " but this coordinator speaks version " + Message.PROTOCOL_VERSION
            + "; refused before sending any task");
        return false;
      }
      hello.complete(greeting); // wakes Pool.start waiting for the fleet
      listener.onReady(this);
      return true;
    } else if (message instanceof Message.Goodbye farewell && hello.isDone()) {
      goodbye = farewell;
      return true;
    } else if (message instanceof Message.Fault fault) {
      problem = "the worker reported a protocol fault: " + fault.message();
      return false;
    }
    kill(workerId + " sent an unexpected '" + message.type() + "' message"
        + (hello.isDone() ? "" : " before its hello"));
    return false;
  }

  private void readErrors() {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        stderrLine(line);
      }
    } catch (IOException e) {
      log.debug("{} (pid {}): stderr closed: {}", workerId, pid(), e.toString());
    }
  }

  /** Logs and keeps one line of the worker's stderr. Stderr thread, or stdout's for a JVM log line. */
  private void stderrLine(String line) {
    if (line.equals(INCUBATOR_WARNING)) {
      stderrLog.debug("[{}] {}", workerId, line); // expected of every worker with vectorApi
    } else {
      stderrLog.info("[{}] {}", workerId, line);
    }
    events.workerStderr(workerId, pid(), line);
    synchronized (stderrTail) {
      if (stderrTail.size() == STDERR_TAIL_LINES) {
        stderrTail.removeFirst();
      }
      stderrTail.addLast(line.length() > 2000 ? line.substring(0, 2000) + "..." : line);
    }
  }

  /** Runs once on the exit executor after the process ended. */
  private void processEnded() {
    ended = true; // read by Scheduler.workerReady, in case a late hello is still being handled
    writer.interrupt(); // wakes the writer blocked on an empty outbox
    // The pipes reach end of file as soon as the process is gone, unless a grandchild inherited
    // them; wait for the readers so every result and stderr line is in, but not forever.
    join(reader, Duration.ofSeconds(5));
    join(errorReader, Duration.ofSeconds(2));
    List<String> stderr = stderrTail();
    String why = problem;
    if (why == null && stderr.stream().anyMatch(line -> line.startsWith(OUT_OF_MEMORY))) {
      why = "it ran out of memory: a task or an input needs more than the worker's heap cap"
          + " (PoolConfig.Builder.workerHeap; --worker-heap on the command line)";
    }
    WorkerExit exit = new WorkerExit(workerId, pid(), process.exitValue(), goodbye, why, stderr,
        tap.lastFrames());
    if (!hello.isDone()) {
      hello.completeExceptionally(new WorkerStartException(exit)); // its message describes the exit
    }
    try {
      listener.onExit(this, exit);
    } finally {
      exited.complete(exit); // wakes Pool.join
    }
  }

  private void join(Thread thread, Duration timeout) {
    try {
      thread.join(timeout.toMillis());
      if (thread.isAlive()) {
        log.warn("{} (pid {}) exited but its {} is still open (a child process of its own?)",
            workerId, pid(), thread.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return workerId + " (pid " + pid() + ")";
  }

  /** A message for the writer thread, with its line when the sender has encoded it already. */
  private record Outgoing(Message message, byte[] line) {}

}
