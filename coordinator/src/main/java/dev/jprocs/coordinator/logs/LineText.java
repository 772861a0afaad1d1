package dev.jprocs.coordinator.logs;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The start of a pipe line as text, decoded no further than needed: a line may be 256 MiB. */
final class LineText {
  /** The text of a line's start, and whether that is less than the whole line. */
  record Cut(String text, boolean cut) {}

  private LineText() {}

  /**
   * Decodes at most {@code maxChars} characters of {@code line} as UTF-8 (a bad byte becomes
   * U+FFFD). {@code line} may hold only the start of a line of {@code fullBytes} bytes; the result
   * is cut when it shows less than all of them.
   */
  static Cut cut(byte[] line, int fullBytes, int maxChars) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer in = ByteBuffer.wrap(line);
    CharBuffer out = CharBuffer.allocate(Math.max(0, Math.min(maxChars, line.length)));
    // OVERFLOW stops the decoder with the output full, leaving the rest of the bytes unread:
    // the cost is bounded by maxChars, not by the line.
    decoder.decode(in, out, true);
    if (!in.hasRemaining()) {
      decoder.flush(out);
    }
    out.flip();
    return new Cut(out.toString(), in.hasRemaining() || line.length < fullBytes);
  }

  /**
   * The first {@code maxBytes} of {@code bytes} as printable ASCII: other bytes as {@code \xNN},
   * a backslash as {@code \\}. For bytes that may not be text at all.
   */
  static String printable(byte[] bytes, int maxBytes) {
    int shown = Math.min(bytes.length, maxBytes);
    StringBuilder out = new StringBuilder(shown + 8);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xff;
      if (b == '\\') {
        out.append("\\\\");
      } else if (b >= 0x20 && b < 0x7f) {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return out.toString();
  }
}
