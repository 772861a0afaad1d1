package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
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
