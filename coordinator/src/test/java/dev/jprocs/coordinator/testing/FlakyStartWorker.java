package dev.jprocs.coordinator.testing;

import dev.jprocs.worker.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker main that starts normally until the file named by system property
 * {@code jprocs.test.failMarker} exists, and from then on fails before its hello, as a worker
 * whose jar was deleted mid-run would.
 */
public final class FlakyStartWorker {
  private FlakyStartWorker() {}

  public static void main(String[] args) throws Exception {
    Path marker = Path.of(System.getProperty("jprocs.test.failMarker"));
    if (Files.exists(marker)) {
      System.err.println("FlakyStartWorker: " + marker + " exists; refusing to start");
      System.exit(1);
    }
    WorkerMain.main(args);
  }
}
