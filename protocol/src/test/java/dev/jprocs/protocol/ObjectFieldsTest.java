package dev.jprocs.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The codec's object fields against the LinkedHashMap Jackson would have used. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObjectFieldsTest {
  private static final ObjectMapper DATABIND = new ObjectMapper();

  @Test
  void randomChangesLeaveItEqualToALinkedHashMapGivenTheSame() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      ObjectFields fields = new ObjectFields();
      Map<String, JsonNode> expected = new LinkedHashMap<>();
      for (int step = 0; step < 40; step++) {
        // Up to 12 names, one of them null, and now and then a null value, as a LinkedHashMap
        // takes both.
        int pick = random.nextInt(ObjectFields.ARRAY_FIELDS + 4);
        String name = pick == 0 ? null : "f" + pick;
        JsonNode value = random.nextInt(8) == 0 ? null : IntNode.valueOf(random.nextInt(100));
        String what = switch (random.nextInt(10)) {
          case 0 -> {
            assertEquals(expected.remove(name), fields.remove(name));
            yield "remove " + name;
          }
          case 1 -> {
            removeByIterator(expected, name);
            removeByIterator(fields, name);
            yield "iterator remove " + name;
          }
          case 2 -> {
            setByEntry(expected, name, value);
            setByEntry(fields, name, value);
            yield "entry set " + name;
          }
          default -> {
            assertEquals(expected.put(name, value), fields.put(name, value));
            yield "put " + name;
          }
        };
        String context = "round " + round + ", step " + step + ": " + what;
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(fields.entrySet()), context);
        assertEquals(expected, fields, context);
        assertEquals(fields, expected, context);
        assertEquals(expected.hashCode(), fields.hashCode(), context);
        assertEquals(expected.size(), fields.size(), context);
        assertEquals(expected.get(name), fields.get(name), context);
        assertEquals(expected.containsKey(name), fields.containsKey(name), context);
      }
      fields.clear();
      assertEquals(Map.of(), fields);
    }
  }

  @Test
  void aDecodedObjectIsTheTreeDatabindReadsAndStaysMutable() throws Exception {
    String json = "{\"score\":-51,\"reference\":\"GAG---TT\",\"sequence\":\"GGGACCTG\",\"n\":null}";
    JsonNode decoded = Codec.parse(json);
    JsonNode databind = DATABIND.readTree(json);
    assertEquals(databind, decoded);
    assertEquals(decoded, databind);
    assertEquals(databind.hashCode(), decoded.hashCode());
    assertEquals(json, DATABIND.writeValueAsString(decoded));

    ObjectNode object = (ObjectNode) decoded;
    ObjectNode copy = databind.deepCopy();
    for (int i = 0; i < 2 * ObjectFields.ARRAY_FIELDS; i++) {
      object.put("extra" + i, i);
      copy.put("extra" + i, i);
    }
    object.remove("reference");
    copy.remove("reference");
    object.set("score", TextNode.valueOf("changed"));
    copy.set("score", TextNode.valueOf("changed"));
    assertEquals(copy, object);
    assertEquals(DATABIND.writeValueAsString(copy), DATABIND.writeValueAsString(object));
    assertEquals(List.of("score", "sequence", "n"), names(object).subList(0, 3));
  }

  @Test
  void changingItWhileIteratingFailsFastAsALinkedHashMapDoes() {
    ObjectFields fields = new ObjectFields();
    fields.put("a", IntNode.valueOf(1));
    fields.put("b", IntNode.valueOf(2));
    Iterator<Map.Entry<String, JsonNode>> entries = fields.entrySet().iterator();
    entries.next();
    fields.put("c", IntNode.valueOf(3));
    assertThrows(ConcurrentModificationException.class, entries::next);
    assertThrows(IllegalStateException.class, () -> fields.entrySet().iterator().remove());
  }

  private static void removeByIterator(Map<String, JsonNode> map, String name) {
    map.entrySet().removeIf(entry -> Objects.equals(entry.getKey(), name));
  }

  private static void setByEntry(Map<String, JsonNode> map, String name, JsonNode value) {
    for (Map.Entry<String, JsonNode> entry : map.entrySet()) {
      if (Objects.equals(entry.getKey(), name)) {
        entry.setValue(value);
      }
    }
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
