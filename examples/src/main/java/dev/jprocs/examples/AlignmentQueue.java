package dev.jprocs.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.coordinator.process.JvmProcess;
import dev.jprocs.coordinator.process.SharedQueue;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.Queue;
import dev.jprocs.worker.child.QueueEmptyException;
import dev.jprocs.worker.tasks.AlignTask;
import dev.jprocs.worker.tasks.GlobalAligner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The seed's first example: random DNA records on a queue; one worker JVM per processor takes
 * a record, aligns it, takes the next, until the queue stays empty for 5 s; then the ten best.
 * Arguments, all optional: records (1000), workers (processors), seconds of empty queue (5).
 */
public final class AlignmentQueue {
  private AlignmentQueue() {}

  /** One record: its position in the input and its bases. */
  public record Sequence(int input, String bases) {}

  /** One record aligned against the reference. */
  public record Scored(int input, int score, String reference, String sequence) {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int workers = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    String patience = args.length > 2 ? args[2] : "5";
    SharedQueue<Sequence> todo = new SharedQueue<>("records", Sequence.class);
    SharedQueue<Scored> done = new SharedQueue<>("results", Scored.class);
    List<JsonNode> samples = new AlignTask().sampleInputs(records, 1).orElseThrow();
    for (int i = 0; i < records; i++) {
      todo.put(new Sequence(i, samples.get(i).asText()));
    }

    List<JvmProcess> processes = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      processes.add(JvmProcess.of(Worker.class, "worker-" + i, patience).share(todo).share(done).start());
    }
    for (JvmProcess process : processes) {
      process.join();
    }

    List<Scored> results = new ArrayList<>();
    while (done.size() > 0) {
      results.add(done.get());
    }
    results.sort(Comparator.comparingInt(Scored::score).reversed().thenComparingInt(Scored::input));
    System.out.println("Top 10 of " + results.size() + " by alignment score");
    System.out.println("rank  input  score  alignment");
    for (int rank = 1; rank <= Math.min(10, results.size()); rank++) {
      Scored s = results.get(rank - 1);
      System.out.printf("%4d  %5d  %5d  %s%n%20s%s%n", rank, s.input(), s.score(), s.reference(), "", s.sequence());
    }
  }

  /** One worker JVM: aligns records until the queue stays empty for the given seconds. */
  public static final class Worker {
    public static void main(String[] args) throws Exception {
      Queue<Sequence> todo = Child.queue("records", Sequence.class);
      Queue<Scored> done = Child.queue("results", Scored.class);
      Duration patience = Duration.ofMillis(Math.round(Double.parseDouble(args[1]) * 1000));
      GlobalAligner aligner = new GlobalAligner();
      int count = 0;
      try {
        while (true) {
          Sequence record = todo.get(patience);
          GlobalAligner.Result aligned = aligner.align(AlignTask.DEFAULT_REFERENCE, record.bases());
          done.put(new Scored(record.input(), aligned.score(), aligned.first(), aligned.second()));
          count++;
        }
      } catch (QueueEmptyException stayedEmpty) {
        System.out.println(args[0] + " done with " + count + " records");
      }
    }
  }
}
