package dev.jprocs.worker.child;

import java.time.Duration;

/**
 * A first-in first-out queue that the coordinator and its children share, like Python's
 * {@code multiprocessing.Queue}. It lives in the coordinator ({@code SharedQueue}); a child reaches
 * it by name with {@link Child#queue} over its own stdin and stdout. Items travel as JSON and are
 * read back as {@code T}. Thread-safe.
 *
 * <p>Each item is taken by exactly one get, in put order. An item on its way to a child that dies
 * before reading it is lost, as in Python.
 *
 * <p>The sentinel is {@link #close()}: a mark after the last item. Consumers take what was put
 * before it, and then every get, in every process, throws {@link QueueClosedException}; so one
 * close ends any number of consumers. Close when the last producer is done.
 */
public interface Queue<T> {
  /** The name children use in {@link Child#queue}. */
  String name();

  /**
   * Adds {@code item} at the tail; never blocks for room.
   *
   * @throws IllegalArgumentException when the item cannot be written as JSON (naming the field)
   * @throws IllegalStateException when the queue is closed
   */
  void put(T item);

  /**
   * Takes the item at the head, waiting as long as it takes for one.
   *
   * @throws QueueClosedException when the queue is closed and drained
   */
  T get() throws QueueClosedException, InterruptedException;

  /**
   * Takes the item at the head, waiting up to {@code timeout} for one.
   *
   * @throws QueueEmptyException when none came within the timeout
   * @throws QueueClosedException when the queue is closed and drained
   */
  T get(Duration timeout) throws QueueEmptyException, QueueClosedException, InterruptedException;

  /**
   * Closes the queue: no more puts; gets take what is left, then throw
   * {@link QueueClosedException}. Idempotent.
   */
  void close();
}
