package dev.jprocs.coordinator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run directories and how a client finds one; no processes. */
class RunDirectoryTest {
  @TempDir Path logs;

  @Test
  void eachRunGetsItsOwnOwnerOnlyDirectoryAndLatestFollowsTheNewest() throws Exception {
    RunDirectory first = RunDirectory.create(logs.resolve("made/on/demand"));
    RunDirectory second = RunDirectory.create(logs.resolve("made/on/demand"));

    assertNotEquals(first.runId(), second.runId());
    assertTrue(first.runId().matches("\\d{8}-\\d{6}-" + ProcessHandle.current().pid()), first.runId());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(second.path())));
    Path latest = logs.resolve("made/on/demand/latest");
    assertEquals(Path.of(second.runId()), Files.readSymbolicLink(latest), "a relative link");
    assertEquals(second.path().toRealPath(), RunDirectory.find(first.root(), null));
    assertEquals(second.path().toRealPath(), RunDirectory.find(first.root(), "latest"));
    assertEquals(second.path().resolve(RunDirectory.CONTROL_SOCKET), second.controlSocket());
  }

  @Test
  void aRunIsFoundByItsIdUnderTheRootOrByItsPath() throws Exception {
    RunDirectory run = RunDirectory.create(logs);
    RunDirectory.create(logs); // latest moves on; the first is still found by name

    assertEquals(run.path().toRealPath(), RunDirectory.find(logs, run.runId()));
    assertEquals(run.path().toRealPath(), RunDirectory.find(logs.resolve("elsewhere"), run.path().toString()));
  }

  @Test
  void missingRunsAreReportedWithWhatWasLookedFor() throws Exception {
    FileNotFoundException noLatest = assertThrows(FileNotFoundException.class, () -> RunDirectory.find(logs, null));
    assertTrue(noLatest.getMessage().contains(logs.resolve("latest") + " does not exist"), noLatest.getMessage());

    RunDirectory.create(logs);
    FileNotFoundException noSuchRun = assertThrows(FileNotFoundException.class,
        () -> RunDirectory.find(logs, "20000101-000000-1"));
    assertTrue(noSuchRun.getMessage().contains(logs.resolve("20000101-000000-1").toString()), noSuchRun.getMessage());

    Files.delete(logs.resolve("latest"));
    Files.createSymbolicLink(logs.resolve("latest"), Path.of("gone"));
    FileNotFoundException dangling = assertThrows(FileNotFoundException.class, () -> RunDirectory.find(logs, "latest"));
    assertTrue(dangling.getMessage().contains("points at " + logs.resolve("gone")), dangling.getMessage());
  }
}
