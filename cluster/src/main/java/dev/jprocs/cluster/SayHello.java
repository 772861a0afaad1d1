package dev.jprocs.cluster;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * Asks a member for the hello a worker process would say, on the member's
 * {@link MemberSettings#CONTROL_EXECUTOR}: the protocol version its jprocs jars speak and its pid.
 * The coordinator checks it as it checks a worker's first line.
 */
public final class SayHello implements Callable<byte[]>, Serializable {
  private static final long serialVersionUID = 1L;

  private final String workerId;

  public SayHello(String workerId) {
    this.workerId = workerId;
  }

  /** Returns the Codec-encoded hello line. Runs on the member. */
  @Override
  public byte[] call() {
    MemberTasks.forThisThread(); // a member whose tasks cannot load fails here, before any work
    return Codec.encode(new Message.Hello(Message.PROTOCOL_VERSION, ProcessHandle.current().pid(),
        workerId));
  }
}
