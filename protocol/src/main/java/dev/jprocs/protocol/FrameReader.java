package dev.jprocs.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code \n}-terminated lines of at most a given length. Not
 * thread-safe: threads that share a reader take turns under a lock of their own.
 *
 * <p>An overlong line is a {@link ProtocolException} carrying its start; the rest of that line is
 * skipped, so the caller may go on reading after it. End of stream in the middle of a line is
 * also a {@link ProtocolException}: the writer died mid-line.
 */
public final class FrameReader {
  /** The line array is dropped after a line longer than this, as StreamingCodec's buffers are. */
  private static final int KEPT_LINE_BYTES = 1 << 20;

  /** The line array's first size; it grows for longer lines. */
  private static final int FIRST_LINE_BYTES = 512;

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  /** The current line so far; for an overlong line, only its first bytes. */
  private byte[] line = new byte[FIRST_LINE_BYTES];
  private int kept;
  /** The current line's full length so far. */
  private long length;

  public FrameReader(InputStream in, int maxLineBytes) {
    if (maxLineBytes < 2) {
      throw new IllegalArgumentException("maxLineBytes must be at least 2, got " + maxLineBytes);
    }
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Blocks until a whole line has arrived and returns it without its {@code \n}. Returns null at
   * the end of the stream.
   */
  public byte[] readLine() throws IOException {
    int size = nextLine();
    return size < 0 ? null : Arrays.copyOf(line, size);
  }

  /**
   * As {@link #readLine}, but leaves the line in this reader's own array, {@link #line()}, and
   * returns its length (-1 at the end of the stream): the line is {@code line()[0, length)} until
   * the next call, which may overwrite or replace that array. For a reader that decodes each line
   * and keeps none of its bytes ({@link Codec#decode(byte[], int, java.util.function.LongPredicate)}):
   * a coordinator's 150 KB result lines are then not copied once more each.
   */
  public int nextLine() throws IOException {
    if (line.length > KEPT_LINE_BYTES) {
      line = new byte[FIRST_LINE_BYTES]; // a rare long line does not pin its array for good
    }
    kept = 0;
    length = 0;
    while (true) {
      if (position == limit && !fill()) {
        if (length == 0) {
          return -1;
        }
        throw failure("stream ended in the middle of a line");
      }
      int newline = position;
      while (newline < limit && buffer[newline] != '\n') {
        newline++;
      }
      take(newline - position);
      if (newline < limit) {
        position = newline + 1;
        if (length > maxLineBytes) {
          throw failure("line longer than the limit of " + maxLineBytes + " bytes");
        }
        return kept;
      }
      position = limit;
    }
  }

  /** The array {@link #nextLine} left its line in. */
  public byte[] line() {
    return line;
  }

  /**
   * True when input has arrived beyond the lines returned so far: bytes in this reader's buffer,
   * or bytes the stream can give without blocking. Never blocks.
   */
  public boolean hasInput() throws IOException {
    return position < limit || in.available() > 0;
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length); // blocks; never 0 for a non-empty buffer
    position = 0;
    limit = Math.max(n, 0);
    return n > 0;
  }

  /** Adds {@code count} bytes at {@code position} to the line, keeping only an excerpt once it is overlong. */
  private void take(int count) {
    length += count;
    int keep = length > maxLineBytes ? Math.min(count, Math.max(0, ProtocolException.EXCERPT_BYTES - kept)) : count;
    if (kept + keep > line.length) {
      line = Arrays.copyOf(line, Math.max(kept + keep, line.length * 2));
    }
    System.arraycopy(buffer, position, line, kept, keep);
    kept += keep;
  }

  private ProtocolException failure(String problem) {
    return new ProtocolException(problem, line, kept, length, null);
  }
}
