package dev.jprocs.examples;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import java.util.List;
import java.util.stream.IntStream;

/** {@code Pool(5).map(f, range(10))}, with the built-in task {@code square} as f. */
public final class PoolMap {
  private PoolMap() {}

  public static void main(String[] args) throws Exception {
    try (Pool pool = Pool.start(PoolConfig.builder().procs(5).build())) {
      List<Long> squares = pool.map("square", IntStream.range(0, 10).boxed().toList(), Long.class);
      System.out.println(squares); // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
    }
  }
}
