package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The integral fast path against databind's reading and writing of the same numbers as nodes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntegralListTest {
  private static final long[] EDGES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE,
      Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, 999_999L * 999_999L};

  @Test
  void itsNodesAreTheOnesJacksonReadsFromTheNumbersText() throws Exception {
    IntegralList list = IntegralList.of(EDGES);
    for (int i = 0; i < EDGES.length; i++) {
      JsonNode node = list.get(i);
      assertEquals(Codec.parse(Long.toString(EDGES[i])), node, "value " + EDGES[i]);
      assertEquals(EDGES[i] == (int) EDGES[i] ? IntNode.class : LongNode.class, node.getClass());
      assertEquals(EDGES[i], list.longAt(i));
    }
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(EDGES.length));
    assertThrows(UnsupportedOperationException.class, () -> list.add(IntNode.valueOf(1)));
  }

  @Test
  void messagesHoldingOneAreWrittenAsDatabindWritesTheirNodesAndReadBackEqual() throws Exception {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      long[] values = new long[random.nextInt(50)];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)]
            : random.nextBoolean() ? random.nextInt() : random.nextLong();
      }
      IntegralList integers = IntegralList.of(values);
      List<JsonNode> nodes = new ArrayList<>(integers);
      Message.Task task = new Message.Task(round, 1, "square", 7, integers, null);
      Message.Result result = new Message.Result(round, 2, integers, List.of());

      assertArrayEquals(Codec.encodeWithMapper(new Message.Task(round, 1, "square", 7, nodes, null)),
          Codec.encode(task));
      assertArrayEquals(Codec.encodeWithMapper(new Message.Result(round, 2, nodes, List.of())),
          Codec.encode(result));
      Message.Result back = (Message.Result) Codec.decode(Codec.encode(result));
      assertInstanceOf(IntegralList.class, back.outputs());
      assertEquals(Codec.decodeWithMapper(Codec.encode(result)), back);
      assertEquals(nodes, back.outputs());
      assertEquals(task, Codec.decode(Codec.encode(task)));
    }
  }

  @Test
  void anArrayThatIsNotAllPlainIntegersIsReadAsNodesInOrder() throws Exception {
    String line = "{\"type\":\"result\",\"taskId\":1,\"attempt\":1,"
        + "\"outputs\":[1,2147483648,\"x\",3,18446744073709551616,4.5,null,[5],6]}";
    Message.Result result = (Message.Result) Codec.decode(line.getBytes(UTF_8));

    assertEquals(Codec.decodeWithMapper(line.getBytes(UTF_8)), result);
    assertEquals(List.of(IntNode.valueOf(1), LongNode.valueOf(2147483648L), TextNode.valueOf("x"),
            IntNode.valueOf(3), BigIntegerNode.valueOf(new BigInteger("18446744073709551616"))),
        result.outputs().subList(0, 5));
  }

  @Test
  void anEmptyArrayAndAWholeChunkOfSquaresRoundTrip() throws Exception {
    assertEquals(List.of(), ((Message.Result) Codec.decode(
        Codec.encode(new Message.Result(1, 1, List.of(), List.of())))).outputs());
    IntegralList.Builder squares = new IntegralList.Builder(1);
    for (long x = 0; x < 4096; x++) {
      squares.add(x * x);
    }
    IntegralList sent = squares.build();
    Message.Result back = (Message.Result) Codec.decode(
        Codec.encode(new Message.Result(1, 1, sent, List.of())));
    assertEquals(sent, back.outputs());
    assertEquals(4095L * 4095L, ((IntegralList) back.outputs()).longAt(4095));
  }
}
