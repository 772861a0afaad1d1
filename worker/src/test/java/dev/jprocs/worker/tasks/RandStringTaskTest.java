package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.worker.TaskContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RandStringTaskTest {
  private final RandStringTask task = new RandStringTask();

  private RandStringTask.Ranked run(JsonNode input, long rank) {
    return (RandStringTask.Ranked) task.apply(input,
        new TaskContext(JsonNodeFactory.instance.objectNode(), rank, 1, "test"));
  }

  @Test
  void theStringDependsOnlyOnSeedAndRankAndKeepsTheRank() {
    JsonNode input = task.sampleInputs(1, 7).orElseThrow().get(0);

    RandStringTask.Ranked first = run(input, 3);
    assertEquals(first, run(input, 3));
    assertEquals(3, first.rank());
    assertEquals(5, first.string().length());
    assertTrue(first.string().matches("[A-Za-z0-9]{5}"), first.string());
    assertNotEquals(first.string(), run(input, 4).string());
    assertNotEquals(first.string(), run(task.sampleInputs(1, 8).orElseThrow().get(0), 3).string());
  }

  @Test
  void aPlainLengthWorksAndABadOneIsRefused() {
    assertEquals(12, run(IntNode.valueOf(12), 0).string().length());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run(IntNode.valueOf(-1), 0));
    assertTrue(e.getMessage().startsWith("randstring takes a length from 0 to"), e.getMessage());
  }

  @Test
  void sampleInputsAreTheSeedsFourStringsOfFive() {
    List<JsonNode> inputs = task.sampleInputs(4, 1).orElseThrow();
    assertEquals(4, inputs.size());
    assertEquals("{\"length\":5,\"seed\":1}", inputs.get(0).toString());
  }
}
