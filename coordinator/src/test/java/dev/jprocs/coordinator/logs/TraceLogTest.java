package dev.jprocs.coordinator.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.Frame;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import dev.jprocs.protocol.Codec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pipe trace: real traced runs, and records written by hand. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class TraceLogTest {
  @TempDir Path dir;

  /** Every record of every trace file in {@code trace}, as JSON, by file name. */
  private static Map<String, List<JsonNode>> records(Path trace) throws IOException {
    Map<String, List<JsonNode>> byFile = new HashMap<>();
    if (!Files.isDirectory(trace)) {
      return byFile;
    }
    try (Stream<Path> files = Files.list(trace)) {
      for (Path file : files.toList()) {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          records.add(Codec.parse(line));
        }
        byFile.put(file.getFileName().toString(), records);
      }
    }
    return byFile;
  }

  private static List<JsonNode> all(Map<String, List<JsonNode>> byFile) {
    return byFile.values().stream().flatMap(List::stream).toList();
  }

  private static long count(List<JsonNode> records, String dir, String type) {
    return records.stream()
        .filter(r -> r.path("dir").asText().equals(dir) && r.path("type").asText().equals(type))
        .count();
  }

  @Test
  void aTracedRunRecordsEveryMessageEachWayForEveryWorker() throws Exception {
    Path trace = dir.resolve("trace");
    List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
    try (TraceLog traceLog = new TraceLog(trace, TraceLog.DEFAULT_MAX_CHARS)) {
      try (Pool pool = Pool.start(TestPools.config(2).tracePipes(true).pipeTracer(traceLog).build())) {
        List<Long> squares = pool.map(TaskSpec.of("square"), inputs, Long.class, 10);
        assertEquals(inputs.stream().map(i -> (long) i * i).toList(), squares);
      }
      // The goodbye is read on each worker's stdout thread, which may still be at it.
      await().atMost(Duration.ofSeconds(30))
          .until(() -> count(all(records(trace)), "<-", "goodbye") == 2);
    }

    Map<String, List<JsonNode>> byFile = records(trace);
    assertEquals(java.util.Set.of("worker-0.jsonl", "worker-1.jsonl"), byFile.keySet());
    List<JsonNode> records = all(byFile);
    assertEquals(20, count(records, "->", "task"), records.toString());
    assertEquals(20, count(records, "<-", "result"), records.toString());
    assertEquals(2, count(records, "<-", "hello"));
    assertEquals(2, count(records, "->", "shutdown"));
    assertEquals(2, count(records, "<-", "goodbye"));
    assertEquals(20 + 20 + 2 + 2 + 2, records.size(), "nothing else crossed the pipes");

    Map<Long, Long> taskRanks = new HashMap<>();
    for (Map.Entry<String, List<JsonNode>> file : byFile.entrySet()) {
      String workerId = file.getKey().replace(".jsonl", "");
      long pid = -1;
      for (JsonNode record : file.getValue()) {
        assertEquals(workerId, record.path("worker").asText(), "each slot has its own file");
        pid = pid == -1 ? record.path("pid").asLong() : pid;
        assertEquals(pid, record.path("pid").asLong(), "one process per slot in this run");
        JsonNode line = Codec.parse(record.path("line").asText());
        assertEquals(record.path("type").asText(), line.path("type").asText());
        assertEquals(record.path("line").asText().getBytes(StandardCharsets.UTF_8).length,
            record.path("bytes").asInt(), "short lines are whole, and bytes is their length");
        assertFalse(record.has("cut"));
        assertTrue(Instant.parse(record.path("time").asText()).isBefore(Instant.now()));
        assertTrue(record.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
            record.path("time").asText());
        if (record.path("type").asText().equals("task")) {
          assertEquals(line.path("taskId").asLong(), record.path("taskId").asLong());
          assertEquals(line.path("rank").asLong(), record.path("rank").asLong());
          assertEquals(10, line.path("inputs").size());
          assertEquals(null, taskRanks.put(record.path("taskId").asLong(), record.path("rank").asLong()),
              "one task frame per task message");
        }
      }
    }
    assertEquals(IntStream.range(0, 20).mapToObj(i -> i * 10L).toList(),
        taskRanks.values().stream().sorted().toList(), "every chunk's rank once");
    for (JsonNode result : records.stream().filter(r -> r.path("type").asText().equals("result")).toList()) {
      long taskId = result.path("taskId").asLong();
      assertEquals(taskRanks.get(taskId), result.path("rank").asLong(),
          "a result frame carries the rank of its task: " + result);
    }
  }

  @Test
  void tracingSwitchedOnForALiveWorkerRecordsThatWorkerFromThenOn() throws Exception {
    Path trace = dir.resolve("trace");
    List<Integer> inputs = IntStream.range(0, 100).boxed().toList();
    try (TraceLog traceLog = new TraceLog(trace, TraceLog.DEFAULT_MAX_CHARS);
        Pool pool = Pool.start(TestPools.config(2).pipeTracer(traceLog).build())) {
      pool.map(TaskSpec.of("square"), inputs, Long.class, 5);
      assertFalse(Files.exists(trace), "nothing is traced while tracing is off");
      assertFalse(pool.tracing("worker-1"));

      Instant switchedOn = Instant.now().truncatedTo(ChronoUnit.MICROS);
      assertFalse(pool.trace("worker-1", true), "it was off");
      assertTrue(pool.tracing("worker-1"));
      assertFalse(pool.tracing("worker-0"));
      pool.map(TaskSpec.of("square"), inputs, Long.class, 5);

      Map<String, List<JsonNode>> byFile = records(trace);
      assertEquals(java.util.Set.of("worker-1.jsonl"), byFile.keySet());
      List<JsonNode> records = byFile.get("worker-1.jsonl");
      assertTrue(count(records, "->", "task") > 0, "worker-1 had work: " + records);
      assertEquals(count(records, "->", "task"), count(records, "<-", "result"), records.toString());
      assertEquals(records.size(), count(records, "->", "task") + count(records, "<-", "result"),
          "its hello came before tracing was on: " + records);
      for (JsonNode record : records) {
        assertFalse(Instant.parse(record.path("time").asText()).isBefore(switchedOn), record.toString());
      }

      assertTrue(pool.trace("worker-1", false), "it was on");
      pool.map(TaskSpec.of("square"), inputs, Long.class, 5);
      assertEquals(records.size(), records(trace).get("worker-1.jsonl").size(),
          "nothing more once it is off again");
    }
  }

  @Test
  void aLongLineIsCutAtTheLimitWithItsFullSizeNoted() throws Exception {
    Path trace = dir.resolve("trace");
    String longLine = "{\"type\":\"result\",\"taskId\":7,\"outputs\":[\"" + "é".repeat(3000) + "\"]}";
    byte[] bytes = longLine.getBytes(StandardCharsets.UTF_8);
    String shortLine = "{\"type\":\"shutdown\"}";
    Instant time = Instant.parse("2026-11-22T01:30:43.123456Z");
    try (TraceLog traceLog = new TraceLog(trace, 100)) {
      traceLog.frame(new Frame(time, "worker-3", 4242, Frame.Direction.FROM_WORKER, "result", 7, 40,
          bytes.length, bytes));
      traceLog.frame(new Frame(time, "worker-3", 4242, Frame.Direction.TO_WORKER, "shutdown", -1, -1,
          shortLine.length(), shortLine.getBytes(StandardCharsets.UTF_8)));
      // A frame whose bytes are only the start of its line (as a death report may keep them).
      traceLog.frame(new Frame(time, "worker-3", 4242, Frame.Direction.FROM_WORKER, "?", -1, -1,
          1_000_000, "not json".getBytes(StandardCharsets.UTF_8)));
    }

    List<String> lines = Files.readAllLines(trace.resolve("worker-3.jsonl"), StandardCharsets.UTF_8);
    assertEquals(3, lines.size());
    JsonNode cut = Codec.parse(lines.get(0));
    assertEquals("2026-11-22T01:30:43.123456Z", cut.path("time").asText());
    assertEquals("<-", cut.path("dir").asText());
    assertEquals(bytes.length, cut.path("bytes").asInt());
    assertEquals(longLine.substring(0, 100), cut.path("line").asText());
    assertTrue(cut.path("cut").asBoolean());
    assertEquals("{\"time\":\"2026-11-22T01:30:43.123456Z\",\"worker\":\"worker-3\",\"pid\":4242,\"dir\":\"->\","
        + "\"type\":\"shutdown\",\"bytes\":19,\"line\":\"{\\\"type\\\":\\\"shutdown\\\"}\"}", lines.get(1));
    JsonNode partial = Codec.parse(lines.get(2));
    assertEquals("not json", partial.path("line").asText());
    assertEquals(1_000_000, partial.path("bytes").asInt());
    assertTrue(partial.path("cut").asBoolean(), "fewer bytes than the line had: cut");
  }

  @Test
  void aSlotsFileRollsAtItsSizeCapKeepingTheNewestArchives() throws Exception {
    Path trace = dir.resolve("trace");
    byte[] line = ("{\"type\":\"task\",\"taskId\":1,\"inputs\":[\"" + "x".repeat(900) + "\"]}")
        .getBytes(StandardCharsets.UTF_8);
    try (TraceLog traceLog = new TraceLog(trace, 2000, 4096, 2)) {
      // Logback checks the size at most every 100 ms: write until it has rolled twice.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
        traceLog.frame(new Frame(Instant.now(), "worker-0", 1, Frame.Direction.TO_WORKER, "task", 1, 0,
            line.length, line));
        return Files.exists(trace.resolve("worker-0.2.jsonl"));
      });
    }
    try (Stream<Path> files = Files.list(trace)) {
      assertEquals(List.of("worker-0.1.jsonl", "worker-0.2.jsonl", "worker-0.jsonl"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertNotNull(TraceLog.slotOf("worker-0.2.jsonl"));
    assertEquals("worker-12", TraceLog.slotOf("worker-12.jsonl"));
    assertEquals(null, TraceLog.slotOf("events.jsonl"));
  }
}
