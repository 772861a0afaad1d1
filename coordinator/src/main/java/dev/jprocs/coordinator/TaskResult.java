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
    return value(rank, output, type);
  }

  /**
   * As {@link #value(Class)} for an outcome as {@link ResultAssembler} holds it: a TaskResult, a
   * JsonNode output, or a Long output (from an {@link dev.jprocs.protocol.IntegralList}), which
   * is returned as it is when a Long is wanted.
   */
  static <R> R value(long rank, Object held, Class<R> type) {
    if (held instanceof TaskResult result) {
      return result.value(type);
    } else if (held instanceof Long number) {
      return type == Long.class ? type.cast(number)
          : value(rank, dev.jprocs.protocol.IntegralList.node(number), type);
    }
    return value(rank, (JsonNode) held, type);
  }

  /** As {@link #value(Class)} for an output, without a TaskResult to hold it. */
  static <R> R value(long rank, JsonNode output, Class<R> type) {
    try {
      return Codec.fromTree(output, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the output of rank " + rank + " is not a "
          + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
