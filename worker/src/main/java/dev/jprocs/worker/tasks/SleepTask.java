package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code sleep}: sleeps the given number of seconds and says when it started and ended, and in
 * which process: the seed's "Pool(4) prints 4 timestamps, then 4 more" demonstration.
 */
public final class SleepTask implements Task {
  /** What one sleep reports; the times are ISO-8601 instants in UTC. */
  public record Slept(double seconds, String start, String end, long pid) {}

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public String description() {
    return "sleeps the given seconds; returns start and end timestamps and the worker's pid";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) throws InterruptedException {
    if (!input.isNumber() || input.doubleValue() < 0 || input.doubleValue() > 86_400) {
      throw new IllegalArgumentException("sleep takes a number of seconds from 0 to 86400, got " + input);
    }
    double seconds = input.doubleValue();
    Instant start = Instant.now();
    Thread.sleep(Math.round(seconds * 1000));
    return new Slept(seconds, start.toString(), Instant.now().toString(), ProcessHandle.current().pid());
  }

  /** One second each, whatever the seed. */
  @Override
  public Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    List<JsonNode> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      inputs.add(JsonNodeFactory.instance.numberNode(1));
    }
    return Optional.of(inputs);
  }
}
