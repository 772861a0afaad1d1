package dev.jprocs.bench.jmh;

import dev.jprocs.worker.tasks.AlignTask;
import dev.jprocs.worker.tasks.GlobalAligner;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link GlobalAligner#align} of the 64-base default reference against random 64-base sequences
 * (64 of them in turn, so no single input's branch pattern is learnt): the fill and the traceback,
 * as the align task runs them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AlignerBenchmark {
  private final GlobalAligner aligner = new GlobalAligner();
  private final String[] sequences = new String[64];
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(7);
    char[] bases = new char[64];
    for (int i = 0; i < sequences.length; i++) {
      for (int k = 0; k < bases.length; k++) {
        bases[k] = "ACGT".charAt(random.nextInt(4));
      }
      sequences[i] = new String(bases);
    }
  }

  @Benchmark
  public GlobalAligner.Result align64x64() {
    String sequence = sequences[next++ & 63];
    return aligner.align(AlignTask.DEFAULT_REFERENCE, sequence);
  }
}
