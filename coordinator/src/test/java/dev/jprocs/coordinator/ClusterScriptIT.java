package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.ClusterMembers;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster backend as a user runs it: two {@code scripts/member.sh} members on loopback and
 * {@code scripts/coordinator.sh --cluster} against the packaged jars (run by Failsafe).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class ClusterScriptIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private final List<Process> members = new ArrayList<>();

  @AfterEach
  void killMembers() throws InterruptedException {
    members.forEach(Process::destroyForcibly);
    for (Process member : members) {
      member.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void squaresThroughTwoScriptMembersComeBackInInputOrder(@TempDir Path scratch) throws Exception {
    String cluster = "jprocs-it-" + UUID.randomUUID();
    List<Integer> ports = List.of(ClusterMembers.freePort(), ClusterMembers.freePort());
    String join = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    for (int port : ports) {
      List<String> stderr = new CopyOnWriteArrayList<>();
      Process member = new ProcessBuilder(ROOT.resolve("scripts/member.sh").toString(),
          "--join", join, "--port", Integer.toString(port), "--cluster-name", cluster,
          "--threads", "2", "--exit-with-parent")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      members.add(member);
      Thread drain = new Thread(() -> drain(member, stderr), "member-" + port + "-stderr");
      drain.setDaemon(true);
      drain.start();
      await("member.sh on port " + port + " to join").atMost(Duration.ofSeconds(60))
          .failFast("member.sh exited: " + stderr, () -> !member.isAlive())
          .until(() -> stderr.stream().anyMatch(l -> l.startsWith("joined cluster '" + cluster + "'")));
    }

    Path err = scratch.resolve("coordinator.err");
    Process coordinator = new ProcessBuilder(ROOT.resolve("scripts/coordinator.sh").toString(),
        "--cluster", "127.0.0.1:" + ports.get(1), "--cluster-name", cluster, "--task", "square",
        "--input", "-", "--output", "-", "--chunksize", "3")
        .redirectError(err.toFile()).start();
    try (OutputStream stdin = coordinator.getOutputStream()) {
      for (int i = 0; i < 100; i++) {
        stdin.write((i + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    String stdout = new String(coordinator.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(coordinator.waitFor(60, TimeUnit.SECONDS), "coordinator.sh finished");
    String stderr = Files.readString(err);
    assertEquals(0, coordinator.exitValue(), stdout + stderr);
    List<String> lines = stdout.lines().toList();
    assertEquals(100, lines.size(), stdout);
    for (int i = 0; i < 100; i++) {
      JsonNode record = Codec.parse(lines.get(i));
      assertEquals(i, record.get("rank").asInt());
      assertEquals((long) i * i, record.get("output").asLong());
    }
    assertTrue(stderr.contains("100 tasks on 4 workers"), "two slots on each member: " + stderr);
  }

  private static void drain(Process process, List<String> lines) {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("stderr closed: " + e);
    }
  }
}
