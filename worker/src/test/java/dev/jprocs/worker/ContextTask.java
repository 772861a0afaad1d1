package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test task {@code context}: returns what its {@link TaskContext} says, so a test can see which
 * rank, attempt, worker id and options an input was run with. Input {@code "null"} returns null
 * and {@code "unwritable"} an object Jackson cannot write.
 */
public final class ContextTask implements Task {
  @Override
  public String name() {
    return "context";
  }

  @Override
  public String description() {
    return "returns the rank, attempt, worker id and options it was called with";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    switch (input.asText()) {
      case "null":
        return null;
      case "unwritable":
        return new Object(); // no properties: Jackson refuses empty beans
      default:
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("input", input);
        seen.put("rank", context.rank());
        seen.put("attempt", context.attempt());
        seen.put("workerId", context.workerId());
        seen.put("options", context.options());
        return seen;
    }
  }
}
