package dev.jprocs.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records as task outputs: the codec's own conversion of a plain record gives the tree databind
 * gives, and a record databind could read differently is left to databind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainRecordsTest {
  record Alignment(int score, String reference, String sequence) {}

  record Slept(double seconds, String start, String end, long pid) {}

  record Version(String url, Integer versionMajor, long millis, String note) {}

  record Everything(int i, long l, double d, boolean b, Integer boxed, Long boxedLong, Double boxedDouble,
      Boolean boxedBoolean, String s, JsonNode json) {}

  private record Hidden(int value) {}

  record Renamed(@JsonProperty("total") int score) {}

  record Ignoring(int kept, @JsonIgnore String dropped) {}

  record WithGetter(int value) {
    public int getTwice() {
      return 2 * value;
    }
  }

  record Nested(Alignment alignment) {}

  record Listing(List<Integer> values) {}

  record HoldsNull(JsonNode json) {}

  record Empty() {}

  @Test
  void plainRecordsBecomeTheTreesDatabindMakes() {
    List<Object> plain = List.of(
        new Alignment(-3, "AC-GT", "ACCGT"),
        new Slept(0.25, "2026-11-22T05:00:00Z", "2026-11-22T05:00:00.25Z", 4242L),
        new Version("http://x", null, 12, null),
        new Version("http://x", 3, Long.MAX_VALUE, "n"),
        new Everything(1, 2, Double.NaN, true, null, -5L, -0.0, false, "é",
            JsonNodeFactory.instance.objectNode().put("a", 1)),
        new Hidden(7));
    for (Object value : plain) {
      assertNotNull(PlainRecords.toTree(value), () -> value + " is plain");
      assertSameAsDatabind(value);
    }
  }

  @Test
  void recordsDatabindCouldReadDifferentlyAreLeftToIt() {
    List<Object> others = List.of(new Renamed(5), new Ignoring(1, "x"), new WithGetter(2),
        new Nested(new Alignment(1, "A", "A")), new Listing(List.of(1, 2)),
        new HoldsNull(JsonNodeFactory.instance.nullNode()));
    for (Object value : others) {
      assertNull(PlainRecords.toTree(value), () -> value + " is not plain");
      assertSameAsDatabind(value);
    }
    assertNull(PlainRecords.toTree(new Empty()));
  }

  private static void assertSameAsDatabind(Object value) {
    JsonNode expected = Codec.Mapper.MAPPER.valueToTree(value);
    JsonNode actual = Codec.toTree(value);
    assertEquals(expected, actual, () -> "tree of " + value);
    assertEquals(Codec.Mapper.MAPPER.valueToTree(value).toString(), Codec.toJson(actual));
  }
}
