package dev.jprocs.coordinator.testing;

/** A stand-in worker main that fails before its hello, as a worker with a bad classpath would. */
public final class BrokenStartWorker {
  private BrokenStartWorker() {}

  public static void main(String[] args) {
    System.err.println("BrokenStartWorker: cannot start: missing native library libfoo.so");
    System.exit(1);
  }
}
