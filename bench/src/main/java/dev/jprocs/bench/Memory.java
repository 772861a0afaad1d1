package dev.jprocs.bench;

import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.TaskSpec;
import dev.jprocs.coordinator.WorkerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Section {@code memory}: the resident set of worker JVMs ({@code VmRSS} in /proc/PID/status),
 * idle half a second after they said hello, and after a million {@code square} inputs (chunksize
 * 10, so 100,000 task messages per million), with the peak ({@code VmHWM}). One sample per worker
 * per run, 2 workers, default worker flags (heap capped at 512m).
 */
final class Memory implements Section {
  /** The default worker heap cap (PoolConfig's workerHeap, the CLI's --worker-heap), in MB. */
  private static final double HEAP_CAP_MB = 512;

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<Double> idle = new ArrayList<>();
    List<Double> after = new ArrayList<>();
    List<Double> peak = new ArrayList<>();
    List<Integer> inputs = Bench.range(bench.memoryTasks());
    for (int run = 1; run <= bench.runs(); run++) {
      bench.progress("memory: run " + run + "/" + bench.runs());
      try (Pool pool = Bench.start(2)) {
        Thread.sleep(500); // the JVM's own start-up work (JIT, class loading) settles
        for (WorkerInfo worker : pool.workers()) {
          idle.add(kilobytes(worker.pid(), "VmRSS") / 1024.0);
        }
        pool.map(TaskSpec.of("square"), inputs, Long.class, 10);
        for (WorkerInfo worker : pool.workers()) {
          after.add(kilobytes(worker.pid(), "VmRSS") / 1024.0);
          peak.add(kilobytes(worker.pid(), "VmHWM") / 1024.0);
        }
      }
    }
    String n = TrivialTasks.count(inputs.size());
    Target afterTarget = Target.atMost(HEAP_CAP_MB + 60, "MB (heap cap 512 + 60)");
    bench.report().add(Figure.of(name(), "idle worker RSS, 0.5 s after hello", "MB",
            Samples.of(idle))
        .target(Target.atMost(50, "MB")));
    bench.report().add(Figure.of(name(), "worker RSS after " + n + " squares (chunksize 10)",
            "MB", Samples.of(after))
        .target(afterTarget));
    bench.report().add(Figure.of(name(), "worker peak RSS (VmHWM) over " + n + " squares", "MB",
            Samples.of(peak))
        .target(afterTarget));
  }

  /** A {@code kB} field of /proc/PID/status, such as VmRSS. */
  static long kilobytes(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
      }
    }
    throw new IOException("/proc/" + pid + "/status has no " + field);
  }
}
