package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Outputs kept as the worker's text: their bounds, their trees, and what the reader refuses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonTextListTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Values of every kind, with whitespace where JSON allows it and multibyte text before some. */
  private static final List<String> VALUES = List.of(
      "{\"a\":1,\"b\":[true,null]}", "\"h\u00e9llo \\\"\\\\\\n \u2713\"", "-12.5e3", "0",
      "[ ]", "{}", "null", "false", "\"\ud83d\ude00\"", "[1,[2,{\"c\":\"d\"}]]",
      "123456789012345678901234567890", "{ \"x\" : [ 1 , 2 ] }", "\"\"");

  @Test
  void outputsKeptAsTextAreTheirOwnBytesAndGiveTheTreesDecodingGives() throws Exception {
    String line = "{\"type\":\"result\",\"taskId\":42,\"attempt\":1,\"outputs\":[ "
        + String.join(" ,\n\t", VALUES) + " ]}";
    byte[] bytes = line.getBytes(UTF_8);

    Message.Result kept = (Message.Result) Codec.decode(bytes, taskId -> true);
    Message.Result trees = (Message.Result) Codec.decode(bytes);

    JsonTextList texts = assertInstanceOf(JsonTextList.class, kept.outputs());
    assertEquals(VALUES.size(), texts.size());
    for (int i = 0; i < VALUES.size(); i++) {
      assertEquals(VALUES.get(i), texts.text(i).toString(), "text of output " + i);
      assertEquals(trees.outputs().get(i), texts.get(i), "tree of output " + i);
    }
    assertEquals(Codec.decodeWithMapper(bytes), kept);
    assertThrows(IndexOutOfBoundsException.class, () -> texts.text(VALUES.size()));
    assertThrows(UnsupportedOperationException.class, () -> texts.add(NODES.nullNode()));
  }

  @Test
  void randomOutputsWrittenOnTheWireComeBackAsTheTextOfTheirTrees() throws Exception {
    Random random = new Random(5);
    for (int round = 0; round < 200; round++) {
      List<JsonNode> outputs = new ArrayList<>();
      for (int i = random.nextInt(20); i > 0; i--) {
        outputs.add(randomValue(random, 3));
      }
      byte[] line = Codec.encode(new Message.Result(round, 1, outputs, List.of()));
      byte[] json = java.util.Arrays.copyOf(line, line.length - 1);

      Message.Result back = (Message.Result) Codec.decode(json, taskId -> true);

      if (back.outputs() instanceof JsonTextList texts) {
        for (int i = 0; i < outputs.size(); i++) {
          assertEquals(JsonText.of(outputs.get(i)), texts.text(i));
        }
      } else { // only plain integers, which have a list of their own
        assertInstanceOf(IntegralList.class, back.outputs());
      }
      assertEquals(outputs, back.outputs(), "round " + round);
    }
  }

  @Test
  void malformedOutputsAreRefusedWhetherKeptAsTextOrNot() {
    String head = "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":";
    List<byte[]> lines = new ArrayList<>();
    for (String outputs : List.of("[{\"a\":tru}]", "[{\"a\":1,}]", "[\"x\u0001\"]", "[01]",
        "[1 2]", "[\"open]", "[1,]", "[{\"a\" 1}]", "[\"\\q\"]", "[[1}]")) {
      lines.add((head + outputs + "}").getBytes(UTF_8));
    }
    byte[] badUtf8 = (head + "[\"ab\"]}").getBytes(UTF_8);
    badUtf8[head.length() + 2] = (byte) 0xC3; // a lead byte followed by 'b', not a continuation
    lines.add(badUtf8);

    for (byte[] line : lines) {
      String text = new String(line, UTF_8);
      assertThrows(ProtocolException.class, () -> Codec.decode(line, taskId -> true), text);
      assertThrows(ProtocolException.class, () -> Codec.decode(line), text);
    }
  }

  @Test
  void theReaderIsAskedForTheTaskIdOnlyWhenItComesBeforeTheOutputs() throws Exception {
    List<Long> asked = new ArrayList<>();
    byte[] first = "{\"type\":\"result\",\"taskId\":42,\"attempt\":1,\"outputs\":[\"a\"]}"
        .getBytes(UTF_8);
    byte[] last = "{\"type\":\"result\",\"attempt\":1,\"outputs\":[\"a\"],\"taskId\":43}"
        .getBytes(UTF_8);

    Message.Result kept = (Message.Result) Codec.decode(first, taskId -> asked.add(taskId));
    Message.Result trees = (Message.Result) Codec.decode(last, taskId -> asked.add(taskId));
    Message.Result refused = (Message.Result) Codec.decode(first, taskId -> false);

    assertEquals(List.of(42L), asked);
    assertInstanceOf(JsonTextList.class, kept.outputs());
    assertFalse(trees.outputs() instanceof JsonTextList);
    assertFalse(refused.outputs() instanceof JsonTextList);
    assertEquals(List.of(NODES.textNode("a")), trees.outputs());
  }

  @Test
  void aFieldIsReadFromTheTextAlone() throws Exception {
    JsonText text = texts("{\"score\":-3,\"rows\":[\"A-\",\"AC\"],\"score\":9}").text(0);

    assertEquals(NODES.numberNode(-3), text.field("score"), "the first of two");
    assertEquals(Codec.parse("[\"A-\",\"AC\"]"), text.field("rows"));
    assertEquals(MissingNode.getInstance(), text.field("absent"));
    assertEquals(NODES.numberNode(9), text.toTree().get("score"), "a tree keeps the last");
    JsonTextList others = texts("[1]", "\"s\"");
    assertEquals(MissingNode.getInstance(), others.text(0).field("score"));
    assertEquals(MissingNode.getInstance(), others.text(1).field("score"));
  }

  @Test
  void aLeadingIntegerFieldReadWithoutAParserIsTheNodeTheParserGives() throws Exception {
    List<String> values = List.of("0", "-0", "7", "-51", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "999999999999999999", "-999999999999999999", "1000000000000000000",
        "12345678901234567890123", "1.5", "-2e3", "\"7\"", "[1]", "null");
    List<String> objects = new ArrayList<>();
    for (String value : values) {
      objects.add("{\"score\":" + value + "}");
      objects.add("{\"score\":" + value + ",\"rows\":[\"A\"]}");
      objects.add("{ \"score\" : " + value + " }");
    }
    objects.addAll(List.of("{\"scores\":1,\"score\":2}", "{\"scor\":1}", "{\"s\\u0063ore\":3}", "{}"));
    JsonTextList texts = texts(objects.toArray(String[]::new));

    for (int i = 0; i < objects.size(); i++) {
      JsonNode read = texts.text(i).field("score");
      JsonNode tree = Codec.parse(objects.get(i)).path("score");
      assertEquals(tree, read, objects.get(i));
      assertEquals(tree.getClass(), read.getClass(), objects.get(i));
    }
    assertEquals(NODES.numberNode(5), texts("{\"sc\u00f6re\":5}").text(0).field("sc\u00f6re"));
  }

  @Test
  void textsAreEqualByTheirBytesAndWriteThemAsTheyAre() throws Exception {
    JsonTextList texts = texts("{\"a\":\"\u2713\"}", "{\"a\":\"\u2713\"}", "{ \"a\":\"\u2713\"}");
    JsonText made = JsonText.of(Codec.parse("{\"a\" : \"\u2713\"}"));

    assertEquals(texts.text(0), texts.text(1));
    assertEquals(texts.text(0).hashCode(), texts.text(1).hashCode());
    assertEquals(texts.text(0), made);
    assertNotEquals(texts.text(0), texts.text(2), "the same value written otherwise");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    texts.text(2).writeTo(out);
    assertArrayEquals("{ \"a\":\"\u2713\"}".getBytes(UTF_8), out.toByteArray());
    assertEquals(out.size(), texts.text(2).length());
  }

  @Test
  void outputsKeptAsTextOutliveTheArrayTheLineWasDecodedFrom() throws Exception {
    byte[] line = ("{\"type\":\"result\",\"taskId\":1,\"attempt\":1,"
        + "\"outputs\":[{\"a\":[1,\"b\"]},\"c\"]}").getBytes(UTF_8);
    byte[] readerArray = Arrays.copyOf(line, line.length + 64); // as FrameReader.nextLine leaves it
    Arrays.fill(readerArray, line.length, readerArray.length, (byte) '}');

    Message.Result result = (Message.Result) Codec.decode(readerArray, line.length, taskId -> true);
    Arrays.fill(readerArray, (byte) ' '); // the reader's next line

    assertEquals(Codec.decode(line), result);
    assertEquals("{\"a\":[1,\"b\"]}", ((JsonTextList) result.outputs()).text(0).toString());
  }

  private static JsonTextList texts(String... values) throws ProtocolException {
    String line = "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,\"outputs\":["
        + String.join(",", values) + "]}";
    Message.Result result = (Message.Result) Codec.decode(line.getBytes(UTF_8), taskId -> true);
    return (JsonTextList) result.outputs();
  }

  private static JsonNode randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 9 : 7);
    return switch (kind) {
      case 0 -> NODES.numberNode(random.nextInt());
      case 1 -> NODES.numberNode(random.nextLong());
      case 2 -> NODES.numberNode(random.nextDouble() * 1e6 - 5e5);
      case 3 -> NODES.textNode(randomText(random));
      case 4 -> NODES.booleanNode(random.nextBoolean());
      case 5 -> NODES.nullNode();
      case 6 -> NODES.numberNode(new java.math.BigInteger(80, random));
      case 7 -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomValue(random, depth - 1));
        }
        yield array;
      }
      default -> {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          object.set(randomText(random), randomValue(random, depth - 1));
        }
        yield object;
      }
    };
  }

  /** Letters, escapes, control characters, and text of two, three and four UTF-8 bytes. */
  private static String randomText(Random random) {
    String[] pieces = {"a", "Z", "\"", "\\", "\n", "\u0001", "\u00e9", "\u2713", "\ud83d\ude00", " ", ","};
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(6); i > 0; i--) {
      text.append(pieces[random.nextInt(pieces.length)]);
    }
    return text.toString();
  }
}
