package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/workers.sh} and {@code scripts/pipes.sh} against a running
 * {@code scripts/coordinator.sh}, as an operator uses them from two terminals (run by Failsafe
 * after {@code package}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class WorkersScriptIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern RUN = Pattern.compile("^Run (\\S+): (.+) \\(scripts/workers.sh list\\)$");
  private static final Pattern STARTED = Pattern.compile("^Started (worker-\\d+) \\(pid (\\d+)\\)$");
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  /** Half a second each on two workers: the run lasts about 15 s, time for five workers.sh calls. */
  private static final int INPUTS = 60;
  private static final double SECONDS_EACH = 0.5;

  @TempDir Path logs;
  @TempDir Path files;

  @Test
  void operatorListsKillsAndRestartsWorkersOfARunningCoordinatorAndNoResultIsLost() throws Exception {
    Path input = files.resolve("input.jsonl");
    Path output = files.resolve("output.jsonl");
    Files.write(input, Collections.nCopies(INPUTS, Double.toString(SECONDS_EACH)));
    Path stderr = files.resolve("coordinator.err");
    ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("scripts/coordinator.sh").toString(),
        "--procs", "2", "--task", "sleep", "--input", input.toString(), "--output", output.toString(),
        "--chunksize", "1")
        .directory(files.toFile())
        .redirectError(stderr.toFile());
    builder.environment().put("JPROCS_LOGS", logs.toString());
    Process coordinator = builder.start();
    coordinator.getOutputStream().close();
    List<String> stdout = drain(coordinator);

    await("the Run line and two workers").atMost(PATIENCE)
        .until(() -> runDirectory(stdout) != null && started(stdout).size() == 2);
    assertEquals(logs.resolve(runDirectory(stdout).getFileName()), runDirectory(stdout));
    Map<String, Long> pids = started(stdout);

    Map<String, Long> listed = list();
    assertEquals(pids, listed);

    Script traced = workers("trace", "1", "on");
    assertEquals(0, traced.exit(), traced.toString());
    assertTrue(traced.stdout().startsWith("Tracing worker-1 (pid " + pids.get("worker-1") + ") is on (it was off)"),
        traced.toString());

    Script killed = workers("kill", "1");
    assertEquals(0, killed.exit(), killed.toString());
    assertTrue(killed.stdout().startsWith("Killed worker-1 (pid " + pids.get("worker-1") + ")"), killed.toString());
    await("worker-1 replaced").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
        .until(() -> !pids.get("worker-1").equals(list().get("worker-1")));

    Script restarted = workers("restart", "worker-0");
    assertEquals(0, restarted.exit(), restarted.toString());
    assertTrue(restarted.stdout().startsWith("Restarting worker-0 (pid " + pids.get("worker-0") + ")"),
        restarted.toString());
    await("worker-0 replaced").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
        .until(() -> !pids.get("worker-0").equals(list().get("worker-0")));

    assertTrue(coordinator.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "coordinator.sh finished");
    assertEquals(0, coordinator.exitValue(), String.join("\n", stdout) + "\n" + Files.readString(stderr));
    List<String> records = Files.readAllLines(output);
    assertEquals(INPUTS, records.size());
    for (int rank = 0; rank < INPUTS; rank++) {
      JsonNode record = Codec.parse(records.get(rank));
      assertEquals(rank, record.path("rank").asInt(), records.get(rank));
      assertFalse(record.has("error"), records.get(rank));
      assertEquals(SECONDS_EACH, record.path("output").path("seconds").asDouble(), records.get(rank));
    }

    // Tracing stays with the slot: the hello of worker-1's replacement is in its trace, and
    // worker-0 was never traced.
    Script hellos = script("pipes.sh", "--type", "hello");
    assertEquals(0, hellos.exit(), hellos.toString());
    List<String> helloLines = hellos.stdout().lines().toList();
    assertEquals(1, helloLines.size(), hellos.toString());
    assertTrue(helloLines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6}  worker-1   <-  hello .*"), hellos.toString());
    assertFalse(helloLines.get(0).contains("\"pid\":" + pids.get("worker-1") + ","), hellos.toString());
    Script tasks = script("pipes.sh", "--worker", "1", "--type", "task");
    assertTrue(tasks.stdout().lines().count() > 0, tasks.toString());

    Script afterwards = workers("list");
    assertEquals(1, afterwards.exit(), afterwards.toString());
    assertTrue(afterwards.stderr().contains("the run has ended"), afterwards.toString());
  }

  /** Reads the coordinator's stdout as it comes, so its pipe never fills. */
  private static List<String> drain(Process process) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "coordinator-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static Path runDirectory(List<String> stdout) {
    for (String line : stdout) {
      Matcher m = RUN.matcher(line);
      if (m.matches()) {
        return Path.of(m.group(2));
      }
    }
    return null;
  }

  private static Map<String, Long> started(List<String> stdout) {
    Map<String, Long> pids = new TreeMap<>();
    for (String line : stdout) {
      Matcher m = STARTED.matcher(line);
      if (m.matches()) {
        pids.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return pids;
  }

  /** {@code workers.sh list} as worker → pid. */
  private Map<String, Long> list() throws Exception {
    Script list = workers("list");
    assertEquals(0, list.exit(), list.toString());
    List<String> lines = list.stdout().lines().toList();
    assertTrue(lines.get(0).matches("worker\\s+pid\\s+state\\s+done\\s+held\\s+restarts\\s+uptime\\s+rss"), list.toString());
    Map<String, Long> pids = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.trim().split("\\s+");
      assertTrue(line.matches("worker-\\d+\\s+\\d+\\s+[A-Z]+\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\S+( s)?\\s+(\\d+\\.\\d (MB|GB)|\\?)"),
          list.toString());
      pids.put(fields[0], Long.parseLong(fields[1]));
    }
    return pids;
  }

  private record Script(int exit, String stdout, String stderr) {}

  /** Runs {@code scripts/workers.sh args} from another directory, with the coordinator's logs root. */
  private Script workers(String... args) throws Exception {
    return script("workers.sh", args);
  }

  /** Runs {@code scripts/NAME args} from another directory, with the coordinator's logs root. */
  private Script script(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("scripts/" + name).toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(files, name, ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(files.toFile()).redirectError(err.toFile());
    builder.environment().put("JPROCS_LOGS", logs.toString());
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "workers.sh finished");
    return new Script(process.exitValue(), out, Files.readString(err));
  }
}
