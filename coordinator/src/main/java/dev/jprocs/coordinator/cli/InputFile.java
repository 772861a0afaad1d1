package dev.jprocs.coordinator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Lines input: one JSON value per line, blank lines skipped. Every other line gets a rank
 * in order; a line that is not JSON keeps its rank and becomes an error naming the file and line,
 * so the rest of the run goes on and the output still has one record per input.
 */
final class InputFile {
  /** One input line: its rank, where it came from, and its value or what is wrong with it. */
  record Line(int rank, int lineNumber, JsonNode value, String error) {}

  private InputFile() {}

  /** Reads every line of {@code in}; {@code name} is how errors name the source. */
  static List<Line> read(BufferedReader in, String name) throws IOException {
    List<Line> lines = new ArrayList<>();
    String text;
    int lineNumber = 0;
    while ((text = in.readLine()) != null) {
      lineNumber++;
      if (text.isBlank()) {
        continue;
      }
      try {
        lines.add(new Line(lines.size(), lineNumber, Codec.parse(text), null));
      } catch (JsonProcessingException e) {
        lines.add(new Line(lines.size(), lineNumber, null,
            name + ":" + lineNumber + ": not a JSON value: " + e.getOriginalMessage()));
      }
    }
    return lines;
  }
}
