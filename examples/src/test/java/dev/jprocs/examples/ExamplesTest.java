package dev.jprocs.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.tasks.AlignTask;
import dev.jprocs.worker.tasks.GlobalAligner;
import dev.jprocs.worker.tasks.RandStringTask;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs each example's main in this JVM, as a user would run it, and checks what it printed. The
 * examples start real child JVMs; what those print reaches this JVM's System.err.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExamplesTest {

  /** What one run printed. */
  private record Printed(String stdout, String stderr) {
    List<String> out() {
      return stdout.lines().toList();
    }

    List<String> err() {
      return stderr.lines().toList();
    }
  }

  private interface Main {
    void main(String[] args) throws Exception;
  }

  @AfterEach
  void noChildProcessIsLeft() {
    await("the examples' child processes to exit").atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void poolMapPrintsTheSquaresOfZeroToNine() throws Exception {
    Printed printed = run(PoolMap::main);
    assertEquals(List.of("[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"), printed.out());
  }

  @Test
  void poolTimestampsPrintsFourStartsThenFourMoreOnceTheFirstSleepsEnded() throws Exception {
    Printed printed = run(PoolTimestamps::main);
    Pattern line = Pattern.compile("(\\S+) pid (\\d+) until (\\S+)");
    record Sleep(Instant start, long pid, Instant end) {}
    List<Sleep> sleeps = new ArrayList<>();
    for (String text : printed.out()) {
      Matcher m = line.matcher(text);
      assertTrue(m.matches(), text);
      sleeps.add(new Sleep(Instant.parse(m.group(1)), Long.parseLong(m.group(2)), Instant.parse(m.group(3))));
    }
    assertEquals(8, sleeps.size(), printed.stdout());
    Map<Long, List<Sleep>> byWorker = sleeps.stream().collect(Collectors.groupingBy(Sleep::pid));
    assertEquals(4, byWorker.size(), "four workers: " + printed.stdout());
    for (List<Sleep> pair : byWorker.values()) {
      assertEquals(2, pair.size(), printed.stdout());
      pair.sort(Comparator.comparing(Sleep::start));
      assertTrue(!pair.get(1).start().isBefore(pair.get(0).end()), "one at a time in a worker: " + pair);
    }
    List<Sleep> byStart = sleeps.stream().sorted(Comparator.comparing(Sleep::start)).toList();
    Instant firstEnd = byStart.subList(0, 4).stream().map(Sleep::end).min(Comparator.naturalOrder()).orElseThrow();
    assertTrue(byStart.subList(4, 8).stream().noneMatch(s -> s.start().isBefore(firstEnd)),
        "the second four start after the first four have begun to end: " + printed.stdout());
  }

  @Test
  void processIsAliveShowsAChildStartedThenStoppedBySigterm() throws Exception {
    Printed printed = run(ProcessIsAlive::main);
    List<String> out = printed.out();
    assertEquals(4, out.size(), printed.stdout());
    assertTrue(out.get(0).matches("JvmProcess\\[process-\\d+, initial] false"), out.get(0));
    assertTrue(out.get(1).matches("JvmProcess\\[process-\\d+, pid \\d+, started] true"), out.get(1));
    assertTrue(out.get(2).matches("JvmProcess\\[process-\\d+, pid \\d+, stopped: killed by SIGTERM \\(exit 143\\)] false"),
        out.get(2));
    assertEquals("exit code 143", out.get(3));
  }

  @Test
  void pipeHelloPrintsTheChildsAnswer() throws Exception {
    assertEquals(List.of("you sent me Hello!"), run(PipeHello::main).out());
  }

  @Test
  void producerConsumerHandsEveryNumberToOneConsumerAndTheSentinelEndsBoth() throws Exception {
    Printed printed = run(ProducerConsumer::main);
    assertEquals(List.of("all done"), printed.out());
    List<String> err = printed.err();
    Pattern consumed = Pattern.compile("consumer-[01] consumed (\\d+)");
    List<Integer> numbers = err.stream().map(consumed::matcher).filter(Matcher::matches)
        .map(m -> Integer.parseInt(m.group(1))).sorted().toList();
    assertEquals(IntStream.range(0, 10).boxed().toList(), numbers, printed.stderr());
    for (int i = 0; i < 10; i++) {
      assertTrue(err.contains("produced " + i), printed.stderr());
    }
    assertTrue(err.contains("consumer-0: no more") && err.contains("consumer-1: no more"), printed.stderr());
  }

  @Test
  void randStringsPrintsTheRankedStringsInRankOrder() throws Exception {
    Printed printed = run(RandStrings::main);
    List<String> expected = new ArrayList<>();
    RandStringTask task = new RandStringTask();
    JsonNode options = JsonNodeFactory.instance.objectNode().put("seed", 7);
    for (int rank = 0; rank < 4; rank++) {
      var ranked = (RandStringTask.Ranked) task.apply(JsonNodeFactory.instance.numberNode(5),
          new TaskContext(options, rank, 1, "test"));
      expected.add("(" + rank + ", '" + ranked.string() + "')");
    }
    assertEquals(List.of("[" + String.join(", ", expected) + "]"), printed.out());
  }

  @Test
  void alignmentQueueWorkersShareTheRecordsAndTheBestAlignmentsArePrinted() throws Exception {
    Printed printed = run(AlignmentQueue::main, "200", "3", "0.5");
    Pattern done = Pattern.compile("(worker-\\d) done with (\\d+) records");
    Map<String, Integer> counts = new HashMap<>();
    printed.err().stream().map(done::matcher).filter(Matcher::matches)
        .forEach(m -> counts.put(m.group(1), Integer.parseInt(m.group(2))));
    assertEquals(List.of("worker-0", "worker-1", "worker-2"), counts.keySet().stream().sorted().toList(),
        printed.stderr());
    assertEquals(200, counts.values().stream().mapToInt(Integer::intValue).sum(), counts.toString());

    List<String> out = printed.out();
    assertEquals("Top 10 of 200 by alignment score", out.get(0));
    assertEquals(2 + 2 * 10, out.size(), printed.stdout());
    int best = new AlignTask().sampleInputs(200, 1).orElseThrow().stream()
        .mapToInt(s -> new GlobalAligner().align(AlignTask.DEFAULT_REFERENCE, s.asText()).score())
        .max().orElseThrow();
    assertTrue(out.get(2).matches("\\s+1\\s+\\d+\\s+" + best + "\\s+[ACGT-]+"), out.get(2) + " best " + best);
  }

  /** Runs {@code main} with stdout and stderr captured (and still shown). One run at a time. */
  private static synchronized Printed run(Main main, String... args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(tee(stdout, out), true, UTF_8));
    System.setErr(new PrintStream(tee(stderr, err), true, UTF_8));
    try {
      main.main(args);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(out);
      System.setErr(err);
    }
    return new Printed(stdout.toString(UTF_8), stderr.toString(UTF_8));
  }

  private static OutputStream tee(ByteArrayOutputStream kept, PrintStream shown) {
    return new OutputStream() {
      @Override
      public synchronized void write(int b) {
        kept.write(b);
        shown.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        kept.write(b, off, len);
        shown.write(b, off, len);
      }
    };
  }
}
