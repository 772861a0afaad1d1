package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code square}: x*x for an integer x, exactly (as a big integer when it outgrows a long). */
public final class SquareTask implements Task {
  @Override
  public String name() {
    return "square";
  }

  @Override
  public String description() {
    return "x*x of an integer x";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    if (!input.isIntegralNumber()) {
      throw new IllegalArgumentException("square takes an integer, got " + input);
    }
    if (input.canConvertToLong()) {
      long x = input.longValue();
      if (Math.abs(x) <= 3_037_000_499L) { // sqrt(Long.MAX_VALUE): x*x fits in a long
        return x * x;
      }
    }
    return input.bigIntegerValue().pow(2);
  }

  /** The integers 0 .. count-1, whatever the seed. */
  @Override
  public Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    List<JsonNode> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      inputs.add(JsonNodeFactory.instance.numberNode(i));
    }
    return Optional.of(inputs);
  }
}
