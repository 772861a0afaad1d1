package dev.jprocs.coordinator.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerExit;
import dev.jprocs.coordinator.WorkerInfo;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import dev.jprocs.protocol.Codec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The control socket in front of a pool of real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class ControlServerTest {
  /** 40 sleeps of 50 ms, each a little different, so an output shows which input it answers. */
  private static final List<Double> SLEEPS =
      IntStream.range(0, 40).mapToObj(i -> 0.05 + i / 100_000.0).toList();

  @TempDir Path logs;
  private final List<WorkerExit> retired = new CopyOnWriteArrayList<>();

  private Pool startPool() throws Exception {
    return Pool.start(TestPools.config(2).events(new PoolEvents() {
      @Override
      public void workerRetired(WorkerExit exit) {
        retired.add(exit);
      }
    }).build());
  }

  private static JsonNode call(ControlServer control, Object request) throws IOException {
    return ControlClient.call(control.socket(), request, Duration.ofSeconds(10));
  }

  @Test
  void socketAndRunDirectoryAreOwnerOnlyAndListShowsEveryWorkerWithItsPidAndMemory() throws Exception {
    RunDirectory run = RunDirectory.create(logs);
    try (Pool pool = startPool(); ControlServer control = ControlServer.start(run, pool)) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run.path())));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run.controlSocket())));
      assertEquals(run.controlSocket().toAbsolutePath(), control.socket());

      JsonNode response = call(control, Map.of("command", "list"));

      assertTrue(response.path("ok").asBoolean(), response.toString());
      Map<String, Long> listed = new java.util.TreeMap<>();
      for (JsonNode worker : response.path("workers")) {
        listed.put(worker.path("worker").asText(), worker.path("pid").asLong());
        assertEquals("READY", worker.path("state").asText(), worker.toString());
        assertTrue(worker.path("rssBytes").asLong() > 0, "RSS of " + worker);
        assertTrue(worker.path("uptimeMillis").asLong() >= 0, worker.toString());
      }
      assertEquals(pool.workers().stream().collect(Collectors.toMap(WorkerInfo::workerId, WorkerInfo::pid)), listed);
      assertEquals(Set.of("worker-0", "worker-1"), listed.keySet());
    }
    assertFalse(Files.exists(run.controlSocket()), "the socket file is deleted on close");
  }

  @Test
  void killOverTheSocketReplacesTheWorkerAndARunningImapLosesNoResult() throws Exception {
    try (Pool pool = startPool(); ControlServer control = ControlServer.start(RunDirectory.create(logs), pool)) {
      long oldPid = worker(pool, "worker-1").pid();
      CompletableFuture<List<JsonNode>> results = imapInBackground(pool);
      await().atMost(Duration.ofSeconds(60)).until(() -> worker(pool, "worker-1").itemsHeld() > 0);

      JsonNode response = call(control, Map.of("command", "kill", "worker", "worker-1"));

      assertTrue(response.path("ok").asBoolean(), response.toString());
      assertEquals(oldPid, response.path("pid").asLong());
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        WorkerInfo now = worker(pool, "worker-1");
        return now.pid() != oldPid && now.ready();
      });
      assertEveryInputAnsweredInOrder(results.get(60, TimeUnit.SECONDS));
      assertEquals(1, worker(pool, "worker-1").restarts());
    }
  }

  @Test
  void restartOverTheSocketRetiresTheWorkerCleanlyAndARunningImapLosesNoResult() throws Exception {
    try (Pool pool = startPool(); ControlServer control = ControlServer.start(RunDirectory.create(logs), pool)) {
      long oldPid = worker(pool, "worker-0").pid();
      ProcessHandle oldProcess = ProcessHandle.of(oldPid).orElseThrow();
      CompletableFuture<List<JsonNode>> results = imapInBackground(pool);
      await().atMost(Duration.ofSeconds(60)).until(() -> worker(pool, "worker-0").itemsHeld() > 0);

      JsonNode response = call(control, Map.of("command", "restart", "worker", "worker-0"));

      assertTrue(response.path("ok").asBoolean(), response.toString());
      assertEquals(oldPid, response.path("pid").asLong());
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        WorkerInfo now = worker(pool, "worker-0");
        return now.pid() != oldPid && now.ready();
      });
      oldProcess.onExit().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> retired.stream().anyMatch(exit -> exit.pid() == oldPid));
      WorkerExit exit = retired.stream().filter(e -> e.pid() == oldPid).findFirst().orElseThrow();
      assertEquals(0, exit.exitCode(), exit.describe());
      assertNotNull(exit.goodbye(), exit.describe());
      assertEveryInputAnsweredInOrder(results.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void traceOverTheSocketSwitchesOneWorkersTracingOnAndOff() throws Exception {
    List<dev.jprocs.coordinator.Frame> frames = new CopyOnWriteArrayList<>();
    try (Pool pool = Pool.start(TestPools.config(2).pipeTracer(frames::add).build());
        ControlServer control = ControlServer.start(RunDirectory.create(logs), pool)) {
      JsonNode on = call(control, Map.of("command", "trace", "worker", "worker-1", "on", true));
      JsonNode asked = call(control, Map.of("command", "trace", "worker", "worker-1"));
      pool.map(TaskSpec.of("square"), IntStream.range(0, 40).boxed().toList(), Long.class, 2);
      JsonNode list = call(control, Map.of("command", "list"));
      JsonNode off = call(control, Map.of("command", "trace", "worker", "worker-1", "on", false));
      JsonNode notABoolean = call(control, Map.of("command", "trace", "worker", "worker-1", "on", "yes"));

      assertTrue(on.path("ok").asBoolean(), on.toString());
      assertEquals(worker(pool, "worker-1").pid(), on.path("pid").asLong());
      assertTrue(on.path("tracing").asBoolean());
      assertFalse(on.path("was").asBoolean());
      assertTrue(asked.path("tracing").asBoolean() && asked.path("was").asBoolean(), asked.toString());
      assertEquals(List.of(false, true), List.of(list.path("workers").get(0).path("tracing").asBoolean(),
          list.path("workers").get(1).path("tracing").asBoolean()), list.toString());
      assertFalse(off.path("tracing").asBoolean());
      assertTrue(off.path("was").asBoolean());
      assertError(notABoolean, "\"on\" is true or false");
      assertFalse(pool.tracing("worker-1"));
      assertFalse(frames.isEmpty(), "worker-1 had work");
      assertTrue(frames.stream().allMatch(f -> f.workerId().equals("worker-1")), frames.toString());
    }
  }

  @Test
  void badRequestsAreAnsweredWithAnErrorAndTheServerKeepsServing() throws Exception {
    try (Pool pool = startPool(); ControlServer control = ControlServer.start(RunDirectory.create(logs), pool)) {
      JsonNode unknown = call(control, Map.of("command", "frob"));
      JsonNode noSuchWorker = call(control, Map.of("command", "kill", "worker", "worker-9"));
      JsonNode noWorker = call(control, Map.of("command", "restart"));
      JsonNode notJson = rawExchange(control.socket(), "hello there\n");

      assertError(unknown, "unknown command 'frob'; the commands are: kill, list, restart, trace");
      assertError(noSuchWorker, "no worker worker-9");
      assertError(noWorker, "\"worker\"");
      assertError(notJson, "not a JSON line");
      JsonNode list = call(control, Map.of("command", "list"));
      assertTrue(list.path("ok").asBoolean(), list.toString());
      assertEquals(2, list.path("workers").size());
      assertEquals(List.of(1L, 4L, 9L), pool.map("square", List.of(1, 2, 3), Long.class));
    }
  }

  @Test
  void socketPathOverTheUnixLimitIsRefusedWithAdviceToShortenTheLogsRoot() {
    Path tooLong = logs.resolve("x".repeat(110)).resolve(RunDirectory.CONTROL_SOCKET);

    IOException e = assertThrows(IOException.class, () -> ControlServer.start(tooLong, Map.of()));

    assertTrue(e.getMessage().contains("use a shorter --logs root"), e.getMessage());
    assertTrue(e.getMessage().contains(tooLong.toString()), e.getMessage());
  }

  private static CompletableFuture<List<JsonNode>> imapInBackground(Pool pool) {
    return CompletableFuture.supplyAsync(() -> {
      List<JsonNode> outputs = new ArrayList<>();
      pool.imap(TaskSpec.of("sleep"), SLEEPS, JsonNode.class, 1).forEachRemaining(outputs::add);
      return outputs;
    });
  }

  private static void assertEveryInputAnsweredInOrder(List<JsonNode> outputs) {
    assertEquals(SLEEPS, outputs.stream().map(o -> o.path("seconds").asDouble()).toList());
  }

  private static WorkerInfo worker(Pool pool, String workerId) {
    return pool.workers().stream().filter(w -> w.workerId().equals(workerId)).findFirst().orElseThrow();
  }

  private static void assertError(JsonNode response, String expected) {
    assertFalse(response.path("ok").asBoolean(true), response.toString());
    assertTrue(response.path("error").asText().contains(expected), response.toString());
  }

  /** Sends {@code text} as is (not necessarily JSON) and reads the one-line response. */
  private static JsonNode rawExchange(Path socket, String text) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      String line = new java.io.BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8)).readLine();
      return Codec.parse(line);
    }
  }
}
