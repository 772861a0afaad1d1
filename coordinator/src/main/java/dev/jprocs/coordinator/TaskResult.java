package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;

/**
 * The outcome for one input: an output, or a failure. Exactly one of the two is non-null.
 *
 * @param rank the input's position in its job, from 0
 */
public record TaskResult(long rank, JsonNode output, TaskFailure failure) {
  /** True when the task produced an output. */
  public boolean ok() {
    return failure == null;
  }

  /**
   * Returns the output converted to {@code type}.
   *
   * @throws TaskFailedException when there is no output
   * @throws IllegalArgumentException when the output does not fit {@code type}; names the rank
   */
  public <R> R value(Class<R> type) {
    if (failure != null) {
      throw new TaskFailedException(failure);
    }
    try {
      return Codec.fromTree(output, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the output of rank " + rank + " is not a "
          + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
