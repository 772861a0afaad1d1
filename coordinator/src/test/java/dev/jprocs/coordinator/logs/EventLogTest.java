package dev.jprocs.coordinator.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.Frame;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.Results;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.TaskResult;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.control.RunDirectory;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import dev.jprocs.protocol.Codec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The event log and the summary read from it, with real worker JVMs that die and misbehave. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class EventLogTest {
  @TempDir Path dir;

  private final List<WorkerExit> deaths = new CopyOnWriteArrayList<>();
  private final List<String> descriptions = new CopyOnWriteArrayList<>();
  private final PoolEvents recorder = new PoolEvents() {
    @Override
    public void workerDied(WorkerExit exit, String description) {
      deaths.add(exit);
      descriptions.add(description);
    }
  };

  private static List<JsonNode> events(Path file) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      events.add(Codec.parse(line));
    }
    return events;
  }

  private static List<JsonNode> named(List<JsonNode> events, String name) {
    return events.stream().filter(e -> e.path("event").asText().equals(name)).toList();
  }

  private static JsonNode one(List<JsonNode> events, String name) {
    List<JsonNode> these = named(events, name);
    assertEquals(1, these.size(), name + " in " + events);
    return these.get(0);
  }

  @Test
  void aWorkerThatDiesOnItsInputLeavesTheWholeStoryInTheEventLog() throws Exception {
    Path file = dir.resolve(RunDirectory.EVENTS);
    List<TaskResult> outcomes = new ArrayList<>();
    List<Long> squares;
    try (EventLog eventLog = EventLog.open(file); WorkerStderrFiles stderrFiles = new WorkerStderrFiles(dir)) {
      try (Pool pool = Pool.start(TestPools.config(1).maxAttempts(1)
          .events(AllEvents.of(eventLog, stderrFiles, recorder)).build())) {
        Results results = pool.results(TaskSpec.of("halt"), List.of(3), 1);
        outcomes.add(results.next());
        squares = pool.map("square", List.of(1, 2, 3), Long.class);
      }
    }

    assertEquals(List.of(1L, 4L, 9L), squares);
    TaskFailure failure = outcomes.get(0).failure();
    assertNotNull(failure, outcomes.toString());
    assertEquals(TaskFailure.Kind.WORKER_DIED, failure.kind());

    List<JsonNode> events = events(file);
    List<String> order = events.stream().map(e -> e.path("event").asText()).toList();
    JsonNode spawned = one(events, "spawned");
    assertEquals("worker-0", spawned.path("worker").asText());
    long firstPid = spawned.path("pid").asLong();
    assertEquals(firstPid, named(events, "ready").get(0).path("pid").asLong());

    JsonNode sent = named(events, "task sent").get(0);
    assertEquals("halt", sent.path("task").asText());
    assertEquals(firstPid, sent.path("pid").asLong());
    assertEquals(0, sent.path("rank").asLong());
    assertEquals(1, sent.path("count").asInt());
    assertEquals(1, sent.path("attempt").asInt());
    long haltTaskId = sent.path("taskId").asLong();

    JsonNode death = one(events, "death");
    assertEquals(firstPid, death.path("pid").asLong());
    assertEquals(3, death.path("exitCode").asInt());
    assertEquals("exit 3", death.path("status").asText());
    assertTrue(death.path("stderrTail").toString().contains("halting with status 3 on attempt 1"),
        death.toString());
    JsonNode killer = null;
    for (JsonNode frame : death.path("lastFrames")) {
      if (frame.path("dir").asText().equals("->") && frame.path("type").asText().equals("task")) {
        killer = frame;
      }
    }
    assertNotNull(killer, "the task that killed it is among its last frames: " + death);
    assertEquals(haltTaskId, killer.path("taskId").asLong());
    assertTrue(killer.path("excerpt").asText().contains("\"task\":\"halt\""), killer.toString());
    assertTrue(death.path("description").asText().contains("last frames:"), death.toString());

    JsonNode restart = one(events, "restart");
    assertEquals("worker-0", restart.path("worker").asText());
    assertEquals(1, restart.path("restarts").asInt());
    assertTrue(restart.path("pid").asLong() != firstPid);
    JsonNode lost = one(events, "lost");
    assertEquals("halt", lost.path("task").asText());
    assertEquals(0, lost.path("rank").asLong());
    assertTrue(lost.path("message").asText().contains("exit 3"), lost.toString());
    assertTrue(order.indexOf("death") < order.indexOf("restart"), order.toString());
    assertTrue(order.indexOf("task sent") < order.indexOf("death"), order.toString());
    assertEquals(3, named(events, "result").stream().mapToInt(e -> e.path("outputs").asInt()).sum(),
        "the squares came back after the restart: " + order);
    assertEquals(1, named(events, "sentinel").size());
    assertEquals(1, named(events, "goodbye").size());

    // The same death, as the pool's listener heard it: the frames and the stderr are the evidence.
    assertEquals(1, deaths.size());
    List<Frame> frames = deaths.get(0).lastFrames();
    assertTrue(frames.stream().anyMatch(f -> f.direction() == Frame.Direction.TO_WORKER
        && f.type().equals("task") && f.taskId() == haltTaskId), frames.toString());
    assertTrue(frames.stream().anyMatch(f -> f.direction() == Frame.Direction.FROM_WORKER
        && f.type().equals("hello")), frames.toString());
    assertTrue(descriptions.get(0).contains("halting with status 3 on attempt 1"), descriptions.get(0));

    String stderr = Files.readString(RunDirectory.stderrLog(dir, "worker-0", firstPid));
    assertTrue(stderr.contains("halting with status 3 on attempt 1\n"), stderr);

    RunSummary summary = RunSummary.read(file);
    assertEquals(named(events, "task sent").size(), summary.tasksSent());
    assertEquals(named(events, "result").size(), summary.results());
    assertEquals(2, summary.spawned());
    assertEquals(1, summary.restarts());
    assertEquals(0, summary.retries(), "one attempt only: no retry");
    assertEquals(1, summary.goodbyes());
    assertEquals(List.of(new RunSummary.Death("worker-0", firstPid, "exit 3", null)), summary.deaths());
    assertEquals(1, summary.failures().size());
    RunSummary.FailedInput input = summary.failures().get(0);
    assertEquals("lost", input.event());
    assertEquals(0, input.rank());
    assertEquals(failure.describe(), input.reason());
    assertEquals(List.of("lost"), List.copyOf(summary.failuresByKind().keySet()));
    assertNull(summary.poolBroken());
  }

  @Test
  void strayOutputOnAWorkersStdoutIsKeptWithItsBytes() throws Exception {
    Path file = dir.resolve(RunDirectory.EVENTS);
    try (EventLog eventLog = EventLog.open(file);
        Pool pool = Pool.start(TestPools.config(1).maxAttempts(1).events(eventLog).build())) {
      Results results = pool.results(TaskSpec.of("garbage"), List.of("beef"), 1);
      TaskResult outcome = results.next();
      assertEquals(TaskFailure.Kind.WORKER_DIED, outcome.failure().kind(), outcome.toString());
      // The stray line killed worker-0; its replacement says hello before the pool closes.
      await().atMost(Duration.ofSeconds(60)).until(() -> pool.workers().get(0).ready());
    }

    List<JsonNode> events = events(file);
    JsonNode stray = one(events, "stray output");
    byte[] expected = "this is not json beef".getBytes(StandardCharsets.UTF_8);
    assertEquals("worker-0", stray.path("worker").asText());
    assertEquals(expected.length, stray.path("length").asLong());
    assertEquals(new String(expected, StandardCharsets.UTF_8),
        new String(Base64.getDecoder().decode(stray.path("bytes").asText()), StandardCharsets.UTF_8));
    assertEquals("this is not json beef", stray.path("excerpt").asText());
    JsonNode death = one(events, "death");
    assertEquals(stray.path("pid").asLong(), death.path("pid").asLong());
    assertEquals("SIGKILL", death.path("signal").asText(), death.toString());
    assertTrue(death.path("problem").asText().contains("broke the protocol"), death.toString());

    RunSummary summary = RunSummary.read(file);
    assertEquals(1, summary.strayOutputs());
    assertEquals(1, summary.deaths().size());
    assertEquals("killed by SIGKILL (exit 137)", summary.deaths().get(0).status());
    assertEquals(List.of("lost"), summary.failures().stream().map(RunSummary.FailedInput::event).toList());
  }

  @Test
  void theSummaryCountsEachFailedRankOnceAndListsInputErrorsFirst() throws Exception {
    Path file = dir.resolve(RunDirectory.EVENTS);
    Files.writeString(file, String.join("\n",
        "{\"time\":\"2026-11-22T01:30:43.000001Z\",\"event\":\"input error\",\"source\":\"in.jsonl\",\"line\":9,\"rank\":7,\"message\":\"in.jsonl:9: not a JSON value: x\"}",
        "{\"time\":\"2026-11-22T01:30:43.000002Z\",\"event\":\"task sent\",\"worker\":\"worker-0\",\"pid\":5,\"taskId\":1,\"task\":\"square\",\"rank\":0,\"count\":4,\"attempt\":1}",
        "{\"time\":\"2026-11-22T01:30:43.000003Z\",\"event\":\"task sent\",\"worker\":\"worker-0\",\"pid\":5,\"taskId\":2,\"task\":\"square\",\"rank\":4,\"count\":2,\"attempt\":1}",
        "{\"time\":\"2026-11-22T01:30:43.000004Z\",\"event\":\"result\",\"worker\":\"worker-0\",\"pid\":5,\"taskId\":1,\"attempt\":1,\"outputs\":4,\"errors\":1}",
        "{\"time\":\"2026-11-22T01:30:43.000005Z\",\"event\":\"error\",\"task\":\"square\",\"rank\":3,\"worker\":\"worker-0\",\"pid\":5,\"attempts\":1,\"exception\":\"java.lang.IllegalArgumentException\",\"message\":\"not a number\"}",
        "{\"time\":\"2026-11-22T01:30:43.000006Z\",\"event\":\"cancelled\",\"task\":\"square\",\"rank\":3,\"attempts\":1,\"message\":\"too late\"}",
        "{\"time\":\"2026-11-22T01:30:43.000007Z\",\"event\":\"cancelled\",\"task\":\"square\",\"rank\":1,\"attempts\":0,\"message\":\"the pool stopped\"}",
        "{\"time\":\"2026-11-22T01:30:43.000008Z\",\"event\":\"late result\",\"worker\":\"worker-0\",\"pid\":5,\"taskId\":1,\"attempt\":1}",
        "{\"time\":\"2026-11-22T01:30:43.000009Z\",\"event\":\"pool broken\",\"reason\":\"restart storm\"}",
        "{\"time\":\"2026-11-22T01:30:43.0000",
        "{\"time\":\"2026-11-22T01:30:43.000010Z\",\"event\":\"something new\"}") + "\n");

    RunSummary summary = RunSummary.read(file);

    assertEquals(2, summary.tasksSent());
    assertEquals(6, summary.inputsSent());
    assertEquals(1, summary.results());
    assertEquals(1, summary.lateResults());
    assertEquals("restart storm", summary.poolBroken());
    assertEquals(1, summary.unreadableLines());
    assertEquals(List.of("input error 7", "cancelled 1", "error 3"),
        summary.failures().stream().map(f -> f.event() + " " + f.rank()).toList());
    assertEquals("in.jsonl:9: not a JSON value: x", summary.failures().get(0).reason());
    assertEquals("square rank 3 on worker-0 (pid 5) failed: java.lang.IllegalArgumentException: not a number",
        summary.failures().get(2).reason());
    assertEquals(List.of("error", "cancelled", "input error"), List.copyOf(summary.failuresByKind().keySet()));
  }

  @Test
  void anEventLogThatCannotWriteStopsOnceAndNeverThrows() throws Exception {
    Path full = Path.of("/dev/full"); // every write fails with ENOSPC
    assumeTrue(Files.isWritable(full), "needs /dev/full");
    EventLog eventLog = EventLog.open(full);
    eventLog.workerReady("worker-0", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> eventLog.failure() != null);
    for (int i = 0; i < 1000; i++) {
      eventLog.taskSent("worker-0", 1, i, "square", i, 1, 1); // dropped, and cheap
    }
    eventLog.close();
    eventLog.close();
    assertTrue(eventLog.failure().getMessage().contains("No space"), eventLog.failure().toString());
  }
}
