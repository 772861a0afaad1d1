package dev.jprocs.coordinator.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jprocs.coordinator.control.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** pipes.sh over trace files written by hand, as TraceLog writes them; no processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipesCommandTest {
  @TempDir Path logs;
  private Path trace;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void aRunWithTwoWorkers() throws Exception {
    RunDirectory run = RunDirectory.create(logs);
    trace = run.traceDirectory();
    Files.createDirectories(trace);
    // worker-0 rolled once: its archive holds its older frames.
    append("worker-0.1.jsonl",
        frame(1, "worker-0", "<-", "hello", -1, -1, "{\"type\":\"hello\",\"protocol\":1,\"pid\":100,\"workerId\":\"worker-0\"}"),
        frame(3, "worker-0", "->", "task", 1, 0, "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"square\",\"rank\":0,\"inputs\":[0,1]}"));
    append("worker-0.jsonl",
        frame(5, "worker-0", "<-", "result", 1, 0, "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[0,1]}"),
        frame(8, "worker-0", "->", "shutdown", -1, -1, "{\"type\":\"shutdown\"}"));
    append("worker-1.jsonl",
        frame(2, "worker-1", "<-", "hello", -1, -1, "{\"type\":\"hello\",\"protocol\":1,\"pid\":101,\"workerId\":\"worker-1\"}"),
        frame(4, "worker-1", "->", "task", 12, 40, "{\"type\":\"task\",\"taskId\":12,\"attempt\":1,\"task\":\"square\",\"rank\":40,\"inputs\":[" + "1234567890,".repeat(20) + "0]}"),
        frame(6, "worker-1", "<-", "result", 12, 40, "{\"type\":\"result\",\"taskId\":12,\"attempt\":1,\"outputs\":[1]}"),
        frame(7, "worker-1", "<-", "?", -1, -1, "Picked up JAVA_TOOL_OPTIONS:\t-Dfoo"));
  }

  private static final Instant T0 = Instant.parse("2026-11-22T01:30:43.123456Z");

  /** A record as TraceLog writes it, {@code second} seconds after T0. */
  private static String frame(int second, String worker, String dir, String type, long taskId,
      long rank, String line) {
    return "{\"time\":\"" + T0.plusSeconds(second) + "\",\"worker\":\"" + worker + "\",\"pid\":"
        + (100 + Integer.parseInt(worker.substring(7))) + ",\"dir\":\"" + dir + "\",\"type\":\""
        + type + "\"" + (taskId >= 0 ? ",\"taskId\":" + taskId : "") + (rank >= 0 ? ",\"rank\":" + rank : "")
        + ",\"bytes\":" + line.getBytes(StandardCharsets.UTF_8).length + ",\"line\":"
        + dev.jprocs.protocol.Codec.toJson(line) + "}";
  }

  private void append(String file, String... records) throws Exception {
    Files.writeString(trace.resolve(file), String.join("\n", records) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private int run(String... args) {
    return PipesCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The time column of a frame {@code second} seconds after T0, in this machine's zone. */
  private static String at(int second) {
    return DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault())
        .format(T0.plusSeconds(second));
  }

  @Test
  void everyFrameOfTheLatestRunIsShownInTimeOrderAcrossWorkersAndRolledFiles() {
    assertEquals(0, run("--logs", logs.toString()), stderr());

    List<String> lines = lines();
    assertEquals(8, lines.size(), lines.toString());
    for (int i = 0; i < 8; i++) {
      assertTrue(lines.get(i).startsWith(at(i + 1) + "  worker-"), lines.get(i));
    }
    assertEquals(at(4) + "  worker-1   ->  task      task 12     rank 40           298 B  "
        + "{\"type\":\"task\",\"taskId\":12,\"attempt\":1,\"task\":\"square\",\"rank\":40,\"inputs\":[12345...",
        lines.get(3));
    assertEquals(at(8) + "  worker-0   ->  shutdown                                 19 B  {\"type\":\"shutdown\"}",
        lines.get(7));
    assertEquals(at(7) + "  worker-1   <-  ?                                        34 B  "
        + "Picked up JAVA_TOOL_OPTIONS:\\x09-Dfoo", lines.get(6), "a control character is shown as \\xNN");
    assertEquals("", stderr());
  }

  @Test
  void framesAreFilteredByWorkerTypeAndTask() {
    assertEquals(0, run("--logs", logs.toString(), "--worker", "1"), stderr());
    assertEquals(4, lines().size(), lines().toString());
    assertTrue(lines().stream().allMatch(l -> l.contains("  worker-1   ")), lines().toString());

    out.reset();
    assertEquals(0, run("--logs", logs.toString(), "--type", "result"), stderr());
    assertEquals(List.of(at(5), at(6)), lines().stream().map(l -> l.substring(0, at(5).length())).toList());

    out.reset();
    assertEquals(0, run("--logs", logs.toString(), "--task", "12"), stderr());
    assertEquals(2, lines().size(), lines().toString());
    assertTrue(lines().get(0).contains("  ->  task      task 12     rank 40  "), lines().get(0));
    assertTrue(lines().get(1).contains("  <-  result    task 12     rank 40  "), lines().get(1));

    out.reset();
    assertEquals(0, run("--logs", logs.toString(), "--worker", "worker-0", "--type", "task", "--task", "1"), stderr());
    assertEquals(1, lines().size(), lines().toString());
    assertTrue(lines().get(0).startsWith(at(3) + "  worker-0   ->  task      task 1 "), lines().get(0));

    out.reset();
    assertEquals(0, run("--logs", logs.toString(), "--worker", "7"));
    assertEquals(List.of(), lines());
    assertTrue(stderr().contains("no frame of run"), stderr());
  }

  @Test
  void aRunIsChosenByIdOrPathAndAMistypedFilterIsExplained() throws Exception {
    String runId = Files.readSymbolicLink(logs.resolve(RunDirectory.LATEST)).toString();
    assertEquals(0, run("--logs", logs.toString(), runId, "--type", "hello"), stderr());
    assertEquals(2, lines().size());
    out.reset();
    assertEquals(0, run(logs.resolve(runId).toString(), "--type", "hello"), stderr());
    assertEquals(2, lines().size());

    out.reset();
    assertEquals(0, run("--logs", logs.toString(), "--type", "tsak"));
    assertEquals(List.of(), lines());
    assertTrue(stderr().contains("matches; its frames' types are ?, hello, result, shutdown, task"), stderr());
    assertEquals(2, run("--logs", logs.toString(), "--worker", "one"));
    assertEquals(2, run("--logs", logs.toString(), "--task", "twelve"));
    assertEquals(1, run("--logs", logs.resolve("nowhere").toString()));
    assertTrue(stderr().contains("no run found"), stderr());
  }

  @Test
  void aRunWithoutTracesSaysHowToSwitchTracingOn() throws Exception {
    Path other = logs.resolve("other");
    RunDirectory.create(other);

    assertEquals(1, run("--logs", other.toString()));

    assertEquals(List.of(), lines());
    assertTrue(stderr().contains("has no pipe trace"), stderr());
    assertTrue(stderr().contains("scripts/coordinator.sh --trace-pipes"), stderr());
    assertTrue(stderr().contains("scripts/workers.sh trace N on"), stderr());
  }

  @Test
  void followShowsNewFramesNewWorkersAndRolledFilesAsTheyCome() throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread follower = new Thread(() -> exit.complete(run("--logs", logs.toString(), "--follow", "--type", "result")),
        "pipes-follow");
    follower.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() == 2);

    append("worker-1.jsonl", frame(10, "worker-1", "<-", "result", 13, 42, "{\"type\":\"result\",\"taskId\":13}"));
    append("worker-2.jsonl", frame(11, "worker-2", "<-", "result", 14, 44, "{\"type\":\"result\",\"taskId\":14}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() == 4);
    assertTrue(lines().get(2).contains("worker-1   <-  result    task 13 "), lines().toString());
    assertTrue(lines().get(3).contains("worker-2   <-  result    task 14 "), lines().toString());

    // worker-0 rolls as Logback rolls it: a last line, then the file becomes archive 1 and a new
    // file starts.
    append("worker-0.jsonl", frame(12, "worker-0", "<-", "result", 15, 46, "{\"type\":\"result\",\"taskId\":15}"));
    Files.move(trace.resolve("worker-0.1.jsonl"), trace.resolve("worker-0.2.jsonl"));
    Files.move(trace.resolve("worker-0.jsonl"), trace.resolve("worker-0.1.jsonl"));
    append("worker-0.jsonl", frame(13, "worker-0", "<-", "result", 16, 48, "{\"type\":\"result\",\"taskId\":16}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> lines().size() >= 6);
    assertEquals(List.of("task 15", "task 16"), lines().subList(4, 6).stream()
        .map(l -> l.substring(l.indexOf("task "), l.indexOf("task ") + 7)).toList(), lines().toString());

    follower.interrupt(); // as Ctrl-C would end it
    assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    assertEquals(6, lines().size(), "each frame once: " + lines());
    assertFalse(stderr().contains("cannot read"), stderr());
  }
}
