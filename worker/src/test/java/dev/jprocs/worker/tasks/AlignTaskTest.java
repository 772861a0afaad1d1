package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.worker.TaskContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AlignTaskTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final AlignTask task = new AlignTask();

  /** An output as the coordinator reads it: sent in a result message, read back. */
  private static JsonNode sent(Object output) throws Exception {
    byte[] line = Codec.encode(new Message.Result(1, 1, List.of(Codec.toTree(output)), List.of()));
    return ((Message.Result) Codec.decode(line)).outputs().get(0);
  }

  private static byte[] line(JsonNode output) {
    return Codec.encode(new Message.Result(1, 1, List.of(output), List.of()));
  }

  @Test
  void outputIsTheScoreAndTheTwoAlignedRows() throws Exception {
    JsonNode output =
        sent(task.apply(TextNode.valueOf(AlignTask.DEFAULT_REFERENCE), context(null)));

    assertEquals(Set.of("score", "reference", "sequence"), fieldNames(output));
    assertEquals(64, output.get("score").intValue());
    assertEquals(AlignTask.DEFAULT_REFERENCE, output.get("reference").textValue());
    assertEquals(AlignTask.DEFAULT_REFERENCE, output.get("sequence").textValue());
  }

  @Test
  void referenceOptionReplacesTheDefault() throws Exception {
    JsonNode output =
        sent(task.apply(TextNode.valueOf("AAAAATTTTT"), context("AAAAAGGGTTTTT")));

    assertEquals(1, output.get("score").intValue());
    assertEquals("AAAAAGGGTTTTT", output.get("reference").textValue());
    assertEquals("AAAAA---TTTTT", output.get("sequence").textValue());
  }

  @Test
  void outputTextIsWhatAnObjectNodeOfItsFieldsWrites() throws Exception {
    for (JsonNode input : task.sampleInputs(20, 3).orElseThrow()) {
      Object output = task.apply(input, context(null));
      JsonNode read = sent(output);
      ObjectNode same = JSON.objectNode().put("score", read.get("score").intValue())
          .put("reference", read.get("reference").textValue())
          .put("sequence", read.get("sequence").textValue());

      assertEquals(Codec.toJson(same), Codec.toJson(output));
      assertArrayEquals(line(same), line(Codec.toTree(output))); // the bytes it holds
    }
  }

  @Test
  void inputThatIsNotAStringIsRejectedWithWhatItWas() {
    for (JsonNode input :
        List.of(JSON.numberNode(42), JSON.objectNode().put("sequence", "ACGT"), JSON.nullNode())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> task.apply(input, context(null)));

      assertTrue(error.getMessage().contains("JSON string"), error.getMessage());
      assertTrue(error.getMessage().contains(input.toString()), error.getMessage());
    }
  }

  @Test
  void sequenceWithANonLetterIsRejectedWithTheCharacterAndItsPosition() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> task.apply(TextNode.valueOf("ACG7T"), context(null)));

    assertTrue(error.getMessage().startsWith("sequence has '7'"), error.getMessage());
    assertTrue(error.getMessage().contains("position 3"), error.getMessage());
  }

  @Test
  void referenceWithANonLetterIsRejectedWithTheCharacterAndItsPosition() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> task.apply(TextNode.valueOf("ACGT"), context("AC GT")));

    assertTrue(error.getMessage().startsWith("reference has ' '"), error.getMessage());
    assertTrue(error.getMessage().contains("position 2"), error.getMessage());
  }

  @Test
  void sampleInputsAreReproducibleForASeedAndDifferForAnother() {
    List<JsonNode> first = task.sampleInputs(20, 42).orElseThrow();
    List<JsonNode> again = task.sampleInputs(20, 42).orElseThrow();
    List<JsonNode> other = task.sampleInputs(20, 43).orElseThrow();

    assertEquals(20, first.size());
    assertEquals(first, again);
    assertNotEquals(first, other);
    for (JsonNode input : first) {
      assertTrue(input.isTextual(), input.toString());
      assertTrue(input.textValue().matches("[ACGT]{64}"), input.textValue());
    }
  }

  @Test
  void sampleInputsAreTheBasesThatJavaUtilRandomDraws() {
    for (long seed : new long[] {0, 1, 7, -3, Long.MAX_VALUE, 0x5DEECE66DL}) {
      java.util.Random random = new java.util.Random(seed);
      for (JsonNode input : task.sampleInputs(300, seed).orElseThrow()) {
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < 64; k++) {
          expected.append("ACGT".charAt(random.nextInt(4)));
        }
        assertEquals(expected.toString(), input.textValue(), "seed " + seed);
      }
    }
  }

  @Test
  void sampleInputsAreAlignable() throws Exception {
    for (JsonNode input : task.sampleInputs(5, 1).orElseThrow()) {
      JsonNode output = sent(task.apply(input, context(null)));

      assertEquals(input.textValue(), output.get("sequence").textValue().replace("-", ""));
    }
  }

  @Test
  void sequencesTogetherGetTheOutputsApplyGivesOneByOne() throws Exception {
    List<JsonNode> inputs = new ArrayList<>(task.sampleInputs(3 * AlignTask.MIN_TOGETHER, 5).orElseThrow());
    for (int i = 0; i < AlignTask.MIN_TOGETHER; i++) {
      inputs.add(TextNode.valueOf(inputs.get(i).textValue().substring(0, 40))); // a second length
    }
    Object[] together = task.applyTogether(inputs, context(null));

    assertEquals(inputs.size(), together.length);
    for (int i = 0; i < inputs.size(); i++) {
      assertNotNull(together[i], "input " + i);
      assertEquals(task.apply(inputs.get(i), context(null)), together[i], "input " + i);
    }
  }

  @Test
  void invalidInputsAndRareLengthsAreLeftToApply() throws Exception {
    List<JsonNode> inputs = new ArrayList<>(task.sampleInputs(AlignTask.MIN_TOGETHER + 2, 6).orElseThrow());
    inputs.set(3, TextNode.valueOf("ACGT-ACGT"));
    inputs.set(7, JSON.numberNode(7));
    inputs.add(TextNode.valueOf("ACGTACGTAC")); // the only one of its length
    ObjectNode reference = JSON.objectNode().put("reference", "GATTACA");
    Object[] together = task.applyTogether(inputs, context("GATTACA"));

    assertNull(together[3]);
    assertNull(together[7]);
    assertNull(together[inputs.size() - 1]);
    assertNotNull(together[0]);
    assertEquals(task.apply(inputs.get(0), new TaskContext(reference, 0, 1, "w")), together[0]);
  }

  @Test
  void aReferenceThatIsNotLettersLeavesEveryInputToApply() {
    List<JsonNode> inputs = task.sampleInputs(2 * AlignTask.MIN_TOGETHER, 7).orElseThrow();

    Object[] together = task.applyTogether(inputs, context("GAT TACA"));

    assertTrue(Arrays.stream(together).allMatch(Objects::isNull));
  }

  private static TaskContext context(String reference) {
    ObjectNode options = JSON.objectNode();
    if (reference != null) {
      options.put("reference", reference);
    }
    return new TaskContext(options, 0, 1, "worker-1");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
