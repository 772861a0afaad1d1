package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;

/** {@code raw}: returns its text input as the JSON text of its output, unchecked. */
public final class RawTask implements Task {
  @Override
  public String name() {
    return "raw";
  }

  @Override
  public String description() {
    return "returns its text input as JSON text (a RawValue) that goes onto the wire as it is";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    return JsonNodeFactory.instance.rawValueNode(new RawValue(input.asText()));
  }
}
