package dev.jprocs.worker.child;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * One end of a {@link Pipe}, the same code on both sides: the child's end is fed by the child's
 * stdin reader, the coordinator's by its reader of the child's stdout. Callers see it as a
 * {@link Pipe}; {@link #received} and {@link #ended} are for the reader thread of its side.
 */
public final class PipeEnd implements Pipe {
  /** Writes one encoded line towards the other end. */
  @FunctionalInterface
  public interface Wire {
    /** Writes {@code line} ({@code \n} included); throws when the other side is gone. */
    void write(byte[] line) throws IOException;
  }

  /** The inbox's mark for the end; it stays at the head once reached, so every recv sees it. */
  private static final Object END = new Object();

  private final String peer;
  private final Wire wire;
  private final int maxLineBytes;
  private final LinkedBlockingDeque<Object> inbox = new LinkedBlockingDeque<>();
  private volatile String endReason;
  private volatile boolean closed;

  /**
   * @param peer names the other end in errors, for example {@code "process-0 (pid 4711)"}
   * @param maxLineBytes the longest line the other end reads
   */
  public PipeEnd(String peer, Wire wire, int maxLineBytes) {
    this.peer = peer;
    this.wire = wire;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * A value arrived from the other end. Returns false, dropping it, when it came after the end.
   * Reader thread only.
   */
  public boolean received(JsonNode value) {
    if (endReason != null) {
      return false;
    }
    inbox.add(value); // wakes a thread blocked in recv or poll
    return true;
  }

  /**
   * Nothing more will arrive, for {@code reason} (the other end closed, its process ended...);
   * only the first reason counts. Reader thread, or whoever sees the other side end.
   */
  public synchronized void ended(String reason) {
    if (endReason == null) {
      endReason = reason;
      inbox.add(END); // wakes a thread blocked in recv or poll
    }
  }

  /** Whether the end has been received from the other side (values before it may still wait). */
  public boolean ended() {
    return endReason != null;
  }

  @Override
  public void send(Object value) throws PipeClosedException {
    requireOpen();
    if (endReason != null) {
      throw new PipeClosedException(endReason);
    }
    byte[] line = Codec.encode(new Message.PipeSend(Serialization.toTree(value, "the value sent")));
    if (line.length - 1 > maxLineBytes) {
      throw new IllegalArgumentException("the value sent is " + (line.length - 1)
          + " bytes as a protocol line, over the line limit of " + maxLineBytes + " bytes");
    }
    try {
      wire.write(line);
    } catch (IOException e) {
      throw new PipeClosedException(endReason != null ? endReason
          : "cannot send to " + peer + ", which is gone: " + e.getMessage());
    }
  }

  @Override
  public <T> T recv(Class<T> type) throws PipeClosedException, InterruptedException {
    requireOpen();
    Object next = inbox.takeFirst(); // woken by received or ended
    if (next == END) {
      inbox.addFirst(END);
      throw new PipeClosedException(endReason);
    }
    try {
      return Codec.fromTree((JsonNode) next, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the value received from " + peer + " is not a "
          + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean poll(Duration timeout) throws InterruptedException {
    requireOpen();
    Object next = inbox.pollFirst(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    if (next == null) {
      return false;
    }
    inbox.addFirst(next); // put back for recv: one receiving thread at a time, as documented
    return true;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      wire.write(Codec.encode(new Message.PipeEof()));
    } catch (IOException e) {
      // The other side is gone already, so there is nobody left to tell that this end closed.
      ended("cannot tell " + peer + " that the pipe closed; it is gone: " + e.getMessage());
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this end of the pipe to " + peer + " is closed");
    }
  }

  @Override
  public String toString() {
    return "Pipe[to " + peer + (closed ? ", closed" : "") + (endReason != null ? ", ended" : "") + "]";
  }
}
