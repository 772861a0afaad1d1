package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pool against real worker JVMs started by the production launcher. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class PoolTest {

  /** Records, per worker, the most chunks it held at once (sent and not yet answered). */
  private static final class InFlight implements PoolEvents {
    private final java.util.Map<String, Integer> now = new java.util.HashMap<>();
    private final java.util.Map<String, Integer> most = new java.util.HashMap<>();

    @Override
    public synchronized void taskSent(String workerId, long pid, long taskId, String task,
        long firstRank, int count, int attempt) {
      int held = now.merge(workerId, 1, Integer::sum);
      most.merge(workerId, held, Math::max);
    }

    @Override
    public synchronized void resultReceived(String workerId, long pid, long taskId, int attempt,
        int outputs, int errors) {
      now.merge(workerId, -1, Integer::sum);
    }

    synchronized int most() {
      return most.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
  }

  @Test
  void automaticChunksAreFourPerWorkerAsPythonsButAtMost4096Inputs() {
    assertEquals(1, Pool.automaticChunksize(0, 2));
    assertEquals(1, Pool.automaticChunksize(3, 2));
    assertEquals(13, Pool.automaticChunksize(100, 2)); // 8 chunks, rounded up
    assertEquals(3125, Pool.automaticChunksize(100_000, 8));
    assertEquals(4096, Pool.automaticChunksize(1_000_000, 2));
    assertEquals(4096, Pool.automaticChunksize(Integer.MAX_VALUE, 1));
  }

  @Test
  void aWorkerAnsweringPlainJsonAndRecordsNeverLoadsJacksonsObjectMapper(@TempDir Path logs)
      throws Exception {
    // Building databind's ObjectMapper was two thirds of a worker's start; the codec's streaming
    // path and its plain-record conversion keep it out of the common tasks' way.
    Path classes = logs.resolve("classes.log");
    try (Pool pool = Pool.start(TestPools.config(1)
        .jvmOptions(List.of("-Xlog:class+load=info:file=" + classes)).build())) {
      assertEquals(List.of(9L, 16L), pool.map("square", List.of(3, 4), Long.class));
      JsonNode alignment = pool.map(TaskSpec.of("align").with("reference", "ACGT"), List.of("ACGT"),
          JsonNode.class, 0).get(0);
      assertEquals(4, alignment.path("score").asInt(), alignment.toString());
      assertEquals(0.0, pool.map("sleep", List.of(0), JsonNode.class).get(0).path("seconds").asDouble());
    }
    String loaded = Files.readString(classes);
    assertTrue(loaded.contains("dev.jprocs.worker.tasks.GlobalAligner "), "the log lists loaded classes");
    assertFalse(loaded.contains("com.fasterxml.jackson.databind.ObjectMapper "),
        "the worker loaded ObjectMapper");
  }

  @Test
  void workersWithTheVectorApiAlignInLanesAndGiveTheSameOutputs(@TempDir Path logs) throws Exception {
    List<JsonNode> sequences = new dev.jprocs.worker.tasks.AlignTask().sampleInputs(300, 9).orElseThrow();
    java.util.Queue<String> stderr = new java.util.concurrent.ConcurrentLinkedQueue<>();
    PoolEvents events = new PoolEvents() {
      @Override
      public void workerStderr(String workerId, long pid, String line) {
        stderr.add(line);
      }
    };
    Path classes = logs.resolve("classes.log");
    List<JsonNode> inLanes;
    try (Pool pool = Pool.start(TestPools.config(1).vectorApi(true).events(events)
        .jvmOptions(List.of("-Xlog:class+load=info:file=" + classes)).build())) {
      inLanes = pool.map(TaskSpec.of("align"), sequences, JsonNode.class, 300);
    }
    List<JsonNode> oneByOne;
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      oneByOne = pool.map(TaskSpec.of("align"), sequences, JsonNode.class, 300);
    }
    assertEquals(oneByOne, inLanes);
    assertTrue(stderr.contains("WARNING: Using incubator modules: jdk.incubator.vector"), stderr.toString());
    assertTrue(Files.readString(classes).contains("dev.jprocs.worker.tasks.VectorAligner "),
        "the worker aligned in vector lanes");
  }

  @Test
  void aWorkerWhoseJvmLogsJfrsStartOnStdoutStillAnswersAndTheLinesGoWithItsStderr(@TempDir Path logs)
      throws Exception {
    // JDK 17 prints "[0.5s][info][jfr,startup] Started recording 1..." on stdout before main runs,
    // whatever -Xlog says; a user profiling workers with --jvm-option must not lose them for it.
    java.util.Queue<String> stderr = new java.util.concurrent.ConcurrentLinkedQueue<>();
    PoolEvents events = new PoolEvents() {
      @Override
      public void workerStderr(String workerId, long pid, String line) {
        stderr.add(line);
      }
    };
    try (Pool pool = Pool.start(TestPools.config(1).events(events).jvmOptions(List.of(
        "-XX:StartFlightRecording=filename=" + logs.resolve("worker.jfr"))).build())) {
      assertEquals(List.of(9L, 16L), pool.map("square", List.of(3, 4), Long.class));
      assertEquals(1, pool.workers().size());
    }
    assertTrue(stderr.stream().anyMatch(line -> line.contains("[jfr,startup] Started recording")),
        stderr.toString());
  }

  @Test
  void aWorkerGivenTinyChunksHoldsMoreThanTwoSoThePipesRoundTripDoesNotPaceIt() throws Exception {
    InFlight inFlight = new InFlight();
    try (Pool pool = Pool.start(TestPools.config(1).events(inFlight).build())) {
      List<Integer> inputs = IntStream.range(0, 20_000).boxed().toList();
      List<Long> squares = new ArrayList<>();
      pool.imap(TaskSpec.of("square"), inputs, Long.class, 1).forEachRemaining(squares::add);
      assertEquals(inputs.stream().map(i -> (long) i * i).toList(), squares);
    }
    assertTrue(inFlight.most() > 2, "most chunks held at once: " + inFlight.most());
  }

  @Test
  void aWorkerGivenChunksThatTakeTimeHoldsTwoAndAFixedWindowIsKept() throws Exception {
    InFlight slow = new InFlight();
    try (Pool pool = Pool.start(TestPools.config(1).events(slow).build())) {
      pool.map(TaskSpec.of("sleep"), Collections.nCopies(8, 0.05), JsonNode.class, 1);
    }
    assertEquals(2, slow.most(), "a 50 ms chunk is far more than the queued time the window grows to");
    InFlight fixed = new InFlight();
    try (Pool pool = Pool.start(TestPools.config(1).window(3).events(fixed).build())) {
      pool.map(TaskSpec.of("square"), IntStream.range(0, 2_000).boxed().toList(), Long.class, 1);
    }
    assertEquals(3, fixed.most(), "window(3) is fixed");
  }

  @Test
  void mapOverTenThousandInputsOnFourWorkersReturnsThemInOrder() throws Exception {
    List<Integer> inputs = IntStream.range(0, 10_000).boxed().toList();
    try (Pool pool = Pool.start(TestPools.config(4).build())) {
      List<Long> squares = pool.map("square", inputs, Long.class);

      assertEquals(LongStream.range(0, 10_000).map(x -> x * x).boxed().toList(), squares);
      List<WorkerInfo> workers = pool.workers();
      assertEquals(4, workers.stream().map(WorkerInfo::pid).distinct().count());
      assertEquals(10_000, workers.stream().mapToLong(WorkerInfo::itemsDone).sum());
      assertTrue(workers.stream().allMatch(w -> w.itemsDone() > 0), "every worker did work: " + workers);
    }
  }

  @Test
  void smallChunksAndUnorderedIterationStillDeliverEveryResultOnce() throws Exception {
    List<Integer> inputs = IntStream.range(0, 500).boxed().toList();
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      List<Long> ordered = new ArrayList<>();
      pool.imap(TaskSpec.of("square"), inputs, Long.class, 1).forEachRemaining(ordered::add);
      List<Long> unordered = new ArrayList<>();
      pool.imapUnordered(TaskSpec.of("square"), inputs, Long.class, 7).forEachRemaining(unordered::add);

      List<Long> expected = inputs.stream().map(x -> (long) x * x).toList();
      assertEquals(expected, ordered);
      Collections.sort(unordered);
      assertEquals(expected, unordered);
    }
  }

  @Test
  void submitCompletesAFutureWithTheOutput() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      CompletableFuture<Long> square = pool.submit(TaskSpec.of("square"), 12, Long.class);
      CompletableFuture<Long> failed = pool.submit(TaskSpec.of("fail"), "no", Long.class);

      assertEquals(144L, square.get(30, TimeUnit.SECONDS));
      ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(30, TimeUnit.SECONDS));
      assertInstanceOf(TaskFailedException.class, e.getCause());
    }
  }

  @Test
  void taskExceptionComesBackWithItsClassAndMessageAndThePoolGoesOn() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      TaskFailedException e = assertThrows(TaskFailedException.class,
          () -> pool.map("fail", List.of("broken input"), String.class));

      TaskFailure failure = e.failure();
      assertEquals(TaskFailure.Kind.TASK_ERROR, failure.kind());
      assertEquals("java.lang.IllegalStateException", failure.exception());
      assertEquals("broken input", failure.message());
      assertEquals(0, failure.rank());
      RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
      assertEquals("java.lang.IllegalStateException", remote.remoteClass());
      assertTrue(remote.remoteTrace().contains("MisbehavingTasks$Fail.apply"), remote.remoteTrace());
      assertTrue(remote.remoteTrace().contains("Caused by: java.io.IOException: the underlying cause"),
          remote.remoteTrace());
      assertTrue(e.getMessage().contains("fail rank 0 on worker-"), e.getMessage());

      assertEquals(List.of(4L, 9L), pool.map("square", List.of(2, 3), Long.class));
    }
  }

  @Test
  void resultsReportEachFailureInPlaceAndTheOtherInputsStillSucceed() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      Iterator<TaskResult> results = pool.results(TaskSpec.of("square"),
          List.of(1, "not a number", 3), 0);
      TaskResult first = results.next();
      TaskResult second = results.next();
      TaskResult third = results.next();

      assertEquals(1L, first.value(Long.class));
      assertFalse(second.ok());
      assertEquals(1, second.failure().rank());
      assertTrue(second.failure().message().contains("square takes an integer"), second.failure().message());
      assertEquals(9L, third.value(Long.class));
    }
  }

  @Test
  void resultsKeepOutputsAsTheWorkersTextAndAMapBesideThemGetsTheSameTrees() throws Exception {
    java.util.Random random = new java.util.Random(3);
    List<String> sequences = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sequences.add(random.ints(20, 0, 4).mapToObj(b -> "ACGT".substring(b, b + 1))
          .collect(Collectors.joining()));
    }
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      Iterator<TaskResult> results = pool.results(TaskSpec.of("align"), sequences, 7);
      List<JsonNode> mapped = pool.map(TaskSpec.of("align"), sequences, JsonNode.class, 5);

      for (int i = 0; i < sequences.size(); i++) {
        TaskResult result = results.next();
        assertTrue(result.outputHeldAsText(), "rank " + i);
        assertEquals(mapped.get(i).get("score"), result.outputField("score"));
        assertEquals(dev.jprocs.protocol.JsonText.of(mapped.get(i)), result.outputJson());
        assertEquals(mapped.get(i), result.output());
      }
      assertFalse(results.hasNext());
    }
  }

  @Test
  void taskPrintingToSystemOutDoesNotCorruptTheChannel() throws Exception {
    List<WorkerExit> deaths = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(2).events(new PoolEvents() {
      @Override
      public void workerDied(WorkerExit exit, String description) {
        deaths.add(exit);
      }
    }).build();
    try (Pool pool = Pool.start(config)) {
      Set<Long> pidsBefore = pids(pool);
      List<String> inputs = IntStream.range(0, 200).mapToObj(i -> "line " + i).toList();

      assertEquals(inputs, pool.map("shout", inputs, String.class));
      assertEquals(pidsBefore, pids(pool), "no worker was replaced");
    }
    assertEquals(List.of(), deaths);
  }

  @Test
  void sentinelMakesEveryWorkerSayGoodbyeAndExitZero() throws Exception {
    List<WorkerExit> retired = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(4).events(new PoolEvents() {
      @Override
      public void workerRetired(WorkerExit exit) {
        retired.add(exit);
      }
    }).build();
    Pool pool = Pool.start(config);
    Set<Long> pids = pids(pool);
    pool.map("square", IntStream.range(0, 100).boxed().toList(), Long.class);
    pool.close();

    assertEquals(4, retired.size(), "goodbyes: " + retired);
    assertEquals(pids, retired.stream().map(WorkerExit::pid).collect(Collectors.toSet()));
    assertTrue(retired.stream().allMatch(e -> e.exitCode() == 0 && e.goodbye() != null));
    assertEquals(100, retired.stream().mapToLong(e -> e.goodbye().items()).sum());
    assertTrue(pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  @Test
  void resultsOfTensOfMegabytesTravelBothWaysWithoutDeadlock() throws Exception {
    String big = "y".repeat(24 * 1024 * 1024);
    // Both payloads may go to one worker (the other one not ready yet), whose reader then decodes
    // the 24 MB line while its task thread writes the 30 MB output: 256m is too little for that.
    try (Pool pool = Pool.start(TestPools.config(2).workerHeap("512m").build())) {
      CompletableFuture<String> out = pool.submit(TaskSpec.of("big"), 30, String.class);
      CompletableFuture<Integer> in = pool.submit(TaskSpec.of("length"), big, Integer.class);
      List<Long> meanwhile = pool.map("square", IntStream.range(0, 2000).boxed().toList(), Long.class);

      assertEquals(30 * 1024 * 1024, out.get(60, TimeUnit.SECONDS).length());
      assertEquals(big.length(), in.get(60, TimeUnit.SECONDS));
      assertEquals(1999L * 1999L, meanwhile.get(1999));
    }
  }

  @Test
  void inputOverTheLineLimitFailsAloneWithoutHarmingItsChunkOrTheWorkers() throws Exception {
    List<WorkerExit> deaths = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(1).maxLineBytes(4096).events(new PoolEvents() {
      @Override
      public void workerDied(WorkerExit exit, String description) {
        deaths.add(exit);
      }
    }).build();
    try (Pool pool = Pool.start(config)) {
      Iterator<TaskResult> results = pool.results(TaskSpec.of("length"),
          List.of("a", "x".repeat(10_000), "bc"), 3);

      assertEquals(1, results.next().value(Integer.class));
      TaskFailure refused = results.next().failure();
      assertEquals(TaskFailure.Kind.INPUT_REFUSED, refused.kind());
      assertEquals(1, refused.rank());
      assertTrue(refused.message().contains("over the line limit of 4096 bytes"), refused.message());
      assertEquals(2, results.next().value(Integer.class));
    }
    assertEquals(List.of(), deaths);
  }

  @Test
  void unknownTaskIsRefusedBeforeAnythingIsSent() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> pool.map("no-such-task", List.of(1), Object.class));
      assertTrue(e.getMessage().contains("no task named 'no-such-task'"), e.getMessage());
      assertTrue(e.getMessage().contains("square"), e.getMessage());
    }
  }

  @Test
  void workerSpeakingAnotherProtocolVersionIsRefusedBeforeAnyTask() {
    PoolConfig config = TestPools.config(1)
        .mainClass("dev.jprocs.coordinator.testing.FutureVersionWorker").build();

    WorkerStartException e = assertThrows(WorkerStartException.class, () -> Pool.start(config));
    assertTrue(e.getMessage().contains("speaks protocol version 99 but this coordinator speaks version 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("worker-0 (pid "), e.getMessage());
    assertFalse(e.getMessage().contains("arrived"), "no task was sent: " + e.getMessage());
  }

  @Test
  void workerThatCannotStartIsReportedWithItsStderr() {
    PoolConfig config = TestPools.config(2)
        .mainClass("dev.jprocs.coordinator.testing.BrokenStartWorker").build();

    WorkerStartException e = assertThrows(WorkerStartException.class, () -> Pool.start(config));
    assertTrue(e.getMessage().contains("exit 1"), e.getMessage());
    assertTrue(e.getMessage().contains("missing native library libfoo.so"), e.getMessage());
  }

  @Test
  void garbageOnAWorkersStdoutIsAProtocolErrorThatNamesTheWorkerAndShowsTheBytes() throws Exception {
    List<String> deaths = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(1).maxAttempts(2).events(new PoolEvents() {
      @Override
      public void workerDied(WorkerExit exit, String description) {
        deaths.add(description);
      }
    }).build();
    try (Pool pool = Pool.start(config)) {
      TaskFailedException e = assertThrows(TaskFailedException.class,
          () -> pool.map("garbage", List.of("abc"), String.class));

      assertEquals(TaskFailure.Kind.WORKER_DIED, e.failure().kind());
      assertEquals(2, e.failure().attempts());
      assertEquals(2, deaths.size(), "one death per attempt: " + deaths);
      String death = deaths.get(0);
      assertTrue(death.contains("worker-0 (pid "), death);
      assertTrue(death.contains("broke the protocol on stdout"), death);
      assertTrue(death.contains("\"this is not json abc\""), death);
      // The replacement is healthy and takes work.
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workers().get(0).ready());
      assertEquals(List.of(25L), pool.map("square", List.of(5), Long.class));
    }
  }

  @Test
  void killedWorkerIsReplacedInItsSlotAndItsTasksRetried() throws Exception {
    List<String> deaths = new CopyOnWriteArrayList<>();
    PoolConfig config = TestPools.config(2).events(new PoolEvents() {
      @Override
      public void workerDied(WorkerExit exit, String description) {
        deaths.add(description);
      }
    }).build();
    try (Pool pool = Pool.start(config)) {
      long victim = pool.workers().get(0).pid();
      Iterator<Long> results = pool.imap(TaskSpec.of("haltfirst"), List.of(10L, 11L, 12L, 13L),
          Long.class, 1);
      List<Long> outputs = new ArrayList<>();
      results.forEachRemaining(outputs::add);

      assertEquals(List.of(10L, 11L, 12L, 13L), outputs);
      assertTrue(deaths.size() >= 2, deaths.toString());
      String death = deaths.get(0);
      assertTrue(death.contains("exit 3"), death);
      assertTrue(death.contains("haltfirst rank"), death);
      // The death report shows the last traffic: the hello, and the task that killed it.
      assertTrue(death.contains("last frames:"), death);
      assertTrue(death.contains("<- hello"), death);
      assertTrue(death.matches("(?s).*-> task \\(task \\d+, rank \\d+, \\d+ bytes\\) \\{\"type\":\"task\".*"), death);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> pool.workers().stream().allMatch(WorkerInfo::ready));
      assertEquals("worker-0", pool.workers().get(0).workerId());
      assertNotEquals(victim, pool.workers().get(0).pid());
    }
  }

  @Test
  void sigkillOfAWorkerByPidLosesNoResult() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      long victim = pool.workers().get(1).pid();
      Iterator<Long> results = pool.imap(TaskSpec.of("square"),
          IntStream.range(0, 300).boxed().toList(), Long.class, 1);
      List<Long> outputs = new ArrayList<>();
      outputs.add(results.next());
      new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor();
      results.forEachRemaining(outputs::add);

      assertEquals(IntStream.range(0, 300).mapToObj(x -> (long) x * x).toList(), outputs);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workers().get(1).pid() != victim
          && pool.workers().get(1).ready());
    }
  }

  @Test
  void terminateKillsWorkersAndCancelsWhatIsUnfinished() throws Exception {
    Pool pool = Pool.start(TestPools.config(2).build());
    Set<Long> pids = pids(pool);
    CompletableFuture<Object> hanging = pool.submit(TaskSpec.of("hang"), 1, Object.class);
    await().atMost(Duration.ofSeconds(30)).until(() -> pool.workers().stream().anyMatch(w -> w.itemsHeld() > 0));

    pool.terminate();

    ExecutionException e = assertThrows(ExecutionException.class, () -> hanging.get(30, TimeUnit.SECONDS));
    TaskFailedException failed = assertInstanceOf(TaskFailedException.class, e.getCause());
    assertEquals(TaskFailure.Kind.CANCELLED, failed.failure().kind());
    assertTrue(pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    assertThrows(IllegalStateException.class, () -> pool.map("square", List.of(1), Long.class));
  }

  private static Set<Long> pids(Pool pool) {
    return new HashSet<>(pool.workers().stream().map(WorkerInfo::pid).toList());
  }
}
