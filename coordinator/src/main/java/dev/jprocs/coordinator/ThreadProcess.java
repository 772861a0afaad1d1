package dev.jprocs.coordinator;

import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.WorkerLoop;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A worker that is a thread of this JVM rather than a child process ({@code --mode threads}): the
 * same {@link WorkerLoop} over in-memory pipes, dressed as a {@link Process} so the pool drives it
 * exactly like a real worker. For I/O-bound tasks it costs less than a JVM; it gives no isolation.
 *
 * <p>Its pid is this JVM's. {@link #destroyForcibly()} closes its pipes and interrupts its thread;
 * a task that ignores interrupts keeps its thread busy until it returns, but the pool has already
 * moved on (a thread cannot be killed as a process can).
 */
final class ThreadProcess extends PipedProcess {
  private final Thread thread;

  /**
   * @param initializer run on the worker's thread before its hello, as a worker process runs it;
   *     null for none
   */
  ThreadProcess(String workerId, TaskRegistry tasks, int maxLineBytes,
      WorkerLauncher.Initializer initializer) {
    super(1024);
    thread = new Thread(() -> run(workerId, tasks, maxLineBytes, initializer), workerId + "-thread");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(String workerId, TaskRegistry tasks, int maxLineBytes,
      WorkerLauncher.Initializer initializer) {
    int status = 1;
    try (out; err) {
      if (initializer != null && !initialize(workerId, tasks, initializer, err)) {
        return; // status 1 before any hello: the pool sees a failed start, with err's text
      }
      status = new WorkerLoop(workerId, tasks, in, out, maxLineBytes).run();
    } catch (IOException e) {
      status = 1; // the pipes closed under it: destroyed, which has recorded its status already
    } finally {
      end(status);
      ended();
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

  /** Ends the worker at once, as SIGKILL would a process: exit status 137. */
  @Override
  public Process destroyForcibly() {
    if (!end(137)) {
      return this;
    }
    // The pipes close before the interrupt: a task that ends on the interrupt and answers with
    // its InterruptedException must find the wire gone, or the pool would take that answer as
    // the input's outcome instead of retrying it (seen in ThreadModeTest, now and then).
    closePoolEnds();
    thread.interrupt();
    ended(); // the pool sees the end now, even if the task ignores the interrupt
    return this;
  }

  @Override
  public long pid() {
    return ProcessHandle.current().pid();
  }

  @Override
  public String toString() {
    return thread.getName();
  }
}
