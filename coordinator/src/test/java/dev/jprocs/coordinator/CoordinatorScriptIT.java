package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.tasks.AlignTask;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default job end to end, as a user runs it: {@code scripts/coordinator.sh --procs 4} against
 * the packaged jars (run by Failsafe after {@code package}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class CoordinatorScriptIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern STARTED = Pattern.compile("^Started (worker-\\d+) \\(pid (\\d+)\\)$");
  private static final Pattern DONE = Pattern.compile("^(worker-\\d+) done with (\\d+) records$");
  private static final Pattern ROW = Pattern.compile("^\\s+(\\d+)\\s+(\\d+)\\s+(-?\\d+)\\s+([ACGT-]+)$");

  @Test
  void defaultJobOnFourWorkersPrintsTheTopTenComputedByFourDistinctProcesses(@TempDir Path scratch)
      throws Exception {
    Path stderr = scratch.resolve("coordinator.err");
    Process process = new ProcessBuilder(ROOT.resolve("scripts/coordinator.sh").toString(), "--procs", "4")
        .directory(scratch.toFile()) // the script works from any directory
        .redirectError(stderr.toFile())
        .start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "coordinator.sh finished");
    assertEquals(0, process.exitValue(), stdout + Files.readString(stderr));

    List<String> lines = stdout.lines().toList();
    Map<String, Long> pids = new HashMap<>();
    Map<String, Integer> records = new HashMap<>();
    List<int[]> rows = new ArrayList<>();
    for (String line : lines) {
      Matcher m;
      if ((m = STARTED.matcher(line)).matches()) {
        pids.put(m.group(1), Long.parseLong(m.group(2)));
      } else if ((m = DONE.matcher(line)).matches()) {
        records.put(m.group(1), Integer.parseInt(m.group(2)));
      } else if ((m = ROW.matcher(line)).matches()) {
        rows.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))});
      }
    }
    assertEquals(Set.of("worker-0", "worker-1", "worker-2", "worker-3"), pids.keySet(), stdout);
    assertEquals(4, new HashSet<>(pids.values()).size(), "four distinct worker pids: " + pids);
    assertEquals(pids.keySet(), records.keySet(), stdout);
    assertTrue(records.values().stream().allMatch(n -> n > 0), "every worker did work: " + records);
    assertEquals(1000, records.values().stream().mapToInt(Integer::intValue).sum());

    assertTrue(lines.contains("Top 10 of 1000 by alignment score"), stdout);
    assertEquals(expectedTopTen(), rows.stream().map(r -> List.of(r[0], r[1], r[2])).toList(), stdout);
    assertTrue(lines.get(lines.size() - 1).matches("1000 tasks on 4 workers in \\d+\\.\\d\\d s"), stdout);
  }

  @Test
  void classArchivesAreMadeOnceAndThenMappedByTheCoordinatorAndItsWorkers(@TempDir Path scratch)
      throws Exception {
    Path archives = scratch.resolve("cds"); // the pool makes it, owner-only
    assertEquals(0, runScript(archives, List.of()), "first run");
    try (var made = Files.list(archives)) {
      List<String> names = made.map(p -> p.getFileName().toString()).toList();
      assertEquals(1, names.size(), "one worker archive: " + names);
      assertTrue(names.get(0).matches("worker-[0-9a-f]+\\.jsa"), names.toString());
    }
    try (var target = Files.list(ROOT.resolve("coordinator/target"))) {
      assertTrue(target.anyMatch(p -> p.getFileName().toString().matches("coordinator-\\d+\\.jsa")),
          "the coordinator's archive is in coordinator/target");
    }
    // -Xshare:on makes a JVM that cannot map its archive refuse to start, coordinator or worker.
    assertEquals(0, runScript(archives, List.of("--jvm-option=-Xshare:on")), "run with -Xshare:on");
  }

  /**
   * The coordinator's archive is made by a short run of the coordinator, whose run directory is
   * scratch: it goes once the archive is made. A java of another path gets an archive of its own,
   * so a link to this JVM's java makes the script make one without touching the shared one.
   */
  @Test
  void makingTheCoordinatorsArchiveLeavesNothingInTmpdir(@TempDir Path scratch) throws Exception {
    Path tmpdir = Files.createDirectory(scratch.resolve("tmp"));
    Path java = Files.createSymbolicLink(Files.createDirectory(scratch.resolve("bin")).resolve("java"),
        Path.of(ProcessHandle.current().info().command().orElseThrow()));
    Path target = ROOT.resolve("coordinator/target");
    Set<Path> before = coordinatorArchives(target);
    try {
      ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("scripts/coordinator.sh").toString(),
          "--procs", "1", "--count", "20")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("JAVA", java.toString());
      builder.environment().put("TMPDIR", tmpdir.toString());
      builder.environment().put("JPROCS_CLASS_ARCHIVE", scratch.resolve("cds").toString());
      Process process = builder.start();
      process.getOutputStream().close();
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), "coordinator.sh finished");
      assertEquals(0, process.exitValue());
      Set<Path> made = coordinatorArchives(target);
      made.removeAll(before);
      assertEquals(1, made.size(), "an archive of its own for the linked java: " + made);
      try (var left = Files.list(tmpdir)) {
        assertEquals(List.of(), left.toList(), "left in TMPDIR");
      }
    } finally {
      Set<Path> made = coordinatorArchives(target);
      made.removeAll(before);
      for (Path archive : made) {
        Files.delete(archive);
      }
    }
  }

  private static Set<Path> coordinatorArchives(Path target) throws Exception {
    try (var files = Files.list(target)) {
      return new HashSet<>(files
          .filter(p -> p.getFileName().toString().matches("coordinator-\\d+\\.jsa")).toList());
    }
  }

  private static int runScript(Path archives, List<String> options) throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("scripts/coordinator.sh").toString(),
        "--procs", "2", "--count", "20"));
    command.addAll(options);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("JPROCS_CLASS_ARCHIVE", archives.toString());
    builder.environment().put("JPROCS_JAVA_OPTS", options.isEmpty() ? "" : "-Xshare:on");
    Process process = builder.start();
    process.getOutputStream().close();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "coordinator.sh finished");
    return process.exitValue();
  }

  /** [place, input rank, score] of the ten best, computed in this JVM without any worker. */
  private static List<List<Integer>> expectedTopTen() throws Exception {
    AlignTask align = new AlignTask();
    List<JsonNode> inputs = align.sampleInputs(1000, 1).orElseThrow();
    TaskContext context = new TaskContext(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), 0, 1, "test");
    List<int[]> scored = new ArrayList<>();
    for (int rank = 0; rank < inputs.size(); rank++) {
      // As a worker sends it: align gives its output as JSON text.
      JsonNode alignment = Codec.parse(Codec.toJson(align.apply(inputs.get(rank), context)));
      scored.add(new int[] {rank, alignment.get("score").intValue()});
    }
    scored.sort(Comparator.<int[]>comparingInt(s -> -s[1]).thenComparingInt(s -> s[0]));
    List<List<Integer>> top = new ArrayList<>();
    for (int place = 0; place < 10; place++) {
      top.add(List.of(place + 1, scored.get(place)[0], scored.get(place)[1]));
    }
    return top;
  }
}
