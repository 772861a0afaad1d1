package dev.jprocs.coordinator;

import java.io.IOException;

/** A worker process ended, or misbehaved, before it said hello. Carries how it ended. */
public class WorkerStartException extends IOException {
  private final transient WorkerExit exit;

  public WorkerStartException(WorkerExit exit) {
    super(exit.describe());
    this.exit = exit;
  }

  public WorkerStartException(String message, Throwable cause) {
    super(message, cause);
    this.exit = null;
  }

  /** How the worker ended, or null when it never started. */
  public WorkerExit exit() {
    return exit;
  }
}
