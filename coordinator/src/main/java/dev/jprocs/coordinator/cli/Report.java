package dev.jprocs.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.TaskResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToDoubleFunction;

/**
 * The table a run ends with: the top N outputs. A task with a natural ranking (align: by score)
 * has its own; any other task shows its first N outputs in input order. Fed on one thread.
 */
abstract class Report {
  /** One successful input and its outcome. */
  record Row(long rank, JsonNode input, TaskResult result) {
    /** The output's tree, built on first use (a row that is never printed needs none). */
    JsonNode output() {
      return result.output();
    }
  }

  final int top;

  Report(int top) {
    this.top = top;
  }

  /** The report for {@code task}. */
  static Report forTask(String task, int top) {
    return switch (task) {
      case "align" -> new AlignReport(top);
      case "anm" -> new AnmReport(top);
      default -> new FirstOutputs(top);
    };
  }

  abstract void add(Row row);

  abstract void print(PrintStream out, long inputs);

  static String cut(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 3) + "...";
  }

  /**
   * Keeps the best {@code top} rows by a score, highest first, ties in input order: for a report
   * that prints them best first. Each row's score is taken once, from one field of its output
   * ({@link TaskResult#outputField}), so only the rows printed have their trees built.
   */
  abstract static class TopRows extends Report {
    private record Scored(double score, Row row) {}

    private static final Comparator<Scored> BEST_FIRST = Comparator
        .comparingDouble(Scored::score).reversed()
        .thenComparingLong(scored -> scored.row().rank());

    private final ToDoubleFunction<TaskResult> score;
    /** Holds the best {@code top} rows seen; its head is the worst of them. */
    private final PriorityQueue<Scored> best = new PriorityQueue<>(BEST_FIRST.reversed());

    TopRows(int top, ToDoubleFunction<TaskResult> score) {
      super(top);
      this.score = score;
    }

    @Override
    final void add(Row row) {
      if (top == 0) {
        return;
      }
      best.add(new Scored(score.applyAsDouble(row.result()), row));
      if (best.size() > top) {
        best.poll();
      }
    }

    /** The rows kept, best first. */
    final List<Row> rows() {
      List<Scored> rows = new ArrayList<>(best);
      rows.sort(BEST_FIRST);
      return rows.stream().map(Scored::row).toList();
    }
  }

  /** The best alignment scores, highest first; ties in input order. */
  static final class AlignReport extends TopRows {
    AlignReport(int top) {
      super(top, result -> result.outputField("score").asInt());
    }

    @Override
    void print(PrintStream out, long inputs) {
      List<Row> rows = rows();
      if (rows.isEmpty()) {
        return;
      }
      out.printf("Top %d of %d by alignment score%n", rows.size(), inputs);
      out.println("rank  input  score  alignment");
      int place = 1;
      for (Row row : rows) {
        out.printf("%4d  %5d  %5d  %s%n", place++, row.rank(), row.output().path("score").asInt(),
            row.output().path("reference").asText());
        out.printf("%20s%s%n", "", row.output().path("sequence").asText());
      }
    }
  }

  /**
   * The structures whose first mode takes the largest share of the variance, with the first three
   * modes' fractional variances (the seed project's ranking); ties in input order.
   */
  static final class AnmReport extends TopRows {
    AnmReport(int top) {
      super(top, result -> result.outputField("top3").path(0).asDouble());
    }

    @Override
    void print(PrintStream out, long inputs) {
      List<Row> rows = rows();
      if (rows.isEmpty()) {
        return;
      }
      out.printf("Top %d of %d structures by fractional variance of the first mode%n", rows.size(), inputs);
      out.println("rank  structure               C-alphas    mode 1    mode 2    mode 3");
      int place = 1;
      for (Row row : rows) {
        JsonNode top3 = row.output().path("top3");
        out.printf("%4d  %-22s  %8d  %s  %s  %s%n", place++,
            cut(row.output().path("structure").asText(), 22), row.output().path("atoms").asInt(),
            fraction(top3.path(0)), fraction(top3.path(1)), fraction(top3.path(2)));
      }
    }

    private static String fraction(JsonNode value) {
      return value.isMissingNode() ? String.format("%8s", "-") : String.format("%8.4f", value.asDouble());
    }
  }

  /** The first {@code top} outputs in input order. */
  static final class FirstOutputs extends Report {
    private final List<Row> first = new ArrayList<>();

    FirstOutputs(int top) {
      super(top);
    }

    @Override
    void add(Row row) {
      if (first.size() < top) {
        first.add(row);
      }
    }

    @Override
    void print(PrintStream out, long inputs) {
      if (first.isEmpty()) {
        return;
      }
      out.printf("First %d of %d outputs%n", first.size(), inputs);
      out.println(" rank  input                 output");
      for (Row row : first) {
        out.printf("%5d  %-20s  %s%n", row.rank(), cut(row.input().toString(), 20),
            cut(row.output().toString(), 100));
      }
    }
  }
}
