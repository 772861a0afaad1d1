package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The same pool, tasks and guarantees with workers that are threads of this JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class ThreadModeTest {
  private static PoolConfig.Builder threads(int n) {
    return TestPools.config(n).mode(PoolConfig.Mode.THREADS);
  }

  @Test
  void threadWorkersRunTheSameTasksInThisJvmAndReturnResultsInOrder() throws Exception {
    try (Pool pool = Pool.start(threads(4).build())) {
      List<Long> squares = pool.map("square", IntStream.range(0, 3000).boxed().toList(), Long.class);
      List<Long> pids = pool.map("pid", List.of(1, 2, 3), Long.class);

      assertEquals(IntStream.range(0, 3000).mapToObj(x -> (long) x * x).toList(), squares);
      assertEquals(new HashSet<>(List.of(ProcessHandle.current().pid())), new HashSet<>(pids));
      assertEquals(0, ProcessHandle.current().children().count(), "no child JVM was started");
    }
  }

  @Test
  void eachThreadWorkerHasItsOwnTaskInstancesSoStatefulTasksStayCorrect() throws Exception {
    // align reuses its buffers between inputs; shared between threads, it would mix alignments.
    List<JsonNode> sequences = new dev.jprocs.worker.tasks.AlignTask().sampleInputs(2000, 3).orElseThrow();
    try (Pool processes = Pool.start(TestPools.config(1).build())) {
      List<JsonNode> expected = processes.map(TaskSpec.of("align"), sequences, JsonNode.class, 0);
      try (Pool threads = Pool.start(threads(4).build())) {
        assertEquals(expected, threads.map(TaskSpec.of("align"), sequences, JsonNode.class, 25));
      }
    }
  }

  @Test
  void aTaskSubmittedFromAThreadThatHasEndedLeavesTheThreadWorkerWell() throws Exception {
    // A java.io pipe reports itself broken to its reader once the last thread that wrote to it
    // has ended (after about 2 s of finding it empty): only the pool's writer thread may write a
    // thread worker's stdin, never the thread that submits.
    try (Pool pool = Pool.start(threads(1).build())) {
      Thread caller = new Thread(() -> assertEquals(9L, pool.submit(TaskSpec.of("square"), 3,
          Long.class).join()), "short-lived-caller");
      caller.start();
      caller.join(10_000);

      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> pool.workers().get(0).restarts() == 0 && pool.workers().get(0).ready());
      assertEquals(49L, pool.submit(TaskSpec.of("square"), 7, Long.class).get());
      assertEquals(0, pool.workers().get(0).restarts());
    }
  }

  @Test
  void aKilledThreadWorkerIsReplacedAndItsInputsRetried() throws Exception {
    try (Pool pool = Pool.start(threads(2).build())) {
      Iterator<JsonNode> results = pool.imap(TaskSpec.of("sleep"), List.of(0.05, 0.05, 0.05, 0.05,
          0.05, 0.05), JsonNode.class, 1);
      List<JsonNode> out = new ArrayList<>();
      out.add(results.next());
      pool.killWorker("worker-0");
      results.forEachRemaining(out::add);

      assertEquals(6, out.size());
      assertTrue(out.stream().allMatch(o -> o.get("seconds").asDouble() == 0.05), out.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.workers().get(0).restarts() == 1
          && pool.workers().get(0).ready());
    }
  }

  @Test
  void randomStringsComeBackInRankOrderWhateverOrderTheyFinished() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(3).build())) {
      List<JsonNode> out = pool.map(TaskSpec.of("randstring").with("seed", 42),
          IntStream.range(0, 90).mapToObj(i -> 5 + i % 7).toList(), JsonNode.class, 4);

      for (int rank = 0; rank < out.size(); rank++) {
        assertEquals(rank, out.get(rank).get("rank").asInt());
        assertEquals(5 + rank % 7, out.get(rank).get("string").asText().length());
      }
      assertNotNull(out.get(89));
    }
  }
}
