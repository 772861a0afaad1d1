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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker's conversation with its coordinator, over any pair of streams: hello, then tasks
 * answered in the order they arrive, until the shutdown sentinel (goodbye, status 0), the end of
 * input (status 0: the coordinator is gone) or a line that breaks the protocol (a fault message,
 * status 2).
 *
 * <p>{@link #run()}'s caller runs the tasks and writes every message. Between tasks it reads its
 * next line itself, so a short task costs no hand-over between threads: with one input per task
 * message, that hand-over had been half the worker's CPU. Once a task has run for
 * {@link #LEND_NANOS}, a reader thread ({@code worker-N-stdin}) reads and decodes the lines that
 * come meanwhile. So the end of input is seen soon after, even in the middle of a long task, and
 * reported to the {@code inputClosed} callback (which, in a real worker, halts the JVM: the
 * coordinator is gone). The two take turns at the input under {@link #reading}.
 *
 * <p>Results are flushed when no task waits, in the inbox or on stdin; while tasks keep coming,
 * a third thread ({@code worker-N-flusher}) flushes what was written at most
 * {@link #FLUSH_DELAY_NANOS} later. So a stream of tiny tasks costs one write per batch of
 * results, not one per result, and a finished result never waits behind a long task that follows
 * it.
 */
public final class WorkerLoop {
  /** Exit status after a protocol fault: the coordinator sent something this worker cannot read. */
  public static final int STATUS_PROTOCOL_FAULT = 2;

  /** How long a written result may stay unflushed while more tasks wait. */
  static final long FLUSH_DELAY_NANOS = 1_000_000;

  /**
   * How long a task runs before the reader thread reads stdin meanwhile; also how often that
   * thread looks, while tasks come and go.
   */
  static final long LEND_NANOS = 10_000_000;

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
  /** What the reader thread read; the task thread reads for itself when nothing is here. */
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  /** Held by whichever thread is reading a line from {@link #in}. */
  private final ReentrantLock reading = new ReentrantLock();
  /** When the task thread started its current task; 0 while it runs none. */
  private volatile long taskStartedNanos;
  /** Tasks started so far; the reader thread sleeps once a look finds no new one. */
  private volatile long tasksStarted;
  /** True while the reader thread sleeps until the next task starts. */
  private volatile boolean readerAsleep;
  /** True once a shutdown, the end of input or a fault has been read: nothing more is read. */
  private volatile boolean inputOver;
  private Thread reader;
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
   *     sentinel while a task is running (when it ends between tasks, {@link #run} returns 0)
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
    reader = new Thread(this::read, workerId + "-stdin");
    reader.setDaemon(true);
    reader.start();
    Thread flusher = new Thread(this::flushLate, workerId + "-flusher");
    flusher.setDaemon(true);
    flusher.start();
    try {
      while (true) {
        Object next = next();
        if (next instanceof Message.Task task) {
          started();
          Message.Result result;
          try {
            result = run(task);
          } finally {
            taskStartedNanos = 0;
          }
          sendResult(result);
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
      inputOver = true;
      LockSupport.unpark(reader); // ends a reader thread waiting for a long task
      flusher.interrupt(); // ends the flusher: in thread mode this JVM lives on after the loop
    }
  }

  /**
   * The next message: what the reader thread read, or else the next line, read on this thread.
   * While the reader thread is reading a line (a long task was running), waits for it.
   */
  private Object next() {
    Object next = inbox.poll();
    if (next != null) {
      return next;
    }
    reading.lock(); // held by the reader thread only while it reads a line for the inbox
    try {
      next = inbox.poll();
      return next != null ? next : readMessage();
    } finally {
      reading.unlock();
    }
  }

  /** The task thread starts a task: wakes the reader thread if it sleeps, so it can watch it. */
  private void started() {
    taskStartedNanos = System.nanoTime();
    tasksStarted++; // only this thread writes it
    if (readerAsleep) {
      LockSupport.unpark(reader);
    }
  }

  /**
   * Reads and decodes one line, holding {@link #reading}: a task or the sentinel, a fault for a
   * line that breaks the protocol, or {@link #END_OF_INPUT}. After any but a task, marks the
   * input over.
   */
  private Object readMessage() {
    Object message;
    try {
      int length = in.nextLine(); // decoded where the reader holds it: a task keeps no bytes of it
      if (length < 0) {
        message = END_OF_INPUT;
      } else {
        message = Codec.decode(in.line(), length, taskId -> false);
        if (!(message instanceof Message.Task) && !(message instanceof Message.Shutdown)) {
          message = new Message.Fault(workerId + " does not accept '" + ((Message) message).type()
              + "' messages; a coordinator sends only task and shutdown");
        }
      }
    } catch (ProtocolException e) {
      message = new Message.Fault(
          workerId + " cannot read what the coordinator sent: " + e.getMessage());
    } catch (IOException e) {
      System.err.println(workerId + ": cannot read stdin: " + e);
      message = END_OF_INPUT;
    }
    if (!(message instanceof Message.Task)) {
      inputOver = true; // nothing after the sentinel matters, not even the end of input
    }
    return message;
  }

  /**
   * The reader thread: once a task has run for {@link #LEND_NANOS}, reads lines into the inbox
   * while it runs on, until the shutdown, the end of input or a fault. Sleeps while no task starts.
   */
  private void read() {
    while (awaitLongTask()) {
      Object message;
      reading.lock();
      try {
        if (inputOver) {
          return;
        }
        if (!longTaskRunning()) {
          continue; // it ended while the task thread read: that thread reads for itself again
        }
        try {
          message = readMessage();
        } catch (RuntimeException | Error e) {
          inputOver = true;
          message = new ReaderFailure(e); // the task thread throws it
        }
        inbox.add(message);
      } finally {
        reading.unlock();
      }
      if (message == END_OF_INPUT) {
        inputClosed.run();
      }
    }
  }

  /**
   * Waits until the current task has run for {@link #LEND_NANOS}; false once the input is over.
   * Looks every {@link #LEND_NANOS} while tasks come and go, and sleeps when a look finds no task
   * started since the last: then {@link #started} wakes it.
   */
  private boolean awaitLongTask() {
    long seen = -1;
    while (!inputOver) {
      if (longTaskRunning()) {
        return true;
      }
      long started = taskStartedNanos;
      long now = System.nanoTime();
      if (started != 0 || tasksStarted != seen) {
        seen = tasksStarted;
        LockSupport.parkNanos(this, started != 0 ? started + LEND_NANOS - now : LEND_NANOS);
      } else {
        readerAsleep = true; // then the check below, against started()'s write then read
        if (taskStartedNanos == 0 && !inputOver) {
          LockSupport.park(this);
        }
        readerAsleep = false;
        seen = tasksStarted;
      }
    }
    return false;
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
      if (!inputWaiting()) {
        out.flush();
        unflushedSince = 0;
      } else if (unflushedSince == 0) {
        unflushedSince = System.nanoTime();
        wire.notifyAll(); // wakes the flusher, which waits while everything is flushed
      }
    }
  }

  private boolean longTaskRunning() {
    long started = taskStartedNanos;
    return started != 0 && System.nanoTime() - started >= LEND_NANOS;
  }

  /**
   * True when a message waits: in the inbox, or on stdin for the task thread to read. False while
   * the reader thread is reading, as it then waits for input or is about to add to the inbox; and
   * false when stdin cannot say, which the next read reports.
   */
  private boolean inputWaiting() {
    if (!inbox.isEmpty()) {
      return true;
    }
    if (!reading.tryLock()) {
      return false;
    }
    try {
      return !inputOver && in.hasInput();
    } catch (IOException e) {
      return false;
    } finally {
      reading.unlock();
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
