package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.JsonText;
import java.util.Objects;

/**
 * The outcome for one input: an output, or a failure. Exactly one of the two is non-null.
 *
 * <p>An output from {@link Pool#results} is held as the JSON text the worker wrote, and its tree
 * is built on the first call to {@link #output} (on the calling thread; later calls return the
 * same node): a caller that writes outputs on ({@link #outputJson}) or ranks them by a field
 * ({@link #outputField}) builds none. Thread-safe.
 */
public final class TaskResult {
  private final long rank;
  private final TaskFailure failure;
  /** The output as the worker wrote it, or null: when the output came as a tree, or failed. */
  private final JsonText text;
  /** The output's tree: given, or built from text on first use (guarded by this until set). */
  private volatile JsonNode output;

  /**
   * @param rank the input's position in its job, from 0
   * @param output the output, or null when the input failed
   * @param failure why the input has no output, or null
   */
  public TaskResult(long rank, JsonNode output, TaskFailure failure) {
    this.rank = rank;
    this.output = output;
    this.failure = failure;
    this.text = null;
  }

  /** The output {@code text}, whose tree is built when first asked for. */
  TaskResult(long rank, JsonText text) {
    this.rank = rank;
    this.text = Objects.requireNonNull(text);
    this.failure = null;
  }

  /** The input's position in its job, from 0. */
  public long rank() {
    return rank;
  }

  /** The output, or null when the input failed. */
  public JsonNode output() {
    JsonNode node = output;
    if (node == null && text != null) {
      synchronized (this) {
        node = output;
        if (node == null) {
          node = text.toTree();
          output = node; // the same node for every later call, on any thread
        }
      }
    }
    return node;
  }

  /** Why the input has no output, or null when it has one. */
  public TaskFailure failure() {
    return failure;
  }

  /** Whether the output is held as the worker's text (its tree built or not): tests ask. */
  boolean outputHeldAsText() {
    return text != null;
  }

  /** True when the task produced an output. */
  public boolean ok() {
    return failure == null;
  }

  /**
   * The output as compact JSON text: the worker's own bytes when it was held as text, else
   * written from its tree. Null when the input failed.
   */
  public JsonText outputJson() {
    if (text != null) {
      return text;
    }
    return failure == null ? JsonText.of(output) : null;
  }

  /**
   * The output's top-level field {@code name}, as {@code output().path(name)}, but read from the
   * text alone when the output is held as text and its tree was not built; {@code MissingNode}
   * when the output is not an object, lacks the field, or the input failed. Of a name the output
   * has twice, the text gives the first and a tree the last.
   */
  public JsonNode outputField(String name) {
    JsonNode node = output;
    if (node != null) {
      return node.path(name);
    }
    return text != null ? text.field(name) : MissingNode.getInstance();
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
      return Codec.fromTree(output(), type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the output of rank " + rank + " is not a "
          + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Equal to a TaskResult of the same rank, output tree and failure, however each is held. */
  @Override
  public boolean equals(Object other) {
    return other instanceof TaskResult result && result.rank == rank
        && Objects.equals(result.output(), output()) && Objects.equals(result.failure, failure);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rank, output(), failure);
  }

  @Override
  public String toString() {
    return "TaskResult[rank=" + rank + ", output=" + output() + ", failure=" + failure + "]";
  }
}
