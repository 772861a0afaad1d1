package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A named unit of work that a worker JVM runs on one input at a time. Implementations are found
 * with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.jprocs.worker.Task} of a jar on the worker classpath.
 *
 * <p>A worker calls {@link #apply} from one thread, one input after another; an instance lives as
 * long as its worker JVM, so it may cache what it derives from {@link TaskContext#options()}.
 */
public interface Task {
  /** The name callers use, for example {@code "square"}; unique on a classpath. */
  String name();

  /** One line saying what the task does, shown by the coordinator's {@code --help}. */
  String description();

  /**
   * Returns the output for one input. The output must be writable as JSON (a record, a map, a
   * string, a number, a {@link JsonNode}...). Whatever this throws becomes an error result for
   * this input alone; the worker goes on with the next.
   */
  Object apply(JsonNode input, TaskContext context) throws Exception;

  /**
   * Returns {@code count} reproducible sample inputs for {@code seed}, so a user can run the task
   * without an input file; empty when the task has no sample inputs and needs a file.
   */
  default Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    return Optional.empty();
  }

  /**
   * Says what an input is, for an error message: its JSON type and the start of its text, for
   * example {@code number 42} or {@code object {"path":...}}.
   */
  static String describeInput(JsonNode input) {
    if (input == null) {
      return "no input";
    }
    String json = input.toString();
    if (json.length() > 80) {
      json = json.substring(0, 77) + "...";
    }
    return input.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + json;
  }
}
