package dev.jprocs.worker.child;

import java.util.Objects;

/**
 * What a child JVM started by {@code JvmProcess} can reach of its coordinator: its {@link Pipe},
 * the queues shared with it, its name. Python passes these as the target's arguments; a Java
 * child asks for them here. Thread-safe.
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *   Pipe pipe = Child.pipe();
 *   pipe.send("you sent me " + pipe.recv(String.class));
 * }
 * }</pre>
 *
 * <p>Only in a JVM that {@code JvmProcess} started ({@link ChildMain}); not in a pool's worker,
 * whose stdin and stdout carry the pool's protocol.
 */
public final class Child {
  private static volatile ChildChannel channel;

  private Child() {}

  /** Called once by {@link ChildMain} before the target runs. */
  static void attach(ChildChannel opened) {
    channel = opened;
  }

  /** Whether this JVM is a child started by {@code JvmProcess}. */
  public static boolean isChild() {
    return channel != null;
  }

  /** This child's name, for example {@code process-0}, as the coordinator calls it. */
  public static String name() {
    return channel().name();
  }

  /**
   * Returns this child's end of its pipe to the coordinator (the coordinator's end is
   * {@code JvmProcess.pipe()}). Always the same object.
   */
  public static Pipe pipe() {
    return channel().pipe();
  }

  /**
   * Returns a handle on the coordinator's queue {@code name}, whose items are read as
   * {@code type}.
   *
   * @throws IllegalArgumentException when the coordinator did not share a queue of that name with
   *     this child ({@code JvmProcess.share})
   */
  public static <T> Queue<T> queue(String name, Class<T> type) {
    ChildChannel open = channel();
    if (!open.queues().contains(Objects.requireNonNull(name, "name"))) {
      throw new IllegalArgumentException("no queue named '" + name + "' is shared with "
          + open.name() + "; shared: " + open.queues());
    }
    return new ChildQueue<>(open, name, Objects.requireNonNull(type, "type"));
  }

  private static ChildChannel channel() {
    ChildChannel open = channel;
    if (open == null) {
      throw new IllegalStateException("this JVM was not started by JvmProcess, so it has no pipe"
          + " or queues; Child works only in a JvmProcess child");
    }
    return open;
  }
}
