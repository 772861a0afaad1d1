package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reassembly without processes: outcomes fed out of order and twice. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResultAssemblerTest {

  @Test
  void outcomesFedOutOfOrderComeOutInRankOrder() throws Exception {
    ResultAssembler assembler = new ResultAssembler(5, false);
    for (int rank : new int[] {3, 0, 4, 1, 2}) {
      assertTrue(assembler.offer(new TaskResult(rank, IntNode.valueOf(rank * 10), null)));
    }

    List<Integer> ordered = new ArrayList<>();
    for (int rank = 0; rank < 5; rank++) {
      ordered.add(assembler.takeRank(rank).output().intValue());
    }
    assertEquals(List.of(0, 10, 20, 30, 40), ordered);
    assertTrue(assembler.completion().isDone());
  }

  @Test
  void outcomesFedOutOfOrderComeOutInArrivalOrderWhenAsked() throws Exception {
    ResultAssembler assembler = new ResultAssembler(5, true);
    for (int rank : new int[] {3, 0, 4, 1, 2}) {
      assertTrue(assembler.offer(new TaskResult(rank, IntNode.valueOf(rank * 10), null)));
    }

    List<Long> arrivals = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      arrivals.add(assembler.awaitNextArrival().rank());
    }
    assertEquals(List.of(3L, 0L, 4L, 1L, 2L), arrivals);
    assertTrue(assembler.completion().isDone());
    assertThrows(IllegalStateException.class, () -> assembler.awaitRank(0));
  }

  @Test
  void aTakenOutcomeIsLetGoAndItsRankStillRefusesASecondOne() throws Exception {
    ResultAssembler assembler = new ResultAssembler(2, false);
    TaskResult first = new TaskResult(0, IntNode.valueOf(1), null);
    assertTrue(assembler.offer(first));

    assertSame(first, assembler.awaitRank(0)); // kept: a future's get may ask again
    assertSame(first, assembler.takeRank(0));
    IllegalStateException taken = assertThrows(IllegalStateException.class, () -> assembler.takeRank(0));
    assertTrue(taken.getMessage().contains("rank 0 was taken"), taken.getMessage());
    assertTrue(assembler.has(0));
    assertFalse(assembler.offer(new TaskResult(0, IntNode.valueOf(2), null)));
  }

  @Test
  void aSecondOutcomeForARankIsRefusedAndTheFirstKept() throws Exception {
    ResultAssembler assembler = new ResultAssembler(2, false);
    TaskResult first = new TaskResult(1, IntNode.valueOf(1), null);

    assertTrue(assembler.offer(first));
    assertFalse(assembler.offer(new TaskResult(1, IntNode.valueOf(2), null)));
    assertSame(first, assembler.awaitRank(1));
    assertFalse(assembler.completion().isDone());
  }

  @Test
  void aChunksOutcomesComeOutAsOutputsAndFailuresAndRetriedRanksAreRefused() throws Exception {
    ResultAssembler assembler = new ResultAssembler(5, false);
    TaskFailure failure = new TaskFailure(TaskFailure.Kind.TASK_ERROR, "square", 3,
        "java.lang.IllegalArgumentException", "bad", "trace", "worker-0", 42, 1);

    assertArrayEquals(new boolean[] {true, true},
        assembler.offerChunk(3, List.of(NullNode.getInstance(), IntNode.valueOf(40)),
            new TaskFailure[] {failure, null}));
    assertArrayEquals(new boolean[] {true, true, true},
        assembler.offerChunk(0, List.of(IntNode.valueOf(0), IntNode.valueOf(10), IntNode.valueOf(20)),
            null));
    assertArrayEquals(new boolean[] {false, false},
        assembler.offerChunk(3, List.of(IntNode.valueOf(30), IntNode.valueOf(41)), null));

    assertEquals(10, assembler.awaitRank(1).output().intValue());
    TaskResult failed = assembler.awaitRank(3);
    assertEquals(3, failed.rank());
    assertSame(failure, failed.failure());
    assertEquals(40, assembler.awaitRank(4).output().intValue());
    assertTrue(assembler.completion().isDone());
  }

  @Test
  void takeReadyTakesEveryOutcomeThatHasArrivedInRankOrderAndStopsAtAGap() throws Exception {
    ResultAssembler assembler = new ResultAssembler(6, false);
    assembler.offerChunk(0, List.of(IntNode.valueOf(0), IntNode.valueOf(1)), null);
    assembler.offerChunk(4, List.of(IntNode.valueOf(4), IntNode.valueOf(5)), null);
    Object[] ready = new Object[10];

    assertEquals(2, assembler.takeReady(0, ready));
    assertEquals(List.of(IntNode.valueOf(0), IntNode.valueOf(1)), List.of(ready[0], ready[1]));
    TaskResult first = new TaskResult(2, IntNode.valueOf(2), null);
    assembler.offer(first);
    assembler.offer(new TaskResult(3, IntNode.valueOf(3), null));
    Object[] two = new Object[2];
    assertEquals(2, assembler.takeReady(2, two));
    assertSame(first, two[0]); // an offered TaskResult is handed back as it came
    assertEquals(2, assembler.takeReady(4, two));
    assertEquals(IntNode.valueOf(5), two[1]);
    IllegalStateException taken = assertThrows(IllegalStateException.class,
        () -> assembler.takeReady(0, ready));
    assertTrue(taken.getMessage().contains("rank 0 was taken"), taken.getMessage());
  }

  @Test
  void takeReadyWaitsForItsFirstRank() throws Exception {
    ResultAssembler assembler = new ResultAssembler(3, false);
    Thread feeder = new Thread(() -> {
      assembler.offerChunk(1, List.of(IntNode.valueOf(1), IntNode.valueOf(2)), null);
      assembler.offerChunk(0, List.of(IntNode.valueOf(0)), null);
    });
    feeder.start();
    Object[] ready = new Object[3];

    int taken = assembler.takeReady(0, ready);
    feeder.join();
    assertTrue(taken >= 1, "took " + taken);
    assertEquals(IntNode.valueOf(0), ready[0]);
  }

  @Test
  void aWaitingCallerIsWokenWhenItsRankArrives() throws Exception {
    ResultAssembler assembler = new ResultAssembler(2, false);
    Thread feeder = new Thread(() -> {
      assembler.offer(new TaskResult(1, IntNode.valueOf(7), null));
      assembler.offer(new TaskResult(0, IntNode.valueOf(6), null));
    });
    feeder.start();

    assertEquals(6, assembler.awaitRank(0).output().intValue());
    assertEquals(7, assembler.awaitRank(1).output().intValue());
    feeder.join();
  }

  @Test
  void anEmptyJobIsCompleteAtOnce() {
    assertTrue(new ResultAssembler(0, false).completion().isDone());
  }
}
