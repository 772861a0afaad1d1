package dev.jprocs.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.tasks.AlignTask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Codec} on the wire's busiest messages: a {@code task} of 1000 integers (a square chunk)
 * and its {@code result} of 1000 squares, each way; and the {@code result} of 1000 aligns, written
 * from the outputs {@link AlignTask} makes and read into trees or kept as text. Lines are decoded
 * without their {@code \n}, as the frame reader hands them over.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBenchmark {
  private Message.Task task;
  private Message.Result result;
  private byte[] taskLine;
  private byte[] resultLine;
  private Message.Result alignResult;
  private byte[] alignResultLine;

  @Setup
  public void setUp() {
    List<JsonNode> inputs = new ArrayList<>();
    List<JsonNode> outputs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      inputs.add(IntNode.valueOf(i));
      outputs.add(LongNode.valueOf((long) i * i));
    }
    task = new Message.Task(1, 1, "square", 0, inputs, null);
    result = new Message.Result(1, 1, outputs, null);
    taskLine = withoutNewline(Codec.encode(task));
    resultLine = withoutNewline(Codec.encode(result));

    AlignTask align = new AlignTask();
    TaskContext context = new TaskContext(JsonNodeFactory.instance.objectNode(), 0, 1, "jmh");
    List<JsonNode> alignOutputs = new ArrayList<>();
    for (JsonNode sequence : align.sampleInputs(1000, 7).orElseThrow()) {
      alignOutputs.add(Codec.toTree(align.apply(sequence, context)));
    }
    alignResult = new Message.Result(1, 1, alignOutputs, null);
    alignResultLine = withoutNewline(Codec.encode(alignResult));
  }

  private static byte[] withoutNewline(byte[] line) {
    return Arrays.copyOf(line, line.length - 1);
  }

  @Benchmark
  public byte[] encodeTask1000Ints() {
    return Codec.encode(task);
  }

  @Benchmark
  public Message decodeTask1000Ints() throws ProtocolException {
    return Codec.decode(taskLine);
  }

  @Benchmark
  public byte[] encodeResult1000Longs() {
    return Codec.encode(result);
  }

  @Benchmark
  public Message decodeResult1000Longs() throws ProtocolException {
    return Codec.decode(resultLine);
  }

  @Benchmark
  public byte[] encodeResult1000Aligns() {
    return Codec.encode(alignResult);
  }

  @Benchmark
  public Message decodeResult1000AlignsToTrees() throws ProtocolException {
    return Codec.decode(alignResultLine);
  }

  @Benchmark
  public Message decodeResult1000AlignsAsText() throws ProtocolException {
    return Codec.decode(alignResultLine, taskId -> true);
  }
}
