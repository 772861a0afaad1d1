package dev.jprocs.worker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a task may know about the call it is serving.
 *
 * @param options the task options the caller gave for the whole job: a JSON object, empty when
 *     there are none
 * @param rank the input's position in the caller's input, from 0
 * @param attempt 1 on first dispatch, higher when the input is retried after a worker died
 * @param workerId the id of the worker running the task, for example {@code worker-2}
 */
public record TaskContext(JsonNode options, long rank, int attempt, String workerId) {
  /** Returns the text option {@code name}, or {@code fallback} when it is absent. */
  public String option(String name, String fallback) {
    JsonNode value = options.get(name);
    return value == null || value.isNull() ? fallback : value.asText();
  }
}
