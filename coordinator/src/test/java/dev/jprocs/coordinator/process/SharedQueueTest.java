package dev.jprocs.coordinator.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import dev.jprocs.worker.child.QueueClosedException;
import dev.jprocs.worker.child.QueueEmptyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** SharedQueue with real child JVMs as producers and consumers: Python's Queue, in Java. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class SharedQueueTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void severalChildrenTakeEveryItemExactlyOnceAndCloseEndsThemAll() throws Exception {
    SharedQueue<Integer> in = new SharedQueue<>("in", Integer.class);
    SharedQueue<JsonNode> out = new SharedQueue<>("out", JsonNode.class);
    List<String> output = new CopyOnWriteArrayList<>();
    List<JvmProcess> consumers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      consumers.add(JvmProcess.of(Children.Consumer.class).name("consumer-" + i)
          .share(in).share(out).output(output::add).start());
    }
    for (int i = 0; i < 300; i++) {
      in.put(i);
    }
    in.close();
    for (JvmProcess consumer : consumers) {
      consumer.join();
      assertEquals(0, consumer.exitCode(), consumer + ": " + consumer.lastOutput());
    }

    List<Integer> taken = new ArrayList<>();
    Map<String, Integer> byConsumer = new TreeMap<>();
    while (out.size() > 0) {
      JsonNode record = out.get();
      taken.add(record.get("item").asInt());
      byConsumer.merge(record.get("by").asText(), 1, Integer::sum);
    }
    assertEquals(IntStream.range(0, 300).boxed().toList(), taken.stream().sorted().toList());
    for (Map.Entry<String, Integer> counted : byConsumer.entrySet()) {
      assertTrue(output.contains(counted.getKey() + " took " + counted.getValue()
          + ": queue 'in' is closed and empty"), output.toString());
    }
    assertThrows(QueueClosedException.class, in::get);
  }

  @Test
  void aTimedGetEndsWithQueueEmptyExceptionHereAndInAChild() throws Exception {
    SharedQueue<Integer> in = new SharedQueue<>("in", Integer.class);
    QueueEmptyException here = assertThrows(QueueEmptyException.class, () -> in.get(Duration.ofMillis(20)));
    assertEquals("queue 'in' stayed empty for 20 ms", here.getMessage());

    List<String> output = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      in.put(i);
    }
    JvmProcess patient = JvmProcess.of(Children.Patient.class, "300").share(in)
        .output(output::add).start();
    patient.join();

    assertEquals(0, patient.exitCode());
    assertTrue(output.contains("took 5, then queue 'in' stayed empty for 300 ms"), output.toString());
    assertEquals(0, in.waiting(), "the timed-out get no longer waits");
  }

  @Test
  void aConsumerKilledWhileWaitingDoesNotBreakTheQueueForTheOthers() throws Exception {
    SharedQueue<Integer> in = new SharedQueue<>("in", Integer.class);
    SharedQueue<JsonNode> out = new SharedQueue<>("out", JsonNode.class);
    JvmProcess victim = JvmProcess.of(Children.Consumer.class).name("victim").share(in).share(out)
        .output(line -> { }).start();
    JvmProcess survivor = JvmProcess.of(Children.Consumer.class).name("survivor").share(in)
        .share(out).output(line -> { }).start();
    await("both consumers to wait in get").atMost(PATIENCE).until(() -> in.waiting() == 2);

    new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).start().waitFor();
    victim.join();
    assertEquals(137, victim.exitCode());
    assertEquals(1, in.waiting(), "the dead consumer's get was dropped");

    for (int i = 0; i < 20; i++) {
      in.put(i);
    }
    in.close();
    survivor.join();

    assertEquals(0, survivor.exitCode(), survivor.lastOutput().toString());
    List<JsonNode> records = new ArrayList<>();
    while (out.size() > 0) {
      records.add(out.get());
    }
    assertEquals(IntStream.range(0, 20).boxed().toList(),
        records.stream().map(r -> r.get("item").asInt()).toList(), "in put order");
    assertEquals(List.of("survivor"), records.stream().map(r -> r.get("by").asText()).distinct().toList());
  }

  @Test
  void aProducerChildsCloseIsTheSentinelForConsumerChildren() throws Exception {
    SharedQueue<Integer> in = new SharedQueue<>("in", Integer.class);
    SharedQueue<JsonNode> out = new SharedQueue<>("out", JsonNode.class);
    List<String> output = new CopyOnWriteArrayList<>();
    List<JvmProcess> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      consumers.add(JvmProcess.of(Children.Consumer.class).name("consumer-" + i).share(in)
          .share(out).output(output::add).start());
    }
    JvmProcess producer = JvmProcess.of(Children.Producer.class, "50").share(in)
        .output(output::add).start();
    producer.join();
    for (JvmProcess consumer : consumers) {
      consumer.join();
    }

    assertEquals(0, producer.exitCode());
    assertTrue(output.contains("produced 50 and closed the queue"), output.toString());
    assertEquals(2, output.stream().filter(l -> l.contains(" took ")).count(), output.toString());
    List<Integer> taken = new ArrayList<>();
    while (out.size() > 0) {
      taken.add(out.get().get("item").asInt());
    }
    assertEquals(IntStream.range(0, 50).boxed().toList(), taken.stream().sorted().toList());
  }

  @Test
  void localGetsWaitForPutsAndCloseWakesThemAll() throws Exception {
    SharedQueue<String> queue = new SharedQueue<>("words", String.class);
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> take(queue));
    CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> take(queue));
    await().atMost(PATIENCE).until(() -> queue.waiting() == 2);

    queue.put("hello");
    await().atMost(PATIENCE).until(() -> queue.waiting() == 1);
    queue.close();

    List<String> results = List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS));
    assertEquals(List.of("closed", "hello"), results.stream().sorted().toList());
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> queue.put("late"));
    assertEquals("queue 'words' is closed; nothing more can be put on it", refused.getMessage());
  }

  @Test
  void anItemThatCannotBeWrittenAsJsonIsRefusedNamingItsField() {
    SharedQueue<Object> queue = new SharedQueue<>("things", Object.class);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> queue.put(Map.of("outer", new PipeTest.Outer())));
    assertTrue(e.getMessage().startsWith("the item put on queue 'things' cannot be sent as JSON:"
        + " field \"outer.a.b\""), e.getMessage());
    assertEquals(0, queue.size());
  }

  private static String take(SharedQueue<String> queue) {
    try {
      return queue.get();
    } catch (QueueClosedException e) {
      return "closed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

}
