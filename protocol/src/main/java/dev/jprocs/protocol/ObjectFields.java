package dev.jprocs.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The fields of an {@link ObjectNode} the codec reads: a map in insertion order, as the {@link
 * LinkedHashMap} Jackson gives an object node, held in one array of names and values while it has
 * at most {@value #ARRAY_FIELDS} entries and in a LinkedHashMap once it grows past that. Equal to,
 * and with the hash code of, any map of the same entries; null names and values are kept, as a
 * LinkedHashMap keeps them. Not thread-safe, as LinkedHashMap is not.
 *
 * <p>Why: a coordinator keeps every output of a job until the job ends, and outputs are often small
 * objects ({@code align}'s has three fields). A LinkedHashMap is five objects and about 260 bytes
 * for three fields; this is two objects and about 90. Decoding 100,000 align outputs and copying
 * them through young collections is most of what a coordinator does for that job.
 */
final class ObjectFields extends AbstractMap<String, JsonNode> {
  /** The most fields held in the array; one more moves them all into a LinkedHashMap. */
  static final int ARRAY_FIELDS = 8;

  private static final int FIRST_CAPACITY = 4;

  /** Name of field i at 2i, its value at 2i + 1; null once the fields have moved to spilled. */
  private Object[] slots = new Object[2 * FIRST_CAPACITY];
  private int size;
  private LinkedHashMap<String, JsonNode> spilled;
  /** Changes in the array's entries, for iterators to fail fast as LinkedHashMap's do. */
  private int changes;

  @Override
  public int size() {
    return spilled != null ? spilled.size() : size;
  }

  @Override
  public boolean containsKey(Object name) {
    return spilled != null ? spilled.containsKey(name) : indexOf(name) >= 0;
  }

  @Override
  public JsonNode get(Object name) {
    if (spilled != null) {
      return spilled.get(name);
    }
    int i = indexOf(name);
    return i < 0 ? null : value(i);
  }

  @Override
  public JsonNode put(String name, JsonNode value) {
    if (spilled != null) {
      return spilled.put(name, value);
    }
    int i = indexOf(name);
    if (i >= 0) {
      JsonNode old = value(i);
      slots[2 * i + 1] = value;
      return old;
    }
    if (size == ARRAY_FIELDS) {
      spilled = new LinkedHashMap<>();
      for (int k = 0; k < size; k++) {
        spilled.put(name(k), value(k));
      }
      slots = null;
      size = 0;
      return spilled.put(name, value);
    }
    if (2 * size == slots.length) {
      slots = Arrays.copyOf(slots, 2 * slots.length);
    }
    slots[2 * size] = name;
    slots[2 * size + 1] = value;
    size++;
    changes++;
    return null;
  }

  @Override
  public JsonNode remove(Object name) {
    if (spilled != null) {
      return spilled.remove(name);
    }
    int i = indexOf(name);
    if (i < 0) {
      return null;
    }
    JsonNode old = value(i);
    removeAt(i);
    return old;
  }

  @Override
  public void clear() {
    if (spilled != null) {
      spilled.clear();
      return;
    }
    Arrays.fill(slots, 0, 2 * size, null);
    size = 0;
    changes++;
  }

  @Override
  public Set<Map.Entry<String, JsonNode>> entrySet() {
    return spilled != null ? spilled.entrySet() : new Entries();
  }

  private int indexOf(Object name) {
    for (int i = 0; i < size; i++) {
      Object candidate = slots[2 * i];
      // Names the parser gives are canonical (interned), so a decoded name usually matches by ==.
      if (candidate == name || candidate != null && candidate.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private String name(int i) {
    return (String) slots[2 * i];
  }

  private JsonNode value(int i) {
    return (JsonNode) slots[2 * i + 1];
  }

  private void removeAt(int i) {
    System.arraycopy(slots, 2 * i + 2, slots, 2 * i, 2 * (size - i - 1));
    size--;
    slots[2 * size] = null;
    slots[2 * size + 1] = null;
    changes++;
  }

  /** The array's entries, in order; its iterator removes, and its entries set values. */
  private final class Entries extends AbstractSet<Map.Entry<String, JsonNode>> {
    @Override
    public int size() {
      return ObjectFields.this.size();
    }

    @Override
    public Iterator<Map.Entry<String, JsonNode>> iterator() {
      return new Iterator<>() {
        private int next;
        private int last = -1;
        private int expected = changes;

        @Override
        public boolean hasNext() {
          return next < size;
        }

        @Override
        public Map.Entry<String, JsonNode> next() {
          check();
          if (next >= size) {
            throw new NoSuchElementException();
          }
          last = next++;
          return new Field(last);
        }

        @Override
        public void remove() {
          check();
          if (last < 0) {
            throw new IllegalStateException("next() not called, or remove() called twice");
          }
          removeAt(last);
          next = last;
          last = -1;
          expected = changes;
        }

        private void check() {
          if (spilled != null || changes != expected) {
            throw new ConcurrentModificationException();
          }
        }
      };
    }
  }

  /**
   * Field {@code index} of the array, read and written through to it while it is there; once
   * removed or moved, it keeps the value it last saw.
   */
  private final class Field implements Map.Entry<String, JsonNode> {
    private final int index;
    private final String name;
    private JsonNode seen;

    Field(int index) {
      this.index = index;
      this.name = name(index);
      this.seen = value(index);
    }

    @Override
    public String getKey() {
      return name;
    }

    @Override
    public JsonNode getValue() {
      if (current()) {
        seen = value(index);
      }
      return seen;
    }

    @Override
    public JsonNode setValue(JsonNode value) {
      if (!current()) {
        throw new IllegalStateException("field '" + name + "' was removed or moved");
      }
      JsonNode old = value(index);
      slots[2 * index + 1] = value;
      seen = value;
      return old;
    }

    private boolean current() {
      return spilled == null && index < size && slots[2 * index] == name;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Map.Entry<?, ?> entry && Objects.equals(name, entry.getKey())
          && Objects.equals(getValue(), entry.getValue());
    }

    @Override
    public int hashCode() {
      return Objects.hashCode(name) ^ Objects.hashCode(getValue());
    }

    @Override
    public String toString() {
      return name + "=" + getValue();
    }
  }
}
