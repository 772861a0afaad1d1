package dev.jprocs.coordinator.testing;

import dev.jprocs.coordinator.PoolConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Pool configurations for tests: the test tasks on the worker classpath, small heaps. */
public final class TestPools {
  private TestPools() {}

  /** The directory (or jar) holding the test tasks, added to workers as a user's jar would be. */
  public static Path testTasksClasspath() {
    try {
      return Path.of(MisbehavingTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A builder for {@code procs} workers that can run the test tasks. Without a spare worker, so
   * tests on a 2-core machine do not boot one more JVM each; the spare's own tests turn it on.
   */
  public static PoolConfig.Builder config(int procs) {
    return PoolConfig.builder()
        .procs(procs)
        .classpath(List.of(testTasksClasspath()))
        .workerHeap("256m")
        .startTimeout(Duration.ofSeconds(60))
        .shutdownGrace(Duration.ofSeconds(10))
        .spareWorker(false);
  }
}
