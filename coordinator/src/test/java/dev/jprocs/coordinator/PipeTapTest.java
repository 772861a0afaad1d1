package dev.jprocs.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frames a death report shows, from lines kept in a worker's pipe tap: no process is started. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipeTapTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final PipeTap tap = new PipeTap("worker-2", 4711, 8, frame -> { }, false);

  @Test
  void aResultOfMegabytesShowsItsTypeTaskAndTheRankOfItsTaskKeepingOnlyItsStart() {
    Message.Task task = new Message.Task(7, 1, "shout", 4096, List.of(JSON.textNode("a")), null);
    List<JsonNode> outputs = Collections.nCopies(20_000, JSON.textNode("x".repeat(100)));
    Message.Result result = new Message.Result(7, 1, outputs, List.of());
    byte[] sent = Codec.encode(task);
    byte[] received = withoutNewline(Codec.encode(result));
    tap.sent(sent, task);
    tap.received(received, received.length, result);

    List<Frame> frames = tap.lastFrames();

    assertEquals(2, frames.size(), frames.toString());
    Frame out = frames.get(0);
    assertEquals(List.of("task", 7L, 4096L, sent.length - 1), List.of(out.type(), out.taskId(), out.rank(), out.bytes()));
    assertArrayEquals(withoutNewline(sent), out.line());
    Frame back = frames.get(1);
    assertEquals(List.of("result", 7L, 4096L, received.length), List.of(back.type(), back.taskId(), back.rank(), back.bytes()));
    assertArrayEquals(Arrays.copyOf(received, PipeTap.KEPT_BYTES), back.line());
  }

  @Test
  void aLineBrokenAfterItsHeadStillShowsItsTypeAndIdsAndOneThatIsNoMessageShowsAQuestionMark() {
    receive("{\"type\":\"result\",\"taskId\":12,\"outputs\":[1,2,");
    receive("Picked up JAVA_TOOL_OPTIONS: -Xmx1g");
    receive("{\"taskId\":3}");

    List<Frame> frames = tap.lastFrames();

    assertEquals(List.of("result", "?", "?"), frames.stream().map(Frame::type).toList());
    assertEquals(List.of(12L, -1L, -1L), frames.stream().map(Frame::taskId).toList());
    assertEquals("Picked up JAVA_TOOL_OPTIONS: -Xmx1g", new String(frames.get(1).line(), UTF_8));
  }

  @Test
  void aReceivedLineIsKeptAndTracedAsItWasAfterTheReaderReusesItsArray() {
    List<Frame> traced = new ArrayList<>();
    PipeTap tracing = new PipeTap("worker-2", 4711, 8, traced::add, true);
    byte[] line = "{\"type\":\"result\",\"taskId\":5,\"attempt\":1,\"outputs\":[25]}".getBytes(UTF_8);
    byte[] readerArray = Arrays.copyOf(line, line.length + 100); // as FrameReader.nextLine leaves it
    Message.Result result = new Message.Result(5, 1, List.of(JSON.numberNode(25)), List.of());
    tracing.received(readerArray, line.length, result);
    Arrays.fill(readerArray, (byte) 'z'); // the next line

    assertArrayEquals(line, tracing.lastFrames().get(0).line());
    assertEquals(line.length, tracing.lastFrames().get(0).bytes());
    assertArrayEquals(line, traced.get(0).line());
    assertEquals(List.of("result", 5L), List.of(traced.get(0).type(), traced.get(0).taskId()));
  }

  /** Hands the tap a line as the stdout reader does: in an array longer than the line. */
  private void receive(String text) {
    byte[] line = text.getBytes(UTF_8);
    tap.received(Arrays.copyOf(line, line.length + 16), line.length, null);
  }

  private static byte[] withoutNewline(byte[] line) {
    return Arrays.copyOf(line, line.length - 1);
  }
}
