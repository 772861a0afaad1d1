package dev.jprocs.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the figures and notes of one benchmark run, prints them as a table (a Markdown pipe
 * table, readable in a terminal and pastable into the README) and writes them as JSON. Called
 * from the benchmark's main thread only.
 */
final class Report {
  private static final String[] HEADER = {"section", "figure", "median", "min", "max", "unit",
      "baseline", "baseline median", "ratio", "target", "result"};

  private final List<Figure> figures = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void add(Figure figure) {
    figures.add(figure);
  }

  /** A remark printed under the table: a skipped baseline, a failed run, how a figure was taken. */
  void note(String note) {
    notes.add(note);
  }

  boolean hasNote(String note) {
    return notes.contains(note);
  }

  List<Figure> figures() {
    return List.copyOf(figures);
  }

  /** Prints the table and the notes. */
  void print(PrintStream out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Figure figure : figures) {
      Double ratio = figure.ratio();
      rows.add(new String[] {
          figure.section(), figure.name(), number(figure.samples().median()),
          number(figure.samples().min()), number(figure.samples().max()), figure.unit(),
          figure.baselineName() == null ? "" : figure.baselineName(),
          figure.baseline() == null ? "" : number(figure.baseline().median()),
          ratio == null ? "" : number(ratio),
          figure.target() == null ? "" : figure.target().text(),
          figure.verdict() == null ? "" : figure.verdict()});
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      out.println(line(rows.get(r), widths));
      if (r == 0) {
        String[] rule = new String[HEADER.length];
        for (int c = 0; c < rule.length; c++) {
          rule[c] = "-".repeat(widths[c]);
        }
        out.println(line(rule, widths));
      }
    }
    if (!notes.isEmpty()) {
      out.println();
      for (String note : notes) {
        out.println("- " + note);
      }
    }
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder("|");
    for (int c = 0; c < cells.length; c++) {
      boolean numeric = c >= 2 && c <= 4 || c == 7 || c == 8;
      String format = numeric ? "%" + widths[c] + "s" : "%-" + widths[c] + "s";
      line.append(' ').append(String.format(Locale.ROOT, format, cells[c])).append(" |");
    }
    return line.toString();
  }

  /** Writes the figures, notes and {@code context} (date, command, machine) to {@code file}. */
  void writeJson(Path file, Map<String, Object> context) throws IOException {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode root = json.objectNode();
    context.forEach((key, value) -> root.set(key, dev.jprocs.protocol.Codec.toTree(value)));
    ArrayNode rows = root.putArray("figures");
    for (Figure figure : figures) {
      ObjectNode row = rows.addObject();
      row.put("section", figure.section());
      row.put("figure", figure.name());
      row.put("unit", figure.unit());
      putSamples(row, figure.samples());
      if (figure.baseline() != null) {
        ObjectNode baseline = row.putObject("baseline");
        baseline.put("name", figure.baselineName());
        putSamples(baseline, figure.baseline());
        row.put("ratio", figure.ratio());
      }
      if (figure.target() != null) {
        row.put("target", figure.target().text());
        row.put("result", figure.verdict());
      }
      if (figure.note() != null) {
        row.put("note", figure.note());
      }
    }
    ArrayNode noteArray = root.putArray("notes");
    notes.forEach(noteArray::add);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, root.toPrettyString() + "\n", StandardCharsets.UTF_8);
  }

  private static void putSamples(ObjectNode node, Samples samples) {
    node.put("median", samples.median());
    node.put("min", samples.min());
    node.put("max", samples.max());
    ArrayNode values = node.putArray("samples");
    for (double value : samples.values()) {
      values.add(value);
    }
  }

  /** A number with three significant digits or so, without an exponent. */
  static String number(double value) {
    double magnitude = Math.abs(value);
    String format = magnitude >= 100 || value == 0 ? "%.0f" : magnitude >= 10 ? "%.1f"
        : magnitude >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, format, value);
  }
}
