package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.IntegralList;
import dev.jprocs.protocol.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The unit of dispatch: consecutive inputs of one job, sent together in one task message. Its
 * {@code taskId} stays the same across attempts; {@link #attempt} and {@link #holder} change under
 * the {@link Scheduler}'s lock, which guards them.
 */
final class Chunk {
  final long taskId;
  final Job job;
  final int firstRank;
  final int count;
  int attempt; // dispatches so far: 0 until first dispatched; guarded by the Scheduler
  int deaths; // how many times a worker died while running it; guarded by the Scheduler
  WorkerHandle holder; // guarded by the Scheduler

  Chunk(long taskId, Job job, int firstRank, int count) {
    this.taskId = taskId;
    this.job = job;
    this.firstRank = firstRank;
    this.count = count;
  }

  /**
   * The task message for the current attempt. Inputs that are all bare Integers and Longs go as
   * one {@link IntegralList}; otherwise each bare input becomes its node here.
   */
  Message.Task message() {
    List<Object> bare = job.inputs().subList(firstRank, firstRank + count);
    IntegralList.Builder integers = new IntegralList.Builder(count);
    for (Object input : bare) {
      if (input instanceof Integer || input instanceof Long) {
        integers.add(((Number) input).longValue());
      } else {
        break;
      }
    }
    List<JsonNode> inputs;
    if (integers.size() == count) {
      inputs = integers.build();
    } else {
      inputs = new ArrayList<>(count);
      for (Object input : bare) {
        inputs.add(Codec.toTree(input)); // a node as it is; a bare scalar cannot fail
      }
    }
    return new Message.Task(taskId, attempt, job.task().name(), firstRank, inputs,
        job.task().options().isEmpty() ? null : job.task().options());
  }

  /** "ranks 120-182", or "rank 7". */
  String ranks() {
    return count == 1 ? "rank " + firstRank : "ranks " + firstRank + "-" + (firstRank + count - 1);
  }

  @Override
  public String toString() {
    return "task " + taskId + " (" + job.task().name() + " " + ranks() + ", attempt " + attempt + ")";
  }
}
