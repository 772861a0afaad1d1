package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker command line a configuration makes, without starting a worker. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PoolConfigTest {
  @Test
  void heapSizesReadAsTheJvmReadsThem() {
    assertEquals(512L << 20, PoolConfig.bytes("512m"));
    assertEquals(2L << 30, PoolConfig.bytes("2G"));
    assertEquals(4096L << 10, PoolConfig.bytes("4096k"));
    assertEquals(1000L, PoolConfig.bytes("1000"));
  }

  @Test
  void aBlankJvmOptionIsRefusedWithItsPosition() {
    IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
        () -> PoolConfig.builder().jvmOptions(List.of("-Xss1m", " ")));
    assertTrue(blank.getMessage().startsWith("JVM option 1 of ['-Xss1m', ' '] is blank"), blank.getMessage());
  }

  @Test
  void aWorkerStartsWithASmallHeapUnlessItsCapIsSmallerStill() {
    List<String> usual = PoolConfig.builder().build().launcher().command("worker-0");
    assertTrue(usual.containsAll(List.of("-Xmx512m", "-Xms32m")), usual.toString());
    assertTrue(usual.indexOf("-Xms32m") < usual.indexOf("dev.jprocs.worker.WorkerMain"), usual.toString());

    List<String> tiny = PoolConfig.builder().workerHeap("16m").build().launcher().command("worker-0");
    assertTrue(tiny.contains("-Xmx16m"), tiny.toString());
    assertFalse(tiny.stream().anyMatch(option -> option.startsWith("-Xms")), tiny.toString());
  }
}
