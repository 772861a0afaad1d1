package dev.jprocs.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
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

  /** The task message for the current attempt; makes the JSON nodes of inputs held bare. */
  Message.Task message() {
    List<JsonNode> inputs = new ArrayList<>(count);
    for (Object input : job.inputs().subList(firstRank, firstRank + count)) {
      inputs.add(Codec.toTree(input)); // a node as it is; a bare scalar cannot fail
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
