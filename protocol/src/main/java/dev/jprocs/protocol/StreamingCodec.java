package dev.jprocs.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The codec's path for the messages of a pool's every chunk (hello, task, result, assign,
 * shutdown, goodbye, fault), on jackson-core's parser and generator alone. It writes the bytes
 * Jackson's databind writes for the same record, and reads a regular line to the same record; it
 * answers null for anything else (another message, an irregular line, a node it cannot write),
 * and {@link Codec} then takes databind's path, which reads and writes everything and words every
 * error. So a worker that only speaks regular lines never builds an {@code ObjectMapper}: that
 * build and its first serializers were two thirds of a worker's start. Stateless; thread-safe.
 */
final class StreamingCodec {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Each encoding thread's buffer, used again for its next message. A new one per message grew by
   * doubling from 128 bytes: align's 66 KB task lines cost 256 KB of arrays each besides the line
   * itself, and its 150 KB result lines 512 KB (100,000 aligns: 30 MB of a coordinator's 100 MB
   * allocated). Dropped after a line over {@link #KEPT_BUFFER_BYTES}, whole or left to databind.
   */
  private static final ThreadLocal<ByteArrayOutputStream> BUFFERS =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(8192));

  private static final int KEPT_BUFFER_BYTES = 1 << 20;

  private final JsonFactory factory;

  StreamingCodec(JsonFactory factory) {
    this.factory = factory;
  }

  /** Returns the message as one JSON line, {@code \n} included, or null to leave it to databind. */
  byte[] encode(Message message) throws IOException {
    byte[] integral = IntegralLines.encode(message);
    if (integral != null) {
      return integral;
    }
    ByteArrayOutputStream bytes = BUFFERS.get();
    bytes.reset();
    try {
      try (JsonGenerator out = factory.createGenerator(bytes)) {
        out.writeStartObject();
        out.writeStringField("type", message.type());
        if (!writeFields(out, message)) {
          return null;
        }
        out.writeEndObject();
        out.writeRaw('\n');
      }
      return bytes.toByteArray();
    } finally {
      if (bytes.size() > KEPT_BUFFER_BYTES) {
        BUFFERS.remove(); // its array is at least as long as what it holds
      }
    }
  }

  /** Writes the message's fields after its type; false when only databind can write them. */
  private static boolean writeFields(JsonGenerator out, Message message) throws IOException {
    if (message instanceof Message.Hello hello) {
      out.writeNumberField("protocol", hello.protocol());
      out.writeNumberField("pid", hello.pid());
      out.writeStringField("workerId", hello.workerId());
    } else if (message instanceof Message.Task task) {
      out.writeNumberField("taskId", task.taskId());
      out.writeNumberField("attempt", task.attempt());
      out.writeStringField("task", task.task());
      out.writeNumberField("rank", task.rank());
      out.writeFieldName("inputs");
      if (!writeArray(out, task.inputs())) {
        return false;
      }
      if (task.options() != null) {
        out.writeFieldName("options");
        return writeTree(out, task.options());
      }
    } else if (message instanceof Message.Result result) {
      out.writeNumberField("taskId", result.taskId());
      out.writeNumberField("attempt", result.attempt());
      out.writeFieldName("outputs");
      if (!writeArray(out, result.outputs())) {
        return false;
      }
      if (!result.errors().isEmpty()) {
        out.writeArrayFieldStart("errors");
        for (Message.TaskError error : result.errors()) {
          out.writeStartObject();
          out.writeNumberField("index", error.index());
          writeStringUnlessNull(out, "exception", error.exception());
          writeStringUnlessNull(out, "message", error.message());
          writeStringUnlessNull(out, "trace", error.trace());
          out.writeEndObject();
        }
        out.writeEndArray();
      }
    } else if (message instanceof Message.Assign assign) {
      out.writeStringField("workerId", assign.workerId());
    } else if (message instanceof Message.Goodbye goodbye) {
      out.writeNumberField("tasks", goodbye.tasks());
      out.writeNumberField("items", goodbye.items());
      out.writeNumberField("errors", goodbye.errors());
    } else if (message instanceof Message.Fault fault) {
      writeStringUnlessNull(out, "message", fault.message());
    } else {
      return message instanceof Message.Shutdown;
    }
    return true;
  }

  /**
   * Returns the message a regular line holds: {@code type} first, each known field once, of its
   * own JSON type, nothing after the object. Returns null for anything else, including a line
   * that is not JSON at all. The line is {@code line[0, length)}; the message keeps no reference
   * to {@code line}.
   */
  Message decode(byte[] line, int length, LongPredicate keepOutputText) {
    Message integral = IntegralLines.decode(line, length);
    if (integral != null) {
      return integral;
    }
    try (JsonParser in = factory.createParser(line, 0, length)) {
      if (in.nextToken() != JsonToken.START_OBJECT || in.nextToken() != JsonToken.FIELD_NAME
          || !"type".equals(in.currentName()) || in.nextToken() != JsonToken.VALUE_STRING) {
        return null;
      }
      Message message = switch (in.getText()) {
        case "hello" -> readHello(in);
        case "task" -> readTask(in);
        case "result" -> readResult(in, line, length, keepOutputText);
        case "assign" -> readAssign(in);
        case "shutdown" -> in.nextToken() == JsonToken.END_OBJECT ? new Message.Shutdown() : null;
        case "goodbye" -> readGoodbye(in);
        case "fault" -> readFault(in);
        default -> null;
      };
      // Databind refuses trailing tokens, with its own words: leave such a line to it.
      return message != null && in.nextToken() == null ? message : null;
    } catch (IOException | RuntimeException e) {
      return null; // databind reads it again and says what is wrong
    }
  }

  /** Fields of a message, after its type: each known one once, and in the JSON type expected. */
  private static final class Fields {
    private final JsonParser in;
    private long seen;

    Fields(JsonParser in) {
      this.in = in;
    }

    /**
     * Moves to the next field's value and returns its name; null at the end of the object. Fields
     * not in {@code known} are skipped, as databind ignores them.
     */
    String next(List<String> known) throws IOException {
      while (true) {
        JsonToken token = in.nextToken();
        if (token != JsonToken.FIELD_NAME) {
          if (token != JsonToken.END_OBJECT) {
            throw new IllegalStateException("not an object");
          }
          return null;
        }
        String name = in.currentName();
        in.nextToken();
        int index = known.indexOf(name);
        if (index < 0) {
          in.skipChildren();
          continue;
        }
        if ((seen & 1L << index) != 0) {
          throw new IllegalStateException("field twice"); // which one wins is databind's rule
        }
        seen |= 1L << index;
        return name;
      }
    }

    boolean sawAll(int fields) {
      return seen == (1L << fields) - 1;
    }

    boolean saw(List<String> known, String name) {
      return (seen & 1L << known.indexOf(name)) != 0;
    }

    long longValue() throws IOException {
      if (in.currentToken() != JsonToken.VALUE_NUMBER_INT
          || in.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new IllegalStateException("not a long");
      }
      return in.getLongValue();
    }

    int intValue() throws IOException {
      if (in.currentToken() != JsonToken.VALUE_NUMBER_INT
          || in.getNumberType() != JsonParser.NumberType.INT) {
        throw new IllegalStateException("not an int");
      }
      return in.getIntValue();
    }

    String text() throws IOException {
      if (in.currentToken() != JsonToken.VALUE_STRING) {
        throw new IllegalStateException("not a string");
      }
      return in.getText();
    }

    List<JsonNode> array() throws IOException {
      if (in.currentToken() != JsonToken.START_ARRAY) {
        throw new IllegalStateException("not an array");
      }
      // Plain integers, the common case, go into one long[]; the first other value turns what
      // was read into nodes and the rest is read as nodes.
      IntegralList.Builder integers = new IntegralList.Builder(16);
      JsonToken token;
      while ((token = in.nextToken()) == JsonToken.VALUE_NUMBER_INT
          && in.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        integers.add(in.getLongValue());
      }
      if (token == JsonToken.END_ARRAY) {
        return integers.build();
      }
      List<JsonNode> values = new ArrayList<>(Arrays.asList(integers.nodes()));
      values.add(readTree(in));
      while (in.nextToken() != JsonToken.END_ARRAY) {
        values.add(readTree(in));
      }
      return values;
    }

    /**
     * The array's values as slices of {@code line}, which the list keeps: a copy of the text the
     * parser reads, from its start (the parser's offsets are offsets into it). Every token is
     * read, so a value is checked as {@link #array} checks it, but no tree is built. A value
     * starts at its first token and ends before the whitespace and comma ahead of the next token
     * (the next value, or the array's end): JSON allows nothing else there, and no value ends
     * with either.
     */
    JsonTextList texts(byte[] line) throws IOException {
      if (in.currentToken() != JsonToken.START_ARRAY) {
        throw new IllegalStateException("not an array");
      }
      int[] bounds = new int[32];
      int size = 0;
      while (in.nextToken() != JsonToken.END_ARRAY) {
        if (2 * size == bounds.length) {
          bounds = Arrays.copyOf(bounds, 2 * bounds.length);
        }
        bounds[2 * size++] = Math.toIntExact(in.currentTokenLocation().getByteOffset());
        in.skipChildren();
      }
      int next = Math.toIntExact(in.currentTokenLocation().getByteOffset());
      for (int i = size - 1; i >= 0; i--) {
        int end = next;
        while (end > bounds[2 * i] && isSeparator(line[end - 1])) {
          end--;
        }
        bounds[2 * i + 1] = end;
        next = bounds[2 * i];
      }
      return new JsonTextList(line, bounds, size);
    }

    private static boolean isSeparator(byte b) {
      return b == ',' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
  }

  private static final List<String> HELLO = List.of("protocol", "pid", "workerId");
  private static final List<String> TASK =
      List.of("taskId", "attempt", "task", "rank", "inputs", "options");
  private static final List<String> RESULT = List.of("taskId", "attempt", "outputs", "errors");
  private static final List<String> TASK_ERROR = List.of("index", "exception", "message", "trace");
  private static final List<String> ASSIGN = List.of("workerId");
  private static final List<String> GOODBYE = List.of("tasks", "items", "errors");
  private static final List<String> FAULT = List.of("message");

  private static Message readHello(JsonParser in) throws IOException {
    Fields fields = new Fields(in);
    int protocol = 0;
    long pid = 0;
    String workerId = null;
    for (String name; (name = fields.next(HELLO)) != null; ) {
      switch (name) {
        case "protocol" -> protocol = fields.intValue();
        case "pid" -> pid = fields.longValue();
        case "workerId" -> workerId = fields.text();
      }
    }
    return fields.sawAll(HELLO.size()) ? new Message.Hello(protocol, pid, workerId) : null;
  }

  private static Message readTask(JsonParser in) throws IOException {
    Fields fields = new Fields(in);
    long taskId = 0;
    int attempt = 0;
    String task = null;
    long rank = 0;
    List<JsonNode> inputs = null;
    JsonNode options = null;
    for (String name; (name = fields.next(TASK)) != null; ) {
      switch (name) {
        case "taskId" -> taskId = fields.longValue();
        case "attempt" -> attempt = fields.intValue();
        case "task" -> task = fields.text();
        case "rank" -> rank = fields.longValue();
        case "inputs" -> inputs = fields.array();
        case "options" -> {
          if (in.currentToken() == JsonToken.VALUE_NULL) {
            return null; // null or NullNode is databind's call
          }
          options = readTree(in);
        }
      }
    }
    boolean complete = fields.sawAll(TASK.size())
        || fields.sawAll(TASK.size() - 1) && !fields.saw(TASK, "options");
    return complete ? new Message.Task(taskId, attempt, task, rank, inputs, options) : null;
  }

  private static Message readResult(JsonParser in, byte[] line, int length,
      LongPredicate keepOutputText) throws IOException {
    Fields fields = new Fields(in);
    long taskId = 0;
    int attempt = 0;
    List<JsonNode> outputs = null;
    List<Message.TaskError> errors = List.of();
    for (String name; (name = fields.next(RESULT)) != null; ) {
      switch (name) {
        case "taskId" -> taskId = fields.longValue();
        case "attempt" -> attempt = fields.intValue();
        case "outputs" -> outputs = fields.saw(RESULT, "taskId") && keepOutputText.test(taskId)
            ? fields.texts(Arrays.copyOf(line, length)) : fields.array();
        case "errors" -> errors = readErrors(in);
      }
    }
    boolean complete = fields.sawAll(RESULT.size())
        || fields.sawAll(RESULT.size() - 1) && !fields.saw(RESULT, "errors");
    return complete ? new Message.Result(taskId, attempt, outputs, errors) : null;
  }

  private static List<Message.TaskError> readErrors(JsonParser in) throws IOException {
    if (in.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalStateException("not an array");
    }
    List<Message.TaskError> errors = new ArrayList<>();
    while (in.nextToken() == JsonToken.START_OBJECT) {
      Fields fields = new Fields(in);
      int index = 0;
      String exception = null;
      String message = null;
      String trace = null;
      for (String name; (name = fields.next(TASK_ERROR)) != null; ) {
        switch (name) {
          case "index" -> index = fields.intValue();
          case "exception" -> exception = fields.text();
          case "message" -> message = fields.text();
          case "trace" -> trace = fields.text();
        }
      }
      if (!fields.saw(TASK_ERROR, "index")) {
        throw new IllegalStateException("an error without its index");
      }
      errors.add(new Message.TaskError(index, exception, message, trace));
    }
    if (in.currentToken() != JsonToken.END_ARRAY) {
      throw new IllegalStateException("not an error object");
    }
    return errors;
  }

  private static Message readAssign(JsonParser in) throws IOException {
    Fields fields = new Fields(in);
    String workerId = null;
    while (fields.next(ASSIGN) != null) {
      workerId = fields.text();
    }
    return fields.sawAll(ASSIGN.size()) ? new Message.Assign(workerId) : null;
  }

  private static Message readGoodbye(JsonParser in) throws IOException {
    Fields fields = new Fields(in);
    long[] counts = new long[GOODBYE.size()];
    for (String name; (name = fields.next(GOODBYE)) != null; ) {
      counts[GOODBYE.indexOf(name)] = fields.longValue();
    }
    return fields.sawAll(GOODBYE.size()) ? new Message.Goodbye(counts[0], counts[1], counts[2]) : null;
  }

  private static Message readFault(JsonParser in) throws IOException {
    Fields fields = new Fields(in);
    String message = null;
    while (fields.next(FAULT) != null) {
      message = fields.text();
    }
    return new Message.Fault(message);
  }

  /**
   * Reads the value at the parser's current token as the tree databind's {@code readTree} builds:
   * the smallest of int, long and big integer nodes for an integer, a double node for any other
   * number, and the later of two fields of the same name in the place of the first.
   */
  static JsonNode readTree(JsonParser in) throws IOException {
    JsonToken token = in.currentToken();
    switch (token) {
      case START_OBJECT: {
        ObjectNode object = new ObjectNode(NODES, new ObjectFields());
        while (in.nextToken() == JsonToken.FIELD_NAME) {
          String name = in.currentName();
          in.nextToken();
          object.replace(name, readTree(in));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = NODES.arrayNode();
        while (in.nextToken() != JsonToken.END_ARRAY) {
          array.add(readTree(in));
        }
        return array;
      }
      case VALUE_STRING:
        return TextNode.valueOf(in.getText());
      case VALUE_NUMBER_INT:
        return switch (in.getNumberType()) {
          case INT -> IntNode.valueOf(in.getIntValue());
          case LONG -> LongNode.valueOf(in.getLongValue());
          default -> BigIntegerNode.valueOf(in.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        return DoubleNode.valueOf(in.getDoubleValue());
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.getInstance();
      default:
        throw new IllegalStateException("not a JSON value: " + token);
    }
  }

  /**
   * Writes {@code node} as databind writes a tree with the codec's settings. Returns false,
   * leaving the generator mid-value, for a node only databind can write (a POJO node other than
   * one holding a {@link RawValue} of text).
   */
  static boolean writeTree(JsonGenerator out, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.writeStartObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          out.writeFieldName(field.getKey());
          if (!writeTree(out, field.getValue())) {
            return false;
          }
        }
        out.writeEndObject();
      }
      case ARRAY -> {
        out.writeStartArray();
        for (JsonNode element : node) {
          if (!writeTree(out, element)) {
            return false;
          }
        }
        out.writeEndArray();
      }
      case STRING -> out.writeString(node.textValue());
      case NUMBER -> {
        if (node instanceof IntNode || node instanceof ShortNode) {
          out.writeNumber(node.intValue());
        } else if (node instanceof LongNode) {
          out.writeNumber(node.longValue());
        } else if (node instanceof DoubleNode) {
          out.writeNumber(node.doubleValue());
        } else if (node instanceof FloatNode) {
          out.writeNumber(node.floatValue());
        } else if (node instanceof BigIntegerNode) {
          out.writeNumber(node.bigIntegerValue());
        } else if (node instanceof DecimalNode) {
          out.writeNumber(node.decimalValue());
        } else {
          return false;
        }
      }
      case BOOLEAN -> out.writeBoolean(node.booleanValue());
      case NULL -> out.writeNull();
      case BINARY -> out.writeBinary(((BinaryNode) node).binaryValue());
      case POJO -> {
        // A value its maker wrote as JSON text (align's outputs): copied as it is, as databind's
        // RawValue.serialize copies it: a SerializableString as its UTF-8 bytes (which it may
        // hold ready), a String encoded char by char.
        Object raw = Codec.rawValue(node);
        if (raw instanceof SerializableString bytes) {
          out.writeRawValue(bytes);
        } else if (raw instanceof String text) {
          out.writeRawValue(text);
        } else {
          return false;
        }
      }
      default -> {
        return false; // missing nodes
      }
    }
    return true;
  }

  private static boolean writeArray(JsonGenerator out, List<JsonNode> values) throws IOException {
    out.writeStartArray();
    if (values instanceof IntegralList integers) {
      for (int i = 0; i < integers.size(); i++) {
        out.writeNumber(integers.longAt(i)); // the digits an IntNode or LongNode writes
      }
      out.writeEndArray();
      return true;
    }
    for (JsonNode value : values) {
      // A null element is JSON null, as databind writes it.
      if (value == null) {
        out.writeNull();
      } else if (!writeTree(out, value)) {
        return false;
      }
    }
    out.writeEndArray();
    return true;
  }

  private static void writeStringUnlessNull(JsonGenerator out, String name, String value)
      throws IOException {
    if (value != null) {
      out.writeStringField(name, value);
    }
  }
}
