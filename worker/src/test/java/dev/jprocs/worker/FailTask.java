package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Test task {@code fail}: a text input comes back unchanged; an object input
 * {@code {"exception": CLASS, "message": TEXT, "cause": TEXT}} makes it throw a new CLASS with that
 * message, caused by an {@link IOException} with the cause text (when CLASS has a
 * (String, Throwable) constructor, else with no cause). CLASS may be any Throwable, errors included.
 */
public final class FailTask implements Task {
  @Override
  public String name() {
    return "fail";
  }

  @Override
  public String description() {
    return "returns a text input; throws the exception an object input describes";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) throws Exception {
    if (input.isTextual()) {
      return input.textValue();
    }
    Class<? extends Throwable> type =
        Class.forName(input.get("exception").textValue()).asSubclass(Throwable.class);
    String message = input.get("message").textValue();
    Throwable thrown;
    try {
      thrown = type.getConstructor(String.class, Throwable.class)
          .newInstance(message, new IOException(input.get("cause").textValue()));
    } catch (NoSuchMethodException e) {
      thrown = type.getConstructor(String.class).newInstance(message);
    }
    if (thrown instanceof Error error) {
      throw error;
    }
    throw (Exception) thrown;
  }
}
