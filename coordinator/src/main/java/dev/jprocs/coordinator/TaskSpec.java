package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.protocol.Codec;
import java.util.Objects;

/**
 * A task by name, with the options every input of a job shares (for example align's
 * {@code reference}). Immutable.
 */
public record TaskSpec(String name, ObjectNode options) {
  public TaskSpec {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a task name must not be blank");
    }
    options = options == null ? JsonNodeFactory.instance.objectNode() : options.deepCopy();
  }

  /** Returns the task {@code name} with no options. */
  public static TaskSpec of(String name) {
    return new TaskSpec(name, null);
  }

  /**
   * Returns a copy with option {@code key} set to {@code value}.
   *
   * @throws IllegalArgumentException when the value cannot be written as JSON
   */
  public TaskSpec with(String key, Object value) {
    ObjectNode copy = options.deepCopy();
    JsonNode json = Codec.toTree(value);
    copy.set(key, json);
    return new TaskSpec(name, copy);
  }

  @Override
  public String toString() {
    return options.isEmpty() ? name : name + " " + options;
  }
}
