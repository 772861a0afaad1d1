package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.protocol.Codec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What happens to workers when the coordinator itself is killed or told to stop. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class SignalsIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern STARTED = Pattern.compile("^Started (worker-\\d+) \\(pid (\\d+)\\)$");

  @TempDir Path dir;

  /** Starts the coordinator on a slow sleep job and returns it once both workers have started. */
  private Process startSleepJob(List<Long> workerPids, String... extra) throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "0.5\n".repeat(12));
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("scripts/coordinator.sh").toString(),
        "--procs", "2", "--task", "sleep", "--chunksize", "1", "--input", input.toString(),
        "--output", dir.resolve("out.jsonl").toString()));
    command.addAll(List.of(extra));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("err.txt").toFile());
    builder.environment().put("JPROCS_LOGS", dir.resolve("logs").toString());
    Process coordinator = builder.start();
    BufferedReader stdout = new BufferedReader(
        new InputStreamReader(coordinator.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while (workerPids.size() < 2 && (line = stdout.readLine()) != null) {
      Matcher m = STARTED.matcher(line);
      if (m.matches()) {
        workerPids.add(Long.parseLong(m.group(2)));
      }
    }
    assertEquals(2, workerPids.size(), "both workers started");
    Thread drain = new Thread(() -> stdout.lines().forEach(l -> { }), "coordinator-stdout");
    drain.setDaemon(true);
    drain.start();
    return coordinator;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void sigkillOfTheCoordinatorLeavesNoWorkerAliveTwoSecondsLater() throws Exception {
    List<Long> workers = new ArrayList<>();
    Process coordinator = startSleepJob(workers);

    coordinator.destroyForcibly(); // SIGKILL: no shutdown hook runs

    assertTrue(coordinator.waitFor(10, TimeUnit.SECONDS));
    await("worker JVMs to exit after their coordinator was SIGKILLed")
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> workers.stream().noneMatch(SignalsIT::alive));
  }

  @Test
  void sigtermMidRunWritesWhatWasFinishedAndExitsSayingItWasInterrupted() throws Exception {
    List<Long> workers = new ArrayList<>();
    Process coordinator = startSleepJob(workers);
    Path output = dir.resolve("out.jsonl");
    await("some results written").atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(output) && Files.readAllLines(output).size() >= 2);

    coordinator.destroy(); // SIGTERM

    assertTrue(coordinator.waitFor(60, TimeUnit.SECONDS));
    String stderr = Files.readString(dir.resolve("err.txt"));
    assertEquals(143, coordinator.exitValue(), stderr);
    assertTrue(stderr.contains("interrupted"), stderr);
    List<String> lines = Files.readAllLines(output);
    assertEquals(12, lines.size(), "one record per input: " + lines);
    int finished = 0;
    for (int rank = 0; rank < lines.size(); rank++) {
      JsonNode record = Codec.parse(lines.get(rank));
      assertEquals(rank, record.get("rank").asInt());
      if (record.has("output")) {
        finished++;
      } else {
        assertEquals("cancelled", record.get("error").get("kind").asText(), record.toString());
      }
    }
    assertTrue(finished >= 2 && finished < 12, "finished: " + finished);
    assertTrue(workers.stream().noneMatch(SignalsIT::alive), "workers gone");
  }
}
