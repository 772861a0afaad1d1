package dev.jprocs.coordinator.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.worker.child.Pipe;
import dev.jprocs.worker.child.PipeClosedException;
import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A JvmProcess's pipe against real child JVMs: Python's Pipe, in Java. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class PipeTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /** A value with a field whose getter throws, which Jackson cannot write. */
  public static final class Outer {
    public Inner getA() {
      return new Inner();
    }
  }

  public static final class Inner {
    public int getB() {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void theChildAnswersWhatItIsSentAndSeesTheEndWhenTheParentCloses() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess echo = JvmProcess.of(Children.Echo.class).output(output::add).start();
    Pipe pipe = echo.pipe();

    pipe.send("Hello!");
    assertEquals("you sent me Hello!", pipe.recv(String.class));
    pipe.send("line one\nline two \"quoted\"");
    assertEquals("you sent me line one\nline two \"quoted\"", pipe.recv(String.class));

    pipe.close();
    echo.join();
    assertEquals(0, echo.exitCode());
    assertTrue(output.contains("echo: the coordinator closed its end of the pipe"), output.toString());
    assertThrows(IllegalStateException.class, () -> pipe.send("after close"));
  }

  @Test
  void pollSaysWhetherAValueIsWaitingWithoutTakingIt() throws Exception {
    try (JvmProcess echo = JvmProcess.of(Children.Echo.class).output(line -> { }).start()) {
      Pipe pipe = echo.pipe();
      assertFalse(pipe.poll(Duration.ZERO), "the echo sends nothing until it is sent something");

      pipe.send(42);
      assertTrue(pipe.poll(PATIENCE));
      assertTrue(pipe.poll(Duration.ZERO), "poll leaves the value for recv");
      JsonNode answer = pipe.recv();
      assertEquals("you sent me 42", answer.asText());
      assertFalse(pipe.poll(Duration.ZERO));
    }
  }

  @Test
  void aChildKilledWhileTheParentWaitsInRecvEndsTheRecvWithPipeClosedException() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess listener = JvmProcess.of(Children.Listener.class).output(output::add).start();
    await().atMost(PATIENCE).until(() -> output.contains("listening"));
    CompletableFuture<JsonNode> received = new CompletableFuture<>();
    Thread receiver = new Thread(() -> {
      try {
        received.complete(listener.pipe().recv());
      } catch (Exception e) {
        received.completeExceptionally(e);
      }
    }, "test-receiver");
    receiver.start();
    await().atMost(PATIENCE).until(() -> receiver.getState() == Thread.State.WAITING);

    new ProcessBuilder("kill", "-9", Long.toString(listener.pid())).start().waitFor();

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> received.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    PipeClosedException end = assertInstanceOf(PipeClosedException.class, e.getCause());
    assertInstanceOf(EOFException.class, end);
    assertTrue(end.getMessage().contains("(pid " + listener.pid() + ") ended: killed by SIGKILL (exit 137)"),
        end.getMessage());
    // The end stays: every later recv sees it too, and a send is refused.
    assertThrows(PipeClosedException.class, () -> listener.pipe().recv());
    assertThrows(PipeClosedException.class, () -> listener.pipe().send("anyone?"));
    listener.join();
  }

  @Test
  void whatTheChildSentBeforeClosingItsEndArrivesBeforeTheEnd() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    JvmProcess closer = JvmProcess.of(Children.Closer.class).output(output::add).start();
    Pipe pipe = closer.pipe();

    assertEquals(List.of(1, 2, 3), List.of(pipe.recv(Integer.class), pipe.recv(Integer.class),
        pipe.recv(Integer.class)));
    PipeClosedException end = assertThrows(PipeClosedException.class, pipe::recv);
    assertTrue(end.getMessage().contains("closed its end of the pipe"), end.getMessage());
    closer.join();
    assertEquals(0, closer.exitCode());
    assertTrue(output.contains("closed my end"), output.toString());
  }

  @Test
  void aValueThatCannotBeWrittenAsJsonIsRefusedNamingItsField() throws Exception {
    try (JvmProcess echo = JvmProcess.of(Children.Echo.class).output(line -> { }).start()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> echo.pipe().send(new Outer()));
      assertTrue(e.getMessage().startsWith("the value sent cannot be sent as JSON: field \"a.b\" of"
          + " PipeTest$Outer: java.lang.IllegalStateException: boom"), e.getMessage());

      echo.pipe().send("still works");
      assertEquals("you sent me still works", echo.pipe().recv(String.class));
    }
  }
}
