package dev.jprocs.coordinator;

import java.time.Duration;

/**
 * How long the supervisor waits before starting a replacement in a slot whose workers keep
 * failing (exiting before their hello, or dying before they answered anything).
 */
@FunctionalInterface
public interface RestartPolicy {
  /** The delay before the next start, after {@code failuresInARow} such failures (0 or more). */
  Duration delay(int failuresInARow);

  /** At once after a healthy worker's death; then 100 ms, doubling up to 5 s. */
  static RestartPolicy exponentialBackoff() {
    return failures -> failures == 0 ? Duration.ZERO
        : Duration.ofMillis(Math.min(5_000, 100L << Math.min(failures - 1, 16)));
  }
}
