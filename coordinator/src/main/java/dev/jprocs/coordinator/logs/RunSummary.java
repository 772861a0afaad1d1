package dev.jprocs.coordinator.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run did, read back from its {@link EventLog} file: the end-of-run summary. Only what
 * the file holds counts, so the summary is the same whether read by the coordinator as the run
 * ends or by a person later.
 *
 * @param tasksSent task messages queued for workers, re-sends included
 * @param inputsSent the inputs in them, re-sends included
 * @param results result messages accepted
 * @param spawned worker processes started, first ones and restarts
 * @param restarts worker processes that replaced another
 * @param retries chunks sent again after a death or a refusal
 * @param lateResults answers to written-off attempts, dropped
 * @param strayOutputs non-protocol lines on a worker's stdout
 * @param goodbyes workers that said goodbye and exited 0
 * @param deaths workers that ended any other way, in order
 * @param failures the inputs without an output, one per rank (the first outcome, as the pool
 *     keeps it), by rank; those of the {@code input error} event first by their own rank
 * @param poolBroken why the pool stopped by itself, or null
 * @param unreadableLines lines of the file that are not an event (a file cut short)
 */
public record RunSummary(int tasksSent, long inputsSent, int results, int spawned, int restarts,
    int retries, int lateResults, int strayOutputs, int goodbyes, List<Death> deaths,
    List<FailedInput> failures, String poolBroken, int unreadableLines) {

  /** A worker that died: which, how ({@code exit 7}, {@code killed by SIGKILL (exit 137)}), and why. */
  public record Death(String workerId, long pid, String status, String problem) {
    /** {@code worker-1 (pid 4242) exit 7: <problem>}. */
    public String describe() {
      return workerId + " (pid " + pid + ") " + status + (problem == null ? "" : ": " + problem);
    }
  }

  /**
   * One input without an output.
   *
   * @param event the event that said so: error, lost, refused, cancelled, or input error
   * @param rank its rank: in the job, or for an input error in the input
   * @param failure for a failure in the pool, as the pool described it; null for an input error
   * @param reason for an input error, where and what ({@code in.jsonl:4: not a JSON value...});
   *     otherwise the failure's description
   */
  public record FailedInput(String event, long rank, TaskFailure failure, String reason) {}

  /** The event names of failed inputs, in the order of {@link TaskFailure.Kind}, then input error. */
  public static final List<String> FAILURE_EVENTS =
      List.of("error", "lost", "refused", "cancelled", "input error");

  /**
   * Reads {@code eventsFile}.
   *
   * @throws IOException when it cannot be read
   */
  public static RunSummary read(Path eventsFile) throws IOException {
    Counter counter = new Counter();
    try (BufferedReader in = Files.newBufferedReader(eventsFile, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event;
        try {
          event = Codec.parse(line);
        } catch (JsonProcessingException e) {
          counter.unreadable++;
          continue;
        }
        counter.add(event);
      }
    }
    return counter.summary();
  }

  /** The failed inputs by event name, in {@link #FAILURE_EVENTS} order, each list by rank. */
  public Map<String, List<FailedInput>> failuresByKind() {
    Map<String, List<FailedInput>> byKind = new LinkedHashMap<>();
    for (String kind : FAILURE_EVENTS) {
      List<FailedInput> these = failures.stream().filter(f -> f.event().equals(kind)).toList();
      if (!these.isEmpty()) {
        byKind.put(kind, these);
      }
    }
    return byKind;
  }

  /** Tallies events one by one. */
  private static final class Counter {
    int tasksSent;
    long inputsSent;
    int results;
    int spawned;
    int restarts;
    int retries;
    int lateResults;
    int strayOutputs;
    int goodbyes;
    int unreadable;
    String poolBroken;
    final List<Death> deaths = new ArrayList<>();
    final List<FailedInput> failures = new ArrayList<>();
    final List<FailedInput> inputErrors = new ArrayList<>();
    final Set<Long> failedRanks = new HashSet<>();

    void add(JsonNode event) {
      switch (event.path("event").asText()) {
        case "task sent" -> {
          tasksSent++;
          inputsSent += event.path("count").asLong();
        }
        case "result" -> results++;
        case "spawned" -> spawned++;
        case "restart" -> {
          spawned++;
          restarts++;
        }
        case "retry" -> retries++;
        case "late result" -> lateResults++;
        case "stray output" -> strayOutputs++;
        case "goodbye" -> goodbyes++;
        case "death" -> deaths.add(new Death(event.path("worker").asText(), event.path("pid").asLong(),
            event.path("status").asText(), text(event, "problem")));
        case "pool broken" -> poolBroken = text(event, "reason");
        case "input error" -> inputErrors.add(new FailedInput("input error", event.path("rank").asLong(),
            null, event.path("message").asText()));
        case "error", "lost", "refused", "cancelled" -> failed(event);
        default -> { } // events this version does not summarize (ready, task sent...), or newer ones
      }
    }

    /** A failed input; a second outcome for the same rank was refused by the pool, so it is skipped. */
    private void failed(JsonNode event) {
      long rank = event.path("rank").asLong();
      if (!failedRanks.add(rank)) {
        return;
      }
      String name = event.path("event").asText();
      TaskFailure.Kind kind = switch (name) { // the inverse of EventLog.kindEvent
        case "error" -> TaskFailure.Kind.TASK_ERROR;
        case "lost" -> TaskFailure.Kind.WORKER_DIED;
        case "refused" -> TaskFailure.Kind.INPUT_REFUSED;
        default -> TaskFailure.Kind.CANCELLED;
      };
      TaskFailure failure = new TaskFailure(kind, event.path("task").asText(), rank,
          text(event, "exception"), text(event, "message"), text(event, "trace"),
          text(event, "worker"), event.path("pid").asLong(-1), event.path("attempts").asInt());
      failures.add(new FailedInput(name, rank, failure, failure.describe()));
    }

    private static String text(JsonNode event, String field) {
      JsonNode value = event.get(field);
      return value == null || value.isNull() ? null : value.asText();
    }

    RunSummary summary() {
      List<FailedInput> all = new ArrayList<>(inputErrors);
      all.sort(Comparator.comparingLong(FailedInput::rank));
      List<FailedInput> inPool = new ArrayList<>(failures);
      inPool.sort(Comparator.comparingLong(FailedInput::rank));
      all.addAll(inPool);
      return new RunSummary(tasksSent, inputsSent, results, spawned, restarts, retries, lateResults,
          strayOutputs, goodbyes, Collections.unmodifiableList(deaths),
          Collections.unmodifiableList(all), poolBroken, unreadable);
    }
  }
}
