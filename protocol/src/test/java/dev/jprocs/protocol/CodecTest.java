package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Golden lines for every message: the exact bytes {@link Codec#encode} writes, and that decoding
 * them gives the record back. Then what {@link Codec#decode} refuses, and how it says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Test
  void commonScalarsBecomeTheSameTreesAndValuesAsThroughJacksonItself() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper jackson = new com.fasterxml.jackson.databind.ObjectMapper();
    List<Object> values = Arrays.asList(0, -7, Integer.MAX_VALUE, Long.MIN_VALUE, 3L, 2.5, -0.0,
        Double.NaN, "", "é\n\"", true, false);
    for (Object value : values) {
      JsonNode tree = Codec.toTree(value);
      assertEquals(jackson.valueToTree(value), tree, "tree of " + value);
      assertEquals(jackson.valueToTree(value).getClass(), tree.getClass(), "node type of " + value);
    }
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    List<JsonNode> trees = List.of(nodes.numberNode(5), nodes.numberNode(5L), nodes.numberNode(1.5),
        nodes.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
        nodes.textNode("x"), nodes.booleanNode(true), nodes.textNode("12"));
    for (Class<?> type : List.of(Long.class, Integer.class, Double.class, String.class, Boolean.class)) {
      for (JsonNode tree : trees) {
        Object expected;
        try {
          expected = jackson.treeToValue(tree, type);
        } catch (Exception e) {
          assertThrows(IllegalArgumentException.class, () -> Codec.fromTree(tree, type),
              tree + " as " + type.getSimpleName() + " fails as through Jackson");
          continue;
        }
        assertEquals(expected, Codec.fromTree(tree, type), tree + " as " + type.getSimpleName());
      }
    }
  }

  @Test
  void helloIsWrittenWithTypeFirstAndReadBack() throws Exception {
    assertGolden(new Message.Hello(1, 4242, "worker-1"),
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":4242,\"workerId\":\"worker-1\"}");
  }

  @Test
  void taskWithoutOptionsLeavesTheOptionsFieldOut() throws Exception {
    assertGolden(new Message.Task(7, 1, "square", 10, List.of(JSON.numberNode(3), JSON.textNode("x")), null),
        "{\"type\":\"task\",\"taskId\":7,\"attempt\":1,\"task\":\"square\",\"rank\":10,\"inputs\":[3,\"x\"]}");
  }

  @Test
  void taskWithOptionsCarriesThemLast() throws Exception {
    assertGolden(new Message.Task(8, 2, "align", 0, List.of(JSON.textNode("ACGT")),
            JSON.objectNode().put("reference", "ACG")),
        "{\"type\":\"task\",\"taskId\":8,\"attempt\":2,\"task\":\"align\",\"rank\":0,"
            + "\"inputs\":[\"ACGT\"],\"options\":{\"reference\":\"ACG\"}}");
  }

  @Test
  void resultWithoutErrorsLeavesTheErrorListOut() throws Exception {
    assertGolden(new Message.Result(7, 1, List.of(JSON.numberNode(9), JSON.numberNode(16)), List.of()),
        "{\"type\":\"result\",\"taskId\":7,\"attempt\":1,\"outputs\":[9,16]}");
  }

  @Test
  void resultWithANullErrorListIsTheSameAsOneWithAnEmptyList() throws Exception {
    Message.Result withNull = new Message.Result(7, 1, List.of(JSON.numberNode(9)), null);

    assertEquals(new Message.Result(7, 1, List.of(JSON.numberNode(9)), List.of()), withNull);
    assertEquals("{\"type\":\"result\",\"taskId\":7,\"attempt\":1,\"outputs\":[9]}\n",
        new String(Codec.encode(withNull), UTF_8));
  }

  @Test
  void resultWithErrorsCarriesIndexClassMessageAndTrace() throws Exception {
    Message.TaskError error = new Message.TaskError(1, "java.lang.IllegalArgumentException",
        "bad input", "java.lang.IllegalArgumentException: bad input\n\tat Square.apply(Square.java:3)\n");
    assertGolden(new Message.Result(7, 1, Arrays.asList(JSON.numberNode(9), JSON.nullNode()), List.of(error)),
        "{\"type\":\"result\",\"taskId\":7,\"attempt\":1,\"outputs\":[9,null],\"errors\":[{\"index\":1,"
            + "\"exception\":\"java.lang.IllegalArgumentException\",\"message\":\"bad input\","
            + "\"trace\":\"java.lang.IllegalArgumentException: bad input\\n\\tat Square.apply(Square.java:3)\\n\"}]}");
  }

  @Test
  void errorWithoutAMessageLeavesTheMessageFieldOut() throws Exception {
    Message.TaskError error = new Message.TaskError(0, "java.lang.NullPointerException", null, "trace");
    assertGolden(new Message.Result(3, 1, Arrays.asList(JSON.nullNode()), List.of(error)),
        "{\"type\":\"result\",\"taskId\":3,\"attempt\":1,\"outputs\":[null],\"errors\":[{\"index\":0,"
            + "\"exception\":\"java.lang.NullPointerException\",\"trace\":\"trace\"}]}");
  }

  @Test
  void shutdownIsJustItsType() throws Exception {
    assertGolden(new Message.Shutdown(), "{\"type\":\"shutdown\"}");
  }

  @Test
  void goodbyeCarriesItsThreeCounts() throws Exception {
    assertGolden(new Message.Goodbye(3, 10, 1),
        "{\"type\":\"goodbye\",\"tasks\":3,\"items\":10,\"errors\":1}");
  }

  @Test
  void faultCarriesItsMessage() throws Exception {
    assertGolden(new Message.Fault("worker-1 cannot read"),
        "{\"type\":\"fault\",\"message\":\"worker-1 cannot read\"}");
  }

  @Test
  void garbageIsRefusedWithItsStart() {
    ProtocolException e = assertRefused("garbage".getBytes(UTF_8));

    assertEquals("\"garbage\"", e.excerpt());
    assertEquals(7, e.length());
    assertTrue(e.getMessage().contains("\"garbage\""), e.getMessage());
  }

  @Test
  void longGarbageIsRefusedWithOnlyItsFirstBytesShown() {
    byte[] line = ("x".repeat(ProtocolException.EXCERPT_BYTES) + "y".repeat(500)).getBytes(UTF_8);

    ProtocolException e = assertRefused(line);

    assertEquals("\"" + "x".repeat(ProtocolException.EXCERPT_BYTES) + "\"...", e.excerpt());
    assertEquals(line.length, e.length());
    assertArrayEquals(Arrays.copyOf(line, ProtocolException.EXCERPT_BYTES), e.start());
  }

  @Test
  void jsonArrayIsRefused() {
    ProtocolException e = assertRefused("[1,2]".getBytes(UTF_8));

    assertEquals("\"[1,2]\"", e.excerpt());
  }

  @Test
  void unknownTypeIsRefused() {
    ProtocolException e = assertRefused("{\"type\":\"nope\",\"taskId\":1}".getBytes(UTF_8));

    assertEquals("\"{\\\"type\\\":\\\"nope\\\",\\\"taskId\\\":1}\"", e.excerpt());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void objectWithoutTypeIsRefused() {
    ProtocolException e = assertRefused("{\"taskId\":1}".getBytes(UTF_8));

    assertEquals("\"{\\\"taskId\\\":1}\"", e.excerpt());
    assertTrue(e.getMessage().contains("'type'"), e.getMessage());
  }

  @Test
  void jsonNullIsRefused() {
    ProtocolException e = assertRefused("null".getBytes(UTF_8));

    assertEquals("\"null\"", e.excerpt());
  }

  @Test
  void emptyLineIsRefused() {
    ProtocolException e = assertRefused(new byte[0]);

    assertEquals("\"\"", e.excerpt());
    assertEquals(0, e.length());
  }

  @Test
  void messageMissingARequiredFieldIsRefused() {
    ProtocolException e = assertRefused(
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"square\",\"rank\":0}".getBytes(UTF_8));

    assertTrue(e.excerpt().startsWith("\"{\\\"type\\\":\\\"task\\\""), e.excerpt());
  }

  @Test
  void invalidUtf8IsRefusedWithTheBadBytesShownAsHex() {
    byte[] line = concat("{\"type\":\"fault\",\"message\":\"".getBytes(UTF_8),
        new byte[] {(byte) 0xff, (byte) 0xfe}, "\"}".getBytes(UTF_8));

    ProtocolException e = assertRefused(line);

    assertEquals("\"{\\\"type\\\":\\\"fault\\\",\\\"message\\\":\\\"\\xff\\xfe\\\"}\"", e.excerpt());
    assertTrue(e.getMessage().contains("\\xff\\xfe"), e.getMessage());
  }

  @Test
  void truncatedUtf8SequenceIsRefused() {
    byte[] line = concat("{\"type\":\"fault\",\"message\":\"".getBytes(UTF_8),
        new byte[] {(byte) 0xe2, (byte) 0x82}, "\"}".getBytes(UTF_8));

    ProtocolException e = assertRefused(line);

    assertTrue(e.excerpt().endsWith("\\xe2\\x82\\\"}\""), e.excerpt());
  }

  @Test
  void unknownFieldsAreIgnoredWhereverTheyStand() throws Exception {
    byte[] line = ("{\"future\":{\"nested\":[1,2]},\"type\":\"hello\",\"protocol\":1,\"pid\":5,"
        + "\"workerId\":\"w\",\"later\":\"x\"}").getBytes(UTF_8);

    assertEquals(new Message.Hello(1, 5, "w"), Codec.decode(line));
  }

  @Test
  void unknownFieldInAnErrorEntryIsIgnored() throws Exception {
    byte[] line = ("{\"type\":\"result\",\"taskId\":2,\"attempt\":1,\"outputs\":[null],\"errors\":[{\"index\":0,"
        + "\"exception\":\"E\",\"message\":\"m\",\"trace\":\"t\",\"thread\":\"main\"}]}").getBytes(UTF_8);

    assertEquals(new Message.Result(2, 1, Arrays.asList(JSON.nullNode()),
        List.of(new Message.TaskError(0, "E", "m", "t"))), Codec.decode(line));
  }

  @Test
  void thirtyMegabyteStringOutputRoundTrips() throws Exception {
    // Above Jackson's default limit of 20 M chars for one string.
    String big = "ACGT".repeat(30 * 1024 * 1024 / 4);
    Message.Result result = new Message.Result(1, 1, List.of(JSON.textNode(big)), List.of());

    byte[] line = Codec.encode(result);
    Message decoded = Codec.decode(Arrays.copyOf(line, line.length - 1));

    assertEquals(big.length() + "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[\"\"]}\n".length(),
        line.length);
    assertEquals(result, decoded);
  }

  @Test
  void nonAsciiTextIsWrittenAsUtf8AndRoundTrips() throws Exception {
    String text = "naïve café — 日本語 \u00a0";
    Message.Fault fault = new Message.Fault(text);

    byte[] line = Codec.encode(fault);

    assertArrayEquals(("{\"type\":\"fault\",\"message\":\"" + text + "\"}\n").getBytes(UTF_8), line);
    assertEquals(fault, Codec.decode(Arrays.copyOf(line, line.length - 1)));
  }

  @Test
  void textBeyondTheBasicPlaneRoundTrips() throws Exception {
    // Jackson writes a surrogate pair as two escaped UTF-16 units, not four UTF-8 bytes: both are JSON.
    Message.Fault fault = new Message.Fault("DNA \uD83E\uDDEC helix");

    byte[] line = Codec.encode(fault);

    assertEquals(fault, Codec.decode(Arrays.copyOf(line, line.length - 1)));
  }

  @Test
  void newlinesAndOtherControlCharactersAreEscapedSoTheLineEndsOnlyAtItsEnd() throws Exception {
    StringBuilder controls = new StringBuilder("first line\nsecond line\r\n");
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    Message.Task task = new Message.Task(1, 1, "shout", 0, List.of(JSON.textNode(controls.toString())),
        JSON.objectNode().put("note", "a\nb"));

    byte[] line = Codec.encode(task);

    assertEquals('\n', line[line.length - 1]);
    for (int i = 0; i < line.length - 1; i++) {
      assertTrue((line[i] & 0xff) >= 0x20, "byte " + i + " is a raw control byte " + line[i]);
    }
    assertEquals(task, Codec.decode(Arrays.copyOf(line, line.length - 1)));
  }

  @Test
  void encodedLinesAreIndependentOfEachOther() throws Exception {
    // The codec keeps no state between lines: a second encode of the same message is identical.
    Message.Goodbye goodbye = new Message.Goodbye(1, 2, 0);

    assertArrayEquals(Codec.encode(goodbye), Codec.encode(goodbye));
  }

  private static void assertGolden(Message message, String json) throws ProtocolException {
    byte[] golden = (json + "\n").getBytes(UTF_8);

    assertEquals(json + "\n", new String(Codec.encode(message), UTF_8));
    assertArrayEquals(golden, Codec.encode(message));
    assertEquals(message, Codec.decode(json.getBytes(UTF_8)));
  }

  private static ProtocolException assertRefused(byte[] line) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> Codec.decode(line));
    assertEquals(line.length, e.length());
    assertArrayEquals(Arrays.copyOf(line, Math.min(line.length, ProtocolException.EXCERPT_BYTES)), e.start());
    assertTrue(e.getMessage().contains(e.excerpt()), e.getMessage());
    return e;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
