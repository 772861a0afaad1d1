package dev.jprocs.worker.child;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import dev.jprocs.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;

/**
 * A child JVM's side of its stdin and stdout: the child's {@link PipeEnd}, and the requests its
 * {@link ChildQueue}s make of the coordinator. One reader thread, {@code <name>-stdin}, decodes
 * what the coordinator sends and hands it on; any thread writes, one whole line at a time.
 *
 * <p>The end of stdin means the coordinator is gone (it keeps the pipe open while the child
 * runs, and the kernel closes it when the coordinator dies, even by SIGKILL), so the child exits
 * at once: status 1, after a line on stderr. A line it cannot read: status 2.
 */
final class ChildChannel {
  /** Exit status when stdin ends: the coordinator is gone, the child's work is unfinished. */
  static final int STATUS_PARENT_GONE = 1;
  /** Exit status when the coordinator sent a line this child cannot read. */
  static final int STATUS_PROTOCOL_FAULT = 2;

  private final String name;
  private final List<String> queues;
  private final FrameReader in;
  private final OutputStream out; // guarded by this
  private final IntConsumer exit;
  private final PipeEnd pipe;
  private final Map<Long, CompletableFuture<Message.QueueReply>> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextRequestId = new AtomicLong(1);

  /**
   * @param queues the names of the queues the coordinator shared with this child
   * @param exit ends the JVM with a status, from the reader thread, mid-task too
   */
  ChildChannel(String name, List<String> queues, InputStream in, OutputStream out,
      int maxLineBytes, IntConsumer exit) {
    this.name = name;
    this.queues = List.copyOf(queues);
    this.in = new FrameReader(in, maxLineBytes);
    this.out = out;
    this.exit = exit;
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    this.pipe = new PipeEnd("the coordinator (pid " + parent + ")", this::write, maxLineBytes);
  }

  /** Starts the stdin reader thread. */
  ChildChannel start() {
    Thread reader = new Thread(this::read, name + "-stdin");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  String name() {
    return name;
  }

  List<String> queues() {
    return queues;
  }

  PipeEnd pipe() {
    return pipe;
  }

  /** Writes one line and flushes it, so nothing sent waits in a buffer if the JVM exits. */
  synchronized void write(byte[] line) throws IOException {
    out.write(line);
    out.flush();
  }

  /**
   * Sends the request {@code make} builds with a fresh request id and waits for its reply.
   *
   * @param interruptible whether an interrupt ends the wait; when it does and the reply turns out
   *     to carry an item, the item is put back on its queue (at the tail), not lost
   * @throws UncheckedIOException when stdout cannot be written: the coordinator is gone
   */
  Message.QueueReply request(LongFunction<Message> make, boolean interruptible)
      throws InterruptedException {
    long requestId = nextRequestId.getAndIncrement();
    CompletableFuture<Message.QueueReply> reply = new CompletableFuture<>();
    pending.put(requestId, reply);
    Message message = make.apply(requestId);
    try {
      write(Codec.encode(message));
    } catch (IOException e) {
      pending.remove(requestId);
      throw new UncheckedIOException(name + " cannot reach the coordinator: " + e.getMessage(), e);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return reply.get(); // woken by the reader thread's complete
        } catch (InterruptedException e) {
          if (interruptible) {
            reply.thenAccept(late -> putBack(message, late));
            throw e;
          }
          interrupted = true;
        } catch (ExecutionException e) {
          throw new IllegalStateException("a queue reply future failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** An item came for a get whose caller was interrupted: back on the queue with it. */
  private void putBack(Message request, Message.QueueReply late) {
    if (!(request instanceof Message.QueueGet get) || !Message.QueueReply.ITEM.equals(late.status())) {
      return;
    }
    // No one waits for this put's reply; the reader drops a reply whose id is not pending.
    long requestId = nextRequestId.getAndIncrement();
    try {
      write(Codec.encode(new Message.QueuePut(requestId, get.queue(), late.value())));
    } catch (IOException e) {
      System.err.println(name + ": lost an item of queue '" + get.queue() + "' after an"
          + " interrupted get, as the coordinator is gone: " + e.getMessage());
    }
  }

  /** The reader thread: hands each line on until stdin ends, then ends the JVM. */
  private void read() {
    try {
      byte[] line;
      while ((line = in.readLine()) != null) {
        Message message = Codec.decode(line);
        if (message instanceof Message.PipeSend send) {
          pipe.received(send.value());
        } else if (message instanceof Message.PipeEof) {
          pipe.ended("the coordinator closed its end of the pipe");
        } else if (message instanceof Message.QueueReply reply) {
          CompletableFuture<Message.QueueReply> waiting = pending.remove(reply.requestId());
          if (waiting != null) {
            waiting.complete(reply); // wakes the thread in request()
          } // else it answers a put-back, which nobody waits for
        } else {
          System.err.println(name + ": the coordinator sent a '" + message.type()
              + "' message, which a child does not accept; exiting");
          exit.accept(STATUS_PROTOCOL_FAULT);
          return;
        }
      }
      System.err.println(name + ": stdin closed, so the coordinator is gone; exiting");
      exit.accept(STATUS_PARENT_GONE);
    } catch (ProtocolException e) {
      System.err.println(name + " cannot read what the coordinator sent: " + e.getMessage()
          + "; exiting");
      exit.accept(STATUS_PROTOCOL_FAULT);
    } catch (IOException e) {
      System.err.println(name + ": cannot read stdin (" + e + "), so the coordinator is gone;"
          + " exiting");
      exit.accept(STATUS_PARENT_GONE);
    }
  }
}
