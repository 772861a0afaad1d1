package dev.jprocs.coordinator.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.WorkerExit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The progress bar driven by synthetic pool events, drawn into a byte stream: no terminal, no workers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProgressDisplayTest {
  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
  private final PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);

  private String screen() {
    return screen.toString(StandardCharsets.UTF_8);
  }

  private static TaskFailure failure(TaskFailure.Kind kind, long rank) {
    return new TaskFailure(kind, "square", rank, null, "boom", null, "worker-0", 42, 1);
  }

  @Test
  void itemsDoneAreTheOutputsOfResultsAndTheFailedInputsOfTheRunsTotal() {
    try (ProgressDisplay bar = new ProgressDisplay("square", 1000, terminal, 100, Duration.ZERO)) {
      bar.resultReceived("worker-0", 42, 1, 1, 250, 0);
      bar.resultReceived("worker-1", 43, 2, 1, 240, 1); // one of them failed in the task
      bar.inputFailed(failure(TaskFailure.Kind.TASK_ERROR, 260));
      bar.inputFailed(failure(TaskFailure.Kind.WORKER_DIED, 700));
      bar.taskRetried(3, "square", 700, 10, "its worker died");
      bar.taskRetried(4, "square", 700, 1, "its worker died");
      bar.workerDied(new WorkerExit("worker-1", 43, 137, null, null, List.of(), List.of()), "worker-1 died");

      assertEquals(491, bar.done());
    }
    String last = lastBar(screen());
    assertTrue(last.contains("491/1000"), last);
    assertTrue(last.contains(" 49% "), last);
    assertTrue(last.endsWith("2 failed, 2 retried, 1 worker died"), last);
  }

  @Test
  void theBarShowsElapsedTimeAndAnEtaOnceSomethingIsDone() {
    try (ProgressDisplay bar = new ProgressDisplay("align", 1000, terminal, 100, Duration.ZERO)) {
      bar.resultReceived("worker-0", 42, 1, 1, 500, 0);
    }
    String last = lastBar(screen());
    assertTrue(last.matches("align +50% \\[=+>? *\\] +500/1000 \\(0:00:\\d\\d / 0:00:\\d\\d\\).*"), last);
  }

  @Test
  void aRunShorterThanTheDelayPrintsNothing() {
    try (ProgressDisplay bar = new ProgressDisplay("square", 10, terminal, 80, Duration.ofHours(1))) {
      bar.resultReceived("worker-0", 42, 1, 1, 10, 0);
    }
    assertEquals("", screen());
  }

  @Test
  void theBarIsOneLineOfPlainTextEndedBeforeWhatFollows() {
    try (ProgressDisplay bar = new ProgressDisplay("square", 10, terminal, 60, Duration.ZERO)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> screen().contains("0/10"));
      bar.resultReceived("worker-0", 42, 1, 1, 10, 0);
    }
    terminal.println("10 tasks on 1 worker");

    String text = screen();
    assertFalse(text.contains("\u001b"), "no escape sequences: " + text);
    assertTrue(text.matches("(?s).*10/10 \\(0:00:0\\d / 0:00:00\\) *\\n10 tasks on 1 worker\\n"), text);
    for (String drawn : text.replace("\n10 tasks on 1 worker\n", "").split("\r")) {
      assertTrue(drawn.length() <= 59, "within the width, 60 columns less the last: " + drawn);
    }
  }

  @Test
  void aLineWrittenThroughTheGuardErasesTheBarFirstAndTheBarComesBackBelowIt() {
    try (ProgressDisplay bar = new ProgressDisplay("square", 10, terminal, 60, Duration.ZERO)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> screen().contains("0/10"));
      bar.guard(terminal).println("12:00:00.000 WARN worker-0 died");

      await().atMost(Duration.ofSeconds(10))
          .until(() -> screen().matches("(?s).*\r +\r12:00:00\\.000 WARN worker-0 died\n\rsquare .*"));
    }
  }

  @Test
  void aGuardWritesItsTargetsBytesUnchanged() {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    try (ProgressDisplay bar = new ProgressDisplay("square", 10, terminal, 60, Duration.ZERO)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> screen().contains("0/10"));
      PrintStream guarded = bar.guard(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      guarded.println("Started worker-1 (pid 7)");
      guarded.print("{\"rank\":0,\"output\":0}\n");
    }
    assertEquals("Started worker-1 (pid 7)\n{\"rank\":0,\"output\":0}\n", stdout.toString(StandardCharsets.UTF_8));
  }

  @Test
  void stderrIsATerminalOnlyWhenCoordinatorShSaysSo() {
    assertEquals(new CoordinatorCommand.Terminals(0, false),
        CoordinatorCommand.Terminals.fromEnvironment(Map.of()));
    assertEquals(new CoordinatorCommand.Terminals(132, true), CoordinatorCommand.Terminals.fromEnvironment(
        Map.of("JPROCS_STDERR_COLUMNS", "132", "JPROCS_STDOUT_TERMINAL", "1")));
    // A pseudo-terminal of size 0 0 (script(1)) or an unreadable width: a terminal all the same.
    assertEquals(80, CoordinatorCommand.Terminals.fromEnvironment(Map.of("JPROCS_STDERR_COLUMNS", "0"))
        .stderrColumns());
    assertEquals(80, CoordinatorCommand.Terminals.fromEnvironment(Map.of("JPROCS_STDERR_COLUMNS", ""))
        .stderrColumns());
  }

  /** The last state drawn: what follows the last carriage return, without the line's end. */
  private static String lastBar(String text) {
    String last = text.substring(text.lastIndexOf('\r') + 1);
    assertTrue(last.endsWith("\n"), "the bar's line is ended: " + text);
    return last.strip();
  }
}
