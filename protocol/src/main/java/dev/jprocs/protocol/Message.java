package dev.jprocs.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * Every message that crosses a worker's pipe, one JSON object per line, told apart by its
 * {@code type} field. {@code PROTOCOL.md} at the repository root is the wire specification;
 * {@link Codec} is the only code that turns these records into bytes and back.
 *
 * <p>Direction: the worker sends {@link Hello}, {@link Result}, {@link Goodbye} and {@link Fault};
 * the coordinator sends {@link Task} and {@link Shutdown}.
 *
 * <p>A child of a {@code JvmProcess} (not a pool worker) speaks another set on the same framing:
 * {@link PipeSend} and {@link PipeEof} either way, {@link QueuePut}, {@link QueueGet} and
 * {@link QueueClose} from the child, {@link QueueReply} from the coordinator.
 */
public sealed interface Message
    permits Message.Hello, Message.Task, Message.Result, Message.Shutdown, Message.Assign,
        Message.Goodbye,
        Message.Fault, Message.PipeSend, Message.PipeEof, Message.QueuePut, Message.QueueGet,
        Message.QueueClose, Message.QueueReply {

  /** The protocol version this code speaks; a peer announcing another one is refused. */
  int PROTOCOL_VERSION = 1;

  /** The wire name of this message, the value of its {@code type} field. */
  String type();

  /**
   * The worker's first line: the protocol it speaks, its process id and the worker id it was
   * started with.
   */
  record Hello(int protocol, long pid, String workerId) implements Message {
    public Hello {
      Objects.requireNonNull(workerId, "workerId");
    }

    @Override
    public String type() {
      return "hello";
    }
  }

  /**
   * A chunk of work: the task named {@code task} applied to each of {@code inputs}, whose ranks
   * (positions in the caller's input) are {@code rank}, {@code rank + 1}, ... in order.
   *
   * @param taskId identifies this chunk within one coordinator, across attempts
   * @param attempt 1 for the first dispatch, raised each time the chunk is sent again
   * @param options task options shared by every input (for example align's reference); may be
   *     null when the task has none
   */
  record Task(long taskId, int attempt, String task, long rank, List<JsonNode> inputs,
      JsonNode options) implements Message {
    public Task {
      Objects.requireNonNull(task, "task");
      inputs = inputs instanceof IntegralList ? inputs // immutable already
          : List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    }

    @Override
    public String type() {
      return "task";
    }
  }

  /**
   * The answer to one {@link Task}: one output per input, in order. An input whose task threw
   * has a null output and an entry in {@code errors} with its index.
   */
  record Result(long taskId, int attempt, List<JsonNode> outputs, List<TaskError> errors)
      implements Message {
    public Result {
      // Not List.copyOf: an output may be JSON null, which List.copyOf refuses.
      outputs = outputs instanceof IntegralList || outputs instanceof JsonTextList
          ? outputs // immutable already (a copy would build every output's tree)
          : java.util.Collections.unmodifiableList(
              new java.util.ArrayList<>(Objects.requireNonNull(outputs, "outputs")));
      errors = errors == null ? List.of() : List.copyOf(errors); // left off the wire when empty
    }

    @Override
    public String type() {
      return "result";
    }
  }

  /**
   * What one input's task threw, as the worker saw it.
   *
   * @param index the position of the input within its {@link Task}'s inputs
   * @param exception the exception's class name
   * @param trace the worker-side stack trace, causes included, as {@code printStackTrace} wrote it
   */
  record TaskError(int index, String exception, String message, String trace) {}

  /**
   * A spare worker's first line: the worker id it takes from now on. A spare is started without
   * one and waits, booted, until the coordinator needs it; then it says {@link Hello} with this
   * id. Sent only to a spare, only once, before anything else; {@link Shutdown} instead ends the
   * spare unused.
   */
  record Assign(String workerId) implements Message {
    public Assign {
      Objects.requireNonNull(workerId, "workerId");
    }

    @Override
    public String type() {
      return "assign";
    }
  }

  /** The sentinel: finish what you hold, answer {@link Goodbye} and exit 0. */
  record Shutdown() implements Message {
    @Override
    public String type() {
      return "shutdown";
    }
  }

  /**
   * The worker's last line after {@link Shutdown}: how many task messages it answered, how many
   * inputs they held, and how many of those inputs failed.
   */
  record Goodbye(long tasks, long items, long errors) implements Message {
    @Override
    public String type() {
      return "goodbye";
    }
  }

  /**
   * The worker's report that the coordinator broke the protocol (an undecodable or overlong
   * line); the worker exits with status 2 after sending it.
   */
  record Fault(String message) implements Message {
    @Override
    public String type() {
      return "fault";
    }
  }

  /**
   * One value sent over a {@code JvmProcess}'s pipe, either way. A missing {@code value} reads as
   * JSON null.
   */
  record PipeSend(JsonNode value) implements Message {
    public PipeSend {
      value = value == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : value;
    }

    @Override
    public String type() {
      return "send";
    }
  }

  /** The sender closed its end of the pipe: the other end reads what came before, then the end. */
  record PipeEof() implements Message {
    @Override
    public String type() {
      return "eof";
    }
  }

  /**
   * A child's {@code put} of {@code value} on the coordinator's queue named {@code queue}; answered
   * by a {@link QueueReply} with the same {@code requestId}.
   */
  record QueuePut(long requestId, String queue, JsonNode value) implements Message {
    public QueuePut {
      Objects.requireNonNull(queue, "queue");
      value = value == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : value;
    }

    @Override
    public String type() {
      return "put";
    }
  }

  /**
   * A child's {@code get} from the queue named {@code queue}.
   *
   * @param waitMillis how long the coordinator holds the request while the queue is empty: -1
   *     until an item comes or the queue is closed, 0 not at all (a missing field reads as 0)
   */
  record QueueGet(long requestId, String queue, long waitMillis) implements Message {
    public QueueGet {
      Objects.requireNonNull(queue, "queue");
    }

    @Override
    public String type() {
      return "get";
    }
  }

  /** A child closes the queue named {@code queue}: once drained, every get ends. */
  record QueueClose(long requestId, String queue) implements Message {
    public QueueClose {
      Objects.requireNonNull(queue, "queue");
    }

    @Override
    public String type() {
      return "close";
    }
  }

  /**
   * The coordinator's answer to a {@link QueuePut}, {@link QueueGet} or {@link QueueClose}.
   *
   * @param status {@value #OK} (put or close done), {@value #ITEM} (a get's item is
   *     {@code value}), {@value #EMPTY} (a get waited its time), {@value #CLOSED} (a get found the
   *     queue closed and drained) or {@value #REFUSED} (see {@code message})
   * @param value the item, for {@value #ITEM}; null otherwise
   * @param message why, for {@value #REFUSED}; null otherwise
   */
  record QueueReply(long requestId, String status, JsonNode value, String message)
      implements Message {
    public static final String OK = "ok";
    public static final String ITEM = "item";
    public static final String EMPTY = "empty";
    public static final String CLOSED = "closed";
    public static final String REFUSED = "refused";

    public QueueReply {
      Objects.requireNonNull(status, "status");
      if (ITEM.equals(status) && value == null) {
        value = com.fasterxml.jackson.databind.node.NullNode.getInstance(); // a null item
      }
    }

    @Override
    public String type() {
      return "reply";
    }
  }
}
