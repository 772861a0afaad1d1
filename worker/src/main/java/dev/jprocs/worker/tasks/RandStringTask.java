package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code randstring}: a random string of letters and digits of the given length, returned with the
 * rank of its input, so outputs can be put back in input order whatever order workers finish in
 * (the seed's {@code rand_string} with {@code output.put((rank, s))} and a sort). The string
 * depends only on the seed and the rank: a rerun, or a retry on another worker, gives the same.
 *
 * <p>Input: a length, or {@code {"length": N, "seed": S}}; the seed defaults to the task option
 * {@code seed}, else 0.
 */
public final class RandStringTask implements Task {
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final int MAX_LENGTH = 1 << 20;

  /** One output: the input's rank and its string. */
  public record Ranked(long rank, String string) {}

  @Override
  public String name() {
    return "randstring";
  }

  @Override
  public String description() {
    return "a seeded random string of letters and digits of the given length, with its rank";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    JsonNode length = input.isObject() ? input.get("length") : input;
    if (length == null || !length.canConvertToInt() || length.intValue() < 0
        || length.intValue() > MAX_LENGTH) {
      throw new IllegalArgumentException("randstring takes a length from 0 to " + MAX_LENGTH
          + " (or {\"length\": N, \"seed\": S}), got " + input);
    }
    long seed = input.isObject() && input.has("seed") ? input.get("seed").asLong()
        : context.options().path("seed").asLong(0);
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + context.rank());
    StringBuilder string = new StringBuilder(length.intValue());
    for (int i = 0; i < length.intValue(); i++) {
      string.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return new Ranked(context.rank(), string.toString());
  }

  /** {@code count} strings of length 5 (the seed's example) for {@code seed}. */
  @Override
  public Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    List<JsonNode> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      inputs.add(JsonNodeFactory.instance.objectNode().put("length", 5).put("seed", seed));
    }
    return Optional.of(inputs);
  }
}
