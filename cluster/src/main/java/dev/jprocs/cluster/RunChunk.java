package dev.jprocs.cluster;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.worker.WorkerLoop;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One chunk sent to one member: the protocol's {@code task} line as the coordinator wrote it. On
 * the member it runs on a {@link MemberSettings#CHUNK_EXECUTOR} thread exactly as a worker process
 * runs a task line ({@link WorkerLoop#answer}), with that thread's own task instances, and returns
 * the result line. Java-serialized: both sides have this class in the jprocs jars.
 */
public final class RunChunk implements Callable<ChunkAnswer>, Serializable {
  private static final long serialVersionUID = 1L;

  private final String workerId;
  private final byte[] taskLine;

  /**
   * @param workerId the coordinator's slot that sent it, which tasks see as their worker id
   * @param taskLine a Codec-encoded {@code task} message
   */
  public RunChunk(String workerId, byte[] taskLine) {
    this.workerId = workerId;
    this.taskLine = taskLine;
  }

  /**
   * Runs the chunk on the calling member thread. An input whose task throws fails alone, in the
   * result; an {@code Error} that breaks the JVM escapes, and reaches the coordinator as this
   * call's failure.
   */
  @Override
  public ChunkAnswer call() throws Exception {
    int end = taskLine.length;
    while (end > 0 && taskLine[end - 1] == '\n') {
      end--;
    }
    Message message = Codec.decode(java.util.Arrays.copyOf(taskLine, end));
    if (!(message instanceof Message.Task task)) {
      throw new IllegalArgumentException(workerId + " sent a '" + message.type()
          + "' message as a chunk; only task messages run on members");
    }
    Message.Result result = WorkerLoop.answer(MemberTasks.forThisThread(), workerId, task);
    return new ChunkAnswer(Codec.encode(result), result.outputs().size(), result.errors().size());
  }
}
