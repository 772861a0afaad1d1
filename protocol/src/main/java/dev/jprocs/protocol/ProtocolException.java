package dev.jprocs.protocol;

import java.io.IOException;

/**
 * The peer broke the wire protocol: a line too long, not JSON, not a known message, or cut off by
 * the end of the stream. Carries the start of the offending bytes so an error can show them.
 */
public class ProtocolException extends IOException {
  /** How many bytes of an offending line {@link #excerpt()} shows. */
  public static final int EXCERPT_BYTES = 120;

  private final byte[] start;
  private final long length;

  /**
   * @param line holds the offending line's first {@code kept} bytes
   * @param length the offending line's full length, which may exceed {@code kept}
   */
  public ProtocolException(String problem, byte[] line, int kept, long length, Throwable cause) {
    super(problem + " (" + length + " bytes, starting " + quote(line, 0, kept, length) + ")", cause);
    this.start = java.util.Arrays.copyOf(line, Math.min(kept, EXCERPT_BYTES));
    this.length = length;
  }

  /** The first bytes of the offending line, at most {@link #EXCERPT_BYTES} of them. */
  public byte[] start() {
    return start.clone();
  }

  /** The full length of the offending line in bytes, counted up to where reading stopped. */
  public long length() {
    return length;
  }

  /** The start of the line as printable text: non-ASCII and control bytes as {@code \xNN}. */
  public String excerpt() {
    return quote(start, 0, start.length, length);
  }

  /**
   * Renders up to {@link #EXCERPT_BYTES} of the {@code available} bytes at {@code offset} as a
   * quoted, printable string, with "..." when the line ({@code length} bytes) goes on.
   */
  public static String quote(byte[] bytes, int offset, int available, long length) {
    int shown = Math.min(available, EXCERPT_BYTES);
    StringBuilder out = new StringBuilder(shown + 8).append('"');
    for (int i = offset; i < offset + shown; i++) {
      int b = bytes[i] & 0xff;
      if (b == '"' || b == '\\') {
        out.append('\\').append((char) b);
      } else if (b >= 0x20 && b < 0x7f) {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    out.append('"');
    if (length > shown) {
      out.append("...");
    }
    return out.toString();
  }
}
