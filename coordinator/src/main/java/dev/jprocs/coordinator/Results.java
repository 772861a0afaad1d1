package dev.jprocs.coordinator;

import java.util.Iterator;

/**
 * The outcomes of a job, in input order, as {@link Pool#results} yields them: {@code next} blocks
 * until the next input's outcome is in. Not thread-safe: one caller reads it.
 */
public interface Results extends Iterator<TaskResult> {
  /** True when {@link #next()} would return at once; false at the end or while it would block. */
  boolean nextReady();
}
