package dev.jprocs.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * An immutable list of JSON integers that each fit in a long, held as a {@code long[]}: the codec
 * reads an array of plain integers into one (a chunk of squares is then one array, not a node and
 * a slot per number), and a caller may send one. {@link #get} makes the node Jackson's tree reader
 * makes of the number's text: an {@link IntNode} when it fits an int, else a {@link LongNode}; a
 * new one each call, so a caller that wants the number asks {@link #longAt}. Equal to any list of
 * equal nodes, as lists are. Thread-safe.
 */
public final class IntegralList extends AbstractList<JsonNode> implements RandomAccess {
  private final long[] values;
  private final int size;

  private IntegralList(long[] values, int size) {
    this.values = values;
    this.size = size;
  }

  /** A list of these numbers; the array is copied. */
  public static IntegralList of(long... values) {
    return new IntegralList(values.clone(), values.length);
  }

  /** A list of the first {@code size} numbers of {@code values}, copied. */
  static IntegralList copyOf(long[] values, int size) {
    return new IntegralList(Arrays.copyOf(values, size), size);
  }

  /** The number at {@code index}. */
  public long longAt(int index) {
    return values[checkIndex(index)];
  }

  @Override
  public JsonNode get(int index) {
    return node(values[checkIndex(index)]);
  }

  @Override
  public int size() {
    return size;
  }

  /** The node Jackson's tree reader makes of this number's text. */
  public static JsonNode node(long value) {
    return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " of " + size);
    }
    return index;
  }

  /**
   * Collects numbers for one {@link IntegralList}, growing as needed. Not thread-safe; one list
   * per builder.
   */
  public static final class Builder {
    private static final long[] NONE = {};
    private final int expected;
    private long[] values = NONE; // made at the first number: a builder often gets none
    private int size;

    /** A builder with room for {@code expected} numbers before it grows. */
    public Builder(int expected) {
      this.expected = Math.max(expected, 8);
    }

    /** Adds a number. */
    public Builder add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size == 0 ? expected : size + (size >> 1));
      }
      values[size++] = value;
      return this;
    }

    public int size() {
      return size;
    }

    /** The numbers added so far as nodes, for a caller that leaves the integral form. */
    public JsonNode[] nodes() {
      JsonNode[] nodes = new JsonNode[size];
      for (int i = 0; i < size; i++) {
        nodes[i] = node(values[i]);
      }
      return nodes;
    }

    /** The list; this builder must not be used after. */
    public IntegralList build() {
      return new IntegralList(values, size);
    }
  }
}
