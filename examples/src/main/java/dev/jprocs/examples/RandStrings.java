package dev.jprocs.examples;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.worker.tasks.RandStringTask.Ranked;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * rand_string with ranks: four random strings made in four workers arrive in whatever order they
 * finish, each with its rank, and are put back in rank order.
 */
public final class RandStrings {
  private RandStrings() {}

  public static void main(String[] args) throws Exception {
    try (Pool pool = Pool.start(PoolConfig.builder().procs(4).build())) {
      List<Ranked> results = new ArrayList<>();
      pool.imapUnordered(TaskSpec.of("randstring").with("seed", 7), List.of(5, 5, 5, 5),
          Ranked.class, 1).forEachRemaining(results::add);
      results.sort(Comparator.comparingLong(Ranked::rank));
      System.out.println(results.stream().map(r -> "(" + r.rank() + ", '" + r.string() + "')")
          .collect(Collectors.joining(", ", "[", "]")));
    }
  }
}
