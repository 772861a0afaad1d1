package dev.jprocs.coordinator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker that is not a child process, dressed as a {@link Process} over in-memory pipes, so the
 * pool drives it exactly like a worker JVM: a thread of this JVM ({@link ThreadProcess}) or a
 * slot on a cluster member ({@link MemberSlot}). The pool's ends of the pipes are what
 * {@code getOutputStream}, {@code getInputStream} and {@code getErrorStream} return; the worker's
 * ends are {@link #in}, {@link #out} and {@link #err}.
 *
 * <p>A subclass says once how it ended, with {@link #end}; that completes {@link #onExit()}, and
 * later calls change nothing. Thread-safe.
 */
abstract class PipedProcess extends Process {
  /** Room in the pipes to the worker and back: a chunk or a result of a megabyte goes at once. */
  static final int PIPE_BYTES = 1 << 20;

  private final PipedOutputStream stdin = new PipedOutputStream();
  private final PipedInputStream stdout = new PipedInputStream(PIPE_BYTES);
  private final PipedInputStream stderr;
  /** The worker's stdin: what the pool wrote. */
  protected final PipedInputStream in = new PipedInputStream(PIPE_BYTES);
  /** The worker's stdout: protocol lines for the pool. */
  protected final PipedOutputStream out = new PipedOutputStream();
  /** The worker's stderr. */
  protected final PipedOutputStream err = new PipedOutputStream();
  private final CompletableFuture<Process> exit = new CompletableFuture<>();
  private volatile int exitCode = -1;

  /** @param stderrBytes room in the stderr pipe */
  PipedProcess(int stderrBytes) {
    stderr = new PipedInputStream(stderrBytes);
    try {
      in.connect(stdin);
      out.connect(stdout);
      err.connect(stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect in-memory pipes", e);
    }
  }

  /**
   * Records that the worker ended with {@code status}, unless it had already ended. Returns true
   * for the call that ended it. The caller then completes the end with {@link #ended()}, after
   * whatever it must do first (close pipes, say why on stderr).
   */
  protected final synchronized boolean end(int status) {
    if (exitCode >= 0) {
      return false;
    }
    exitCode = status;
    return true;
  }

  /** Completes {@link #onExit()}: wakes {@code waitFor} callers and the pool's exit handling. */
  protected final void ended() {
    exit.complete(this);
  }

  /** The status {@link #end} recorded; -1 while it has not ended. */
  protected final int status() {
    return exitCode;
  }

  /** Closes the pool's ends of the pipes: the worker's writes and the pool's reads then fail. */
  protected final void closePoolEnds() {
    try {
      stdin.close();
      stdout.close();
      stderr.close();
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
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException(this + " is still running");
    }
    return exitCode;
  }

  @Override
  public void destroy() {
    destroyForcibly();
  }

  @Override
  public boolean isAlive() {
    return exitCode < 0;
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit;
  }
}
