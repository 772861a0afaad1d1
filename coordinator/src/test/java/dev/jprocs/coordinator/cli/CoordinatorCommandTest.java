package dev.jprocs.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import dev.jprocs.protocol.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in this JVM, with real worker JVMs behind it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class CoordinatorCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private byte[] stdin = new byte[0];

  private int run(String... args) {
    return CoordinatorCommand.run(args, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void procsZeroIsAOneLineErrorBeforeAnyWorkerStarts() {
    assertEquals(2, run("--procs", "0"));

    assertEquals("coordinator.sh: --procs must be at least 1, got 0\n", stderr());
    assertEquals("", stdout());
    assertEquals(0, ProcessHandle.current().children().count());
  }

  @Test
  void anUnknownVectorApiChoiceIsAOneLineErrorNamingIt() {
    assertEquals(2, run("--vector-api", "maybe", "--count", "3"));

    assertTrue(stderr().contains("--vector-api is auto, on or off, got 'maybe'"), stderr());
    assertEquals("", stdout());
    assertEquals(0, ProcessHandle.current().children().count());
  }

  @Test
  void unknownTaskIsAOneLineErrorNamingTheTasksThereAre() {
    assertEquals(2, run("--task", "sqaure"));

    assertTrue(stderr().startsWith("coordinator.sh: no task named 'sqaure'; the worker classpath has: "),
        stderr());
    assertTrue(stderr().contains("square"), stderr());
    assertEquals(1, stderr().lines().count());
    assertEquals(0, ProcessHandle.current().children().count());
  }

  @Test
  void aJavaCommandThatCannotRunIsAnErrorNamingIt() {
    Path missing = dir.resolve("no-jdk/bin/java");
    assertEquals(1, run("--task", "square", "--count", "3", "--java", missing.toString()));

    assertTrue(stderr().startsWith("coordinator.sh: a worker could not start: "), stderr());
    assertTrue(stderr().contains(missing.toString()), stderr());
    assertEquals(0, ProcessHandle.current().children().count());
  }

  @Test
  void aJobRunsWithTheJavaCommandGiven() throws Exception {
    Path output = dir.resolve("out.jsonl");
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    assertEquals(0, run("--procs", "1", "--task", "square", "--count", "3", "--java", java.toString(),
        "--output", output.toString()), stderr());

    assertEquals(3, Files.readAllLines(output).size());
  }

  @Test
  void missingInputFileIsAOneLineError() {
    Path missing = dir.resolve("nope.jsonl");
    assertEquals(2, run("--task", "square", "--input", missing.toString()));

    assertEquals("coordinator.sh: input file " + missing + " does not exist\n", stderr());
  }

  @Test
  void badOptionValueIsAOneLineError() {
    assertEquals(2, run("--procs", "many"));

    assertEquals(1, stderr().lines().count(), stderr());
    assertTrue(stderr().contains("--procs") && stderr().contains("many"), stderr());
  }

  @Test
  void alignsOutputsAreWrittenAsTheWorkersTextAndTheReportRanksThemByScore() throws Exception {
    Path output = dir.resolve("out.jsonl");
    assertEquals(0, run("--procs", "2", "--task", "align", "--count", "300", "--chunksize", "40",
        "--top", "6", "--output", output.toString()), stderr());

    List<String> lines = Files.readAllLines(output);
    assertEquals(300, lines.size());
    List<JsonNode> outputs = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode record = Codec.parse(lines.get(i));
      assertEquals(i, record.get("rank").asInt());
      outputs.add(record.get("output"));
      // Compact, fields in the worker's order: the bytes a tree of the same value is written as.
      assertEquals("{\"rank\":" + i + ",\"output\":" + Codec.toJson(record.get("output")) + "}",
          lines.get(i));
    }
    List<Integer> best = java.util.stream.IntStream.range(0, 300).boxed()
        .sorted(java.util.Comparator.comparingInt((Integer i) -> -outputs.get(i).get("score").asInt())
            .thenComparingInt(i -> i))
        .limit(6).toList();
    List<Integer> reported = new ArrayList<>();
    java.util.regex.Matcher row = java.util.regex.Pattern
        .compile("(?m)^ +\\d+ +(\\d+) +(-?\\d+)  [A-Z-]+$").matcher(stdout());
    while (row.find()) {
      int rank = Integer.parseInt(row.group(1));
      reported.add(rank);
      assertEquals(outputs.get(rank).get("score").asInt(), Integer.parseInt(row.group(2)));
    }
    assertEquals(best, reported, stdout());
  }

  @Test
  void outputIsJsonLinesInInputOrderEachWithItsRank() throws Exception {
    Path output = dir.resolve("out.jsonl");
    assertEquals(0, run("--procs", "2", "--task", "square", "--count", "50", "--chunksize", "3",
        "--output", output.toString()), stderr());

    List<String> lines = Files.readAllLines(output);
    assertEquals(50, lines.size());
    for (int i = 0; i < 50; i++) {
      JsonNode record = Codec.parse(lines.get(i));
      assertEquals(i, record.get("rank").asInt());
      assertEquals((long) i * i, record.get("output").asLong());
    }
    assertTrue(stdout().contains("50 tasks on 2 workers in "), stdout());
  }

  @Test
  void withoutATerminalThereIsNoProgressBarAndWithProgressThereIsAndStdoutIsTheSameEitherWay() {
    String[] job = {"--procs", "2", "--task", "square", "--count", "200", "--chunksize", "7",
        "--output", "-", "--logs", dir.resolve("logs").toString()};
    ByteArrayOutputStream plainOut = new ByteArrayOutputStream();
    ByteArrayOutputStream plainErr = new ByteArrayOutputStream();
    assertEquals(0, CoordinatorCommand.run(job, new ByteArrayInputStream(stdin),
        new PrintStream(plainOut, true, StandardCharsets.UTF_8), new PrintStream(plainErr, true, StandardCharsets.UTF_8)));

    String[] withBar = java.util.stream.Stream.concat(java.util.Arrays.stream(job), java.util.stream.Stream.of("--progress"))
        .toArray(String[]::new);
    assertEquals(0, run(withBar), stderr());

    String plain = plainErr.toString(StandardCharsets.UTF_8);
    assertFalse(plain.contains("/200") || plain.contains("\r"), plain);
    assertTrue(stderr().contains("\rsquare 100% [") && stderr().contains("200/200"), stderr());
    assertTrue(stderr().matches("(?s).*200/200 [^\r]*\n.*200 tasks on 2 workers in .*"),
        "the bar is ended before the summary: " + stderr());
    assertArrayEquals(plainOut.toByteArray(), out.toByteArray());
    assertEquals(200, stdout().lines().count());
  }

  @Test
  void noProgressKeepsTheBarOffEvenOnATerminal() {
    assertEquals(0, CoordinatorCommand.run(new String[] {"--procs", "1", "--task", "square", "--count", "20",
        "--output", "-", "--no-progress", "--logs", dir.resolve("logs").toString()}, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        new CoordinatorCommand.Terminals(120, true)));

    assertFalse(stderr().contains("20/20") || stderr().contains("\r"), stderr());
    assertEquals(20, stdout().lines().count());
  }

  @Test
  void malformedInputLineIsReportedWithFileAndLineAndTheRestOfTheRunCompletes() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "1\n2\n\n{\"oops\n4\n");
    Path output = dir.resolve("out.jsonl");

    assertEquals(1, run("--procs", "1", "--task", "square", "--input", input.toString(),
        "--output", output.toString()));

    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(output)) {
      records.add(Codec.parse(line));
    }
    assertEquals(4, records.size());
    assertEquals(1, records.get(0).get("output").asInt());
    assertEquals(4, records.get(1).get("output").asInt());
    assertTrue(records.get(2).get("error").asText().startsWith(input + ":4: not a JSON value"),
        records.get(2).toString());
    assertEquals(16, records.get(3).get("output").asInt());
    assertTrue(stderr().contains("1 of 4 inputs failed"), stderr());
    assertTrue(stderr().contains(input + ":4:"), stderr());
  }

  @Test
  void failingTaskMakesTheExitStatusNonZeroAndIsListedWithItsRank() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "3\n\"three\"\n5\n");
    Path output = dir.resolve("out.jsonl");

    assertEquals(1, run("--procs", "2", "--task", "square", "--input", input.toString(),
        "--output", output.toString()));

    List<String> lines = Files.readAllLines(output);
    assertEquals(3, lines.size());
    JsonNode error = Codec.parse(lines.get(1)).get("error");
    assertEquals("task_error", error.get("kind").asText());
    assertEquals("java.lang.IllegalArgumentException", error.get("exception").asText());
    assertTrue(stderr().contains("square rank 1 on worker-"), stderr());
    assertEquals(25, Codec.parse(lines.get(2)).get("output").asInt());
  }

  @Test
  void anInputThatKillsItsWorkerEveryTimeFailsAloneAndIsListedInTheSummary() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "1\n-2\n3\n4\n");
    Path output = dir.resolve("out.jsonl");

    assertEquals(1, run("--procs", "2", "--task", "haltif", "--input", input.toString(),
        "--output", output.toString(), "--classpath", TestPools.testTasksClasspath().toString()));

    List<String> lines = Files.readAllLines(output);
    assertEquals(List.of(1, 3, 4), List.of(0, 2, 3).stream()
        .map(i -> parse(lines.get(i)).get("output").asInt()).toList());
    JsonNode error = parse(lines.get(1)).get("error");
    assertEquals("worker_died", error.get("kind").asText());
    assertTrue(error.get("message").asText().contains("exit 7"), error.toString());
    assertTrue(stderr().contains("1 of 4 inputs failed:\n  haltif rank 1 lost: its worker died"),
        stderr());
  }

  @Test
  void failuresAreListedWithTheirOutputRanksWhenABadLineShiftsTheRest() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "1\n{bad\n\"x\"\n4\n");
    Path logs = dir.resolve("logs");

    assertEquals(1, run("--procs", "1", "--task", "square", "--input", input.toString(),
        "--logs", logs.toString()));

    // The job holds the three good lines, so "x" is the job's rank 1 but the output's rank 2.
    assertTrue(stderr().contains("2 of 4 inputs failed:\n  rank 1: " + input + ":2: not a JSON value"),
        stderr());
    assertTrue(stderr().contains("\n  square rank 2 on worker-0 (pid "), stderr());
    List<JsonNode> events = events(logs);
    JsonNode inputError = events.stream().filter(e -> e.path("event").asText().equals("input error"))
        .findFirst().orElseThrow();
    assertEquals(input.toString(), inputError.path("source").asText());
    assertEquals(2, inputError.path("line").asInt());
    assertEquals(1, inputError.path("rank").asInt());
  }

  @Test
  void aTracedRunLeavesItsEventsTracesAndWorkerStderrInTheRunDirectory() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "1\n-2\n3\n4\n");
    Path logs = dir.resolve("logs");

    assertEquals(1, run("--procs", "1", "--task", "haltif", "--input", input.toString(), "--chunksize", "1",
        "--max-attempts", "2", "--trace-pipes", "--trace-max-chars", "30", "--logs", logs.toString(),
        "--classpath", TestPools.testTasksClasspath().toString()));

    assertTrue(stdout().contains("Tracing every worker's pipe into " + logs.resolve("latest").toRealPath()
        .resolve("trace")), stdout());
    // The chunks queued behind the dying one are retried too, so their number depends on timing.
    assertTrue(stdout().matches("(?s).*\\n2 worker deaths, 2 restarts, \\d+ retried chunks?, 0 stray outputs,"
        + " 0 late results \\(" + java.util.regex.Pattern.quote(logs.resolve("latest").toRealPath()
        .resolve("events.jsonl").toString()) + "\\)\\n.*"), stdout());
    assertTrue(stdout().contains("\n  worker-0 (pid "), stdout());
    assertTrue(stderr().contains("1 of 4 inputs failed:\n  haltif rank 1 lost: its worker died while"
        + " running it, on 2 attempts"), stderr());

    List<JsonNode> events = events(logs);
    assertEquals(2, events.stream().filter(e -> e.path("event").asText().equals("death")).count());
    assertEquals(2, events.stream().filter(e -> e.path("event").asText().equals("task sent")
        && e.path("rank").asInt() == 1).count(), "rank 1 was sent twice");

    Path run = logs.resolve("latest").toRealPath();
    List<String> traced = new ArrayList<>();
    try (var files = Files.list(run.resolve("trace"))) {
      for (Path file : files.toList()) {
        traced.addAll(Files.readAllLines(file));
      }
    }
    long rankOneTasks = traced.stream().map(CoordinatorCommandTest::parse)
        .filter(f -> f.path("type").asText().equals("task") && f.path("rank").asInt() == 1).count();
    assertEquals(2, rankOneTasks, traced.toString());
    JsonNode first = parse(traced.get(0));
    assertEquals(30, first.path("line").asText().length(), first.toString());
    assertTrue(first.path("cut").asBoolean(), first.toString());

    try (var files = Files.list(run)) {
      List<Path> stderrLogs = files.filter(f -> f.getFileName().toString().endsWith(".stderr.log")).toList();
      assertEquals(2, stderrLogs.size(), "one per worker process that wrote to stderr: " + stderrLogs);
      long halting = 0;
      for (Path log : stderrLogs) {
        halting += Files.readAllLines(log).stream().filter(l -> l.contains("haltif: input -2 at rank 1")).count();
      }
      assertEquals(2, halting);
    }
  }

  /** The events of the latest run under {@code logs}. */
  private static List<JsonNode> events(Path logs) throws Exception {
    return Files.readAllLines(logs.resolve("latest").resolve("events.jsonl")).stream()
        .map(CoordinatorCommandTest::parse).toList();
  }

  private static JsonNode parse(String line) {
    try {
      return Codec.parse(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(line, e);
    }
  }

  @Test
  void tasksFromAUserClasspathCanBeListedAndRun() throws Exception {
    String classpath = TestPools.testTasksClasspath().toString();
    assertEquals(0, run("--list-tasks", "--classpath", classpath));
    assertTrue(stdout().contains("shout"), stdout());
    assertTrue(stdout().contains("align"), stdout());

    out.reset();
    stdin = "1\n2\n".getBytes(StandardCharsets.UTF_8);
    assertEquals(0, run("--procs", "1", "--task", "pid", "--input", "-", "--classpath", classpath,
        "--output", "-"), stderr());
    List<String> lines = stdout().lines().toList();
    assertEquals(2, lines.size(), stdout());
    long pid = Codec.parse(lines.get(0)).get("output").asLong();
    assertNotEquals(ProcessHandle.current().pid(), pid, "the task ran in a worker JVM");
    assertEquals(pid, Codec.parse(lines.get(1)).get("output").asLong());
  }

  @Test
  void outputToStdoutSendsTheReportToStderr() {
    assertEquals(0, run("--procs", "1", "--task", "square", "--count", "3", "--output", "-"), stderr());

    assertEquals("{\"rank\":0,\"output\":0}\n{\"rank\":1,\"output\":1}\n{\"rank\":2,\"output\":4}\n",
        stdout());
    assertTrue(stderr().contains("3 tasks on 1 worker in"), stderr());
  }
}
