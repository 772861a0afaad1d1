package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The byte-level reader of integer tasks and results, held to databind's reading of each line. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntegralLinesTest {
  private static final long[] EDGES = {0, 1, -1, 9, 10, Integer.MAX_VALUE, Integer.MIN_VALUE,
      Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, 999_999_999_999_999_999L,
      -999_999_999_999_999_999L, Long.MAX_VALUE, Long.MIN_VALUE};

  @Test
  void theLinesThisCodecWritesAreReadToTheMessagesDatabindReads() throws Exception {
    Random random = new Random(5);
    for (int round = 0; round < 500; round++) {
      IntegralList numbers = IntegralList.of(numbers(random));
      for (Message message : List.of(
          new Message.Result(random.nextInt(1000), 1 + random.nextInt(3), numbers, List.of()),
          new Message.Task(random.nextLong() >>> 8, 1, random.nextBoolean() ? "square" : "x-1.y_z",
              random.nextInt(), numbers, null))) {
        byte[] line = Codec.encode(message);
        Message read = IntegralLines.decode(line, line.length);
        boolean longNumbers = false;
        for (int i = 0; i < numbers.size(); i++) {
          long value = numbers.longAt(i);
          longNumbers |= value >= 1_000_000_000_000_000_000L || value <= -1_000_000_000_000_000_000L;
        }
        if (longNumbers) {
          assertNull(read, "19 digits go the general way");
        } else {
          assertEquals(Codec.decodeWithMapper(line), read, new String(line, UTF_8));
        }
        assertEquals(Codec.decodeWithMapper(line), Codec.decode(line));
        // As a reader's array leaves it: the line, then the bytes of a longer line before it.
        byte[] array = Arrays.copyOf(line, line.length + 40);
        Arrays.fill(array, line.length, array.length, (byte) '7');
        assertEquals(read, IntegralLines.decode(array, line.length));
        assertEquals(Codec.decode(line), Codec.decode(array, line.length, taskId -> false));
      }
    }
  }

  @Test
  void writesTheBytesDatabindWritesForTheSameNodes() throws Exception {
    Random random = new Random(3);
    List<String> names = List.of("square", "x-1.y_z:a/b", "", "sq uare", "quote\"d", "ünï", "tab\t");
    for (int round = 0; round < 500; round++) {
      IntegralList numbers = IntegralList.of(numbers(random));
      List<com.fasterxml.jackson.databind.JsonNode> nodes = new java.util.ArrayList<>(numbers);
      long id = random.nextBoolean() ? random.nextLong() : EDGES[random.nextInt(EDGES.length)];
      String name = names.get(random.nextInt(names.size()));
      List<Message.TaskError> errors = random.nextInt(5) == 0
          ? List.of(new Message.TaskError(0, "E", "m", null)) : List.of();
      com.fasterxml.jackson.databind.JsonNode options = random.nextInt(5) == 0
          ? Codec.parse("{\"reference\":\"AC\"}") : null;
      assertArrayEquals(Codec.encodeWithMapper(new Message.Result(id, round, nodes, errors)),
          Codec.encode(new Message.Result(id, round, numbers, errors)));
      assertArrayEquals(Codec.encodeWithMapper(new Message.Task(id, round, name, -id, nodes, options)),
          Codec.encode(new Message.Task(id, round, name, -id, numbers, options)), name);
    }
  }

  @Test
  void writesAndReadsEveryNumberOfDigitsAsLongToStringDoesInALineLongerThanTheScratchArray()
      throws Exception {
    List<Long> values = new java.util.ArrayList<>();
    for (long power = 1; power > 0 && power <= Long.MAX_VALUE / 10 * 10; power *= 10) {
      for (long value : new long[] {power - 1, power, power + 1, 2 * power, 5 * power - 3}) {
        values.add(value);
        values.add(-value);
      }
    }
    values.addAll(List.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
    long[] numbers = new long[200_000]; // past the reader's scratch array, and what it keeps
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = values.get(i % values.size());
    }
    for (int round = 0; round < 2; round++) { // the second after the scratch array grew
      Message.Result result = new Message.Result(round, 1, IntegralList.of(numbers), List.of());
      byte[] line = Codec.encode(result);

      String expected = "{\"type\":\"result\",\"taskId\":" + round + ",\"attempt\":1,\"outputs\":["
          + java.util.Arrays.stream(numbers).mapToObj(Long::toString)
              .collect(java.util.stream.Collectors.joining(",")) + "]}\n";
      String written = new String(line, UTF_8);
      int firstDifference = 0;
      while (firstDifference < Math.min(expected.length(), written.length())
          && expected.charAt(firstDifference) == written.charAt(firstDifference)) {
        firstDifference++;
      }
      assertEquals(expected.length(), firstDifference, "the first byte that differs");
      assertEquals(expected.length(), written.length());
      assertTrue(java.util.Arrays.equals(Codec.encodeWithMapper(result), line), "as databind");
      // Without the 19-digit numbers, which go the general way, read back here.
      long[] shorter = java.util.Arrays.stream(numbers)
          .filter(n -> Math.abs(n) < 1_000_000_000_000_000_000L && n != Long.MIN_VALUE).toArray();
      Message.Result readable = new Message.Result(round, 1, IntegralList.of(shorter), List.of());
      byte[] readableLine = Codec.encode(readable);
      assertTrue(readable.equals(IntegralLines.decode(readableLine, readableLine.length - 1)),
          "read back " + shorter.length + " numbers");
    }
  }

  @Test
  void everyOtherShapeIsLeftToTheGeneralWay() throws Exception {
    String head = "{\"type\":\"result\",\"taskId\":3,\"attempt\":1,\"outputs\":";
    List<String> lines = List.of(
        head + "[1,2]", // no closing brace
        head + "[1,2]}x",
        head + "[1,2],\"errors\":[]}",
        head + "[1, 2]}",
        head + "[01]}",
        head + "[-]}",
        head + "[1.0]}",
        head + "[1e3]}",
        head + "[1E3]}",
        head + "[\"1\"]}",
        head + "[1,]}",
        head + "[,1]}",
        head + "[1234567890123456789]}",
        head + "[null]}",
        head + "[[1]]}",
        head + "[1}",
        "{\"type\":\"result\",\"taskId\":3,\"attempt\":2147483648,\"outputs\":[1]}",
        "{\"type\":\"result\",\"attempt\":1,\"taskId\":3,\"outputs\":[1]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"sq uare\",\"rank\":0,\"inputs\":[1]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"sq\\u0075are\",\"rank\":0,\"inputs\":[1]}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"square\",\"rank\":0,\"inputs\":[1],"
            + "\"options\":{}}",
        "{\"type\":\"task\",\"taskId\":1,\"attempt\":1,\"task\":\"square\",\"rank\":0.5,\"inputs\":[1]}",
        "{\"type\":\"hello\",\"protocol\":1,\"pid\":7,\"workerId\":\"worker-0\"}");
    for (String text : lines) {
      byte[] bytes = text.getBytes(UTF_8);
      assertNull(IntegralLines.decode(bytes, bytes.length), text);
    }
  }

  @Test
  void emptyArraysNegativeZeroAndTrailingWhitespaceReadAsDatabindReadsThem() throws Exception {
    for (String text : List.of(
        "{\"type\":\"result\",\"taskId\":0,\"attempt\":1,\"outputs\":[]}",
        "{\"type\":\"result\",\"taskId\":-4,\"attempt\":-1,\"outputs\":[-0,0,-7]}\r\n",
        "{\"type\":\"task\",\"taskId\":9,\"attempt\":2,\"task\":\"\",\"rank\":-3,\"inputs\":[]} \t\n")) {
      byte[] line = text.getBytes(UTF_8);
      Message read = IntegralLines.decode(line, line.length);
      assertEquals(Codec.decodeWithMapper(line), read, text);
    }
  }

  @Test
  void randomlyDamagedLinesAreNeverReadToSomethingDatabindWouldNot() throws Exception {
    Random random = new Random(9);
    byte[] alphabet = "0123456789-,[]{}\":.eE abtxyz\n".getBytes(UTF_8);
    int read = 0;
    for (int round = 0; round < 5000; round++) {
      byte[] line = Codec.encode(new Message.Result(round, 1, IntegralList.of(numbers(random)), List.of()));
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        line[random.nextInt(line.length)] = alphabet[random.nextInt(alphabet.length)];
      }
      Message message = IntegralLines.decode(line, line.length);
      if (message != null) {
        read++;
        assertEquals(Codec.decodeWithMapper(line), message, new String(line, UTF_8));
        assertInstanceOf(IntegralList.class, ((Message.Result) message).outputs());
      }
    }
    assertTrue(read > 100, "some damaged lines are still regular (a digit for a digit): " + read);
  }

  private static long[] numbers(Random random) {
    long[] values = new long[random.nextInt(40)];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (random.nextInt(4)) {
        case 0 -> EDGES[random.nextInt(EDGES.length)];
        case 1 -> random.nextInt(100);
        case 2 -> random.nextInt();
        default -> random.nextLong() / (1L << random.nextInt(64));
      };
    }
    return values;
  }
}
