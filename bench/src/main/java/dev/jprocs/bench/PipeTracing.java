package dev.jprocs.bench;

import dev.jprocs.coordinator.Frame;
import dev.jprocs.coordinator.PipeTracer;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Section {@code trace}: what tracing every frame of both workers' pipes
 * ({@code PoolConfig.Builder.tracePipes(true)}) costs on the chunksize-1 squares, the case with
 * the most frames per input. Two tracers: one that only counts frames (the cost of the tap
 * itself), and one that writes each frame's {@code describe(200)} line to a file under
 * bench/target (page cache), as a simple log would. Three started pools, warmed up, runs interleaved.
 */
final class PipeTracing implements Section {
  private static final TaskSpec SQUARE = TaskSpec.of("square");

  @Override
  public String name() {
    return "trace";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<Integer> inputs = Bench.range(bench.singleTasks());
    LongAdder frames = new LongAdder();
    Path file = bench.scratch().resolve("trace.txt");
    FileTracer writing = new FileTracer(file);
    PipeTracer counting = frame -> frames.increment();
    List<Double> off = new ArrayList<>();
    List<Double> counted = new ArrayList<>();
    List<Double> written = new ArrayList<>();
    try (Pool plain = Bench.start(2);
        Pool counter = Pool.start(traced(counting));
        Pool logger = Pool.start(traced(writing))) {
      bench.progress("trace: warm-up");
      for (Pool pool : List.of(plain, counter, logger)) {
        TrivialTasks.drain(pool.imap(SQUARE, inputs, Long.class, 1));
      }
      for (int run = 1; run <= bench.runs(); run++) {
        bench.progress("trace: run " + run + "/" + bench.runs());
        off.add(time(plain, inputs));
        counted.add(time(counter, inputs));
        writing.truncate();
        written.add(time(logger, inputs));
      }
    } finally {
      writing.close();
      Files.deleteIfExists(file);
    }
    String name = "square x" + TrivialTasks.count(inputs.size()) + ", chunksize 1, 2 workers, ";
    Samples baseline = Samples.of(off);
    bench.report().add(Figure.of(this.name(), name + "tracing off", "s", baseline));
    bench.report().add(Figure.of(this.name(), name + "tracing on, tracer counts frames", "s",
            Samples.of(counted))
        .against("tracing off", baseline));
    bench.report().add(Figure.of(this.name(), name + "tracing on, tracer writes a line per frame"
            + " to a file", "s", Samples.of(written))
        .against("tracing off", baseline));
    bench.report().note("trace: the ratio column of the tracing-on rows is the slowdown; "
        + frames.sum() + " frames counted in all");
  }

  private static PoolConfig traced(PipeTracer tracer) {
    return Bench.config(2, new PoolEvents() {}).tracePipes(true).pipeTracer(tracer).build();
  }

  /**
   * Writes each frame's {@code describe(200)} line to a file. Called on the stdin and stdout
   * threads of every worker, so writes and {@link #truncate} hold one lock.
   */
  private static final class FileTracer implements PipeTracer, AutoCloseable {
    private final Path file;
    private Writer out;

    FileTracer(Path file) throws IOException {
      this.file = file;
      this.out = open();
    }

    private Writer open() throws IOException {
      return new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public synchronized void frame(Frame frame) {
      try {
        out.write(frame.describe(200));
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the trace to " + file, e);
      }
    }

    /** Starts the file again, so it holds one run's frames at most. */
    synchronized void truncate() throws IOException {
      out.close();
      out = open();
    }

    @Override
    public synchronized void close() throws IOException {
      out.close();
    }
  }

  private static double time(Pool pool, List<Integer> inputs) {
    long start = System.nanoTime();
    TrivialTasks.drain(pool.imap(SQUARE, inputs, Long.class, 1));
    return TrivialTasks.seconds(System.nanoTime() - start);
  }
}
