package dev.jprocs.coordinator.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerLauncher;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.PipeClosedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JvmProcess against real child JVMs: Python's Process, in Java. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class JvmProcessTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void childRunsItsMainWithItsArgumentsAndReportsItsExitCode() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess process = JvmProcess.of(Children.Greeter.class, "bob", "3").name("greeter")
        .output(output::add);
    assertNull(process.exitCode());
    assertTrue(process.toString().contains("greeter, initial"), process.toString());

    process.start();
    process.join();

    assertFalse(process.isAlive());
    assertEquals(3, process.exitCode());
    assertTrue(output.contains("hello bob from greeter"), output.toString());
    assertTrue(process.toString().matches("JvmProcess\\[greeter, pid \\d+, stopped: exit 3]"),
        process.toString());
  }

  @Test
  void aSleepingChildIsAliveUntilKilledAndJoinWithATimeoutSaysWhetherItEnded() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    try (JvmProcess process = JvmProcess.of(Children.Sleeper.class).output(output::add).start()) {
      await().atMost(PATIENCE).until(() -> output.contains("sleeping"));

      assertTrue(process.isAlive());
      assertNull(process.exitCode());
      assertFalse(process.join(Duration.ofMillis(50)));
      assertTrue(ProcessHandle.of(process.pid()).isPresent());

      process.kill();
      assertTrue(process.join(PATIENCE));
      assertFalse(process.isAlive());
      assertEquals(137, process.exitCode());
      assertTrue(process.toString().endsWith("stopped: killed by SIGKILL (exit 137)]"), process.toString());
    }
  }

  @Test
  void terminateStopsTheChildGracefullySoItsShutdownHooksRun() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess process = JvmProcess.of(Children.Sleeper.class).output(output::add).start();
    await().atMost(PATIENCE).until(() -> output.contains("sleeping"));

    process.terminate();
    process.join();

    assertEquals(143, process.exitCode(), output.toString());
    assertTrue(output.contains("shutdown hook ran"), output.toString());
    assertTrue(process.toString().endsWith("stopped: killed by SIGTERM (exit 143)]"), process.toString());
  }

  @Test
  void anExceptionInTheChildExitsOneWithTheStackTraceInItsOutput() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess process = JvmProcess.of(Children.Thrower.class).name("thrower")
        .output(output::add).start();
    process.join();

    assertEquals(1, process.exitCode());
    String text = String.join("\n", output);
    assertTrue(text.contains("Process thrower failed:"), text);
    assertTrue(text.contains("java.lang.IllegalStateException: thrown in the child"), text);
    assertTrue(text.contains("at dev.jprocs.coordinator.process.Children$Thrower.main"), text);
    assertEquals(output.subList(Math.max(0, output.size() - 20), output.size()), process.lastOutput());
  }

  @Test
  void aRunnableTargetRunsInTheChild() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess process = JvmProcess.of(Children.Runner.class).name("runner").output(output::add).start();
    process.join();

    assertEquals(0, process.exitCode());
    assertTrue(output.contains("running as a Runnable in runner"), output.toString());
  }

  @Test
  void aTaskRunsOnceInAChildAndItsOutputComesBackOverThePipe() throws Exception {
    JvmProcess square = JvmProcess.ofTask(TaskSpec.of("square"), 12).start();
    assertEquals(144L, square.pipe().recv(Long.class));
    square.join();
    assertEquals(0, square.exitCode());

    JvmProcess failing = JvmProcess.ofTask(TaskSpec.of("fail"), "no such record")
        .classpath(TestPools.testTasksClasspath()).output(line -> { }).start();
    PipeClosedException end = assertThrows(PipeClosedException.class, () -> failing.pipe().recv());
    assertTrue(end.getMessage().contains("ended: exit 1"), end.getMessage());
    assertTrue(end.getMessage().contains("IllegalStateException: no such record"), end.getMessage());
    failing.join();
  }

  @Test
  void aChildNeverOutlivesItsParentEvenWhenTheParentIsKilled() throws Exception {
    // A stand-in coordinator in its own JVM starts the child; then it is killed by pid.
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName());
    Process parent = new ProcessBuilder(command)
        .redirectError(tempDir.resolve("parent-stderr.txt").toFile()).start();
    long childPid = -1;
    try (BufferedReader stdout = new BufferedReader(
        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      childPid = Long.parseLong(stdout.readLine().trim());
      ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
      assertEquals(parent.pid(), child.parent().map(ProcessHandle::pid).orElse(-1L));

      new ProcessBuilder("kill", "-9", Long.toString(parent.pid())).start().waitFor();

      await("the orphaned child to exit").atMost(PATIENCE).until(() -> !child.isAlive());
      assertEquals(137, parent.waitFor());
    } finally {
      parent.destroyForcibly();
      ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aProcessStartsOnceAndIsUsableOnlyAfterItStarted() throws Exception {
    JvmProcess process = JvmProcess.of(Children.Greeter.class, "again").output(line -> { });
    assertThrows(IllegalStateException.class, process::pid);
    assertThrows(IllegalStateException.class, process::join);
    assertThrows(IllegalStateException.class, process::pipe);

    process.start();
    assertThrows(IllegalStateException.class, process::start);
    assertThrows(IllegalStateException.class, () -> process.name("late"));
    process.join();
  }

  @Test
  void childCommandUsesTheWorkersQuietFlagsAndLeanClasspath() {
    List<String> command = WorkerLauncher.childCommand(List.of(), List.of("-Xmx64m"), "Main", List.of("a"));

    assertEquals(List.of("-Xlog:disable", "-Xlog:all=warning:stderr"), command.subList(1, 3));
    String classpath = command.get(command.indexOf("-cp") + 1);
    assertFalse(classpath.contains("coordinator/target/classes") || classpath.contains("jprocs-coordinator"),
        "a child does not get the coordinator's classes: " + classpath);
    assertEquals(List.of("Main", "a"), command.subList(command.size() - 2, command.size()));
  }

  @Test
  void childOutsideAJvmProcessHasNoPipe() {
    IllegalStateException e = assertThrows(IllegalStateException.class, Child::pipe);
    assertTrue(e.getMessage().contains("not started by JvmProcess"), e.getMessage());
  }
}
