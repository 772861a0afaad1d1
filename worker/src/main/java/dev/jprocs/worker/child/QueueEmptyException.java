package dev.jprocs.worker.child;

/**
 * A timed {@link Queue#get(java.time.Duration)} found no item within its timeout: Python's
 * {@code queue.Empty}.
 *
 * <p>Checked, like {@link java.util.concurrent.TimeoutException}: a timed get is asked for because
 * the caller has something to do when nothing comes (the seed's worker loop ends on it), so the
 * compiler should make sure that case is written.
 */
public class QueueEmptyException extends Exception {
  public QueueEmptyException(String message) {
    super(message);
  }
}
