package dev.jprocs.coordinator;

import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.WorkerLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker that is a thread of this JVM rather than a child process ({@code --mode threads}): the
 * same {@link WorkerLoop} over in-memory pipes, dressed as a {@link Process} so the pool drives it
 * exactly like a real worker. For I/O-bound tasks it costs less than a JVM; it gives no isolation.
 *
 * <p>Its pid is this JVM's. {@link #destroyForcibly()} closes its pipes and interrupts its thread;
 * a task that ignores interrupts keeps its thread busy until it returns, but the pool has already
 * moved on (a thread cannot be killed as a process can).
 */
final class ThreadProcess extends Process {
  private static final int PIPE_BYTES = 1 << 20;

  private final PipedOutputStream stdin = new PipedOutputStream();
  private final PipedInputStream stdout = new PipedInputStream(PIPE_BYTES);
  private final PipedInputStream stderr = new PipedInputStream(1024);
  private final CompletableFuture<Process> exit = new CompletableFuture<>();
  private final Thread thread;
  private volatile int exitCode = -1;

  ThreadProcess(String workerId, TaskRegistry tasks, int maxLineBytes) {
    this(workerId, tasks, maxLineBytes, null);
  }

  /**
   * @param initializer run on the worker's thread before its hello, as a worker process runs it;
   *     null for none
   */
  ThreadProcess(String workerId, TaskRegistry tasks, int maxLineBytes,
      WorkerLauncher.Initializer initializer) {
    PipedInputStream in = new PipedInputStream(PIPE_BYTES);
    PipedOutputStream out = new PipedOutputStream();
    PipedOutputStream err = new PipedOutputStream();
    try {
      in.connect(stdin);
      out.connect(stdout);
      err.connect(stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect in-memory pipes", e);
    }
    thread = new Thread(() -> run(workerId, tasks, maxLineBytes, initializer, in, out, err),
        workerId + "-thread");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(String workerId, TaskRegistry tasks, int maxLineBytes,
      WorkerLauncher.Initializer initializer, InputStream in, OutputStream out, OutputStream err) {
    int status = 1;
    try (out; err) {
      if (initializer != null && !initialize(workerId, tasks, initializer, err)) {
        return; // status 1 before any hello: the pool sees a failed start, with err's text
      }
      status = new WorkerLoop(workerId, tasks, in, out, maxLineBytes).run();
    } catch (IOException e) {
      status = destroyed() ? exitCode : 1; // the pipes closed under it: it was destroyed
    } finally {
      if (exitCode < 0) {
        exitCode = status;
      }
      exit.complete(this); // wakes onExit() and waitFor()
    }
  }

  /** Runs the pool's initializer; on failure writes why to {@code err} and returns false. */
  private static boolean initialize(String workerId, TaskRegistry tasks,
      WorkerLauncher.Initializer initializer, OutputStream err) throws IOException {
    try {
      WorkerLoop.initialize(tasks, workerId, initializer.task().name(), initializer.input(),
          initializer.task().options());
      return true;
    } catch (Exception | LinkageError | AssertionError e) {
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      err.write((workerId + ": the initializer '" + initializer.task().name() + "' failed: " + e
          + "\n" + trace).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return false;
    }
  }

  private boolean destroyed() {
    return exitCode >= 0;
  }

  @Override
  public OutputStream getOutputStream() {
    return stdin;
  }

  @Override
  public InputStream getInputStream() {
    return stdout;
  }

  @Override
  public InputStream getErrorStream() {
    return stderr;
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      exit.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    return exitCode;
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      exit.get(timeout, unit);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException("the worker thread is still running");
    }
    return exitCode;
  }

  @Override
  public void destroy() {
    destroyForcibly();
  }

  /** Ends the worker at once, as SIGKILL would a process: exit status 137. */
  @Override
  public Process destroyForcibly() {
    if (exit.isDone()) {
      return this;
    }
    exitCode = 137;
    try {
      // The pipes close before the interrupt: a task that ends on the interrupt and answers with
      // its InterruptedException must find the wire gone, or the pool would take that answer as
      // the input's outcome instead of retrying it (seen in ThreadModeTest, now and then).
      stdin.close();
      stdout.close();
      stderr.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread.interrupt();
    exit.complete(this); // the pool sees the end now, even if the task ignores the interrupt
    return this;
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  @Override
  public long pid() {
    return ProcessHandle.current().pid();
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit;
  }
}
