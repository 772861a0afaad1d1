package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A named unit of work that a worker JVM runs on one input at a time. Implementations are found
 * with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.jprocs.worker.Task} of a jar on the worker classpath.
 *
 * <p>A worker calls {@link #applyTogether} and {@link #apply} from one thread, one message after
 * another; an instance lives as long as its worker JVM, so it may cache what it derives from
 * {@link TaskContext#options()}.
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
   * Returns the outputs of a task message's inputs computed together, for a task that is faster
   * that way (align runs up to 32 alignments in the lanes of one vector); a worker calls it once
   * per message, before {@link #apply}. Entry {@code i} is input {@code i}'s output, or null to
   * leave that input to {@link #apply}: the worker then calls apply for each null entry, so an
   * input that fails fails there, alone, with apply's error. The default leaves every input to
   * apply. If this throws, the worker logs it and calls apply for every input.
   *
   * @param first the context of the message's first input; input {@code i}'s rank is {@code
   *     first.rank() + i}
   */
  default Object[] applyTogether(List<JsonNode> inputs, TaskContext first) throws Exception {
    return new Object[inputs.size()];
  }

  /**
   * Whether this task is faster in a worker JVM that resolves the incubating {@code
   * jdk.incubator.vector} module (a pool's {@code vectorApi} setting); it must give the same
   * outputs without it. Default false.
   */
  default boolean usesVectorApi() {
    return false;
  }

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
