package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's conversation with its coordinator, over any pair of streams: hello, then tasks
 * answered in the order they arrive, until the shutdown sentinel (goodbye, status 0), the end of
 * input (status 0: the coordinator is gone) or a line that breaks the protocol (a fault message,
 * status 2).
 *
 * <p>{@link #run()} runs on one thread, which reads, runs every task and writes; a task that
 * blocks therefore delays the reading of the next line, which is why {@link WorkerMain} watches
 * for the coordinator's death separately.
 */
public final class WorkerLoop {
  /** Exit status after a protocol fault: the coordinator sent something this worker cannot read. */
  public static final int STATUS_PROTOCOL_FAULT = 2;

  private final String workerId;
  private final TaskRegistry registry;
  private final FrameReader in;
  private final OutputStream out;
  private long tasksDone;
  private long itemsDone;
  private long itemsFailed;

  public WorkerLoop(String workerId, TaskRegistry registry, InputStream in, OutputStream out,
      int maxLineBytes) {
    this.workerId = workerId;
    this.registry = registry;
    this.in = new FrameReader(in, maxLineBytes);
    this.out = out;
  }

  /** Runs the conversation to its end and returns the exit status the worker should have. */
  public int run() throws IOException {
    send(new Message.Hello(Message.PROTOCOL_VERSION, ProcessHandle.current().pid(), workerId));
    while (true) {
      Message message;
      try {
        byte[] line = in.readLine();
        if (line == null) {
          System.err.println(workerId + ": stdin closed, so the coordinator is gone; exiting");
          return 0;
        }
        message = Codec.decode(line);
      } catch (ProtocolException e) {
        send(new Message.Fault(workerId + " cannot read what the coordinator sent: " + e.getMessage()));
        return STATUS_PROTOCOL_FAULT;
      }
      if (message instanceof Message.Task task) {
        send(run(task));
      } else if (message instanceof Message.Shutdown) {
        send(new Message.Goodbye(tasksDone, itemsDone, itemsFailed));
        return 0;
      } else {
        send(new Message.Fault(workerId + " does not accept '" + message.type()
            + "' messages; a coordinator sends only task and shutdown"));
        return STATUS_PROTOCOL_FAULT;
      }
    }
  }

  private Message.Result run(Message.Task request) {
    Task task = registry.find(request.task());
    JsonNode options = request.options() == null || request.options().isNull()
        ? JsonNodeFactory.instance.objectNode() : request.options();
    List<JsonNode> outputs = new ArrayList<>(request.inputs().size());
    List<Message.TaskError> errors = new ArrayList<>();
    for (int i = 0; i < request.inputs().size(); i++) {
      try {
        if (task == null) {
          throw new UnknownTaskException(request.task(), registry.names());
        }
        TaskContext context = new TaskContext(options, request.rank() + i, request.attempt(), workerId);
        outputs.add(Codec.toTree(task.apply(request.inputs().get(i), context)));
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        // Anything a task throws is that input's result; only a broken JVM (OutOfMemoryError and
        // the like) is left to kill the worker, so the coordinator retries elsewhere.
        outputs.add(NullNode.getInstance());
        errors.add(describe(i, e));
      }
    }
    tasksDone++;
    itemsDone += outputs.size();
    itemsFailed += errors.size();
    return new Message.Result(request.taskId(), request.attempt(), outputs, errors);
  }

  private static Message.TaskError describe(int index, Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    return new Message.TaskError(index, e.getClass().getName(), e.getMessage(), trace.toString());
  }

  private void send(Message message) throws IOException {
    out.write(Codec.encode(message));
    out.flush();
  }
}
