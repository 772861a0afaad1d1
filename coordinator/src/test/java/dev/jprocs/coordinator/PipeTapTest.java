package dev.jprocs.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
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
    tap.received(received, result);

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
    tap.received("{\"type\":\"result\",\"taskId\":12,\"outputs\":[1,2,".getBytes(UTF_8), null);
    tap.received("Picked up JAVA_TOOL_OPTIONS: -Xmx1g".getBytes(UTF_8), null);
    tap.received("{\"taskId\":3}".getBytes(UTF_8), null);

    List<Frame> frames = tap.lastFrames();

    assertEquals(List.of("result", "?", "?"), frames.stream().map(Frame::type).toList());
    assertEquals(List.of(12L, -1L, -1L), frames.stream().map(Frame::taskId).toList());
    assertEquals("Picked up JAVA_TOOL_OPTIONS: -Xmx1g", new String(frames.get(1).line(), UTF_8));
  }

  private static byte[] withoutNewline(byte[] line) {
    return Arrays.copyOf(line, line.length - 1);
  }
}
