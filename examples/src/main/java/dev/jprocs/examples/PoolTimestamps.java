package dev.jprocs.examples;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.worker.tasks.SleepTask.Slept;
import java.util.Collections;

/**
 * Pool(4) over eight one-second sleeps, each printed as it finishes: four timestamps, then, a
 * second later, four more.
 */
public final class PoolTimestamps {
  private PoolTimestamps() {}

  public static void main(String[] args) throws Exception {
    try (Pool pool = Pool.start(PoolConfig.builder().procs(4).build())) {
      pool.imapUnordered(TaskSpec.of("sleep"), Collections.nCopies(8, 1), Slept.class, 1)
          .forEachRemaining(s -> System.out.println(s.start() + " pid " + s.pid() + " until " + s.end()));
    }
  }
}
