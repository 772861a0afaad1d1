package dev.jprocs.worker.child;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A duplex connection between the coordinator and one child JVM, like one end of Python's
 * {@code multiprocessing.Pipe()}: values go as JSON, one line each, over the child's stdin and
 * stdout, in order. The coordinator gets its end from {@code JvmProcess.pipe()}, the child from
 * {@link Child#pipe()}.
 *
 * <p>Any thread may send; sends from several threads do not interleave within a value. One
 * thread at a time should receive.
 */
public interface Pipe extends AutoCloseable {
  /**
   * Sends {@code value} as JSON to the other end; does not wait for it to be received. A send
   * that succeeds is not a promise of delivery: the other process may die before reading it.
   *
   * @throws IllegalArgumentException when the value cannot be written as JSON (naming the field),
   *     or is longer than a protocol line may be
   * @throws IllegalStateException when this end was closed
   * @throws PipeClosedException when the other end is known to be gone
   */
  void send(Object value) throws PipeClosedException;

  /**
   * Blocks until the next value arrives and returns it converted to {@code type}.
   *
   * @throws PipeClosedException once every value sent before the other end closed (or its
   *     process ended) has been received
   * @throws IllegalArgumentException when the value does not fit {@code type}; it is consumed
   * @throws IllegalStateException when this end was closed
   */
  <T> T recv(Class<T> type) throws PipeClosedException, InterruptedException;

  /** As {@link #recv(Class)}, as JSON. */
  default JsonNode recv() throws PipeClosedException, InterruptedException {
    return recv(JsonNode.class);
  }

  /**
   * Waits up to {@code timeout} for {@link #recv} to have something to return at once: a value,
   * or the end. Returns whether it has; {@code Duration.ZERO} does not wait.
   */
  boolean poll(Duration timeout) throws InterruptedException;

  /**
   * Closes this end: the other end's {@link #recv} ends with {@link PipeClosedException} after
   * what was sent before. Idempotent; does not end either process.
   */
  @Override
  void close();
}
