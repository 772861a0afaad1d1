package dev.jprocs.worker.child;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.UnknownTaskException;
import dev.jprocs.worker.WorkerMain;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The main class of every JVM that {@code JvmProcess} starts. Claims stdout for the wire, starts
 * the stdin reader ({@link ChildChannel}) and the watch on the parent, then runs the target:
 *
 * <pre>
 * ChildMain --name NAME [--queue Q]... [--max-line-bytes N] --main CLASS [ARG...]
 * ChildMain --name NAME [--queue Q]... [--max-line-bytes N] --task TASK --input JSON [--options JSON]
 * </pre>
 *
 * <p>A {@code --main} class runs its {@code public static void main(String[])}, or, without one,
 * is a {@link Runnable} made with its no-argument constructor. A {@code --task} runs once on the
 * input and its output is sent to the coordinator over the pipe. The JVM exits 0 when the target
 * returns (other threads do not keep it alive, as in Python), 1 when it throws (the stack trace on
 * stderr), 1 when the coordinator is gone, 2 for a line it cannot read, 64 for a bad command line.
 */
public final class ChildMain {
  /** Exit status for a bad command line. */
  static final int STATUS_USAGE = 64;

  private ChildMain() {}

  public static void main(String[] args) {
    // Claim the real stdout for the wire before anything can print to it; task code's System.out
    // goes to stderr, and it gets an empty stdin, so neither can touch the channel.
    OutputStream wire = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    FileInputStream commands = new FileInputStream(FileDescriptor.in);
    System.setOut(System.err);
    System.setIn(new ByteArrayInputStream(new byte[0]));

    String name = "process";
    List<String> queues = new ArrayList<>();
    int maxLineBytes = WorkerMain.DEFAULT_MAX_LINE_BYTES;
    String mainClass = null;
    String[] mainArgs = new String[0];
    String task = null;
    String input = null;
    String options = "{}";
    for (int i = 0; i < args.length && mainClass == null; i++) {
      switch (args[i]) {
        case "--name" -> name = value(args, ++i);
        case "--queue" -> queues.add(value(args, ++i));
        case "--max-line-bytes" -> maxLineBytes = Integer.parseInt(value(args, ++i));
        case "--main" -> {
          mainClass = value(args, ++i);
          mainArgs = Arrays.copyOfRange(args, i + 1, args.length);
        }
        case "--task" -> task = value(args, ++i);
        case "--input" -> input = value(args, ++i);
        case "--options" -> options = value(args, ++i);
        default -> usage("unknown argument " + args[i]);
      }
    }
    if ((mainClass == null) == (task == null) || (task != null && input == null)) {
      usage("give either --main CLASS or --task TASK --input JSON");
    }
    exitWithParent(name);
    ChildChannel channel = new ChildChannel(name, queues, commands, wire, maxLineBytes,
        Runtime.getRuntime()::halt).start();
    Child.attach(channel);

    int status = 0;
    try {
      if (mainClass != null) {
        runMain(mainClass, mainArgs);
      } else {
        runTask(name, task, Codec.parse(input), Codec.parse(options));
      }
    } catch (Throwable e) {
      Throwable thrown = e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
      System.err.println("Process " + name + " failed:");
      thrown.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private static void runMain(String className, String[] args) throws Exception {
    Class<?> target = Class.forName(className, true, ChildMain.class.getClassLoader());
    Method main = mainMethod(target);
    if (main != null) {
      main.setAccessible(true); // a public main in a nested class of a non-public class
      main.invoke(null, (Object) args);
    } else if (Runnable.class.isAssignableFrom(target)) {
      var constructor = target.getDeclaredConstructor();
      constructor.setAccessible(true);
      ((Runnable) constructor.newInstance()).run();
    } else {
      throw new IllegalArgumentException(className
          + " has no static main(String[]) and is not a Runnable, so a child cannot run it");
    }
  }

  private static Method mainMethod(Class<?> target) {
    try {
      Method main = target.getMethod("main", String[].class);
      return Modifier.isStatic(main.getModifiers()) ? main : null;
    } catch (NoSuchMethodException e) {
      return null; // not a main class; perhaps a Runnable
    }
  }

  private static void runTask(String name, String taskName, JsonNode input, JsonNode options)
      throws Exception {
    TaskRegistry registry = TaskRegistry.load(ChildMain.class.getClassLoader());
    Task task = registry.find(taskName);
    if (task == null) {
      throw new UnknownTaskException(taskName, registry.names());
    }
    JsonNode taskOptions = options.isObject() ? options : JsonNodeFactory.instance.objectNode();
    Object output = task.apply(input, new TaskContext(taskOptions, 0, 1, name));
    Child.pipe().send(output);
  }

  /**
   * Halts this JVM as soon as the process that started it ends, even mid-task: a child never
   * outlives its coordinator. This backs up the end of stdin, which the kernel signals at once
   * when the coordinator dies, for when another process still holds the pipe open; the JDK
   * notices a non-child's exit by polling, so this one may take a moment.
   */
  private static void exitWithParent(String name) {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.err.println(name + ": coordinator (pid " + parent.pid() + ") is gone; exiting");
      Runtime.getRuntime().halt(ChildChannel.STATUS_PARENT_GONE);
    }));
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("child: " + problem + "; usage: ChildMain --name NAME [--queue Q]..."
        + " [--max-line-bytes N] (--main CLASS [ARG...] | --task TASK --input JSON [--options JSON])");
    System.exit(STATUS_USAGE);
  }
}
