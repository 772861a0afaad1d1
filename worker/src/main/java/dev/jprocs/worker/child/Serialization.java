package dev.jprocs.worker.child;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a Java value into the JSON that will cross a pipe, and when it cannot, says which field
 * is to blame: {@code field "a.b" of Outer: boom}. Used by both ends of pipes and queues, and by
 * the coordinator's {@code Pool} before it dispatches an input, so a bad value fails in the
 * caller's thread, before anything is sent. Stateless.
 */
public final class Serialization {
  private Serialization() {}

  /**
   * Returns {@code value} as JSON.
   *
   * @param what names the value in the error, for example {@code "the input at rank 3"}
   * @throws IllegalArgumentException "{@code what} cannot be sent as JSON: field "a.b" of Outer:
   *     why", naming the field path when Jackson knows it
   */
  public static JsonNode toTree(Object value, String what) {
    return toTree(value, () -> what);
  }

  /** As {@link #toTree(Object, String)}, for callers that name the value only when it fails. */
  public static JsonNode toTree(Object value, Supplier<String> what) {
    try {
      return Codec.toTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what.get() + " cannot be sent as JSON: " + describe(e), e);
    }
  }

  /**
   * Describes why Jackson could not write a value: {@code field "a.b" of Outer: why} when the
   * problem is below the top level, else just why.
   */
  public static String describe(Throwable jacksonError) {
    JsonMappingException mapping = null;
    for (Throwable t = jacksonError; t != null && mapping == null; t = t.getCause()) {
      if (t instanceof JsonMappingException m) {
        mapping = m;
      }
    }
    if (mapping == null) {
      return firstLine(jacksonError.getMessage());
    }
    String why = firstLine(mapping.getOriginalMessage());
    Throwable cause = mapping.getCause();
    if (cause != null && !(cause instanceof JsonMappingException)) {
      // A getter threw: name what it threw, as its message alone may say little.
      why = cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
    List<JsonMappingException.Reference> path = mapping.getPath();
    if (path.isEmpty()) {
      return why;
    }
    return "field \"" + fieldPath(path) + "\" of " + simpleName(path.get(0).getFrom()) + ": " + why;
  }

  /** {@code a.b}, {@code items[2].name}, {@code [1].a}: Jackson's reference chain as one path. */
  static String fieldPath(List<JsonMappingException.Reference> path) {
    StringBuilder text = new StringBuilder();
    for (JsonMappingException.Reference step : path) {
      if (step.getFieldName() != null) {
        if (text.length() > 0) {
          text.append('.');
        }
        text.append(step.getFieldName());
      } else if (step.getIndex() >= 0) {
        text.append('[').append(step.getIndex()).append(']');
      } else {
        text.append("?");
      }
    }
    return text.toString();
  }

  private static String simpleName(Object from) {
    if (from == null) {
      return "?";
    }
    Class<?> type = from instanceof Class<?> c ? c : from.getClass();
    String name = type.getName();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
