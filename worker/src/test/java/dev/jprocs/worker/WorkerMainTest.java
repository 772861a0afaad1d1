package dev.jprocs.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker JVM on the test classpath, started as the coordinator starts one. The test thread
 * writes its stdin; a reader thread per worker drains its stdout; its stderr goes to a file, so
 * no pipe is left undrained.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerMainTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String WORKER_ID = "worker-7";
  /** A guard against a hung worker, far above a JVM's start and exit time; not a measurement. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void noWorkerOutlivesItsTest() {
    for (Process process : started) {
      process.destroyForcibly();
    }
    await("the test JVM's child processes to end").atMost(PATIENCE).untilAsserted(() ->
        assertEquals(List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList()));
  }

  @Test
  void stdoutCarriesOnlyProtocolLinesWhilePrintsFromTaskCodeGoToStderr() throws Exception {
    Path stderr = tempDir.resolve("stderr.txt");
    Process process = startWorker(stderr);
    Stdout stdout = new Stdout(process);

    assertEquals(new Message.Hello(Message.PROTOCOL_VERSION, process.pid(), WORKER_ID), stdout.next());

    send(process, new Message.Task(1, 1, "shout", 0, List.of(JSON.textNode("hello world")), null));
    send(process, new Message.Task(2, 1, "square", 1, List.of(JSON.numberNode(7)), null));
    Message.Result shouted = assertInstanceOf(Message.Result.class, stdout.next());
    Message.Result squared = assertInstanceOf(Message.Result.class, stdout.next());
    send(process, new Message.Shutdown());

    assertEquals(1, shouted.taskId());
    assertEquals("[\"HELLO WORLD!\"]", Codec.toJson(shouted.outputs()));
    assertEquals(List.of(), shouted.errors());
    assertEquals(2, squared.taskId());
    assertEquals("[49]", Codec.toJson(squared.outputs()));
    assertEquals(new Message.Goodbye(2, 2, 0), stdout.next());
    stdout.assertEnded();
    assertEquals(0, process.waitFor());
    assertTrue(Files.readString(stderr, UTF_8).contains("shout task says: hello world"),
        Files.readString(stderr, UTF_8));
  }

  @Test
  void closingStdinMakesTheWorkerExitWithStatusZero() throws Exception {
    Path stderr = tempDir.resolve("stderr.txt");
    Process process = startWorker(stderr);
    Stdout stdout = new Stdout(process);
    assertEquals(new Message.Hello(Message.PROTOCOL_VERSION, process.pid(), WORKER_ID), stdout.next());

    process.getOutputStream().close();

    await("the worker to exit after its stdin closed").atMost(PATIENCE).until(() -> !process.isAlive());
    assertEquals(0, process.exitValue());
    stdout.assertEnded();
    assertTrue(Files.readString(stderr, UTF_8).contains(WORKER_ID + ": stdin closed"),
        Files.readString(stderr, UTF_8));
  }

  @Test
  void undecodableLineGetsAFaultOnStdoutAndExitStatusTwo() throws Exception {
    Process process = startWorker(tempDir.resolve("stderr.txt"));
    Stdout stdout = new Stdout(process);
    assertEquals(new Message.Hello(Message.PROTOCOL_VERSION, process.pid(), WORKER_ID), stdout.next());

    OutputStream stdin = process.getOutputStream();
    stdin.write("this is not json\n".getBytes(UTF_8));
    stdin.flush();

    String fault = assertInstanceOf(Message.Fault.class, stdout.next()).message();
    assertTrue(fault.startsWith(WORKER_ID + " cannot read what the coordinator sent: "), fault);
    assertTrue(fault.contains("\"this is not json\""), fault);
    stdout.assertEnded();
    assertEquals(WorkerLoop.STATUS_PROTOCOL_FAULT, process.waitFor());
  }

  private Process startWorker(Path stderr) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(),
        // JDK 17 writes unified-logging warnings to stdout unless told otherwise (rules_java#158).
        "-Xlog:disable", "-Xlog:all=warning:stderr",
        "-cp", System.getProperty("java.class.path"),
        WorkerMain.class.getName(), "--worker-id", WORKER_ID);
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static void send(Process process, Message message) throws IOException {
    OutputStream stdin = process.getOutputStream();
    stdin.write(Codec.encode(message));
    stdin.flush();
  }

  /**
   * Drains one worker's stdout on a thread named after it. {@link #next} and {@link #assertEnded}
   * are called from the test thread and block in {@link BlockingQueue#take}, which the class
   * timeout can interrupt.
   */
  private static final class Stdout {
    /** Each line in order, then one empty element for the end of the stream. */
    private final BlockingQueue<Optional<byte[]>> lines = new LinkedBlockingQueue<>();
    /** What ended the stream other than a clean end, if anything; set before the end marker. */
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    Stdout(Process process) {
      Thread reader = new Thread(() -> {
        FrameReader frames = new FrameReader(process.getInputStream(), WorkerMain.DEFAULT_MAX_LINE_BYTES);
        try {
          for (byte[] line = frames.readLine(); line != null; line = frames.readLine()) {
            lines.add(Optional.of(line)); // wakes the test thread in take()
          }
        } catch (IOException e) {
          failure.set(e);
        }
        lines.add(Optional.empty()); // wakes the test thread in take(): nothing more will come
      }, WORKER_ID + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    /** Blocks for the next stdout line and returns it decoded; fails if there is none or it is not a message. */
    Message next() throws InterruptedException, IOException {
      Optional<byte[]> line = lines.take();
      if (line.isEmpty()) {
        lines.add(line); // keep the end marker for a later call
        fail("the worker's stdout ended", failure.get());
      }
      return Codec.decode(line.get());
    }

    /** Blocks until stdout ends, and asserts that it ended cleanly with no further line. */
    void assertEnded() throws InterruptedException {
      Optional<byte[]> line = lines.take();
      line.ifPresent(bytes -> fail("unexpected stdout line: " + new String(bytes, UTF_8)));
      assertNull(failure.get(), "stdout did not end cleanly");
    }
  }
}
