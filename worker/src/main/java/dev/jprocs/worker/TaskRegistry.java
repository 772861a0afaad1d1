package dev.jprocs.worker;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tasks a worker can run, by name: every {@link Task} that {@link ServiceLoader} finds on a
 * class loader. Immutable once loaded; safe to share between threads.
 */
public final class TaskRegistry {
  private final Map<String, Task> tasks;

  private TaskRegistry(Map<String, Task> tasks) {
    this.tasks = Collections.unmodifiableMap(tasks);
  }

  /**
   * Loads every task visible to {@code loader}.
   *
   * @throws IllegalStateException when two tasks share a name or a listed class cannot be loaded;
   *     the message names the classes involved
   */
  public static TaskRegistry load(ClassLoader loader) {
    Map<String, Task> tasks = new TreeMap<>();
    try {
      for (Task task : ServiceLoader.load(Task.class, loader)) {
        Task previous = tasks.putIfAbsent(task.name(), task);
        if (previous != null) {
          throw new IllegalStateException("two tasks are named '" + task.name() + "': "
              + previous.getClass().getName() + " and " + task.getClass().getName());
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("cannot load the tasks on the classpath: " + e.getMessage(), e);
    }
    return new TaskRegistry(tasks);
  }

  /** Returns the task named {@code name}, or null when there is none. */
  public Task find(String name) {
    return tasks.get(name);
  }

  /** Returns the names of all tasks, sorted. */
  public Set<String> names() {
    return tasks.keySet();
  }

  /** Returns the tasks by name, sorted by name. */
  public Map<String, Task> tasks() {
    return tasks;
  }
}
