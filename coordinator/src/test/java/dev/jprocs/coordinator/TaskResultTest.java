package dev.jprocs.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.JsonText;
import dev.jprocs.protocol.JsonTextList;
import dev.jprocs.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Outcomes whose outputs are held as the worker's text, and reassembly of such a chunk. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TaskResultTest {
  private static final String OUTPUT = "{\"score\":-7,\"reference\":\"AC-T\",\"sequence\":\"ACGT\"}";

  @Test
  void anOutputHeldAsTextBuildsOneTreeWhicheverThreadAsksFirst() throws Exception {
    JsonText text = texts(OUTPUT).text(0);
    TaskResult result = new TaskResult(3, text);
    JsonNode tree = Codec.parse(OUTPUT);

    assertEquals(tree.get("score"), result.outputField("score"), "read from the text");
    assertEquals(MissingNode.getInstance(), result.outputField("absent"));
    assertSame(text, result.outputJson());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<JsonNode>> outputs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        outputs.add(threads.submit(() -> {
          start.await(); // released together below, so the threads race to build the tree
          return result.output();
        }));
      }
      start.countDown();
      for (Future<JsonNode> output : outputs) {
        assertSame(outputs.get(0).get(), output.get());
      }
      assertEquals(tree, outputs.get(0).get());
    } finally {
      threads.shutdownNow();
    }
    assertSame(result.output(), result.output());
    assertEquals(new TaskResult(3, tree, null), result);
    assertEquals(new TaskResult(3, tree, null).hashCode(), result.hashCode());
    assertSame(result.output(), result.value(JsonNode.class));
  }

  @Test
  void anOutputGivenAsATreeIsWrittenAsALineOnTheWireHasIt() throws Exception {
    JsonNode tree = Codec.parse(OUTPUT);
    TaskResult result = new TaskResult(0, tree, null);
    TaskResult failed = new TaskResult(1, null, new TaskFailure(TaskFailure.Kind.TASK_ERROR,
        "align", 1, "IllegalArgumentException", "bad", "trace", "worker-0", 7, 1));

    assertEquals(texts(OUTPUT).text(0), result.outputJson());
    assertEquals(tree.get("sequence"), result.outputField("sequence"));
    assertFalse(result.outputHeldAsText());
    assertNull(failed.outputJson());
    assertEquals(MissingNode.getInstance(), failed.outputField("score"));
  }

  @Test
  void aChunkOfOutputsAsTextIsHeldAsTextInRankOrderAndInArrivalOrder() throws Exception {
    JsonTextList texts = texts(OUTPUT, "[1,2]", "\"x\"");
    ResultAssembler byRank = new ResultAssembler(5, false, true);
    ResultAssembler byArrival = new ResultAssembler(5, true, true);

    byRank.offerChunk(2, texts, null);
    byArrival.offerChunk(2, texts, null);

    assertTrue(byRank.keepsOutputText());
    assertFalse(new ResultAssembler(1, false).keepsOutputText());
    for (int i = 0; i < texts.size(); i++) {
      TaskResult inOrder = byRank.takeRank(2 + i);
      TaskResult arrived = byArrival.awaitNextArrival();
      assertTrue(inOrder.outputHeldAsText() && arrived.outputHeldAsText());
      assertEquals(texts.get(i), inOrder.output());
      assertEquals(inOrder, arrived);
    }
  }

  private static JsonTextList texts(String... outputs) throws Exception {
    String line = "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":["
        + String.join(",", outputs) + "]}";
    Message.Result result = (Message.Result) Codec.decode(line.getBytes(UTF_8), taskId -> true);
    return (JsonTextList) result.outputs();
  }
}
