package dev.jprocs.examples;

import dev.jprocs.coordinator.process.JvmProcess;
import dev.jprocs.coordinator.process.SharedQueue;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.Queue;
import dev.jprocs.worker.child.QueueClosedException;
import java.util.List;

/**
 * A producer and two consumers, each its own JVM, sharing a queue; the producer's
 * {@code close()} is the sentinel that tells every consumer there is no more.
 */
public final class ProducerConsumer {
  private ProducerConsumer() {}

  public static void main(String[] args) throws Exception {
    SharedQueue<Integer> queue = new SharedQueue<>("numbers", Integer.class);
    JvmProcess producer = JvmProcess.of(Producer.class, "10").share(queue).start();
    List<JvmProcess> consumers = List.of(
        JvmProcess.of(Consumer.class).name("consumer-0").share(queue).start(),
        JvmProcess.of(Consumer.class).name("consumer-1").share(queue).start());
    producer.join();
    for (JvmProcess consumer : consumers) {
      consumer.join();
    }
    System.out.println("all done");
  }

  /** Puts 0 .. N-1, then closes the queue. */
  public static final class Producer {
    public static void main(String[] args) {
      Queue<Integer> queue = Child.queue("numbers", Integer.class);
      for (int i = 0; i < Integer.parseInt(args[0]); i++) {
        queue.put(i);
        System.out.println("produced " + i);
      }
      queue.close(); // the sentinel
    }
  }

  /** Takes numbers until the queue is closed and drained. */
  public static final class Consumer {
    public static void main(String[] args) throws InterruptedException {
      Queue<Integer> queue = Child.queue("numbers", Integer.class);
      try {
        while (true) {
          System.out.println(Child.name() + " consumed " + queue.get());
        }
      } catch (QueueClosedException sentinel) {
        System.out.println(Child.name() + ": no more");
      }
    }
  }
}
