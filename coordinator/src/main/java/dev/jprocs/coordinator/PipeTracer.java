package dev.jprocs.coordinator;

/**
 * Receives every frame of the workers whose tracing is on ({@link PoolConfig.Builder#tracePipes},
 * {@link Pool#trace}). Called on the worker's stdin and stdout threads, so it must be quick and
 * thread-safe; it must not write to stdout.
 */
@FunctionalInterface
public interface PipeTracer {
  /** Records one frame. */
  void frame(Frame frame);
}
