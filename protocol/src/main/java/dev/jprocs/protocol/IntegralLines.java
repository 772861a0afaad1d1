package dev.jprocs.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the two lines a pool sends most, byte by byte, when they are exactly as this codec writes
 * them and carry plain integers: a task without options whose inputs are integers, and a result
 * without errors whose outputs are integers. Their numbers then go straight into an
 * {@link IntegralList}; Jackson's tokenizer took some 20 ns a number, most of a coordinator's time
 * for a million squares. Anything else (another message, another field order, whitespace inside,
 * a string or a fraction in the array, a number of 19 digits or more, leading zeros) answers null
 * and goes the general way, which also words every error. Thread-safe: each call reads with an
 * instance of its own, into its thread's own scratch array.
 */
final class IntegralLines {
  private static final byte[] RESULT = ascii("{\"type\":\"result\",\"taskId\":");
  private static final byte[] TASK = ascii("{\"type\":\"task\",\"taskId\":");
  private static final byte[] ATTEMPT = ascii(",\"attempt\":");
  private static final byte[] OUTPUTS = ascii(",\"outputs\":[");
  private static final byte[] TASK_NAME = ascii(",\"task\":\"");
  private static final byte[] RANK = ascii("\",\"rank\":");
  private static final byte[] INPUTS = ascii(",\"inputs\":[");
  private static final byte[] END = ascii("}\n");

  /** Each thread's array for the numbers of the line it reads; see {@link #integers}. */
  private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[4096]);

  /** A scratch array grown past this many numbers (512 KB) is not kept for the next line. */
  private static final int KEPT_SCRATCH_NUMBERS = 1 << 16;

  /** Numbers of at most this many digits always fit in a long. */
  private static final int SAFE_DIGITS = 18;

  /** Marks a failed read: no number of at most 18 digits is this. */
  static final long NOT_A_NUMBER = Long.MIN_VALUE;

  private final byte[] line;
  private final int limit; // the line is line[0, limit)
  private int at;

  private IntegralLines(byte[] line, int limit) {
    this.line = line;
    this.limit = limit;
  }

  /**
   * Returns the line {@link StreamingCodec} would write for the message ({@code \n} included),
   * or null when the message is not one of the two with integers (or its task name is not plain).
   */
  static byte[] encode(Message message) {
    if (message instanceof Message.Result result && result.errors().isEmpty()
        && result.outputs() instanceof IntegralList outputs) {
      Writer out = new Writer(RESULT.length + length(result.taskId()) + ATTEMPT.length
          + length(result.attempt()) + OUTPUTS.length + length(outputs) + END.length);
      out.bytes(RESULT).number(result.taskId()).bytes(ATTEMPT).number(result.attempt())
          .bytes(OUTPUTS).numbers(outputs);
      return out.bytes(END).done();
    }
    if (message instanceof Message.Task task && task.options() == null
        && task.inputs() instanceof IntegralList inputs && isName(task.task())) {
      Writer out = new Writer(TASK.length + length(task.taskId()) + ATTEMPT.length
          + length(task.attempt()) + TASK_NAME.length + task.task().length() + RANK.length
          + length(task.rank()) + INPUTS.length + length(inputs) + END.length);
      out.bytes(TASK).number(task.taskId()).bytes(ATTEMPT).number(task.attempt())
          .bytes(TASK_NAME).ascii(task.task()).bytes(RANK).number(task.rank())
          .bytes(INPUTS).numbers(inputs);
      return out.bytes(END).done();
    }
    return null;
  }

  /** The bytes Long.toString writes for {@code value}. */
  private static int length(long value) {
    return value == Long.MIN_VALUE ? 20 : (value < 0 ? 1 : 0) + Writer.digits(Math.abs(value));
  }

  /** The bytes of the numbers, their commas and the closing bracket. */
  private static int length(IntegralList values) {
    int length = Math.max(values.size(), 1); // the commas and the bracket
    for (int i = 0; i < values.size(); i++) {
      length += length(values.longAt(i));
    }
    return length;
  }

  /**
   * Returns the message in {@code line[0, length)}, or null when that is not one of the two in
   * this exact form. The message keeps no reference to {@code line}.
   */
  static Message decode(byte[] line, int length) {
    IntegralLines in = new IntegralLines(line, length);
    boolean result = in.skip(RESULT);
    if (!result && !in.skip(TASK)) {
      return null;
    }
    // Both go on with the same two fields.
    long taskId = in.number();
    if (taskId == NOT_A_NUMBER || !in.skip(ATTEMPT)) {
      return null;
    }
    long attempt = in.number();
    if (attempt != (int) attempt) {
      return null;
    }
    return result ? in.result(taskId, (int) attempt) : in.task(taskId, (int) attempt);
  }

  private Message result(long taskId, int attempt) {
    if (!skip(OUTPUTS)) {
      return null;
    }
    IntegralList outputs = integers();
    return outputs != null && end() ? new Message.Result(taskId, attempt, outputs, List.of()) : null;
  }

  private Message task(long taskId, int attempt) {
    if (!skip(TASK_NAME)) {
      return null;
    }
    int nameStart = at;
    while (at < limit && isNameByte(line[at])) {
      at++;
    }
    String name = new String(line, nameStart, at - nameStart, StandardCharsets.US_ASCII);
    if (!skip(RANK)) {
      return null; // the name has a byte that might need unescaping, or the rank is not next
    }
    long rank = number();
    if (rank == NOT_A_NUMBER || !skip(INPUTS)) {
      return null;
    }
    IntegralList inputs = integers();
    return inputs != null && end() ? new Message.Task(taskId, attempt, name, rank, inputs, null)
        : null;
  }

  /**
   * The number at {@code bytes[from]}, read as a line's numbers are, when a comma or a closing
   * brace follows it before {@code limit}: an object member's plain integer value, for
   * {@link JsonText#field}. NOT_A_NUMBER otherwise.
   */
  static long memberNumber(byte[] bytes, int from, int limit) {
    IntegralLines in = new IntegralLines(bytes, limit);
    in.at = from;
    long value = in.number();
    return value != NOT_A_NUMBER && in.at < limit && (bytes[in.at] == ',' || bytes[in.at] == '}')
        ? value : NOT_A_NUMBER;
  }

  /** Reads {@code -?(0|[1-9][0-9]*)} of at most 18 digits; NOT_A_NUMBER otherwise. */
  private long number() {
    boolean negative = at < limit && line[at] == '-';
    int start = negative ? ++at : at;
    long value = 0;
    while (at < limit && line[at] >= '0' && line[at] <= '9') {
      value = value * 10 + (line[at++] - '0');
    }
    int digits = at - start;
    if (digits == 0 || digits > SAFE_DIGITS || (line[start] == '0' && digits > 1)
        || at < limit && (line[at] == '.' || line[at] == 'e' || line[at] == 'E')) {
      return NOT_A_NUMBER;
    }
    return negative ? -value : value;
  }

  /** Reads numbers up to and including the closing bracket, the opening one already read. */
  private IntegralList integers() {
    if (at < limit && line[at] == ']') {
      at++;
      return IntegralList.of();
    }
    // Read into this thread's scratch array, then copied to one of their count: counting the
    // commas first was a second pass over the line, a fifth of a coordinator reader's time.
    long[] values = SCRATCH.get();
    int size = 0;
    while (true) {
      long value = number();
      if (value == NOT_A_NUMBER || at >= limit) {
        return null; // at the first byte no integer array has: a string array costs one number
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
        if (values.length <= KEPT_SCRATCH_NUMBERS) {
          SCRATCH.set(values);
        }
      }
      values[size++] = value;
      byte next = line[at++];
      if (next == ']') {
        return IntegralList.copyOf(values, size);
      } else if (next != ',') {
        return null;
      }
    }
  }

  /** True when what is left is the closing brace and whitespace. */
  private boolean end() {
    if (at >= limit || line[at++] != '}') {
      return false;
    }
    while (at < limit) {
      byte b = line[at++];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private boolean skip(byte[] expected) {
    if (limit - at < expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (line[at + i] != expected[i]) {
        return false;
      }
    }
    at += expected.length;
    return true;
  }

  private static boolean isName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c > 0x7f || !isNameByte((byte) c)) {
        return false;
      }
    }
    return true;
  }

  /** Bytes a task name may have here: ones that never need escaping in a JSON string. */
  private static boolean isNameByte(byte b) {
    return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
        || b == '-' || b == '_' || b == '.' || b == ':' || b == '/';
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A line being written: a byte array of the size worked out beforehand (it grows if that was
   * short, and is cut if it was long), and digits written in place.
   */
  private static final class Writer {
    private byte[] line;
    private int size;

    Writer(int expected) {
      line = new byte[expected];
    }

    Writer bytes(byte[] more) {
      room(more.length);
      System.arraycopy(more, 0, line, size, more.length);
      size += more.length;
      return this;
    }

    Writer ascii(String text) {
      room(text.length());
      for (int i = 0; i < text.length(); i++) {
        line[size++] = (byte) text.charAt(i);
      }
      return this;
    }

    /** Writes the digits Long.toString writes. */
    Writer number(long value) {
      if (value == Long.MIN_VALUE) {
        return ascii(Long.toString(value));
      }
      // Room for exactly these digits: a line sized exactly must not grow for its last number.
      int digits = digits(Math.abs(value));
      room(value < 0 ? digits + 1 : digits);
      if (value < 0) {
        line[size++] = '-';
        value = -value;
      }
      int end = size + digits;
      for (int i = end - 1; i >= size; i--) {
        line[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      size = end;
      return this;
    }

    /** Writes the numbers comma-separated, then the closing bracket. */
    Writer numbers(IntegralList values) {
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          room(1);
          line[size++] = ',';
        }
        number(values.longAt(i));
      }
      room(1);
      line[size++] = ']';
      return this;
    }

    byte[] done() {
      return size == line.length ? line : Arrays.copyOf(line, size);
    }

    private void room(int more) {
      if (size + more > line.length) {
        line = Arrays.copyOf(line, Math.max(size + more, line.length * 2));
      }
    }

    private static int digits(long value) {
      int digits = 1;
      for (long limit = 10; digits < 19 && value >= limit; limit *= 10) {
        digits++;
      }
      return digits;
    }
  }
}
