package dev.jprocs.coordinator.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test, waits a little for this JVM's child processes to be gone and fails the test
 * if any is left, killing it so the next test starts clean. A child left behind is a bug in
 * shutdown or in the test.
 */
public final class NoChildProcesses implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) {
    try {
      await("child processes of the test JVM to exit")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<ProcessHandle> left = ProcessHandle.current().descendants().collect(Collectors.toList());
      String names = left.stream()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
          .collect(Collectors.joining("\n  "));
      left.forEach(ProcessHandle::destroyForcibly);
      throw new AssertionError("child processes left behind:\n  " + names, e);
    }
  }
}
