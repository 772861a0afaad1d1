package dev.jprocs.coordinator.process;

import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.Pipe;
import dev.jprocs.worker.child.PipeClosedException;
import dev.jprocs.worker.child.Queue;
import dev.jprocs.worker.child.QueueClosedException;
import dev.jprocs.worker.child.QueueEmptyException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Targets for test child JVMs. They run in a JVM started by {@link JvmProcess}, whose classpath
 * has the worker's classes and this directory but not the coordinator's: they use only
 * {@link Child} and the JDK.
 */
final class Children {
  private Children() {}

  /** Prints "hello ARG0" and exits with ARG1 (default 0). */
  static final class Greeter {
    public static void main(String[] args) {
      System.out.println("hello " + args[0] + " from " + Child.name());
      if (args.length > 1) {
        System.exit(Integer.parseInt(args[1]));
      }
    }
  }

  /** Says it sleeps, then blocks until killed; a shutdown hook says when SIGTERM arrived. */
  static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
      System.out.println("sleeping");
      new CountDownLatch(1).await(); // nobody counts down
    }
  }

  /** Throws. */
  static final class Thrower {
    public static void main(String[] args) {
      throw new IllegalStateException("thrown in the child");
    }
  }

  /** A Runnable target, made with its no-argument constructor. */
  static final class Runner implements Runnable {
    @Override
    public void run() {
      System.out.println("running as a Runnable in " + Child.name());
    }
  }

  /** Answers every string with "you sent me ..." until the coordinator closes the pipe. */
  static final class Echo {
    public static void main(String[] args) throws Exception {
      Pipe pipe = Child.pipe();
      try {
        while (true) {
          pipe.send("you sent me " + pipe.recv(String.class));
        }
      } catch (PipeClosedException e) {
        System.out.println("echo: " + e.getMessage());
      }
    }
  }

  /** Waits in recv for a value that never comes. */
  static final class Listener {
    public static void main(String[] args) throws Exception {
      System.out.println("listening");
      Child.pipe().recv();
    }
  }

  /** Sends 1, 2, 3, closes its end, then waits for the coordinator to close its own. */
  static final class Closer {
    public static void main(String[] args) throws Exception {
      Pipe pipe = Child.pipe();
      for (int i = 1; i <= 3; i++) {
        pipe.send(i);
      }
      pipe.close();
      System.out.println("closed my end");
    }
  }

  /**
   * Takes integers from queue "in" until it is closed and drained, putting each on "out" as
   * {@code {"by": NAME, "item": N}}; says how many it took.
   */
  static final class Consumer {
    public static void main(String[] args) throws Exception {
      Queue<Integer> in = Child.queue("in", Integer.class);
      Queue<Object> out = Child.queue("out", Object.class);
      int taken = 0;
      try {
        while (true) {
          int item = in.get();
          out.put(Map.of("by", Child.name(), "item", item));
          taken++;
        }
      } catch (QueueClosedException e) {
        System.out.println(Child.name() + " took " + taken + ": " + e.getMessage());
      }
    }
  }

  /** Takes integers from queue "in" until it stays empty for ARG0 milliseconds. */
  static final class Patient {
    public static void main(String[] args) throws Exception {
      Queue<Integer> in = Child.queue("in", Integer.class);
      int taken = 0;
      try {
        while (true) {
          in.get(Duration.ofMillis(Long.parseLong(args[0])));
          taken++;
        }
      } catch (QueueEmptyException e) {
        System.out.println("took " + taken + ", then " + e.getMessage());
      }
    }
  }

  /** Puts 0 .. ARG0-1 on queue "in", then closes it: the sentinel for the consumers. */
  static final class Producer {
    public static void main(String[] args) {
      Queue<Integer> in = Child.queue("in", Integer.class);
      for (int i = 0; i < Integer.parseInt(args[0]); i++) {
        in.put(i);
      }
      in.close();
      System.out.println("produced " + args[0] + " and closed the queue");
    }
  }
}
