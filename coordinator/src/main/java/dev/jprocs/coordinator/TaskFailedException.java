package dev.jprocs.coordinator;

/**
 * Raised in the caller for an input that has no output. For a task that threw, the cause is a
 * {@link RemoteException} holding the worker-side class, message and stack trace.
 */
public class TaskFailedException extends RuntimeException {
  private final TaskFailure failure;

  public TaskFailedException(TaskFailure failure) {
    super(failure.describe(), failure.kind() == TaskFailure.Kind.TASK_ERROR
        ? new RemoteException(failure.exception(), failure.message(), failure.remoteTrace())
        : null);
    this.failure = failure;
  }

  /** What went wrong, with the rank, worker and attempts. */
  public TaskFailure failure() {
    return failure;
  }
}
