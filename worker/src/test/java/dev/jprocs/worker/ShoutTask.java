package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Test task {@code shout}: prints its text input on {@code System.out}, as careless task code
 * might, and returns it in capitals with a "!". In a real worker the print must land on stderr.
 */
public final class ShoutTask implements Task {
  @Override
  public String name() {
    return "shout";
  }

  @Override
  public String description() {
    return "prints its text input to System.out and returns it in capitals";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    System.out.println("shout task says: " + input.asText());
    return input.asText().toUpperCase(Locale.ROOT) + "!";
  }
}
