package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Test task {@code together}: answers inputs at even ranks in {@link #applyTogether} ("together:
 * x") and leaves odd ones to {@link #apply} ("alone: x"); a message holding "boom" makes
 * applyTogether throw, and "bad" makes apply throw.
 */
public final class TogetherTask implements Task {
  @Override
  public String name() {
    return "together";
  }

  @Override
  public String description() {
    return "answers even ranks together and odd ones alone";
  }

  @Override
  public Object[] applyTogether(List<JsonNode> inputs, TaskContext first) {
    Object[] outputs = new Object[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).asText().equals("boom")) {
        throw new IllegalStateException("boom at index " + i);
      }
      if ((first.rank() + i) % 2 == 0) {
        outputs[i] = "together: " + inputs.get(i).asText();
      }
    }
    return outputs;
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    if (input.asText().equals("bad")) {
      throw new IllegalArgumentException("bad input at rank " + context.rank());
    }
    return "alone: " + input.asText();
  }
}
