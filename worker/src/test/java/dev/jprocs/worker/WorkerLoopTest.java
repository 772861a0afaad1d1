package dev.jprocs.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.IntegralList;
import dev.jprocs.protocol.Message;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The worker's side of the conversation over in-memory streams: no process is started. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerLoopTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String WORKER_ID = "worker-3";
  private static final int MAX_LINE_BYTES = 1024 * 1024;

  private final TaskRegistry registry = TaskRegistry.load(getClass().getClassLoader());

  /** What the worker wrote, decoded line by line, and the status its loop returned. */
  private record Conversation(int status, List<Message> sent) {}

  @Test
  void registryHoldsTheBuiltInAndTheTestTasks() {
    List<String> names = List.copyOf(registry.names());
    assertTrue(names.containsAll(List.of("align", "context", "fail", "fetch", "randstring", "shout",
        "sleep", "square")), names.toString());
    assertEquals(names.stream().sorted().toList(), names, "sorted by name");
  }

  @Test
  void helloComesFirstWithProtocolVersionPidAndWorkerId() throws Exception {
    Conversation conversation = converse(new byte[0]);

    assertEquals(List.of(hello()), conversation.sent());
    assertEquals(0, conversation.status());
  }

  @Test
  void eachTaskIsAnsweredInOrderWithOneOutputPerInput() throws Exception {
    Conversation conversation = converse(
        task(1, 1, "square", 0, JSON.numberNode(1), JSON.numberNode(2), JSON.numberNode(3)),
        task(2, 3, "square", 3, JSON.numberNode(-4), JSON.numberNode(3_037_000_500L)),
        task(3, 1, "shout", 5, JSON.textNode("hi")),
        new Message.Shutdown());

    List<Message> sent = conversation.sent();
    assertEquals(5, sent.size(), sent.toString());
    assertEquals(hello(), sent.get(0));
    assertResult(sent.get(1), 1, 1, "[1,4,9]");
    // 3037000500^2 does not fit in a long: it comes back as an exact big integer.
    assertResult(sent.get(2), 2, 3, "[16,9223372037000250000]");
    assertResult(sent.get(3), 3, 1, "[\"HI!\"]");
    assertEquals(new Message.Goodbye(3, 6, 0), sent.get(4));
    assertEquals(0, conversation.status());
  }

  @Test
  void integerOutputsComeAsOneIntegralListUntilAnotherOutputMakesThemAllNodes() {
    Message.Result squares = WorkerLoop.answer(registry, "worker-0",
        task(1, 1, "square", 0, JSON.numberNode(1), JSON.numberNode(-3), JSON.numberNode(3_037_000_499L)));
    assertInstanceOf(IntegralList.class, squares.outputs());
    assertEquals(List.of(JSON.numberNode(1), JSON.numberNode(9), JSON.numberNode(3_037_000_499L * 3_037_000_499L)),
        squares.outputs());

    Message.Result mixed = WorkerLoop.answer(registry, "worker-0",
        task(2, 1, "square", 0, JSON.numberNode(2), JSON.numberNode(3), JSON.textNode("x"), JSON.numberNode(4)));
    assertResult(mixed, 2, 1, "[4,9,null,16]"); // node kinds may differ; the wire cannot tell
    assertEquals(2, mixed.errors().get(0).index());
  }

  @Test
  void outputsFromApplyTogetherAreKeptAndTheInputsItLeftGoToApply() {
    Message.Result result = WorkerLoop.answer(registry, WORKER_ID,
        task(1, 1, "together", 10, JSON.textNode("a"), JSON.textNode("b"), JSON.textNode("c"),
            JSON.textNode("bad")));

    assertResult(result, 1, 1, "[\"together: a\",\"alone: b\",\"together: c\",null]");
    assertEquals(3, result.errors().get(0).index());
    assertTrue(result.errors().get(0).message().contains("rank 13"), result.errors().toString());
  }

  @Test
  void jsonTextGoesOutAsItIsButOneWithALineBreakFailsAloneAndTheLineStaysWhole() throws Exception {
    Conversation conversation = converse(
        task(1, 1, "raw", 0, JSON.textNode("{\"a\":[1,2]}"), JSON.textNode("{\"a\":\n1}"),
            JSON.textNode("[3,\r\n4]")),
        new Message.Shutdown());

    List<Message> sent = conversation.sent();
    assertEquals(3, sent.size(), sent.toString());
    Message.Result result = (Message.Result) sent.get(1);
    assertResult(result, 1, 1, "[{\"a\":[1,2]},null,null]");
    assertEquals(List.of(1, 2), result.errors().stream().map(Message.TaskError::index).toList());
    assertTrue(result.errors().get(0).message().contains("raw returned JSON text (a RawValue) with"
        + " a line break at position 5"), result.errors().toString());
    assertTrue(result.errors().get(1).message().contains("line break at position 3 "),
        result.errors().toString()); // the first of the two
  }

  @Test
  void applyTogetherThrowingLeavesEveryInputToApply() {
    Message.Result result = WorkerLoop.answer(registry, WORKER_ID,
        task(2, 1, "together", 0, JSON.textNode("a"), JSON.textNode("boom")));

    assertResult(result, 2, 1, "[\"alone: a\",\"alone: boom\"]");
  }

  @Test
  void alignedTogetherABadSequenceStillGetsItsOwnErrorAndTheRestTheirAlignments() throws Exception {
    Task align = registry.find("align");
    List<JsonNode> inputs = new ArrayList<>(
        align.sampleInputs(dev.jprocs.worker.tasks.AlignTask.MIN_TOGETHER + 10, 3).orElseThrow());
    inputs.set(5, JSON.textNode("ACGT ACGT"));
    Message.Result result = WorkerLoop.answer(registry, WORKER_ID,
        new Message.Task(3, 1, "align", 100, inputs, null));

    assertEquals(1, result.errors().size(), result.errors().toString());
    assertEquals(5, result.errors().get(0).index());
    assertTrue(result.errors().get(0).message().contains("position 4"), result.errors().toString());
    Task alone = TaskRegistry.load(getClass().getClassLoader()).find("align");
    for (int i = 0; i < inputs.size(); i++) {
      if (i != 5) {
        TaskContext context = new TaskContext(JSON.objectNode(), 100 + i, 1, WORKER_ID);
        assertEquals(Codec.toTree(alone.apply(inputs.get(i), context)), result.outputs().get(i), "input " + i);
      }
    }
  }

  @Test
  void throwingInputGetsAnErrorWithItsCauseWhileTheOthersOfItsChunkGetOutputs() throws Exception {
    Conversation conversation = converse(
        task(4, 2, "fail", 10, JSON.textNode("a"),
            failure("java.lang.IllegalStateException", "input b is bad", "disk gone"),
            JSON.textNode("c")),
        new Message.Shutdown());

    List<Message> sent = conversation.sent();
    assertEquals(3, sent.size(), sent.toString());
    Message.Result result = assertResult(sent.get(1), 4, 2, "[\"a\",null,\"c\"]");
    assertEquals(1, result.errors().size());
    Message.TaskError error = result.errors().get(0);
    assertEquals(1, error.index());
    assertEquals("java.lang.IllegalStateException", error.exception());
    assertEquals("input b is bad", error.message());
    assertTrue(error.trace().startsWith("java.lang.IllegalStateException: input b is bad"), error.trace());
    assertTrue(error.trace().contains("at " + FailTask.class.getName() + ".apply("), error.trace());
    assertTrue(error.trace().contains("Caused by: java.io.IOException: disk gone"), error.trace());
    assertEquals(new Message.Goodbye(1, 3, 1), sent.get(2));
  }

  @Test
  void checkedExceptionsAndErrorsOtherThanABrokenJvmAreEachTheirInputsError() throws Exception {
    Conversation conversation = converse(
        task(5, 1, "fail", 0,
            failure("java.lang.Exception", "checked", "c1"),
            failure("java.lang.AssertionError", "assertion", "c2"),
            failure("java.lang.NoClassDefFoundError", "linkage", "c3"),
            failure("java.lang.StackOverflowError", "deep", "c4"),
            JSON.textNode("fine")),
        new Message.Shutdown());

    Message.Result result = assertResult(conversation.sent().get(1), 5, 1, "[null,null,null,null,\"fine\"]");
    List<String> described = new ArrayList<>();
    for (Message.TaskError error : result.errors()) {
      described.add(error.index() + " " + error.exception() + " " + error.message());
    }
    assertEquals(List.of("0 java.lang.Exception checked", "1 java.lang.AssertionError assertion",
        "2 java.lang.NoClassDefFoundError linkage", "3 java.lang.StackOverflowError deep"), described);
    assertEquals(new Message.Goodbye(1, 5, 4), conversation.sent().get(2));
  }

  @Test
  void outOfMemoryErrorIsLeftToKillTheWorker() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WorkerLoop loop = new WorkerLoop(WORKER_ID, registry, new ByteArrayInputStream(lines(
        task(6, 1, "fail", 0, failure("java.lang.OutOfMemoryError", "heap", "unused")),
        new Message.Shutdown())), out, MAX_LINE_BYTES);

    OutOfMemoryError e = assertThrows(OutOfMemoryError.class, loop::run);

    assertEquals("heap", e.getMessage());
    assertEquals(List.of(hello()), decodeAll(out.toByteArray()));
  }

  @Test
  void outOfMemoryErrorWhileReadingEndsTheLoopInsteadOfLeavingItWaiting() throws Exception {
    byte[] first = lines(task(6, 1, "square", 0, JSON.numberNode(5)));
    InputStream in = new ByteArrayInputStream(first) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        if (available() == 0) {
          throw new OutOfMemoryError("reading a line too big for the heap");
        }
        return super.read(b, off, len);
      }
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WorkerLoop loop = new WorkerLoop(WORKER_ID, registry, in, out, MAX_LINE_BYTES);

    OutOfMemoryError e = assertThrows(OutOfMemoryError.class, loop::run);

    assertEquals("reading a line too big for the heap", e.getMessage());
    List<Message> sent = decodeAll(out.toByteArray());
    assertEquals(2, sent.size(), sent.toString());
    assertResult(sent.get(1), 6, 1, "[25]");
  }

  @Test
  void builtInTaskRejectingItsInputGivesThatInputAnError() throws Exception {
    Conversation conversation = converse(
        task(7, 1, "square", 0, JSON.numberNode(2), JSON.textNode("two"), JSON.numberNode(1.5)));

    Message.Result result = assertResult(conversation.sent().get(1), 7, 1, "[4,null,null]");
    assertEquals(2, result.errors().size());
    assertEquals(1, result.errors().get(0).index());
    assertEquals("java.lang.IllegalArgumentException", result.errors().get(0).exception());
    assertEquals("square takes an integer, got \"two\"", result.errors().get(0).message());
    assertEquals(2, result.errors().get(1).index());
    assertEquals("square takes an integer, got 1.5", result.errors().get(1).message());
  }

  @Test
  void unknownTaskGivesAnErrorPerInputNamingTheKnownTasksAndTheLoopGoesOn() throws Exception {
    Conversation conversation = converse(
        task(8, 1, "nope", 0, JSON.numberNode(1), JSON.numberNode(2)),
        task(9, 1, "square", 2, JSON.numberNode(5)),
        new Message.Shutdown());

    List<Message> sent = conversation.sent();
    assertEquals(4, sent.size(), sent.toString());
    Message.Result unknown = assertResult(sent.get(1), 8, 1, "[null,null]");
    assertEquals(2, unknown.errors().size());
    for (int i = 0; i < 2; i++) {
      Message.TaskError error = unknown.errors().get(i);
      assertEquals(i, error.index());
      assertEquals(UnknownTaskException.class.getName(), error.exception());
      assertEquals("no task named 'nope' on this worker's classpath; it has: "
          + String.join(", ", registry.names()), error.message());
    }
    assertResult(sent.get(2), 9, 1, "[25]");
    assertEquals(new Message.Goodbye(2, 3, 2), sent.get(3));
    assertEquals(0, conversation.status());
  }

  @Test
  void taskSeesRankPlusIndexAttemptWorkerIdAndItsOptions() throws Exception {
    ObjectNode options = JSON.objectNode().put("reference", "ACGT");
    Conversation conversation = converse(
        new Message.Task(10, 2, "context", 100, List.of(JSON.textNode("a"), JSON.textNode("b")), options),
        task(11, 1, "context", 0, JSON.textNode("c")));

    assertResult(conversation.sent().get(1), 10, 2,
        "[{\"input\":\"a\",\"rank\":100,\"attempt\":2,\"workerId\":\"worker-3\",\"options\":{\"reference\":\"ACGT\"}},"
            + "{\"input\":\"b\",\"rank\":101,\"attempt\":2,\"workerId\":\"worker-3\",\"options\":{\"reference\":\"ACGT\"}}]");
    // Without options a task sees an empty object, never null.
    assertResult(conversation.sent().get(2), 11, 1,
        "[{\"input\":\"c\",\"rank\":0,\"attempt\":1,\"workerId\":\"worker-3\",\"options\":{}}]");
  }

  @Test
  void nullOutputIsJsonNullAndAnUnwritableOutputIsThatInputsError() throws Exception {
    Conversation conversation = converse(
        task(12, 1, "context", 0, JSON.textNode("null"), JSON.textNode("unwritable")));

    Message.Result result = assertResult(conversation.sent().get(1), 12, 1, "[null,null]");
    assertEquals(1, result.errors().size());
    assertEquals(1, result.errors().get(0).index());
    assertEquals("java.lang.IllegalArgumentException", result.errors().get(0).exception());
  }

  @Test
  void aFinishedResultIsFlushedWhileALongTaskAfterItStillRuns() throws Exception {
    PipedOutputStream coordinator = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(coordinator, 64 * 1024);
    ByteArrayOutputStream wire = new ByteArrayOutputStream(); // what has been flushed
    BufferedOutputStream stdout = new BufferedOutputStream(wire, 64 * 1024);
    WorkerLoop loop = new WorkerLoop(WORKER_ID, registry, stdin, stdout, MAX_LINE_BYTES);
    Thread worker = start(loop);
    // Both at once, so the long task may already wait in the inbox when the first result is written.
    coordinator.write(lines(task(1, 1, "square", 0, JSON.numberNode(7)),
        task(2, 1, "sleep", 1, JSON.numberNode(30))));
    coordinator.flush();

    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> decodeAll(wire.toByteArray()).size() == 2);
    List<Message> sent = decodeAll(wire.toByteArray());
    assertResult(sent.get(1), 1, 1, "[49]");
    assertTrue(worker.isAlive(), "the sleep task is still running");
    worker.interrupt(); // ends the sleep: its input gets an error, and the end of input ends the loop
    coordinator.close();
    worker.join(10_000);
  }

  @Test
  void theEndOfInputDuringALongTaskIsSeenWhileTheTaskStillRuns() throws Exception {
    PipedOutputStream coordinator = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(coordinator, 64 * 1024);
    CountDownLatch inputClosed = new CountDownLatch(1);
    WorkerLoop loop = new WorkerLoop(WORKER_ID, registry, stdin, new ByteArrayOutputStream(),
        MAX_LINE_BYTES, inputClosed::countDown);
    Thread worker = start(loop);
    coordinator.write(lines(task(1, 1, "sleep", 0, JSON.numberNode(60))));
    coordinator.close(); // the coordinator is gone while the task thread sleeps

    // The task thread read the task itself; the reader thread takes over once the task has run
    // for LEND_NANOS, and finds the end of input.
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> inputClosed.getCount() == 0);
    assertTrue(worker.isAlive(), "the sleep task is still running");
    worker.interrupt();
    worker.join(10_000);
  }

  @Test
  void tasksOneAtATimeAroundTheReadersTakeOverAllGetAnswered() throws Exception {
    // The task thread reads between tasks; the reader thread takes over during a task of 10 ms
    // or more and lets go after it. Sent one at a time, each task's line comes while one of the
    // two may be reading or letting go; none may be left unread.
    PipedOutputStream coordinator = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(coordinator, 64 * 1024);
    PipedInputStream results = new PipedInputStream(64 * 1024);
    PipedOutputStream stdout = new PipedOutputStream(results);
    WorkerLoop loop = new WorkerLoop(WORKER_ID, registry, stdin, stdout, MAX_LINE_BYTES);
    Thread worker = start(loop);
    FrameReader answers = new FrameReader(results, MAX_LINE_BYTES);
    assertInstanceOf(Message.Hello.class, Codec.decode(answers.readLine()));
    java.util.Random random = new java.util.Random(7);
    double lend = WorkerLoop.LEND_NANOS / 1e9;
    for (int i = 0; i < 150; i++) {
      double seconds = i % 3 == 0 ? 0 : lend * (0.9 + 0.2 * random.nextDouble());
      coordinator.write(lines(task(i, 1, "sleep", i, JSON.numberNode(seconds))));
      coordinator.flush();
      Message.Result result = assertInstanceOf(Message.Result.class, Codec.decode(answers.readLine()));
      assertEquals(i, result.taskId());
      assertEquals(List.of(), result.errors());
    }
    coordinator.write(lines(new Message.Shutdown()));
    coordinator.close();
    assertInstanceOf(Message.Goodbye.class, Codec.decode(answers.readLine()));
    worker.join(10_000);
  }

  @Test
  void resultsOfTasksThatCameTogetherGoOutInFewerWritesThanTasks() throws Exception {
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      messages.add(task(100 + i, 1, "square", i, JSON.numberNode(i)));
    }
    messages.add(new Message.Shutdown());
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    AtomicInteger flushes = new AtomicInteger();
    OutputStream stdout = new BufferedOutputStream(wire, 64 * 1024) {
      @Override
      public synchronized void flush() throws IOException {
        flushes.incrementAndGet();
        super.flush();
      }
    };

    int status = new WorkerLoop(WORKER_ID, registry,
        new ByteArrayInputStream(lines(messages.toArray(Message[]::new))), stdout, MAX_LINE_BYTES).run();

    assertEquals(0, status);
    List<Message> sent = decodeAll(wire.toByteArray());
    assertEquals(202, sent.size()); // hello, 200 results, goodbye
    for (int i = 0; i < 200; i++) {
      assertResult(sent.get(1 + i), 100 + i, 1, "[" + i * i + "]");
    }
    // A result is flushed at once only when no line waits; here all came in one read, so the
    // flusher thread flushes the results every millisecond, and the goodbye flushes the rest.
    assertTrue(flushes.get() < 50, flushes.get() + " flushes for 200 results");
  }

  @Test
  void shutdownGivesGoodbyeAndNothingAfterItIsRead() throws Exception {
    Conversation conversation = converse(
        new Message.Shutdown(),
        task(14, 1, "square", 0, JSON.numberNode(2)));

    assertEquals(List.of(hello(), new Message.Goodbye(0, 0, 0)), conversation.sent());
    assertEquals(0, conversation.status());
  }

  @Test
  void endOfInputWithoutShutdownEndsWithStatusZeroAndNoGoodbye() throws Exception {
    Conversation conversation = converse(task(15, 1, "square", 0, JSON.numberNode(3)));

    assertEquals(2, conversation.sent().size(), conversation.sent().toString());
    assertResult(conversation.sent().get(1), 15, 1, "[9]");
    assertEquals(0, conversation.status());
  }

  @Test
  void undecodableLineGivesAFaultShowingItsStartAndStatusTwo() throws Exception {
    byte[] in = concat(lines(task(16, 1, "square", 0, JSON.numberNode(4))),
        "not json at all\n".getBytes(UTF_8), lines(new Message.Shutdown()));

    Conversation conversation = converse(in);

    List<Message> sent = conversation.sent();
    assertEquals(3, sent.size(), sent.toString());
    assertResult(sent.get(1), 16, 1, "[16]");
    String fault = assertInstanceOf(Message.Fault.class, sent.get(2)).message();
    assertTrue(fault.startsWith(WORKER_ID + " cannot read what the coordinator sent: "), fault);
    assertTrue(fault.contains("\"not json at all\""), fault);
    assertEquals(WorkerLoop.STATUS_PROTOCOL_FAULT, conversation.status());
  }

  @Test
  void overlongLineGivesAFaultAndStatusTwo() throws Exception {
    byte[] in = lines(task(17, 1, "shout", 0, JSON.textNode("x".repeat(200))));

    Conversation conversation = converse(in, 64);

    assertEquals(2, conversation.sent().size(), conversation.sent().toString());
    String fault = assertInstanceOf(Message.Fault.class, conversation.sent().get(1)).message();
    assertTrue(fault.contains("line longer than the limit of 64 bytes"), fault);
    assertTrue(fault.contains("(" + (in.length - 1) + " bytes, starting \"{\\\"type\\\":\\\"task\\\""), fault);
    assertEquals(WorkerLoop.STATUS_PROTOCOL_FAULT, conversation.status());
  }

  @Test
  void lineCutOffByTheEndOfInputGivesAFaultAndStatusTwo() throws Exception {
    byte[] whole = lines(task(18, 1, "square", 0, JSON.numberNode(4)));

    Conversation conversation = converse(java.util.Arrays.copyOf(whole, whole.length - 1));

    assertEquals(2, conversation.sent().size(), conversation.sent().toString());
    String fault = assertInstanceOf(Message.Fault.class, conversation.sent().get(1)).message();
    assertTrue(fault.contains("stream ended in the middle of a line"), fault);
    assertEquals(WorkerLoop.STATUS_PROTOCOL_FAULT, conversation.status());
  }

  static Stream<Message> messagesOnlyAWorkerSends() {
    return Stream.of(new Message.Hello(Message.PROTOCOL_VERSION, 1, "coordinator"),
        new Message.Result(1, 1, List.of(JSON.numberNode(1)), List.of()),
        new Message.Goodbye(0, 0, 0),
        new Message.Fault("no"));
  }

  @ParameterizedTest
  @MethodSource("messagesOnlyAWorkerSends")
  void messageOnlyAWorkerSendsGivesAFaultNamingItsTypeAndStatusTwo(Message wrongWay) throws Exception {
    Conversation conversation = converse(wrongWay, new Message.Shutdown());

    assertEquals(List.of(hello(), new Message.Fault(WORKER_ID + " does not accept '" + wrongWay.type()
        + "' messages; a coordinator sends only task and shutdown")), conversation.sent());
    assertEquals(WorkerLoop.STATUS_PROTOCOL_FAULT, conversation.status());
  }

  /** Runs the loop on a thread of its own, as a worker's main thread runs it. */
  private static Thread start(WorkerLoop loop) {
    Thread worker = new Thread(() -> {
      try {
        loop.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "worker-loop");
    worker.start();
    return worker;
  }

  private Conversation converse(Message... messages) throws IOException {
    return converse(lines(messages));
  }

  private Conversation converse(byte[] in) throws IOException {
    return converse(in, MAX_LINE_BYTES);
  }

  private Conversation converse(byte[] in, int maxLineBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = new WorkerLoop(WORKER_ID, registry, new ByteArrayInputStream(in), out, maxLineBytes).run();
    return new Conversation(status, decodeAll(out.toByteArray()));
  }

  private static Message.Hello hello() {
    return new Message.Hello(Message.PROTOCOL_VERSION, ProcessHandle.current().pid(), WORKER_ID);
  }

  private static Message.Task task(long taskId, int attempt, String name, long rank, JsonNode... inputs) {
    return new Message.Task(taskId, attempt, name, rank, List.of(inputs), null);
  }

  private static JsonNode failure(String exception, String message, String cause) {
    return JSON.objectNode().put("exception", exception).put("message", message).put("cause", cause);
  }

  /**
   * Asserts that {@code message} is the result of the given task and attempt with these outputs
   * (compared as JSON text: a decoded 9 is an int node, the task's 9 a long) and returns it.
   */
  private static Message.Result assertResult(Message message, long taskId, int attempt, String outputs) {
    Message.Result result = assertInstanceOf(Message.Result.class, message);
    assertEquals(taskId, result.taskId());
    assertEquals(attempt, result.attempt());
    assertEquals(outputs, Codec.toJson(result.outputs()));
    return result;
  }

  private static byte[] lines(Message... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message message : messages) {
      out.writeBytes(Codec.encode(message));
    }
    return out.toByteArray();
  }

  private static List<Message> decodeAll(byte[] sent) throws IOException {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(sent), Integer.MAX_VALUE);
    List<Message> messages = new ArrayList<>();
    for (byte[] line = reader.readLine(); line != null; line = reader.readLine()) {
      messages.add(Codec.decode(line));
    }
    assertNull(reader.readLine());
    return messages;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
