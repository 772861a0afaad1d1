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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * One worker slot on a cluster member, dressed as a {@link Process} so the pool drives it exactly
 * like a worker JVM. Two threads bridge its pipes to the member. {@code worker-N-member} reads the
 * task lines {@link WorkerHandle} writes to its "stdin" and submits each to the member at once
 * ({@link RunChunk} on the member's chunk executor), up to {@link #IN_FLIGHT} unanswered calls, so
 * the network round trip of one chunk overlaps the next rather than adding to it. {@code
 * worker-N-answers} waits for the calls in the order they were submitted and writes each result
 * line to its "stdout" in that order, as a worker process answers its stdin in order. Its first
 * line is the member's own hello ({@link SayHello}), so the protocol version check is real; its
 * pid is the member's. On the member the calls queue for the executor's threads, each with its
 * own task instances.
 *
 * <p>It ends (its {@link #onExit()} completes) in one of four ways: after the shutdown sentinel,
 * when every chunk before it is answered, with a goodbye and status 0 (the member keeps running:
 * members are shared); by {@link #destroyForcibly()}, at once, status 137, its calls cancelled on
 * the member; by {@link #memberLeft}, called by {@link ClusterConnection} from a Hazelcast thread,
 * status 1 with the reason on its stderr; or when a call fails, status 1 with the member's
 * exception on its stderr. Either of the last two is a worker death to the {@link Supervisor}:
 * what the slot held (every unanswered call) is taken back and sent again elsewhere, the oldest
 * charged with the death, and an answer the member gives later for a written-off attempt is
 * dropped.
 */
final class MemberSlot extends PipedProcess {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MemberSlot.class);
  /**
   * Calls a slot keeps unanswered on its member. A few hide the round trip; more would only let
   * one slot's chunks take the member's threads from the other slots there.
   */
  static final int IN_FLIGHT = 4;
  /** Queued after the last call when the shutdown sentinel arrives: say goodbye after them. */
  private static final Future<ChunkAnswer> GOODBYE = new CompletableFuture<>();

  private final String workerId;
  private final ClusterConnection.MemberEntry member;
  private final IExecutorService chunks;
  private final IExecutorService control;
  private final int maxLineBytes;
  /** The calls submitted and not yet answered, in submission order, then maybe GOODBYE. */
  private final BlockingQueue<Future<ChunkAnswer>> sent = new LinkedBlockingQueue<>();
  /** Room for more calls: taken by the submitting thread, given back by the answering one. */
  private final Semaphore room = new Semaphore(IN_FLIGHT);
  private final Thread submitter;
  private final Thread answerer;
  /** The calls on the member, cancelled when the slot ends; guarded by this. */
  private final Set<Future<?>> calls = new HashSet<>();
  /** The first line of why the slot ended, null for a goodbye or a destroy. */
  private volatile String endReason;
  private long tasksDone; // answerer thread only
  private long itemsDone; // answerer thread only
  private long itemsFailed; // answerer thread only

  MemberSlot(String workerId, ClusterConnection.MemberEntry member, IExecutorService chunks,
      IExecutorService control, int maxLineBytes) {
    super(64 * 1024);
    this.workerId = workerId;
    this.member = member;
    this.chunks = chunks;
    this.control = control;
    this.maxLineBytes = maxLineBytes;
    submitter = thread(this::submitLines, "-member");
    answerer = thread(this::writeAnswers, "-answers");
    submitter.start(); // both exist before either runs: end() interrupts both
    answerer.start();
  }

  private Thread thread(Runnable body, String suffix) {
    Thread thread = new Thread(body, workerId + suffix);
    thread.setDaemon(true);
    return thread;
  }

  /** The member this slot runs on. */
  Member member() {
    return member.member();
  }

  /** {@code worker-N-member}: each task line to the member as it comes, up to IN_FLIGHT ahead. */
  private void submitLines() {
    try {
      FrameReader lines = new FrameReader(in, maxLineBytes);
      byte[] line;
      while ((line = lines.readLine()) != null) {
        Message message = Codec.decode(line);
        if (message instanceof Message.Shutdown) {
          sent.add(GOODBYE); // wakes the answerer once the calls before it are written
          return;
        }
        room.acquire(); // woken by the answerer's release, or interrupted by end()
        sent.add(tracked(chunks.submitToMember(new RunChunk(workerId, line), member.member())));
      }
      end(0, null); // stdin closed without the sentinel: the pool is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // ended: the status is already set
    } catch (IOException e) {
      end(1, workerId + ": its pipe to the pool broke: " + e); // a no-op if it already ended
    } catch (RuntimeException e) {
      failed(e); // the call could not even be submitted: the client or the member is gone
    }
  }

  /** {@code worker-N-answers}: the hello, then each call's result line in submission order. */
  private void writeAnswers() {
    try {
      out.write(answer(tracked(control.submitToMember(new SayHello(workerId), member.member()))));
      out.flush();
      while (true) {
        Future<ChunkAnswer> call = sent.take(); // woken by the submitter, or interrupted by end()
        if (call == GOODBYE) {
          out.write(Codec.encode(new Message.Goodbye(tasksDone, itemsDone, itemsFailed)));
          end(0, null);
          return;
        }
        ChunkAnswer answer = answer(call);
        room.release(); // wakes the submitter if it waits for room
        tasksDone++;
        itemsDone += answer.items();
        itemsFailed += answer.errors();
        out.write(answer.resultLine());
        out.flush();
      }
    } catch (ExecutionException e) {
      failed(e.getCause());
    } catch (InterruptedException | CancellationException e) {
      Thread.currentThread().interrupt(); // ended: the status is already set, the calls cancelled
    } catch (IOException e) {
      end(1, workerId + ": its pipe to the pool broke: " + e); // a no-op if it already ended
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Remembers a call so the slot's end cancels it; cancels it now if the slot has ended. */
  private <T> Future<T> tracked(Future<T> call) {
    boolean ended;
    synchronized (this) {
      calls.add(call);
      ended = !isAlive();
    }
    if (ended) {
      cancelLater(List.of(call)); // end() has already cancelled the calls it saw
    }
    return call;
  }

  /** Waits for a call's answer; the wait is ended by end()'s interrupt or cancel. */
  private <T> T answer(Future<T> call) throws ExecutionException, InterruptedException {
    try {
      return call.get();
    } finally {
      synchronized (this) {
        calls.remove(call);
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

  /**
   * Ends the slot with {@code status}, writing {@code problem} to its stderr first and keeping its
   * first line as {@link #endReason()}; once only.
   */
  private void end(int status, String problem) {
    List<Future<?>> unanswered;
    synchronized (this) {
      if (!end(status)) {
        return;
      }
      endReason = problem == null ? null : problem.lines().findFirst().orElse(problem);
      unanswered = List.copyOf(calls);
    }
    cancelLater(unanswered);
    for (Thread bridge : List.of(submitter, answerer)) {
      if (Thread.currentThread() != bridge) {
        bridge.interrupt(); // wakes it from its wait on stdin, for room, or on the member
      }
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
      ended(); // wakes onExit() and waitFor()
    }
  }

  /**
   * Cancels the calls on the member (it interrupts a chunk still running there and drops one still
   * queued) on a thread of their own, {@code worker-N-cancel}: a Hazelcast cancel is itself a call
   * to the member, which may wait while the client reconnects or fail when the member is gone, and
   * the slot's end must not wait for it or be stopped by it.
   */
  private void cancelLater(List<Future<?>> unanswered) {
    if (unanswered.isEmpty()) {
      return;
    }
    Thread canceller = new Thread(() -> {
      for (Future<?> call : unanswered) {
        try {
          call.cancel(true);
        } catch (RuntimeException e) {
          log.debug("{}: a call could not be cancelled on the member ({}); it is written off all"
              + " the same", this, e.toString());
        }
      }
    }, workerId + "-cancel");
    canceller.setDaemon(true);
    canceller.start();
  }

  private static void closeQuietly(java.io.Closeable stream) {
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing an in-memory pipe failed", e);
    }
  }








  /**
   * Ends the slot at once, as SIGKILL would a worker process: status 137. Its calls are cancelled
   * on the member; the member itself keeps running.
   */
  @Override
  public Process destroyForcibly() {
    end(137, null);
    return this;
  }

  /**
   * Why the slot ended, in one line ("member 127.0.0.1:5702 (pid 1234) left the cluster"); null
   * while it runs, and after a goodbye or {@link #destroyForcibly()}.
   */
  String endReason() {
    return endReason;
  }

  /** True once the slot was ended by {@link #destroyForcibly()}, its member untouched. */
  boolean destroyed() {
    return status() == 137;
  }


  /** The member JVM's pid, as it published it. */
  @Override
  public long pid() {
    return member.pid();
  }


  @Override
  public String toString() {
    return workerId + " on " + member.describe();
  }
}
