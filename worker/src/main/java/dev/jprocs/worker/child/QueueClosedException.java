package dev.jprocs.worker.child;

/**
 * The queue was closed and every item put before {@link Queue#close()} has been taken: the
 * sentinel that tells consumers there is no more. Every get, in every process, ends with it from
 * then on.
 *
 * <p>Checked: it is how a consumer's loop ends, so the compiler should make sure each consumer
 * says what it does then.
 */
public class QueueClosedException extends Exception {
  public QueueClosedException(String message) {
    super(message);
  }
}
