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
 */
public sealed interface Message
    permits Message.Hello, Message.Task, Message.Result, Message.Shutdown, Message.Goodbye,
        Message.Fault {

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
      inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
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
      outputs = java.util.Collections.unmodifiableList(
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
}
