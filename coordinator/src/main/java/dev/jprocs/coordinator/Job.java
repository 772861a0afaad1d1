package dev.jprocs.coordinator;

import java.util.List;

/**
 * One call into the pool ({@code map}, {@code imap}, {@code submit}...): a task, its inputs in rank
 * order (each a JsonNode or a bare Integer, Long, Double, Boolean or String), and where their
 * outcomes are reassembled. Immutable but for its {@link ResultAssembler}.
 */
record Job(long jobId, TaskSpec task, List<Object> inputs, ResultAssembler results) {
  int size() {
    return inputs.size();
  }

  /** Jobs are told apart by id: a record's own equals and hashCode would walk every input. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Job job && job.jobId == jobId;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(jobId);
  }
}
