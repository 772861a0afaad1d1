package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.IntegralList;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A worker's conversation with its coordinator, over any pair of streams: hello, then tasks
 * answered in the order they arrive, until the shutdown sentinel (goodbye, status 0), the end of
 * input (status 0: the coordinator is gone) or a line that breaks the protocol (a fault message,
 * status 2).
 *
 * <p>Two threads: {@link #run()}'s caller runs the tasks and writes every message; a reader
 * thread ({@code worker-N-stdin}) decodes lines as they come. So the end of input is seen at
 * once, even in the middle of a long task, and reported to the {@code inputClosed} callback
 * (which, in a real worker, halts the JVM: the coordinator is gone).
 *
 * <p>Results are flushed when no task waits in the inbox; while tasks keep coming, a third
 * thread ({@code worker-N-flusher}) flushes what was written at most {@link #FLUSH_DELAY_NANOS}
 * later. So a stream of tiny tasks costs one write per batch of results, not one per result, and
 * a finished result never waits behind a long task that follows it.
 */
public final class WorkerLoop {
  /** Exit status after a protocol fault: the coordinator sent something this worker cannot read. */
  public static final int STATUS_PROTOCOL_FAULT = 2;

  /** How long a written result may stay unflushed while more tasks wait. */
  static final long FLUSH_DELAY_NANOS = 1_000_000;

  /** The reader's mark for the end of input. */
  private static final Object END_OF_INPUT = new Object();

  /**
   * What the reader thread hit that is no fault of the coordinator's (an OutOfMemoryError while
   * decoding a big line): the task thread throws it, so the worker ends instead of waiting on an
   * inbox nobody fills.
   */
  private record ReaderFailure(Throwable cause) {}

  private final String workerId;
  private final TaskRegistry registry;
  private final FrameReader in;
  private final OutputStream out;
  private final Runnable inputClosed;
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  /** Guards {@link #out} and {@link #unflushedSince}; the flusher waits on it. */
  private final Object wire = new Object();
  /** When the oldest unflushed byte was written; 0 when all is flushed. Guarded by wire. */
  private long unflushedSince;
  private long tasksDone;
  private long itemsDone;
  private long itemsFailed;

  public WorkerLoop(String workerId, TaskRegistry registry, InputStream in, OutputStream out,
      int maxLineBytes) {
    this(workerId, registry, in, out, maxLineBytes, () -> {});
  }

  /**
   * @param inputClosed called on the reader thread when the input ends before the shutdown
   *     sentinel, while a task may still be running
   */
  public WorkerLoop(String workerId, TaskRegistry registry, InputStream in, OutputStream out,
      int maxLineBytes, Runnable inputClosed) {
    this.workerId = workerId;
    this.registry = registry;
    this.in = new FrameReader(in, maxLineBytes);
    this.out = out;
    this.inputClosed = inputClosed;
  }

  /**
   * Runs task {@code task} once on {@code input}, as a pool's initializer (Python's
   * {@code Pool(initializer=...)}): before the worker's hello, on the thread that will run its
   * tasks, with rank 0 and attempt 1. Its output is dropped; what it leaves behind (static state,
   * caches in its task instance) is what the worker's tasks see.
   *
   * @param options the task options, or null for none
   * @throws UnknownTaskException when the registry has no such task
   * @throws Exception whatever the task threw
   */
  public static void initialize(TaskRegistry registry, String workerId, String task,
      JsonNode input, JsonNode options) throws Exception {
    Task initializer = registry.find(task);
    if (initializer == null) {
      throw new UnknownTaskException(task, registry.names());
    }
    JsonNode taskOptions = options == null || !options.isObject()
        ? JsonNodeFactory.instance.objectNode() : options;
    initializer.apply(input, new TaskContext(taskOptions, 0, 1, workerId));
  }

  /**
   * Runs the conversation to its end and returns the exit status the worker should have. An
   * OutOfMemoryError (or another error that breaks the JVM) in a task or in the reader thread is
   * thrown from here, so the worker ends and its pool sees the death.
   */
  public int run() throws IOException {
    send(new Message.Hello(Message.PROTOCOL_VERSION, ProcessHandle.current().pid(), workerId));
    Thread reader = new Thread(this::read, workerId + "-stdin");
    reader.setDaemon(true);
    reader.start();
    Thread flusher = new Thread(this::flushLate, workerId + "-flusher");
    flusher.setDaemon(true);
    flusher.start();
    try {
      while (true) {
        Object next;
        try {
          next = inbox.take(); // woken by the reader thread
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 1;
        }
        if (next instanceof Message.Task task) {
          sendResult(run(task));
        } else if (next instanceof Message.Shutdown) {
          send(new Message.Goodbye(tasksDone, itemsDone, itemsFailed));
          return 0;
        } else if (next instanceof Message.Fault fault) {
          send(fault);
          return STATUS_PROTOCOL_FAULT;
        } else if (next instanceof ReaderFailure failure) {
          if (failure.cause() instanceof Error error) {
            throw error;
          }
          throw (RuntimeException) failure.cause();
        } else {
          System.err.println(workerId + ": stdin closed, so the coordinator is gone; exiting");
          return 0;
        }
      }
    } finally {
      flusher.interrupt(); // ends the flusher: in thread mode this JVM lives on after the loop
    }
  }

  /** The reader thread: decodes lines into the inbox until shutdown, end of input or a fault. */
  private void read() {
    try {
      byte[] line;
      while ((line = in.readLine()) != null) {
        Message message = Codec.decode(line);
        if (message instanceof Message.Task) {
          inbox.add(message);
        } else if (message instanceof Message.Shutdown) {
          inbox.add(message);
          return; // nothing after the sentinel matters, not even the end of input
        } else {
          inbox.add(new Message.Fault(workerId + " does not accept '" + message.type()
              + "' messages; a coordinator sends only task and shutdown"));
          return;
        }
      }
      inbox.add(END_OF_INPUT);
      inputClosed.run();
    } catch (ProtocolException e) {
      inbox.add(new Message.Fault(workerId + " cannot read what the coordinator sent: " + e.getMessage()));
    } catch (IOException e) {
      System.err.println(workerId + ": cannot read stdin: " + e);
      inbox.add(END_OF_INPUT);
      inputClosed.run();
    } catch (RuntimeException | Error e) {
      inbox.add(new ReaderFailure(e)); // wakes the task thread, which throws it
    }
  }

  private Message.Result run(Message.Task request) {
    Message.Result result = answer(registry, workerId, request);
    tasksDone++;
    itemsDone += result.outputs().size();
    itemsFailed += result.errors().size();
    return result;
  }

  /**
   * Runs one task message's inputs on the calling thread ({@link Task#applyTogether} once, then
   * {@link Task#apply} in order for each input it left) and returns its result: one
   * output per input, with an error entry (and a null output) for each input whose task threw. An
   * unknown task name fails every input. Only a broken JVM ({@code OutOfMemoryError} and the like)
   * escapes, so that the coordinator retries the chunk elsewhere. The registry's task instances
   * are not thread-safe: a caller that runs chunks on several threads gives each its own registry
   * (as a cluster member does).
   */
  public static Message.Result answer(TaskRegistry registry, String workerId, Message.Task request) {
    Task task = registry.find(request.task());
    JsonNode options = request.options() == null || request.options().isNull()
        ? JsonNodeFactory.instance.objectNode() : request.options();
    int count = request.inputs().size();
    // Integer and Long outputs go into one long[] (written with the same digits as their nodes)
    // until another output comes; then every output is a node.
    IntegralList.Builder integers = new IntegralList.Builder(count);
    List<JsonNode> outputs = null;
    List<Message.TaskError> errors = new ArrayList<>();
    Object[] together = task == null ? new Object[count] : together(task, options, request, workerId);
    for (int i = 0; i < count; i++) {
      JsonNode node;
      try {
        if (task == null) {
          throw new UnknownTaskException(request.task(), registry.names());
        }
        Object output = together[i];
        if (output == null) {
          TaskContext context = new TaskContext(options, request.rank() + i, request.attempt(), workerId);
          output = task.apply(request.inputs().get(i), context);
        }
        if (outputs == null && (output instanceof Long || output instanceof Integer)) {
          integers.add(((Number) output).longValue());
          continue;
        }
        node = Codec.toTree(output);
        requireOneLine(node, task);
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        // Anything a task throws is that input's result; only a broken JVM (OutOfMemoryError and
        // the like) is left to kill the worker, so the coordinator retries elsewhere.
        node = NullNode.getInstance();
        errors.add(describe(i, e));
      }
      if (outputs == null) {
        outputs = new ArrayList<>(count);
        outputs.addAll(Arrays.asList(integers.nodes()));
      }
      outputs.add(node);
    }
    return new Message.Result(request.taskId(), request.attempt(),
        outputs == null ? integers.build() : outputs, errors);
  }

  /**
   * The outputs {@link Task#applyTogether} gives for the message's inputs, nulls for those left to
   * apply; all nulls when it throws, which is logged on stderr since no input's error says it.
   */
  private static Object[] together(Task task, JsonNode options, Message.Task request, String workerId) {
    int count = request.inputs().size();
    try {
      Object[] outputs = task.applyTogether(request.inputs(),
          new TaskContext(options, request.rank(), request.attempt(), workerId));
      if (outputs.length == count) {
        return outputs;
      }
      System.err.println(workerId + ": " + task.name() + ".applyTogether gave " + outputs.length
          + " outputs for " + count + " inputs (task " + request.taskId() + "); applying one by one");
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      System.err.println(workerId + ": " + task.name() + ".applyTogether failed on task "
          + request.taskId() + " (rank " + request.rank() + "); applying one by one: " + e);
    }
    return new Object[count];
  }

  /**
   * Fails an output that is JSON text (a Jackson {@code RawValue}, as align's outputs are) with a
   * line break: such text goes onto the wire as it is, and a line break in it would end the
   * result line early and break the protocol for the whole chunk.
   */
  private static void requireOneLine(JsonNode node, Task task) {
    String text = Codec.rawText(node);
    if (text == null) {
      return;
    }
    int lineBreak = text.indexOf('\n'); // indexOf, not a loop: every align output passes here
    int carriageReturn = text.indexOf('\r');
    if (carriageReturn >= 0 && (lineBreak < 0 || carriageReturn < lineBreak)) {
      lineBreak = carriageReturn;
    }
    if (lineBreak >= 0) {
      throw new IllegalArgumentException(task.name() + " returned JSON text (a RawValue) with a"
          + " line break at position " + lineBreak + " (from 0); such text goes onto the wire as"
          + " it is, so it must be one JSON value on one line");
    }
  }

  private static Message.TaskError describe(int index, Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    return new Message.TaskError(index, e.getClass().getName(), e.getMessage(), trace.toString());
  }

  private void send(Message message) throws IOException {
    byte[] line = Codec.encode(message);
    synchronized (wire) {
      out.write(line);
      out.flush();
      unflushedSince = 0;
    }
  }

  /** Writes a result; flushes it now unless another task is waiting (the flusher does, later). */
  private void sendResult(Message.Result result) throws IOException {
    byte[] line = Codec.encode(result);
    synchronized (wire) {
      out.write(line);
      if (inbox.isEmpty()) {
        out.flush();
        unflushedSince = 0;
      } else if (unflushedSince == 0) {
        unflushedSince = System.nanoTime();
        wire.notifyAll(); // wakes the flusher, which waits while everything is flushed
      }
    }
  }

  /** The flusher thread: flushes what has stayed unflushed for {@link #FLUSH_DELAY_NANOS}. */
  private void flushLate() {
    synchronized (wire) {
      try {
        while (true) {
          if (unflushedSince == 0) {
            wire.wait(); // woken by sendResult when it leaves a result unflushed
            continue;
          }
          long wait = unflushedSince + FLUSH_DELAY_NANOS - System.nanoTime();
          if (wait > 0) {
            wire.wait(wait / 1_000_000, (int) (wait % 1_000_000));
          } else {
            out.flush();
            unflushedSince = 0;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // The coordinator is gone; the task thread's next write fails and ends the loop.
        System.err.println(workerId + ": cannot flush results: " + e);
      }
    }
  }
}
