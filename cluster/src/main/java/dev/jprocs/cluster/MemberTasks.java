package dev.jprocs.cluster;

import dev.jprocs.worker.TaskRegistry;

/**
 * The tasks of this member JVM: the built-in ones and those of its {@code --classpath}. Task
 * instances are not thread-safe (align reuses its buffers; a worker process calls a task from one
 * thread), so each executor thread gets a registry of its own, loaded on first use.
 */
public final class MemberTasks {
  private static volatile ClassLoader loader = MemberTasks.class.getClassLoader();
  private static final ThreadLocal<TaskRegistry> REGISTRY =
      ThreadLocal.withInitial(() -> TaskRegistry.load(loader));

  private MemberTasks() {}

  /**
   * Makes the tasks {@code taskLoader} sees this member's tasks, and checks that they load. Call
   * once, on the main thread, before the member joins its cluster.
   *
   * @throws IllegalStateException when two tasks share a name or a listed class cannot load
   */
  public static TaskRegistry install(ClassLoader taskLoader) {
    loader = taskLoader;
    return TaskRegistry.load(taskLoader);
  }

  /** The calling thread's own registry. */
  static TaskRegistry forThisThread() {
    return REGISTRY.get();
  }
}
