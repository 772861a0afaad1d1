package dev.jprocs.coordinator;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import dev.jprocs.cluster.ChunkAnswer;
import dev.jprocs.cluster.RunChunk;
import dev.jprocs.cluster.SayHello;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One worker slot on a cluster member, dressed as a {@link Process} so the pool drives it exactly
 * like a worker JVM: a virtual worker that runs one chunk at a time on its member. Its thread,
 * {@code worker-N-member}, reads the task lines {@link WorkerHandle} writes to its "stdin", submits
 * each to the member ({@link RunChunk} on the member's chunk executor) and writes the member's
 * result line to its "stdout", in order. Its first line is the member's own hello ({@link SayHello}),
 * so the protocol version check is real; its pid is the member's.
 *
 * <p>It ends (its {@link #onExit()} completes) in one of four ways: after the shutdown sentinel,
 * when every chunk before it is answered, with a goodbye and status 0 (the member keeps running:
 * members are shared); by {@link #destroyForcibly()}, at once, status 137, its running chunk
 * cancelled on the member; by {@link #memberLeft}, called by {@link ClusterConnection} from a
 * Hazelcast event thread, status 1 with the reason on its stderr; or when a chunk's call fails,
 * status 1 with the member's exception on its stderr. Either of the last two is a worker death to
 * the {@link Supervisor}: what the slot held is taken back and sent again elsewhere, and an answer
 * the member gives later for a written-off attempt is dropped.
 */
final class MemberSlot extends Process {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MemberSlot.class);
  private static final int PIPE_BYTES = 1 << 20;

  private final String workerId;
  private final ClusterConnection.MemberEntry member;
  private final IExecutorService chunks;
  private final IExecutorService control;
  private final int maxLineBytes;
  private final PipedOutputStream stdin = new PipedOutputStream();
  private final PipedInputStream stdout = new PipedInputStream(PIPE_BYTES);
  private final PipedInputStream stderr = new PipedInputStream(64 * 1024);
  private final PipedInputStream in = new PipedInputStream(PIPE_BYTES);
  private final PipedOutputStream out = new PipedOutputStream();
  private final PipedOutputStream err = new PipedOutputStream();
  private final CompletableFuture<Process> exit = new CompletableFuture<>();
  private final Thread thread;
  /** The chunk running on the member, cancelled when the slot is destroyed; guarded by this. */
  private Future<?> running;
  private volatile int exitCode = -1;
  private long tasksDone;
  private long itemsDone;
  private long itemsFailed;

  MemberSlot(String workerId, ClusterConnection.MemberEntry member, IExecutorService chunks,
      IExecutorService control, int maxLineBytes) {
    this.workerId = workerId;
    this.member = member;
    this.chunks = chunks;
    this.control = control;
    this.maxLineBytes = maxLineBytes;
    try {
      in.connect(stdin);
      out.connect(stdout);
      err.connect(stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect in-memory pipes", e);
    }
    thread = new Thread(this::run, workerId + "-member");
    thread.setDaemon(true);
    thread.start();
  }

  /** The member this slot runs on. */
  Member member() {
    return member.member();
  }

  /** The bridge thread: hello, then each task line to the member and its result line back. */
  private void run() {
    try {
      out.write(call(control.submitToMember(new SayHello(workerId), member.member())));
      out.flush();
      FrameReader lines = new FrameReader(in, maxLineBytes);
      byte[] line;
      while ((line = lines.readLine()) != null) {
        Message message = Codec.decode(line);
        if (message instanceof Message.Shutdown) {
          out.write(Codec.encode(new Message.Goodbye(tasksDone, itemsDone, itemsFailed)));
          end(0, null);
          return;
        }
        ChunkAnswer answer = call(chunks.submitToMember(new RunChunk(workerId, line), member.member()));
        tasksDone++;
        itemsDone += answer.items();
        itemsFailed += answer.errors();
        out.write(answer.resultLine());
        out.flush();
      }
      end(0, null); // stdin closed without the sentinel: the pool is gone
    } catch (ExecutionException e) {
      failed(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // destroyed: the end is already set
    } catch (IOException e) {
      end(1, workerId + ": its pipe to the pool broke: " + e); // a no-op if it was destroyed
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Waits for a call on the member; the wait is ended by destroy's interrupt or cancel. */
  private <T> T call(Future<T> future) throws ExecutionException, InterruptedException {
    synchronized (this) {
      running = future;
      if (!isAlive()) {
        future.cancel(true);
      }
    }
    try {
      return future.get();
    } finally {
      synchronized (this) {
        running = null;
      }
    }
  }

  /** A call to the member failed: either the member is gone, or the chunk broke its thread. */
  private void failed(Throwable cause) {
    if (ClusterConnection.memberGone(cause)) {
      member.gone();
      end(1, member.describe() + " left the cluster (" + cause + ")");
      return;
    }
    StringWriter trace = new StringWriter();
    cause.printStackTrace(new PrintWriter(trace));
    end(1, workerId + ": " + member.describe() + " failed the call: " + trace);
  }

  /**
   * The member left the cluster: this slot ends at once with status 1, saying so on its stderr.
   * Called on a Hazelcast event thread.
   */
  void memberLeft(String why) {
    end(1, why);
  }

  /** Ends the slot with {@code status}, writing {@code problem} to its stderr first; once only. */
  private void end(int status, String problem) {
    Future<?> call;
    synchronized (this) {
      if (exitCode >= 0) {
        return;
      }
      exitCode = status;
      call = running;
    }
    if (call != null) {
      call.cancel(true); // the member interrupts the chunk, if it is still running there
    }
    if (Thread.currentThread() != thread) {
      thread.interrupt(); // wakes the bridge thread from its wait on the member or on stdin
    }
    try {
      if (problem != null) {
        err.write((problem + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The pool stopped reading stderr; the status still tells it the slot ended.
      log.debug("{}: its end could not be written to its stderr: {}", this, e.toString());
    } finally {
      closeQuietly(err);
      closeQuietly(out); // the pool's readers see the end of what was written
      closeQuietly(in);
      exit.complete(this); // wakes onExit() and waitFor()
    }
  }

  private static void closeQuietly(java.io.Closeable stream) {
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing an in-memory pipe failed", e);
    }
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
    } catch (ExecutionException e) {
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
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException(workerId + " on " + member.describe() + " is still running");
    }
    return exitCode;
  }

  @Override
  public void destroy() {
    destroyForcibly();
  }

  /**
   * Ends the slot at once, as SIGKILL would a worker process: status 137. Its running chunk is
   * cancelled on the member; the member itself keeps running.
   */
  @Override
  public Process destroyForcibly() {
    end(137, null);
    return this;
  }

  @Override
  public boolean isAlive() {
    return exitCode < 0;
  }

  /** The member JVM's pid, as it published it. */
  @Override
  public long pid() {
    return member.pid();
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit;
  }

  @Override
  public String toString() {
    return workerId + " on " + member.describe();
  }
}
