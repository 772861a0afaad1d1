package dev.jprocs.coordinator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Test-only tasks that misbehave on demand, in the style of Bazel's {@code ExampleWorker}. They
 * reach workers through the pool's classpath option, as a user's own tasks would.
 */
public final class MisbehavingTasks {
  private MisbehavingTasks() {}

  /** {@code fail}: throws IllegalStateException with the input as message, caused by an IOException. */
  public static final class Fail implements Task {
    @Override
    public String name() {
      return "fail";
    }

    @Override
    public String description() {
      return "throws IllegalStateException(input), caused by an IOException";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      throw new IllegalStateException(input.asText(), new IOException("the underlying cause"));
    }
  }

  /** {@code shout}: prints its input to System.out (which must not reach the wire) and returns it. */
  public static final class Shout implements Task {
    @Override
    public String name() {
      return "shout";
    }

    @Override
    public String description() {
      return "prints its input to System.out and returns it";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      System.out.println("shouting " + input.asText());
      System.out.print("{\"type\":\"result\",\"taskId\":-1}\n"); // looks like protocol; must not be
      System.out.flush();
      return input;
    }
  }

  /** {@code pid}: returns the worker's process id. */
  public static final class Pid implements Task {
    @Override
    public String name() {
      return "pid";
    }

    @Override
    public String description() {
      return "returns the worker's pid";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      return ProcessHandle.current().pid();
    }
  }

  /** {@code halt}: halts the worker JVM at once with the exit status given as input. */
  public static final class Halt implements Task {
    @Override
    public String name() {
      return "halt";
    }

    @Override
    public String description() {
      return "halts the worker JVM with the input as exit status";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      System.err.println("halting with status " + input.asInt() + " on attempt " + context.attempt());
      Runtime.getRuntime().halt(input.asInt());
      return null;
    }
  }

  /** {@code haltfirst}: halts the worker on the first attempt at an input; returns the input later. */
  public static final class HaltOnFirstAttempt implements Task {
    @Override
    public String name() {
      return "haltfirst";
    }

    @Override
    public String description() {
      return "halts the worker on attempt 1; returns the input on later attempts";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      if (context.attempt() == 1) {
        Runtime.getRuntime().halt(3);
      }
      return input;
    }
  }

  /** {@code whoami}: returns "WORKER-ID PID" as the worker sees itself. */
  public static final class WhoAmI implements Task {
    @Override
    public String name() {
      return "whoami";
    }

    @Override
    public String description() {
      return "returns the worker id and pid the worker sees";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      return context.workerId() + " " + ProcessHandle.current().pid();
    }
  }

  /** {@code haltif}: halts the worker (status 7) for a negative input; returns other inputs. */
  public static final class HaltIfNegative implements Task {
    @Override
    public String name() {
      return "haltif";
    }

    @Override
    public String description() {
      return "halts the worker with status 7 on a negative input, returns any other";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      if (input.asLong() < 0) {
        System.err.println("haltif: input " + input + " at rank " + context.rank() + ", attempt "
            + context.attempt() + ": halting");
        Runtime.getRuntime().halt(7);
      }
      return input;
    }
  }

  /** {@code hang}: blocks until the worker is killed. */
  public static final class Hang implements Task {
    @Override
    public String name() {
      return "hang";
    }

    @Override
    public String description() {
      return "blocks forever";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) throws InterruptedException {
      System.err.println("hanging on rank " + context.rank());
      new java.util.concurrent.CountDownLatch(1).await(); // nobody counts down
      return null;
    }
  }

  /** {@code garbage}: writes a line that is not protocol straight onto the worker's real stdout. */
  public static final class Garbage implements Task {
    @Override
    public String name() {
      return "garbage";
    }

    @Override
    public String description() {
      return "writes a non-protocol line to the real stdout";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) throws IOException {
      // Deliberately bypasses the worker's protection of stdout, as native code could.
      FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
      raw.write(("this is not json " + input.asText() + "\n").getBytes(StandardCharsets.UTF_8));
      raw.flush();
      return input;
    }
  }

  /** {@code big}: returns a string of the given number of megabytes. */
  public static final class Big implements Task {
    @Override
    public String name() {
      return "big";
    }

    @Override
    public String description() {
      return "returns a string of input megabytes";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      return "x".repeat(input.asInt() * 1024 * 1024);
    }
  }

  /** {@code length}: returns the length of its string input (for large inputs). */
  public static final class Length implements Task {
    @Override
    public String name() {
      return "length";
    }

    @Override
    public String description() {
      return "returns the length of a string input";
    }

    @Override
    public Object apply(JsonNode input, TaskContext context) {
      return input.asText().length();
    }
  }
}
