package dev.jprocs.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractList;
import java.util.RandomAccess;
import java.util.function.LongPredicate;

/**
 * A result's outputs as the worker wrote them: each a {@link JsonText} slice of the line they
 * came in, checked when the line was read ({@link Codec#decode(byte[], LongPredicate)}), with no
 * tree built. {@link #text} gives a value's text; {@link #get} builds its tree, a new one
 * each call, the same tree the codec reads otherwise. Equal to any list of equal nodes, as lists
 * are. Immutable and thread-safe.
 */
public final class JsonTextList extends AbstractList<JsonNode> implements RandomAccess {
  private final byte[] line;
  /** Element i is {@code line[bounds[2i], bounds[2i + 1])}. */
  private final int[] bounds;
  private final int size;

  JsonTextList(byte[] line, int[] bounds, int size) {
    this.line = line;
    this.bounds = bounds;
    this.size = size;
  }

  /** The text of the value at {@code index}. */
  public JsonText text(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " of " + size);
    }
    int start = bounds[2 * index];
    return new JsonText(line, start, bounds[2 * index + 1] - start);
  }

  @Override
  public JsonNode get(int index) {
    return text(index).toTree();
  }

  @Override
  public int size() {
    return size;
  }
}
