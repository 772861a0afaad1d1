package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Worker deaths, timeouts, storms and recycling, with real SIGKILLs of real worker JVMs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class SupervisionTest {
  private final List<String> deaths = new CopyOnWriteArrayList<>();
  private final List<WorkerExit> retirements = new CopyOnWriteArrayList<>();
  /** "spawned PID" and "ready PID" of each slot's workers, in the order the events came. */
  private final List<String> starts = new CopyOnWriteArrayList<>();
  private final PoolEvents recorder = new PoolEvents() {
    @Override
    public void workerSpawned(String workerId, long pid, int restarts) {
      starts.add("spawned " + pid);
    }

    @Override
    public void workerReady(String workerId, long pid) {
      starts.add("ready " + pid);
    }

    @Override
    public void workerDied(WorkerExit exit, String description) {
      deaths.add(description);
    }

    @Override
    public void workerRetired(WorkerExit exit) {
      retirements.add(exit);
    }
  };

  @Test
  void aKilledWorkersSlotIsTakenAtOnceByTheWarmSpareUnderTheSlotsId() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).spareWorker(true, Duration.ZERO)
        .events(recorder).build())) {
      await().atMost(60, TimeUnit.SECONDS).until(() -> pool.sparePid() > 0);
      long spare = pool.sparePid();
      long first = pool.workers().get(0).pid();
      assertEquals("worker-0 " + first, pool.apply("whoami", 0, String.class));

      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      await().atMost(60, TimeUnit.SECONDS).until(() -> pool.workers().get(0).pid() == spare
          && pool.workers().get(0).state() == WorkerInfo.State.READY);
      assertEquals("worker-0 " + spare, pool.apply("whoami", 0, String.class),
          "the spare says it is worker-0, as the pool calls it");
      assertEquals(1, pool.workers().get(0).restarts());
      await().atMost(60, TimeUnit.SECONDS).until(() -> pool.sparePid() > 0 && pool.sparePid() != spare);
      assertEquals(1, deaths.size(), deaths.toString());
      assertTrue(deaths.get(0).contains("(pid " + first + ")"), deaths.get(0));
      assertEquals(List.of("spawned " + first, "ready " + first, "spawned " + spare, "ready " + spare),
          starts, "the spare's slot is announced before its hello");
    }
  }

  @Test
  void aPoisonInputThatKillsSpareAfterSpareStillFailsAloneAndTheRestComplete() throws Exception {
    List<Integer> inputs = new ArrayList<>(IntStream.range(0, 60).boxed().toList());
    inputs.set(17, -1);
    try (Pool pool = Pool.start(TestPools.config(2).spareWorker(true, Duration.ZERO)
        .events(recorder).build())) {
      await().atMost(60, TimeUnit.SECONDS).until(() -> pool.sparePid() > 0);
      Results results = pool.results(TaskSpec.of("haltif"), inputs, 5);
      for (int rank = 0; rank < inputs.size(); rank++) {
        TaskResult result = results.next();
        if (rank == 17) {
          assertEquals(TaskFailure.Kind.WORKER_DIED, result.failure().kind(), result.toString());
        } else {
          assertEquals(rank, result.value(Integer.class), "rank " + rank);
        }
      }
      assertEquals(3, deaths.size(), "one death per attempt at the poison input: " + deaths);
    }
  }

  @Test
  void chaosOfRepeatedSigkillsChangesNoResult() throws Exception {
    chaos(false);
  }

  @Test
  void chaosOfRepeatedSigkillsWithAWarmSpareTakingSlotsChangesNoResult() throws Exception {
    chaos(true);
  }

  private void chaos(boolean spare) throws Exception {
    List<Integer> inputs = IntStream.range(0, 20_000).boxed().toList();
    List<Long> faultFree;
    try (Pool pool = Pool.start(TestPools.config(4).build())) {
      faultFree = pool.map(TaskSpec.of("square"), inputs, Long.class, 1);
    }

    // Kills land on fresh workers too, so the same input may lose several attempts in a row:
    // attempts and restarts are not what this test is about, so neither may end the run.
    PoolConfig config = TestPools.config(4).events(recorder).maxAttempts(1_000)
        .spareWorker(spare, Duration.ZERO)
        .restartPolicy(failures -> Duration.ZERO)
        .restartLimit(10_000, Duration.ofSeconds(60)).build();
    Set<Long> killed = ConcurrentHashMap.newKeySet(); // each pid once: a dying process still looks alive for a moment
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    try (Pool pool = Pool.start(config)) {
      killer.scheduleWithFixedDelay(() -> {
        List<WorkerInfo> ready = pool.workers().stream()
            .filter(w -> w.ready() && !killed.contains(w.pid())).toList();
        // A dozen kills, then the pool may finish: a JVM takes longer to start than four workers
        // take to be killed at this pace, so endless kills would starve the run.
        if (!ready.isEmpty() && killed.size() < 12) {
          long pid = ready.get(ThreadLocalRandom.current().nextInt(ready.size())).pid();
          ProcessHandle.of(pid).ifPresent(p -> {
            if (p.destroyForcibly()) { // SIGKILL
              killed.add(pid);
            }
          });
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
      int rounds = 0;
      while (killed.size() < 10 && rounds++ < 20) {
        assertEquals(faultFree, pool.map(TaskSpec.of("square"), inputs, Long.class, 1),
            "round " + rounds + " after " + killed.size() + " kills");
      }
      killer.shutdownNow();
      assertTrue(killer.awaitTermination(10, TimeUnit.SECONDS));
      // Each kill is described once, as its own death (exits are handled asynchronously).
      await().atMost(Duration.ofSeconds(30)).until(() -> deaths.size() >= killed.size());
      assertEquals(killed.size(), deaths.size(), deaths.toString());
    }
    assertTrue(killed.size() >= 10, "kills: " + killed.size());
    assertTrue(deaths.stream().allMatch(d -> d.contains("killed by SIGKILL (exit 137)")), deaths.toString());
  }

  @Test
  void aTaskThatKillsItsWorkerOnEveryAttemptFailsAloneWithTheEvidence() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).events(recorder).build())) {
      Iterator<TaskResult> results = pool.results(TaskSpec.of("haltif"), List.of(1, 2, -3, 4, -5, 6), 0);
      List<TaskResult> all = new ArrayList<>();
      results.forEachRemaining(all::add);

      assertEquals(List.of(1L, 2L, 4L, 6L), List.of(all.get(0), all.get(1), all.get(3), all.get(5))
          .stream().map(r -> r.value(Long.class)).toList());
      for (int rank : new int[] {2, 4}) {
        TaskFailure failure = all.get(rank).failure();
        assertEquals(TaskFailure.Kind.WORKER_DIED, failure.kind());
        // Sent at least three times; more when it waited behind the other poisoned input.
        assertTrue(failure.attempts() >= 3, failure.toString());
        assertTrue(failure.message().contains("its worker died while running it, on 3 attempts"), failure.message());
        assertTrue(failure.message().contains("exit 7"), failure.message());
        assertTrue(failure.remoteTrace().contains("at rank " + rank + ", attempt " + failure.attempts()
            + ": halting"), failure.remoteTrace());
      }
      assertEquals(List.of(9L), pool.map("square", List.of(3), Long.class));
    }
    assertTrue(deaths.stream().anyMatch(d -> d.contains("(exit 7)") || d.contains("exit 7;")), deaths.toString());
  }

  @Test
  void anInputTooBigForTheWorkersHeapKillsItsWorkerAndFailsAloneSayingOutOfMemory() throws Exception {
    // 8M characters: the worker's reader runs out of its 24m heap decoding the line, before any
    // task sees it. Such a worker used to stay alive with a dead reader, and the pool waited.
    String huge = "x".repeat(8 * 1024 * 1024);
    PoolConfig config = TestPools.config(1).events(recorder).workerHeap("24m").maxAttempts(2).build();
    try (Pool pool = Pool.start(config)) {
      Iterator<TaskResult> results = pool.results(TaskSpec.of("length"), List.of("a", huge, "bc"), 3);

      assertEquals(1, results.next().value(Integer.class));
      TaskFailure failure = results.next().failure();
      assertEquals(TaskFailure.Kind.WORKER_DIED, failure.kind(), failure.toString());
      assertEquals(1, failure.rank());
      assertTrue(failure.message().contains("exit 3: it ran out of memory"), failure.message());
      assertTrue(failure.message().contains("--worker-heap"), failure.message());
      assertTrue(failure.remoteTrace().contains("Terminating due to java.lang.OutOfMemoryError: Java heap space"),
          failure.remoteTrace());
      assertEquals(2, results.next().value(Integer.class));
      assertEquals(List.of(9L), pool.map("square", List.of(3), Long.class));
    }
    assertTrue(deaths.size() >= 2, deaths.toString());
  }

  @Test
  void aTaskOverItsTimeoutHasItsWorkerKilledAndIsFailedAfterItsAttempts() throws Exception {
    PoolConfig config = TestPools.config(2).events(recorder).maxAttempts(2)
        .taskTimeout(Duration.ofMillis(1500)).build();
    try (Pool pool = Pool.start(config)) {
      CompletableFuture<Object> hung = pool.submit(TaskSpec.of("hang"), 1, Object.class);
      List<Long> meanwhile = pool.map("square", IntStream.range(0, 100).boxed().toList(), Long.class);

      ExecutionException e = assertThrows(ExecutionException.class, () -> hung.get(60, TimeUnit.SECONDS));
      TaskFailure failure = assertInstanceOf(TaskFailedException.class, e.getCause()).failure();
      assertEquals(TaskFailure.Kind.WORKER_DIED, failure.kind());
      assertEquals(2, failure.attempts());
      assertTrue(failure.message().contains("over the task timeout of 1500 ms"), failure.message());
      assertTrue(failure.remoteTrace().contains("hanging on rank 0"), failure.remoteTrace());
      assertEquals(99L * 99L, meanwhile.get(99));
    }
    assertEquals(2, deaths.size(), deaths.toString());
  }

  @Test
  void aSlotThatCannotRestartStopsThePoolWithARestartStormShowingItsStderr(@TempDir Path dir)
      throws Exception {
    Path marker = dir.resolve("fail-now");
    List<String> broken = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(1).events(recorder)
        .mainClass("dev.jprocs.coordinator.testing.FlakyStartWorker")
        .jvmOptions(List.of("-Djprocs.test.failMarker=" + marker))
        .restartPolicy(failures -> Duration.ofMillis(10))
        .build();
    try (Pool pool = Pool.start(config)) {
      CompletableFuture<Object> stuck = pool.submit(TaskSpec.of("hang"), 1, Object.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workers().get(0).itemsHeld() == 1);
      Files.createFile(marker);
      pool.killWorker("worker-0");

      ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(60, TimeUnit.SECONDS));
      TaskFailure failure = assertInstanceOf(TaskFailedException.class, e.getCause()).failure();
      assertEquals(TaskFailure.Kind.CANCELLED, failure.kind());
      String reason = pool.brokenReason();
      assertNotNull(reason);
      assertTrue(reason.contains("restart storm: worker-0 failed to start 4 times in a row"), reason);
      assertTrue(reason.contains("FlakyStartWorker: " + marker + " exists; refusing to start"), reason);
      assertTrue(failure.message().contains("restart storm"), failure.message());
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> pool.map("square", List.of(1), Long.class));
      assertTrue(refused.getMessage().contains("restart storm"), refused.getMessage());
    }
  }

  @Test
  void workersAreRecycledGracefullyAfterMaxTasksPerWorker() throws Exception {
    PoolConfig config = TestPools.config(2).events(recorder).maxTasksPerWorker(50).build();
    try (Pool pool = Pool.start(config)) {
      List<Long> pids = pool.map(TaskSpec.of("pid"), IntStream.range(0, 400).boxed().toList(), Long.class, 10);

      Map<Long, Integer> perPid = new HashMap<>();
      pids.forEach(pid -> perPid.merge(pid, 1, Integer::sum));
      assertTrue(perPid.size() >= 8, "400 inputs at most 50 per worker: " + perPid);
      assertTrue(perPid.values().stream().allMatch(n -> n <= 50), perPid.toString());
    }
    assertEquals(List.of(), deaths);
    assertTrue(retirements.size() >= 8, retirements.toString());
    assertTrue(retirements.stream().allMatch(WorkerExit::clean), retirements.toString());
  }

  @Test
  void aDeadWorkersLateAnswerCannotReachTheCallerTwice() throws Exception {
    // haltfirst halts on attempt 1 of each input; every input is retried and answered once.
    try (Pool pool = Pool.start(TestPools.config(2).events(recorder).build())) {
      List<Long> out = pool.map(TaskSpec.of("haltfirst"), List.of(5L, 6L, 7L), Long.class, 3);

      assertEquals(List.of(5L, 6L, 7L), out);
      assertFalse(deaths.isEmpty());
    }
  }
}
