package dev.jprocs.coordinator.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tasks for the Pool additions; listed in the test classpath's META-INF/services. */
public final class ProcessTestTasks {
  private ProcessTestTasks() {}

  /** What {@code remember} was given and how often it ran, per worker id (thread mode shares a JVM). */
  private static final Map<String, String> REMEMBERED = new ConcurrentHashMap<>();
  private static final Map<String, Integer> INITIALIZED = new ConcurrentHashMap<>();

  /** {@code add}: the sum of a JSON array of integers, for starmap. */
  public static final class Add implements Task {
    @Override
    public String name() {
      return "add";
    }

    @Override
    public String description() {
      return "the sum of an array of integers";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      if (!input.isArray()) {
        throw new IllegalArgumentException("add takes an array, got " + input);
      }
      long sum = 0;
      for (JsonNode element : input) {
        sum += element.asLong();
      }
      return sum;
    }
  }

  /** {@code remember}: an initializer; keeps its input for this worker and counts its runs. */
  public static final class Remember implements Task {
    @Override
    public String name() {
      return "remember";
    }

    @Override
    public String description() {
      return "keeps its input for the worker's recall tasks";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      REMEMBERED.put(context.workerId(), input.asText() + context.option("suffix", ""));
      INITIALIZED.merge(context.workerId(), 1, Integer::sum);
      return null;
    }
  }

  /** {@code recall}: what {@code remember} kept for this worker, and how often it ran. */
  public static final class Recall implements Task {
    @Override
    public String name() {
      return "recall";
    }

    @Override
    public String description() {
      return "returns what remember kept for this worker and how often it ran";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      return Map.of("value", REMEMBERED.getOrDefault(context.workerId(), "nothing"),
          "initialized", INITIALIZED.getOrDefault(context.workerId(), 0),
          "worker", context.workerId(), "pid", ProcessHandle.current().pid());
    }
  }
}
