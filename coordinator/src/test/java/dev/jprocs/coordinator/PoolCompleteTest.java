package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.coordinator.testing.TestPools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The rest of Python's Pool: starmap, apply, the async calls, initializer, maxtasksperchild. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class PoolCompleteTest {

  /** A value with a field whose getter throws, which Jackson cannot write. */
  public static final class Outer {
    public Inner getA() {
      return new Inner();
    }
  }

  public static final class Inner {
    public int getB() {
      throw new IllegalStateException("boom");
    }
  }

  /** A value that refers to itself. */
  public static final class Loop {
    public Loop getMe() {
      return this;
    }
  }

  @Test
  void starmapSendsEachArgumentListAsOneArray() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      List<Long> sums = pool.starmap("add", List.of(List.of(1, 2), List.of(3, 4, 5), List.of()),
          Long.class);
      assertEquals(List.of(3L, 12L, 0L), sums);
    }
  }

  @Test
  void applyReturnsTheOutputOrRaisesTheTasksExceptionWithTheRemoteTrace() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      assertEquals(169L, pool.apply("square", 13, Long.class));

      TaskFailedException e = assertThrows(TaskFailedException.class,
          () -> pool.apply("fail", "bad record", String.class));
      RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
      assertEquals("java.lang.IllegalStateException", remote.remoteClass());
      assertTrue(remote.remoteTrace().contains("MisbehavingTasks$Fail.apply"), remote.remoteTrace());
      assertTrue(e.getMessage().contains("fail rank 0 on worker-0"), e.getMessage());
    }
  }

  @Test
  void applyAsyncIsNotReadyWhileItRunsAndGetWithATimeoutTimesOut() throws Exception {
    // A window of one, so the square goes to the idle worker rather than behind the hang.
    Pool pool = Pool.start(TestPools.config(2).window(1).build());
    try {
      AsyncResult<Object> hanging = pool.applyAsync(TaskSpec.of("hang"), 1, Object.class);
      assertThrows(TimeoutException.class, () -> hanging.get(Duration.ofMillis(100)));
      assertFalse(hanging.ready());
      assertThrows(IllegalStateException.class, hanging::successful);

      AsyncResult<Long> square = pool.applyAsync(TaskSpec.of("square"), 7, Long.class);
      assertEquals(49L, square.get());
      assertTrue(square.ready());
      assertTrue(square.successful());
      assertEquals(49L, square.toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      pool.terminate(); // the hanging task would hold close() forever
    }
  }

  @Test
  void applyAsyncRaisesTheTaskFailureInTheCallerAndGivesItToTheErrorCallback() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      CompletableFuture<Throwable> reported = new CompletableFuture<>();
      AsyncResult<String> failed = pool.applyAsync(TaskSpec.of("fail"), "no", String.class,
          value -> reported.complete(new AssertionError("success callback with " + value)),
          reported::complete);

      TaskFailedException e = assertThrows(TaskFailedException.class, failed::get);
      assertInstanceOf(RemoteException.class, e.getCause());
      assertTrue(failed.ready());
      assertFalse(failed.successful());
      TaskFailedException callbackGot = assertInstanceOf(TaskFailedException.class,
          reported.get(30, TimeUnit.SECONDS));
      assertEquals(callbackGot.failure(), e.failure());
      assertNotSame(callbackGot, e, "get raises a fresh exception with the caller's stack");
    }
  }

  @Test
  void mapAsyncCallsTheSuccessCallbackWithEveryOutputBeforeItIsReady() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      List<Object> calls = new CopyOnWriteArrayList<>();
      AsyncResult<List<Long>> squares = pool.mapAsync(TaskSpec.of("square"),
          IntStream.range(0, 100).boxed().toList(), Long.class,
          outputs -> calls.add(List.of(outputs, Thread.currentThread().getName())),
          error -> calls.add(error));

      List<Long> outputs = squares.get();
      assertEquals(IntStream.range(0, 100).mapToObj(x -> (long) x * x).toList(), outputs);
      assertEquals(List.of(List.of(outputs, "jprocs-callbacks")), calls,
          "the callback ran once, on the callback thread, before get returned");
      assertTrue(squares.successful());
    }
  }

  @Test
  void mapAsyncFailsWithTheFirstFailureInRankOrderAndCallsTheErrorCallback() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(2).build())) {
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      AsyncResult<List<Long>> result = pool.mapAsync(TaskSpec.of("square"),
          List.of(1, 2, "three", 4, "five"), Long.class,
          outputs -> errors.add(new AssertionError("success callback")), errors::add);

      TaskFailedException e = assertThrows(TaskFailedException.class, result::get);
      assertEquals(2, e.failure().rank());
      assertTrue(e.getCause().toString().contains("square takes an integer, got \"three\""),
          e.getCause().toString());
      assertEquals(1, errors.size());
      assertEquals(2, assertInstanceOf(TaskFailedException.class, errors.get(0)).failure().rank());
    }
  }

  @Test
  void theInitializerRunsOnceInEachWorkerBeforeItTakesWork() throws Exception {
    PoolConfig config = TestPools.config(2)
        .initializer(TaskSpec.of("remember").with("suffix", "!"), "blue").build();
    try (Pool pool = Pool.start(config)) {
      List<JsonNode> recalled = pool.map(TaskSpec.of("recall"),
          IntStream.range(0, 20).boxed().toList(), JsonNode.class, 1);

      assertTrue(recalled.stream().allMatch(r -> r.get("value").asText().equals("blue!")), recalled.toString());
      assertTrue(recalled.stream().allMatch(r -> r.get("initialized").asInt() == 1), recalled.toString());
      assertEquals(2, new HashSet<>(recalled.stream().map(r -> r.get("pid").asLong()).toList()).size());
    }
  }

  @Test
  void theInitializerAlsoRunsInThreadMode() throws Exception {
    PoolConfig config = TestPools.config(3).mode(PoolConfig.Mode.THREADS)
        .initializer(TaskSpec.of("remember"), "green").build();
    try (Pool pool = Pool.start(config)) {
      List<JsonNode> recalled = pool.map(TaskSpec.of("recall"),
          IntStream.range(0, 30).boxed().toList(), JsonNode.class, 1);

      assertTrue(recalled.stream().allMatch(r -> r.get("value").asText().equals("green")
          && r.get("initialized").asInt() == 1), recalled.toString());
    }
  }

  @Test
  void aFailingInitializerIsAFailedStartThatShowsItsError() {
    for (PoolConfig.Mode mode : PoolConfig.Mode.values()) {
      PoolConfig config = TestPools.config(1).mode(mode)
          .initializer(TaskSpec.of("fail"), "the database is down").build();

      WorkerStartException e = assertThrows(WorkerStartException.class, () -> Pool.start(config));
      assertTrue(e.getMessage().contains("exit 1"), mode + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("the initializer 'fail' failed: "
          + "java.lang.IllegalStateException: the database is down"), mode + ": " + e.getMessage());
    }
  }

  @Test
  void maxTasksPerChildReplacesAWorkerAfterThatManyInputs() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).maxTasksPerChild(2).window(1).build())) {
      List<Long> pids = pool.map(TaskSpec.of("pid"), List.of(1, 2, 3, 4, 5, 6), Long.class, 1);

      assertEquals(3, new HashSet<>(pids).size(), pids.toString());
      assertEquals(pids.get(0), pids.get(1));
      assertEquals(pids.get(4), pids.get(5));
    }
  }

  @Test
  void anInputThatCannotBeWrittenAsJsonIsRefusedBeforeDispatchNamingTheField() throws Exception {
    try (Pool pool = Pool.start(TestPools.config(1).build())) {
      IllegalArgumentException getter = assertThrows(IllegalArgumentException.class,
          () -> pool.map("square", List.of(1, 2, 3, Map.of("wrapper", new Outer())), Long.class));
      assertTrue(getter.getMessage().startsWith("the input at rank 3 cannot be sent as JSON: field"
          + " \"wrapper.a.b\" of "), getter.getMessage());
      assertTrue(getter.getMessage().endsWith("java.lang.IllegalStateException: boom"), getter.getMessage());

      IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class,
          () -> pool.apply("square", new Loop(), Long.class));
      assertEquals("the input at rank 0 cannot be sent as JSON: field \"me\" of"
          + " PoolCompleteTest$Loop: Direct self-reference leading to cycle", cycle.getMessage());

      assertThrows(IllegalArgumentException.class,
          () -> pool.mapAsync(TaskSpec.of("square"), List.of(new Outer()), Long.class));
      assertEquals(0, pool.workers().get(0).itemsDone(), "nothing was dispatched");
      assertEquals(List.of(4L), pool.map("square", List.of(2), Long.class));
    }
    IllegalArgumentException init = assertThrows(IllegalArgumentException.class,
        () -> PoolConfig.builder().initializer(TaskSpec.of("remember"), new ArrayList<>(List.of(new Outer()))));
    assertTrue(init.getMessage().startsWith("the initializer's argument cannot be sent as JSON: field"
        + " \"[0].a.b\""), init.getMessage());
  }
}
