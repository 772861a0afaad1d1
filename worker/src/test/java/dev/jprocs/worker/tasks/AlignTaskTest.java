package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.TaskContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AlignTaskTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final AlignTask task = new AlignTask();

  @Test
  void outputIsTheScoreAndTheTwoAlignedRows() throws Exception {
    JsonNode output =
        Codec.toTree(task.apply(TextNode.valueOf(AlignTask.DEFAULT_REFERENCE), context(null)));

    assertEquals(Set.of("score", "reference", "sequence"), fieldNames(output));
    assertEquals(64, output.get("score").intValue());
    assertEquals(AlignTask.DEFAULT_REFERENCE, output.get("reference").textValue());
    assertEquals(AlignTask.DEFAULT_REFERENCE, output.get("sequence").textValue());
  }

  @Test
  void referenceOptionReplacesTheDefault() throws Exception {
    JsonNode output =
        Codec.toTree(task.apply(TextNode.valueOf("AAAAATTTTT"), context("AAAAAGGGTTTTT")));

    assertEquals(1, output.get("score").intValue());
    assertEquals("AAAAAGGGTTTTT", output.get("reference").textValue());
    assertEquals("AAAAA---TTTTT", output.get("sequence").textValue());
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
      JsonNode output = Codec.toTree(task.apply(input, context(null)));

      assertEquals(input.textValue(), output.get("sequence").textValue().replace("-", ""));
    }
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
