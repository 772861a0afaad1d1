package dev.jprocs.coordinator;

/**
 * An exception thrown in a worker JVM, as it travelled back: its class name, message and stack
 * trace text. The class itself need not exist in the caller's JVM.
 */
public class RemoteException extends RuntimeException {
  private final String remoteClass;
  private final String remoteTrace;

  public RemoteException(String remoteClass, String message, String remoteTrace) {
    super(remoteClass + (message == null ? "" : ": " + message), null, false, false);
    this.remoteClass = remoteClass;
    this.remoteTrace = remoteTrace == null ? "" : remoteTrace;
  }

  /** The fully qualified name of the exception's class in the worker. */
  public String remoteClass() {
    return remoteClass;
  }

  /** The stack trace as the worker printed it, causes included. */
  public String remoteTrace() {
    return remoteTrace;
  }

  @Override
  public String toString() {
    return remoteTrace.isEmpty() ? getMessage() : "remote " + remoteTrace.stripTrailing();
  }
}
