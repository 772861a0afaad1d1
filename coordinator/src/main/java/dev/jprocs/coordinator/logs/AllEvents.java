package dev.jprocs.coordinator.logs;

import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.WorkerExit;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@link PoolEvents} listeners as one, for {@code PoolConfig.Builder.events}: each event
 * goes to every listener in the order given, on the calling thread. A listener that throws is
 * logged (WARN) and does not keep the event from the others or reach the pool.
 */
public final class AllEvents implements PoolEvents {
  private static final Logger log = LoggerFactory.getLogger(AllEvents.class);

  private final List<PoolEvents> listeners;

  private AllEvents(List<PoolEvents> listeners) {
    this.listeners = listeners;
  }

  /** The listeners as one; nulls are skipped, so an optional log can be passed as it is. */
  public static PoolEvents of(PoolEvents... listeners) {
    return new AllEvents(java.util.Arrays.stream(listeners).filter(java.util.Objects::nonNull).toList());
  }

  private void each(String event, Consumer<PoolEvents> call) {
    for (PoolEvents listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        log.warn("{} failed on the event {}", listener, event, e);
      }
    }
  }

  @Override
  public void workerSpawned(String workerId, long pid, int restarts) {
    each("workerSpawned", l -> l.workerSpawned(workerId, pid, restarts));
  }

  @Override
  public void workerReady(String workerId, long pid) {
    each("workerReady", l -> l.workerReady(workerId, pid));
  }

  @Override
  public void taskSent(String workerId, long pid, long taskId, String task, long firstRank,
      int count, int attempt) {
    each("taskSent", l -> l.taskSent(workerId, pid, taskId, task, firstRank, count, attempt));
  }

  @Override
  public void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
      int errors) {
    each("resultReceived", l -> l.resultReceived(workerId, pid, taskId, attempt, outputs, errors));
  }

  @Override
  public void lateResultDropped(String workerId, long pid, long taskId, int attempt) {
    each("lateResultDropped", l -> l.lateResultDropped(workerId, pid, taskId, attempt));
  }

  @Override
  public void inputFailed(TaskFailure failure) {
    each("inputFailed", l -> l.inputFailed(failure));
  }

  @Override
  public void taskRetried(long taskId, String task, long firstRank, int count, String reason) {
    each("taskRetried", l -> l.taskRetried(taskId, task, firstRank, count, reason));
  }

  @Override
  public void sentinelSent(String workerId, long pid) {
    each("sentinelSent", l -> l.sentinelSent(workerId, pid));
  }

  @Override
  public void workerRetired(WorkerExit exit) {
    each("workerRetired", l -> l.workerRetired(exit));
  }

  @Override
  public void workerDied(WorkerExit exit, String description) {
    each("workerDied", l -> l.workerDied(exit, description));
  }

  @Override
  public void strayOutput(String workerId, long pid, byte[] start, long length) {
    each("strayOutput", l -> l.strayOutput(workerId, pid, start, length));
  }

  @Override
  public void workerStderr(String workerId, long pid, String line) {
    each("workerStderr", l -> l.workerStderr(workerId, pid, line));
  }

  @Override
  public void poolBroken(String reason) {
    each("poolBroken", l -> l.poolBroken(reason));
  }
}
