package dev.jprocs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameReaderTest {
  private static final int LIMIT = 200;

  @Test
  void linesSplitAcrossManySmallReadsComeBackWhole() throws Exception {
    List<String> lines = List.of("{\"type\":\"shutdown\"}", "", "second line", "x".repeat(150),
        "naïve — 日本語", "last");
    FrameReader reader = new FrameReader(new TricklingInputStream(bytes(String.join("\n", lines) + "\n")), LIMIT);

    List<String> read = new ArrayList<>();
    for (byte[] line = reader.readLine(); line != null; line = reader.readLine()) {
      read.add(new String(line, UTF_8));
    }

    assertEquals(lines, read);
  }

  @Test
  void lineLongerThanTheInternalBufferIsReturnedWhole() throws Exception {
    byte[] longLine = new byte[200_000];
    for (int i = 0; i < longLine.length; i++) {
      longLine[i] = (byte) ('a' + i % 26);
    }
    FrameReader reader = new FrameReader(
        new ByteArrayInputStream(concat(longLine, bytes("\nnext\n"))), 1024 * 1024);

    assertArrayEquals(longLine, reader.readLine());
    assertArrayEquals(bytes("next"), reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void nextLineLeavesEachLineAtTheStartOfTheReadersArrayAndSaysHowLong() throws Exception {
    byte[] longLine = new byte[2_000_000]; // past the size at which the array is dropped after
    Arrays.fill(longLine, (byte) 'q');
    FrameReader reader = new FrameReader(new TricklingInputStream(
        concat(concat(bytes("a much longer line\nshort\n"), longLine), bytes("\nlast\n"))),
        4_000_000);

    List<String> read = new ArrayList<>();
    for (int length = reader.nextLine(); length >= 0; length = reader.nextLine()) {
      read.add(length > 100 ? "q x " + length : new String(reader.line(), 0, length, UTF_8));
    }

    assertEquals(List.of("a much longer line", "short", "q x 2000000", "last"), read);
    assertEquals(-1, reader.nextLine(), "still the end");
  }

  @Test
  void hasInputSeesLinesBufferedAndBytesTheStreamStillHolds() throws Exception {
    FrameReader buffered = new FrameReader(new ByteArrayInputStream(bytes("one\ntwo\n")), LIMIT);
    assertTrue(buffered.hasInput(), "nothing read yet, but the stream holds 8 bytes");
    assertArrayEquals(bytes("one"), buffered.readLine());
    assertTrue(buffered.hasInput(), "\"two\" came in the same read and waits in the buffer");
    assertArrayEquals(bytes("two"), buffered.readLine());
    assertFalse(buffered.hasInput());

    // One byte per read: "two" stays in the stream, which says it can give it without blocking.
    FrameReader trickling = new FrameReader(new ByteArrayInputStream(bytes("a\ntwo\n")) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1));
      }
    }, LIMIT);
    assertArrayEquals(bytes("a"), trickling.readLine());
    assertTrue(trickling.hasInput());
    assertArrayEquals(bytes("two"), trickling.readLine());
    assertFalse(trickling.hasInput());
  }

  @Test
  void emptyStreamGivesNull() throws Exception {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[0]), LIMIT);

    assertNull(reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void emptyLineIsAnEmptyArray() throws Exception {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes("\n\nabc\n")), LIMIT);

    assertArrayEquals(new byte[0], reader.readLine());
    assertArrayEquals(new byte[0], reader.readLine());
    assertArrayEquals(bytes("abc"), reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void lineExactlyAtTheLimitIsAccepted() throws Exception {
    String atLimit = "a".repeat(LIMIT);
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes(atLimit + "\n")), LIMIT);

    assertArrayEquals(bytes(atLimit), reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void lineOneByteOverTheLimitIsRefusedWithItsStartAndReadingGoesOn() throws Exception {
    String overlong = "0123456789".repeat(LIMIT / 10) + "!";
    FrameReader reader = new FrameReader(
        new ByteArrayInputStream(bytes(overlong + "\nafter\n")), LIMIT);

    ProtocolException e = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals(LIMIT + 1, e.length());
    assertEquals("\"" + overlong.substring(0, ProtocolException.EXCERPT_BYTES) + "\"...", e.excerpt());
    assertArrayEquals(bytes(overlong.substring(0, ProtocolException.EXCERPT_BYTES)), e.start());
    assertTrue(e.getMessage().contains("limit of " + LIMIT + " bytes"), e.getMessage());
    assertTrue(e.getMessage().contains(e.excerpt()), e.getMessage());
    assertArrayEquals(bytes("after"), reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void overlongLineReadInSmallPiecesIsRefusedWithItsStartAndReadingGoesOn() throws Exception {
    StringBuilder overlong = new StringBuilder();
    for (int i = 0; overlong.length() < 5_000; i++) {
      overlong.append(i).append(',');
    }
    FrameReader reader = new FrameReader(
        new TricklingInputStream(bytes("before\n" + overlong + "\nafter\n")), LIMIT);

    assertArrayEquals(bytes("before"), reader.readLine());
    ProtocolException e = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals(overlong.length(), e.length());
    assertEquals("\"" + overlong.substring(0, ProtocolException.EXCERPT_BYTES) + "\"...", e.excerpt());
    assertArrayEquals(bytes("after"), reader.readLine());
    assertNull(reader.readLine());
  }

  @Test
  void overlongLineShorterThanAnExcerptIsShownWhole() throws Exception {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes("abcdefghijk\nok\n")), 10);

    ProtocolException e = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals(11, e.length());
    assertEquals("\"abcdefghijk\"", e.excerpt());
    assertArrayEquals(bytes("ok"), reader.readLine());
  }

  @Test
  void twoOverlongLinesInARowAreEachRefusedWithTheirOwnStart() throws Exception {
    String first = "A".repeat(LIMIT + 50);
    String second = "B".repeat(LIMIT * 3);
    FrameReader reader = new FrameReader(
        new TricklingInputStream(bytes(first + "\n" + second + "\nend\n")), LIMIT);

    ProtocolException one = assertThrows(ProtocolException.class, reader::readLine);
    ProtocolException two = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals(first.length(), one.length());
    assertEquals("\"" + "A".repeat(ProtocolException.EXCERPT_BYTES) + "\"...", one.excerpt());
    assertEquals(second.length(), two.length());
    assertEquals("\"" + "B".repeat(ProtocolException.EXCERPT_BYTES) + "\"...", two.excerpt());
    assertArrayEquals(bytes("end"), reader.readLine());
  }

  @Test
  void endOfStreamInTheMiddleOfALineIsAProtocolException() throws Exception {
    FrameReader reader = new FrameReader(new TricklingInputStream(bytes("whole\ncut off")), LIMIT);

    assertArrayEquals(bytes("whole"), reader.readLine());
    ProtocolException e = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals("\"cut off\"", e.excerpt());
    assertEquals(7, e.length());
    assertTrue(e.getMessage().contains("stream ended in the middle of a line"), e.getMessage());
    assertNull(reader.readLine());
  }

  @Test
  void controlAndNonAsciiBytesAppearAsHexInTheExcerpt() throws Exception {
    byte[] line = {0x01, 'a', '\t', '\r', (byte) 0xff, 0x7f, '"', '\\', (byte) 0xc3, (byte) 0xa9, 0x00};
    FrameReader reader = new FrameReader(new ByteArrayInputStream(line), LIMIT);

    ProtocolException e = assertThrows(ProtocolException.class, reader::readLine);

    assertEquals("\"\\x01a\\x09\\x0d\\xff\\x7f\\\"\\\\\\xc3\\xa9\\x00\"", e.excerpt());
    assertArrayEquals(line, e.start());
  }

  @Test
  void limitBelowTwoIsRefusedWithTheBadValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FrameReader(new ByteArrayInputStream(new byte[0]), 1));

    assertTrue(e.getMessage().contains("got 1"), e.getMessage());
  }

  @Test
  void everyLineOfAnEncodedConversationDecodesBack() throws Exception {
    List<Message> messages = List.of(new Message.Hello(1, 99, "worker-0"), new Message.Shutdown(),
        new Message.Goodbye(0, 0, 0), new Message.Fault("multi\nline"));
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (Message message : messages) {
      wire.write(Codec.encode(message));
    }
    FrameReader reader = new FrameReader(new TricklingInputStream(wire.toByteArray()), LIMIT);

    List<Message> read = new ArrayList<>();
    for (byte[] line = reader.readLine(); line != null; line = reader.readLine()) {
      read.add(Codec.decode(line));
    }

    assertEquals(messages, read);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Hands out its bytes 1, 2, 3, 1, 2, 3... at a time, as a pipe under load might. */
  private static final class TricklingInputStream extends InputStream {
    private final byte[] data;
    private int position;
    private int reads;

    TricklingInputStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return position < data.length ? data[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position == data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, 1 + reads++ % 3), data.length - position);
      System.arraycopy(data, position, b, off, n);
      position += n;
      return n;
    }
  }
}
