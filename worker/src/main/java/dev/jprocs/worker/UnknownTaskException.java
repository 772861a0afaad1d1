package dev.jprocs.worker;

import java.util.Collection;

/** A task message named a task that is not on this worker's classpath. */
public class UnknownTaskException extends RuntimeException {
  public UnknownTaskException(String name, Collection<String> known) {
    super("no task named '" + name + "' on this worker's classpath; it has: " + String.join(", ", known));
  }
}
