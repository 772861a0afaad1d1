package dev.jprocs.worker;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The main class of a worker JVM. Started by the coordinator with
 * {@code --worker-id ID [--max-line-bytes N] [--init-task TASK --init-input JSON --init-options
 * JSON]}; runs the initializer task, if any, once before its hello; speaks the protocol on its
 * stdin and stdout and writes everything else to stderr.
 *
 * <p>With {@code --spare} instead of {@code --worker-id}, it boots (tasks loaded, the codec's
 * classes initialized) and then waits for its first line: {@code assign} gives it its worker id
 * and it goes on as above; {@code shutdown} or the end of stdin ends it, unused, with status 0.
 */
public final class WorkerMain {
  /** The default limit on one protocol line, in bytes: room for results of tens of megabytes. */
  public static final int DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    // Claim the real stdout for the wire before anything can print to it, and give task code an
    // empty stdin and a System.out that goes to stderr, so neither can touch the channel.
    OutputStream wire = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    FileInputStream commands = new FileInputStream(FileDescriptor.in);
    System.setOut(System.err);
    System.setIn(new ByteArrayInputStream(new byte[0]));

    String workerId = "worker";
    boolean spare = false;
    int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    String initTask = null;
    String initInput = "null";
    String initOptions = "{}";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--worker-id" -> workerId = value(args, ++i);
        case "--spare" -> {
          spare = true;
          workerId = "spare";
        }
        case "--max-line-bytes" -> maxLineBytes = Integer.parseInt(value(args, ++i));
        case "--init-task" -> initTask = value(args, ++i);
        case "--init-input" -> initInput = value(args, ++i);
        case "--init-options" -> initOptions = value(args, ++i);
        default -> usage("unknown argument " + args[i]);
      }
    }
    exitWithParent(workerId);

    TaskRegistry registry;
    try {
      registry = TaskRegistry.load(WorkerMain.class.getClassLoader());
    } catch (IllegalStateException e) {
      System.err.println(workerId + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    if (spare) {
      workerId = awaitAssignment(commands);
    }
    if (initTask != null) {
      // Before the hello: a worker whose initializer failed never takes work, and the pool sees a
      // failed start with this on stderr.
      try {
        WorkerLoop.initialize(registry, workerId, initTask, Codec.parse(initInput),
            Codec.parse(initOptions));
      } catch (Exception | LinkageError | AssertionError e) {
        System.err.println(workerId + ": the initializer '" + initTask + "' failed: " + e);
        e.printStackTrace();
        System.exit(1);
        return;
      }
    }
    String id = workerId;
    int status = new WorkerLoop(workerId, registry, commands, wire, maxLineBytes, () -> {
      // The coordinator closed our stdin without the sentinel, or died: stop now, mid-task too.
      System.err.println(id + ": stdin closed, so the coordinator is gone; exiting");
      Runtime.getRuntime().halt(0);
    }).run();
    System.exit(status);
  }

  /**
   * A spare's wait: warms the codec on a sample task, then reads its first line from stdin, one
   * byte at a time so nothing after it is taken from the worker loop's reader. Returns the worker
   * id it is assigned; exits 0 on {@code shutdown} or the end of stdin, 2 on anything else.
   */
  private static String awaitAssignment(FileInputStream commands) throws IOException {
    byte[] warmUp = Codec.encode(new Message.Task(0, 1, "warm-up", 0, List.of(IntNode.valueOf(1)), null));
    Message.Task task = (Message.Task) Codec.decode(Arrays.copyOf(warmUp, warmUp.length - 1));
    Codec.encode(new Message.Result(0, 1, task.inputs(), List.of()));

    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = commands.read()) >= 0 && b != '\n' && line.size() <= 64 * 1024) {
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      System.exit(0); // the pool closed without needing this spare
    }
    Message first;
    try {
      first = Codec.decode(line.toByteArray());
    } catch (ProtocolException e) {
      first = null;
    }
    if (first instanceof Message.Assign assign) {
      return assign.workerId();
    } else if (first instanceof Message.Shutdown) {
      System.exit(0);
    }
    System.err.println("spare: expected an assign or shutdown line first, got: "
        + line.toString(StandardCharsets.UTF_8));
    System.exit(WorkerLoop.STATUS_PROTOCOL_FAULT);
    return null;
  }


  /**
   * Halts this JVM as soon as the process that started it ends, even in the middle of a task: a
   * worker never outlives its coordinator. This backs up the end of stdin, which the kernel
   * signals at once when the coordinator dies, for the case where another process still holds
   * the pipe open; the JDK notices a non-child's exit by polling, so this one may take a moment.
   */
  private static void exitWithParent(String workerId) {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.err.println(workerId + ": coordinator (pid " + parent.pid() + ") is gone; exiting");
      Runtime.getRuntime().halt(1);
    }));
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("worker: " + problem
        + "; usage: WorkerMain (--worker-id ID | --spare) [--max-line-bytes N]"
        + " [--init-task TASK [--init-input JSON] [--init-options JSON]]");
    System.exit(64);
  }
}
