package dev.jprocs.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value as UTF-8 text, whole and well-formed: for a reader that passes a value on, or
 * needs one field of it, without building its tree. A value the codec read from a line
 * ({@link JsonTextList}) is a slice of that line, not a copy, so it keeps the whole line
 * reachable. Immutable and thread-safe.
 */
public final class JsonText {
  private final byte[] bytes;
  private final int offset;
  private final int length;

  /** The text {@code bytes[offset, offset + length)}, which the caller checked is one JSON value. */
  JsonText(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
  }

  /**
   * The JSON text of {@code node}, compact, as a line on the wire has it: a character outside the
   * Basic Multilingual Plane is written as its two surrogates, escaped, as jackson-core's UTF-8
   * writer does (where {@link Codec#toJson} writes the character itself).
   */
  public static JsonText of(JsonNode node) {
    byte[] text = Codec.toJsonBytes(node);
    return new JsonText(text, 0, text.length);
  }

  /** The tree of this value, as the codec reads the same text on a line: a new one each call. */
  public JsonNode toTree() {
    try (JsonParser in = Codec.parser(bytes, offset, length)) {
      in.nextToken();
      return StreamingCodec.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checked JSON text: " + this, e);
    }
  }

  /**
   * The value of this object's field {@code name}, read from the text without the other fields'
   * trees; {@link MissingNode} when this is not an object or has no such field. When the name
   * occurs more than once this gives the first, where a tree keeps the last.
   */
  public JsonNode field(String name) {
    JsonNode leading = leadingIntegerField(name);
    if (leading != null) {
      return leading;
    }
    try (JsonParser in = Codec.parser(bytes, offset, length)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        return MissingNode.getInstance();
      }
      while (in.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(in.currentName());
        in.nextToken();
        if (wanted) {
          return StreamingCodec.readTree(in);
        }
        in.skipChildren();
      }
      return MissingNode.getInstance();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checked JSON text: " + this, e);
    }
  }

  /**
   * The node of a plain integer of at most 18 digits that is this object's first field and named
   * {@code name} (an ASCII name), as compact text has it ({@code {"score":-51,...}}, as align's
   * outputs are): the node the tree reader makes of it, with no parser made (a parser per output
   * was most of coordinator.sh's cost of ranking 100,000 aligns). Null for anything else.
   */
  private JsonNode leadingIntegerField(String name) {
    int end = offset + length;
    int nameEnd = offset + 2 + name.length();
    if (nameEnd + 3 > end || bytes[offset] != '{' || bytes[offset + 1] != '"'
        || bytes[nameEnd] != '"' || bytes[nameEnd + 1] != ':') {
      return null;
    }
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c >= 0x80 || c == '"' || c == '\\' || c < 0x20 || bytes[offset + 2 + k] != c) {
        return null;
      }
    }
    // No digits, more than 18, a fraction or exponent, or whitespace: left to the parser.
    long value = IntegralLines.memberNumber(bytes, nameEnd + 2, end);
    return value == IntegralLines.NOT_A_NUMBER ? null : IntegralList.node(value);
  }

  /** Writes the text, as UTF-8, to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, offset, length);
  }

  /** The length of the text in bytes. */
  public int length() {
    return length;
  }

  /** Equal to a JsonText of the same bytes (so not to the same value written otherwise). */
  @Override
  public boolean equals(Object other) {
    return other instanceof JsonText text && Arrays.equals(bytes, offset, offset + length,
        text.bytes, text.offset, text.offset + text.length);
  }

  @Override
  public int hashCode() {
    int hash = 1;
    for (int i = offset; i < offset + length; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash;
  }

  /** The text itself. */
  @Override
  public String toString() {
    return new String(bytes, offset, length, StandardCharsets.UTF_8);
  }
}
