package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec's streaming path against databind's, which is the reference: the same bytes for every
 * message it writes, the same record or the same error for every line, the same tree for every
 * JSON text. Irregular lines are where the two could part, so most cases here are irregular.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamingCodecTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Test
  void writesTheBytesDatabindWritesForEveryKindOfValue() throws Exception {
    for (Message message : messages()) {
      assertArrayEquals(Codec.encodeWithMapper(message), Codec.encode(message),
          () -> "bytes of " + message);
    }
  }

  @Test
  void writesTheBytesDatabindWritesForRandomTrees() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      List<JsonNode> values = new ArrayList<>();
      for (int k = random.nextInt(4); k >= 0; k--) {
        values.add(randomTree(random, 3));
      }
      Message task = new Message.Task(i, 1, "t", i, values, randomTree(random, 2));
      Message result = new Message.Result(i, 2, values, List.of());
      assertArrayEquals(Codec.encodeWithMapper(task), Codec.encode(task), () -> "bytes of " + task);
      assertArrayEquals(Codec.encodeWithMapper(result), Codec.encode(result), () -> "bytes of " + result);
      String line = new String(Codec.encode(task), UTF_8).trim();
      assertSameDecoding(line);
      assertSameDecoding(new String(Codec.encode(result), UTF_8).trim());
    }
  }

  @Test
  void readsEveryLineItWritesAsDatabindReadsIt() throws Exception {
    for (Message message : messages()) {
      String line = new String(Codec.encode(message), UTF_8).trim();
      assertSameDecoding(line);
    }
  }

  @Test
  void takesThePoolsMessagesItselfAndLeavesTheOthersToDatabind() throws Exception {
    StreamingCodec streaming = new StreamingCodec(new com.fasterxml.jackson.core.JsonFactory());
    for (Message message : messages()) {
      byte[] line = streaming.encode(message);
      boolean pools = !(message instanceof Message.PipeSend || message instanceof Message.QueueReply);
      assertEquals(pools, line != null, () -> "streamed: " + message);
      boolean nullOptions = message instanceof Message.Task task && task.options() != null
          && task.options().isNull(); // read by databind: JSON null options read as none
      if (line != null && !nullOptions) {
        byte[] json = Arrays.copyOf(line, line.length - 1);
        // Read where it was written: the line without its \n, which the array still holds.
        int length = json.length;
        assertEquals(Codec.decodeWithMapper(json), streaming.decode(line, length, taskId -> false),
            () -> "read back " + message);
        assertEquals(Codec.decodeWithMapper(json), streaming.decode(line, length, taskId -> true),
            () -> "read back with outputs as text " + message);
      }
    }
  }

  @Test
  void irregularLinesDecodeOrFailAsThroughDatabind() throws Exception {
    List<String> lines = List.of(
        // field order, unknown fields, whitespace
        "{\"type\":\"hello\",\"workerId\":\"w\",\"pid\":3,\"protocol\":1}",
        " { \"type\" : \"hello\" , \"protocol\" : 1 , \"pid\" : 3 , \"workerId\" : \"w\" } ",
        "{\"type\":\"hello\",\"protocol\":1,\"x\":{\"y\":[1,{\"z\":2}]},\"pid\":3,\"workerId\":\"w\"}",
        "{\"protocol\":1,\"type\":\"hello\",\"pid\":3,\"workerId\":\"w\"}",
        // coercions and odd values databind may or may not take
        "{\"type\":\"hello\",\"protocol\":\"1\",\"pid\":3,\"workerId\":\"w\"}",
        "{\"type\":\"hello\",\"protocol\":1.0,\"pid\":3,\"workerId\":\"w\"}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":99999999999999999999,\"workerId\":\"w\"}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":3,\"workerId\":7}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":3,\"workerId\":null}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":3}",
        "{\"type\":\"hello\",\"protocol\":1,\"protocol\":2,\"pid\":3,\"workerId\":\"w\"}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":3,\"workerId\":\"w\"} {}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":3,\"workerId\":\"w\"",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[1,null,[],{}]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[1],\"options\":null}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[1],\"options\":7}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":5}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[{\"a\":1,\"a\":2}]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[1e400, -0.0, 1E2, 12345678901234567890123]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[NaN]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"s\",\"rank\":0,\"inputs\":[\"\\u00e9\\n\\ud83d\\ude00\"]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[null,2]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[1],\"errors\":[]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[1],\"errors\":null}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[null],\"errors\":[{\"index\":0}]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[null],\"errors\":[{\"exception\":\"E\"}]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[null],\"errors\":[{\"index\":0,\"message\":null,\"x\":1}]}",
        "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[null],\"errors\":[5]}",
        "{\"type\":\"result\",\"taskId\":1,\"outputs\":[1]}",
        "{\"type\":\"shutdown\",\"extra\":1}",
        "{\"type\":\"shutdown\"}  ",
        "{\"type\":\"assign\"}",
        "{\"type\":\"assign\",\"workerId\":\"worker-2\"}",
        "{\"type\":\"goodbye\",\"tasks\":1,\"items\":2}",
        "{\"type\":\"goodbye\",\"tasks\":1,\"items\":2,\"errors\":-3}",
        "{\"type\":\"fault\"}",
        "{\"type\":\"fault\",\"message\":null}",
        "{\"type\":\"send\",\"value\":[1,2]}",
        "{\"type\":\"reply\",\"requestId\":1,\"status\":\"item\"}",
        "{\"type\":\"nope\"}",
        "{\"type\":7}",
        "[1]",
        "null",
        "",
        "{}");
    for (String line : lines) {
      assertSameDecoding(line);
    }
  }

  @Test
  void jsonTextsParseToTheTreesDatabindBuilds() throws Exception {
    ObjectMapper jackson = new ObjectMapper();
    List<String> texts = List.of("1", "-1", "2147483648", "9223372036854775808", "1.5", "1e3",
        "-0.0", "\"x\"", "true", "null", "[]", "{}", "{\"a\":{\"b\":[1,\"2\",null]},\"c\":false}",
        "{\"a\":1,\"b\":2,\"a\":3}", " [1, 2] ");
    for (String text : texts) {
      JsonNode expected = jackson.readTree(text);
      JsonNode actual = Codec.parse(text);
      assertEquals(expected, actual, text);
      assertEquals(expected.getClass(), actual.getClass(), text);
      assertEquals(jackson.writeValueAsString(expected), Codec.toJson(actual), text);
    }
  }

  @Test
  void jsonTextsThatAreNotOneValueFailAsThroughDatabind() {
    for (String text : List.of("", "  ", "[1,", "1 2", "{\"a\":}", "tru", "[NaN]")) {
      Exception streaming = null;
      Exception databind = null;
      try {
        Codec.parse(text);
      } catch (Exception e) {
        streaming = e;
      }
      try {
        Codec.Mapper.MAPPER.readTree(text);
        databind = new IllegalStateException("no exception, but Codec.parse refuses an empty text");
      } catch (Exception e) {
        databind = e;
      }
      assertNotNull(streaming, text);
      if (!text.isBlank()) {
        assertEquals(databind.getMessage(), streaming.getMessage(), text);
      }
    }
  }

  @Test
  void aRawValueIsWrittenAsItIsAndReadBackAsTheTreeItSays() throws Exception {
    JsonNode raw = JSON.rawValueNode(new RawValue("{\"score\":-51,\"reference\":\"GA-G\",\"sequence\":\"GACG\"}"));
    byte[] line = Codec.encode(new Message.Result(1, 1, List.of(raw), List.of()));
    assertEquals("{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[{\"score\":-51,"
        + "\"reference\":\"GA-G\",\"sequence\":\"GACG\"}]}\n", new String(line, UTF_8));
    Message.Result read = (Message.Result) Codec.decode(line);
    assertEquals(JSON.objectNode().put("score", -51).put("reference", "GA-G").put("sequence", "GACG"),
        read.outputs().get(0));
  }

  @Test
  void aPojoNodeIsLeftToDatabind() throws Exception {
    JsonNode pojo = JSON.pojoNode(List.of(1, 2));
    Message result = new Message.Result(1, 1, List.of(pojo), List.of());
    assertNull(new StreamingCodec(new com.fasterxml.jackson.core.JsonFactory()).encode(result));
    assertEquals("{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":[[1,2]]}\n",
        new String(Codec.encode(result), UTF_8));
  }

  @Test
  void linesEncodedOneAfterAnotherOnOneThreadAreEachWhole() throws Exception {
    // The thread's buffer is used again: after a line over a megabyte, after a small one, and
    // after a line half written and then left to databind.
    String big = "x".repeat(1 << 20);
    List<Message> messages = List.of(
        new Message.Result(1, 1, List.of(JSON.textNode(big)), List.of()),
        new Message.Result(2, 1, List.of(JSON.textNode("small")), List.of()),
        new Message.Result(3, 1, List.of(JSON.textNode(big), JSON.pojoNode(List.of(1, 2))), List.of()),
        new Message.Result(4, 1, List.of(JSON.objectNode().put("score", -3)), List.of()),
        new Message.Result(5, 1, List.of(JSON.textNode(big)), List.of()));
    List<byte[]> lines = new ArrayList<>();
    for (Message message : messages) {
      lines.add(Codec.encode(message));
    }
    for (int i = 0; i < messages.size(); i++) {
      assertArrayEquals(Codec.encodeWithMapper(messages.get(i)), lines.get(i), "message " + i);
    }
  }

  private static void assertSameDecoding(String text) {
    byte[] line = text.getBytes(UTF_8);
    Object expected;
    try {
      expected = Codec.decodeWithMapper(line);
    } catch (ProtocolException e) {
      expected = e.getMessage();
    }
    Object actual;
    try {
      actual = Codec.decode(line);
    } catch (ProtocolException e) {
      actual = e.getMessage();
    }
    assertEquals(expected, actual, text);
  }

  private static List<Message> messages() {
    ObjectNode options = JSON.objectNode();
    options.put("reference", "ACGT").put("n", 3).put("x", 1.5).putNull("nothing");
    options.putArray("list").add(1).add("two").addNull().add(false);
    options.putObject("nested").put("deep", JSON.numberNode(new BigInteger("123456789012345678901234567890")));
    List<JsonNode> odd = Arrays.asList(JSON.numberNode(Double.NaN), JSON.numberNode(Double.POSITIVE_INFINITY),
        JSON.numberNode(-0.0), JSON.numberNode(1e-300), JSON.numberNode(1.5f), JSON.numberNode((short) 7),
        JSON.numberNode(new BigDecimal("1.10")), JSON.numberNode(new BigDecimal("1E+3")),
        JSON.numberNode(Long.MIN_VALUE), JSON.binaryNode(new byte[] {0, 1, 2, (byte) 255}),
        JSON.textNode("é\u0000\u001f\"\\/\u2028 😀"), JSON.textNode(""), JSON.nullNode(), null,
        JSON.arrayNode(), JSON.objectNode(), JSON.booleanNode(true),
        JSON.rawValueNode(new RawValue("{\"score\":-3,\"reference\":\"AC-GT\"}")),
        JSON.rawValueNode(new RawValue(new SerializedString("[1,\"é\"]"))),
        JSON.rawValueNode(new RawValue(new SerializedString("{\"😀\":\"ä\u2028\"}"))));
    return List.of(
        new Message.Hello(1, 4242, "worker-1"),
        new Message.Hello(-1, Long.MAX_VALUE, "ä \" \n"),
        new Message.Task(7, 1, "square", 10, List.of(JSON.numberNode(3)), null),
        new Message.Task(Long.MAX_VALUE, Integer.MAX_VALUE, "align", 0, List.of(JSON.textNode("ACGT")), options),
        new Message.Task(1, 1, "x", 0, List.of(), JSON.objectNode()),
        new Message.Task(1, 1, "x", 0, List.of(), JSON.nullNode()),
        new Message.Result(7, 1, odd, List.of()),
        new Message.Result(7, 1, List.of(), null),
        new Message.Result(3, 2, Arrays.asList(JSON.numberNode(9), null),
            List.of(new Message.TaskError(1, "java.lang.ArithmeticException", "/ by zero", "trace\n\tat x"),
                new Message.TaskError(0, "E", null, null))),
        new Message.Assign("worker-3"),
        new Message.Shutdown(),
        new Message.Goodbye(3, 10, 1),
        new Message.Fault("cannot read"),
        new Message.Fault(null),
        new Message.PipeSend(JSON.numberNode(1)),
        new Message.QueueReply(1, Message.QueueReply.ITEM, JSON.textNode("x"), null));
  }

  private static JsonNode randomTree(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 9 : 7);
    switch (kind) {
      case 0:
        return JSON.numberNode(random.nextInt());
      case 1:
        return JSON.numberNode(random.nextLong());
      case 2:
        return JSON.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      case 3: {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
          text.append((char) random.nextInt(0x3000));
        }
        return JSON.textNode(text.toString());
      }
      case 4:
        return JSON.booleanNode(random.nextBoolean());
      case 5:
        return JSON.nullNode();
      case 6:
        return JSON.numberNode(BigInteger.valueOf(random.nextLong()).shiftLeft(70));
      case 7: {
        ArrayNode array = JSON.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomTree(random, depth - 1));
        }
        return array;
      }
      default: {
        ObjectNode object = JSON.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          object.set("k" + random.nextInt(5), randomTree(random, depth - 1));
        }
        return object;
      }
    }
  }
}
