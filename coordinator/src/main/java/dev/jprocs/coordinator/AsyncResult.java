package dev.jprocs.coordinator;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The result of {@link Pool#applyAsync} or {@link Pool#mapAsync}, as Python's
 * {@code AsyncResult}: {@link #get()} returns the value or raises the task's exception in the
 * caller. The callbacks given with the call have run before {@link #ready()} turns true.
 * Thread-safe.
 */
public final class AsyncResult<R> {
  private final CompletableFuture<R> outcome;

  AsyncResult(CompletableFuture<R> outcome) {
    this.outcome = outcome;
  }

  /**
   * Waits for the result and returns it.
   *
   * @throws TaskFailedException when an input has no output; for a task that threw, its cause is
   *     the remote exception with the worker's stack trace
   * @throws IllegalArgumentException when an output does not fit the requested type
   * @throws CancellationException when the waiting thread is interrupted (its interrupt flag is
   *     set again)
   */
  public R get() {
    try {
      return outcome.get(); // woken when the pool's callback thread completes it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for an async result");
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  /**
   * As {@link #get()}, waiting at most {@code timeout}.
   *
   * @throws TimeoutException when the result is not ready by then; it may still come later
   */
  public R get(Duration timeout) throws TimeoutException {
    try {
      return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for an async result");
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    } catch (TimeoutException e) {
      TimeoutException timedOut = new TimeoutException("no result within " + timeout.toMillis() + " ms");
      timedOut.initCause(e);
      throw timedOut;
    }
  }

  /** Waits up to {@code timeout} for the result to be ready; returns {@link #ready()}. */
  public boolean await(Duration timeout) {
    try {
      outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // What this asks is only whether the result is ready; get() raises the failure itself.
      return ready();
    }
    return ready();
  }

  /** Whether the call has finished, successfully or not. */
  public boolean ready() {
    return outcome.isDone();
  }

  /**
   * Whether the call finished without an exception.
   *
   * @throws IllegalStateException when it is not ready yet, as Python raises ValueError
   */
  public boolean successful() {
    if (!ready()) {
      throw new IllegalStateException("the result is not ready yet");
    }
    return !outcome.isCompletedExceptionally();
  }

  /** A future of the same outcome, for composing; completing it does not affect this result. */
  public CompletableFuture<R> toCompletableFuture() {
    return outcome.copy();
  }

  /**
   * Raises what the call failed with in the caller's thread: a fresh {@link TaskFailedException}
   * for the same failure, so the caller's own stack shows, with the remote trace as its cause.
   */
  private static RuntimeException rethrown(Throwable failure) {
    if (failure instanceof TaskFailedException e) {
      return new TaskFailedException(e.failure());
    }
    if (failure instanceof RuntimeException e) {
      return e;
    }
    return new IllegalStateException("an async call failed", failure);
  }

  @Override
  public String toString() {
    return "AsyncResult[" + (!ready() ? "pending" : successful() ? "successful" : "failed") + "]";
  }
}
