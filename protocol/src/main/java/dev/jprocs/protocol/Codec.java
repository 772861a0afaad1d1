package dev.jprocs.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The one place JSON is read and written: protocol lines, and the task inputs and outputs they
 * carry. Owns the project's only {@link ObjectMapper}, built on first use: regular protocol lines
 * and plain JSON values go through jackson-core's parser and generator alone ({@link
 * StreamingCodec}), to the same bytes and the same trees. Thread-safe.
 */
public final class Codec {
  /**
   * Jackson 2.x does not discover the permitted subtypes of a sealed interface, so each message
   * is listed here with its wire name; a new message added to {@link Message} must be added too.
   */
  private static final List<NamedType> MESSAGES = List.of(
      new NamedType(Message.Hello.class, "hello"),
      new NamedType(Message.Task.class, "task"),
      new NamedType(Message.Result.class, "result"),
      new NamedType(Message.Shutdown.class, "shutdown"),
      new NamedType(Message.Assign.class, "assign"),
      new NamedType(Message.Goodbye.class, "goodbye"),
      new NamedType(Message.Fault.class, "fault"),
      new NamedType(Message.PipeSend.class, "send"),
      new NamedType(Message.PipeEof.class, "eof"),
      new NamedType(Message.QueuePut.class, "put"),
      new NamedType(Message.QueueGet.class, "get"),
      new NamedType(Message.QueueClose.class, "close"),
      new NamedType(Message.QueueReply.class, "reply"));

  private static final JsonFactory STREAMING_FACTORY = newFactory();
  private static final StreamingCodec STREAMING = new StreamingCodec(STREAMING_FACTORY);

  /**
   * Databind's side, built on first use: a worker whose lines are all regular and whose tasks take
   * and return plain JSON never needs it, and building it was most of a worker's start.
   */
  static final class Mapper {
    static final ObjectMapper MAPPER = JsonMapper.builder(newFactory())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer peers may add fields
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // one message per line, no more
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .addMixIn(Message.class, MessageMixin.class)
        .addMixIn(Message.Result.class, ResultMixin.class)
        .build();

    static {
      MAPPER.registerSubtypes(MESSAGES.toArray(NamedType[]::new));
    }

    static final ObjectWriter MESSAGE_WRITER = MAPPER.writerFor(Message.class);
    static final ObjectReader MESSAGE_READER = MAPPER.readerFor(Message.class);
  }

  private static JsonFactory newFactory() {
    return JsonFactory.builder()
        // A line's length is bounded by the FrameReader's limit; Jackson's own default string
        // limit (20 M chars) would refuse the tens-of-MB results we promise.
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxStringLength(Integer.MAX_VALUE)
            .maxDocumentLength(-1)
            .build())
        .build();
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
  private interface MessageMixin {}

  /** "errors":[] on every successful result would be waste; a missing list reads as empty. */
  private abstract static class ResultMixin {
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    abstract List<Message.TaskError> errors();
  }

  private Codec() {}

  /** Returns the message as one UTF-8 JSON line, {@code \n} included. */
  public static byte[] encode(Message message) {
    try {
      byte[] line = STREAMING.encode(message);
      return line != null ? line : encodeWithMapper(message);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + message.type() + " message", e);
    }
  }

  /** As {@link #encode}, always through databind: the reference the streaming path must match. */
  static byte[] encodeWithMapper(Message message) {
    try {
      byte[] json = Mapper.MESSAGE_WRITER.writeValueAsBytes(message);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      // Messages hold only JsonNode and plain values, so this is a bug, not bad input.
      throw new IllegalStateException("cannot encode " + message.type() + " message", e);
    }
  }

  /**
   * Decodes one line (without its {@code \n}) into a message.
   *
   * @throws ProtocolException if the line is not UTF-8 JSON naming a known message type
   */
  public static Message decode(byte[] line) throws ProtocolException {
    return decode(line, taskId -> false);
  }

  /**
   * As {@link #decode(byte[])}, but a result whose {@code taskId} passes {@code keepOutputText}
   * keeps its outputs as the worker wrote them, a {@link JsonTextList}: each is checked as
   * thoroughly as a decoded one, and no tree is built until someone asks. For a reader that passes
   * outputs on or looks at a field of each; one that wants every tree anyway gains nothing. A line
   * whose outputs come before its taskId, or only databind can read, gets trees.
   *
   * @param keepOutputText asked on the calling thread, once per result line at most
   */
  public static Message decode(byte[] line, LongPredicate keepOutputText) throws ProtocolException {
    return decode(line, line.length, keepOutputText);
  }

  /**
   * As {@link #decode(byte[], LongPredicate)}, for the line in {@code line[0, length)}. The
   * message keeps no reference to {@code line} (outputs kept as text get a copy of the line), so
   * a reader may reuse it for the next line ({@link FrameReader#nextLine}).
   */
  public static Message decode(byte[] line, int length, LongPredicate keepOutputText)
      throws ProtocolException {
    Message message = STREAMING.decode(line, length, keepOutputText);
    return message != null ? message : decodeWithMapper(line, length);
  }

  /** As {@link #decode}, always through databind: the reference the streaming path must match. */
  static Message decodeWithMapper(byte[] line) throws ProtocolException {
    return decodeWithMapper(line, line.length);
  }

  private static Message decodeWithMapper(byte[] line, int length) throws ProtocolException {
    try {
      Message message = Mapper.MESSAGE_READER.readValue(line, 0, length);
      if (message == null) {
        throw new ProtocolException("not a message", line, length, length, null);
      }
      return message;
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException e) {
      String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new ProtocolException("undecodable line: " + firstLine(reason), line, length, length,
          e);
    }
  }

  /** A parser of the codec's settings over {@code bytes[offset, offset + length)}. */
  static JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
    return STREAMING_FACTORY.createParser(bytes, offset, length);
  }

  /** Parses one JSON value, for example a line of a user's input file. */
  public static JsonNode parse(String json) throws JsonProcessingException {
    try (JsonParser in = STREAMING_FACTORY.createParser(json)) {
      if (in.nextToken() != null) {
        JsonNode node = StreamingCodec.readTree(in);
        if (in.nextToken() == null) {
          return node;
        }
      }
    } catch (IOException | RuntimeException e) {
      // databind reads it again, and words what is wrong
    }
    JsonNode node = Mapper.MAPPER.readTree(json);
    if (node == null || node.isMissingNode()) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, "no JSON value");
    }
    return node;
  }

  /**
   * Converts a Java value to JSON, as it will travel to a worker.
   *
   * @throws IllegalArgumentException naming the problem when the value cannot be written as JSON
   */
  public static JsonNode toTree(Object value) {
    // The common scalars directly: valueToTree runs a serializer into a token buffer per value,
    // which was most of the coordinator's time for a million small inputs. Same nodes either way.
    if (value instanceof Integer i) {
      return IntNode.valueOf(i);
    } else if (value instanceof Long l) {
      return LongNode.valueOf(l);
    } else if (value instanceof String text) {
      return TextNode.valueOf(text);
    } else if (value instanceof Double d) {
      return DoubleNode.valueOf(d);
    } else if (value instanceof Boolean b) {
      return BooleanNode.valueOf(b);
    } else if (value instanceof JsonNode node) {
      return node;
    } else if (value instanceof Record) {
      JsonNode tree = PlainRecords.toTree(value);
      if (tree != null) {
        return tree;
      }
    }
    return Mapper.MAPPER.valueToTree(value);
  }

  /**
   * Converts JSON to a Java value of the given type.
   *
   * @throws IllegalArgumentException when the JSON does not fit the type
   */
  public static <T> T fromTree(JsonNode node, Class<T> type) {
    if (type == JsonNode.class) {
      return type.cast(node);
    }
    // The common scalars directly, as Jackson would convert them (treeToValue builds a parser
    // over the tree per value); anything else, or any coercion, goes through Jackson.
    if (type == Long.class && node.isIntegralNumber() && node.canConvertToLong()) {
      return type.cast(node.longValue());
    } else if (type == Integer.class && node.isInt()) {
      return type.cast(node.intValue());
    } else if (type == Double.class && (node.isDouble() || node.isInt() || node.isLong())) {
      return type.cast(node.doubleValue());
    } else if (type == String.class && node.isTextual()) {
      return type.cast(node.textValue());
    } else if (type == Boolean.class && node.isBoolean()) {
      return type.cast(node.booleanValue());
    }
    try {
      return Mapper.MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(firstLine(e.getOriginalMessage()), e);
    }
  }

  /** Returns the value as compact JSON text on one line. */
  public static String toJson(Object value) {
    if (value instanceof JsonNode node) {
      java.io.StringWriter text = new java.io.StringWriter();
      try (JsonGenerator out = STREAMING_FACTORY.createGenerator(text)) {
        if (StreamingCodec.writeTree(out, node)) {
          out.flush();
          return text.toString();
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot write a JSON tree to a string", e);
      }
    }
    try {
      return Mapper.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(firstLine(e.getOriginalMessage()), e);
    }
  }

  /** Returns {@code node} as compact UTF-8 JSON, written as a line on the wire writes it. */
  static byte[] toJsonBytes(JsonNode node) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator out = STREAMING_FACTORY.createGenerator(bytes)) {
      if (!StreamingCodec.writeTree(out, node)) {
        return Mapper.MAPPER.writeValueAsBytes(node);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON tree to bytes", e);
    }
    return bytes.toByteArray();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /**
   * The JSON text {@code node} carries to be written as it is: Jackson's {@link RawValue} of a
   * String or a {@link SerializableString} in a POJO node, as align's outputs are. Null for any
   * other node.
   */
  public static String rawText(JsonNode node) {
    Object raw = rawValue(node);
    return raw instanceof SerializableString text ? text.getValue() : (String) raw;
  }

  /**
   * What {@code node} carries to be written as it is: the String or {@link SerializableString} of
   * a {@link RawValue} in a POJO node; null for any other node.
   */
  static Object rawValue(JsonNode node) {
    if (node instanceof POJONode pojo && pojo.getPojo() instanceof RawValue value) {
      Object raw = value.rawValue();
      return raw instanceof String || raw instanceof SerializableString ? raw : null;
    }
    return null;
  }

}
