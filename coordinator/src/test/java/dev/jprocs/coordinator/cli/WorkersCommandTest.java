package dev.jprocs.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** workers.sh without a coordinator: formats, worker numbers, and the errors before any socket. */
class WorkersCommandTest {
  @TempDir Path logs;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return WorkersCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void uptimeAndMemoryReadAsAPersonWouldWriteThem() {
    assertEquals("0.0 s", WorkersCommand.uptime(0));
    assertEquals("12.3 s", WorkersCommand.uptime(12_345));
    assertEquals("4m05s", WorkersCommand.uptime(245_900));
    assertEquals("2h07m", WorkersCommand.uptime((2 * 3600 + 7 * 60 + 30) * 1000L));
    assertEquals("48.2 MB", WorkersCommand.megabytes(48_200_000));
    assertEquals("1.3 GB", WorkersCommand.megabytes(1_300_000_000L));
  }

  @Test
  void clusterSlotShowsItsMemberWithThePidAndNoLocalMemory() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    String[] remote = WorkersCommand.row(mapper.readTree("{\"worker\":\"worker-2\",\"pid\":1234,"
        + "\"member\":\"10.0.0.2:5701\",\"state\":\"READY\",\"itemsDone\":5,\"itemsHeld\":1,"
        + "\"restarts\":0,\"uptimeMillis\":1000,\"rssBytes\":null}"));
    assertEquals("1234@10.0.0.2:5701", remote[1]);
    assertEquals("-", remote[7]);
    String[] local = WorkersCommand.row(mapper.readTree("{\"worker\":\"worker-0\",\"pid\":77,"
        + "\"state\":\"READY\",\"itemsDone\":5,\"itemsHeld\":1,\"restarts\":0,"
        + "\"uptimeMillis\":1000,\"rssBytes\":48200000}"));
    assertEquals("77", local[1]);
    assertEquals("48.2 MB", local[7]);
  }

  @Test
  void workerIsNamedBySlotNumberOrId() {
    assertEquals("worker-1", WorkersCommand.workerId("1"));
    assertEquals("worker-12", WorkersCommand.workerId("worker-12"));
    assertEquals(1, run("--logs", logs.toString(), "kill", "one"));
    assertTrue(stderr().contains("slot number (1) or id (worker-1), not 'one'"), stderr());
  }

  @Test
  void withoutARunItSaysWhereItLookedAndExitsOne() {
    assertEquals(1, run("list", "--logs", logs.toString()));
    assertEquals(1, stderr().lines().count(), stderr());
    assertTrue(stderr().startsWith("workers.sh: no run found: " + logs.resolve("latest") + " does not exist"), stderr());
  }

  @Test
  void aRunWhoseSocketIsGoneHasEnded() throws Exception {
    Files.createDirectories(logs.resolve("20261122-013012-4711"));

    assertEquals(1, run("--logs", logs.toString(), "--run", "20261122-013012-4711", "restart", "0"));
    assertTrue(stderr().contains("run 20261122-013012-4711 has no control socket"), stderr());
    assertTrue(stderr().contains("the run has ended"), stderr());
  }

  @Test
  void aBadCommandLineExitsTwo() {
    assertEquals(2, run("--logs", logs.toString()));
    assertEquals(2, run("--logs", logs.toString(), "frob"));
    assertEquals(2, run("--logs", logs.toString(), "kill"));
    assertEquals(2, run("--logs", logs.toString(), "trace", "1", "maybe"));
    assertEquals(4, stderr().lines().count(), stderr());
    assertTrue(stderr().contains("maybe"), stderr());
  }
}
