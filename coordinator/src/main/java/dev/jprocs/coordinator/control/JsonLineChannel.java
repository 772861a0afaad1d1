package dev.jprocs.coordinator.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One JSON value per line each way over a connected socket, with a deadline for the whole
 * exchange: a Unix domain {@link SocketChannel} has no read timeout of its own, and a peer that
 * never writes must not hold up the other side. Not thread-safe; one exchange per connection.
 */
final class JsonLineChannel implements AutoCloseable {
  /** The longest line either side accepts; requests and responses are far shorter. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private final SocketChannel channel;
  private final Selector selector;
  private final long deadline;
  private final Duration timeout;

  /** Takes over {@code channel} (closed with this) for an exchange that must end within {@code timeout}. */
  JsonLineChannel(SocketChannel channel, Duration timeout) throws IOException {
    this.channel = channel;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
    channel.configureBlocking(false);
    this.selector = Selector.open();
  }

  /**
   * Reads one line and parses it as JSON.
   *
   * @throws SocketTimeoutException when no whole line came before the deadline
   * @throws java.io.EOFException when the peer closed before a newline
   * @throws JsonProcessingException when the line is not JSON
   */
  JsonNode read() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n < 0) {
        throw new java.io.EOFException("the peer closed the connection after " + line.size()
            + " bytes, before the end of its line");
      }
      for (int i = 0; i < n; i++) {
        byte b = buffer.get(i);
        if (b == '\n') {
          return Codec.parse(line.toString(StandardCharsets.UTF_8));
        }
        line.write(b);
      }
      if (line.size() > MAX_LINE_BYTES) {
        throw new IOException("a line longer than " + MAX_LINE_BYTES + " bytes");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, "a line");
      }
    }
  }

  /** Writes {@code value} as one line of compact JSON. */
  void write(Object value) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((Codec.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      if (channel.write(bytes) == 0) {
        await(SelectionKey.OP_WRITE, "the peer to read");
      }
    }
  }

  /** Waits until {@code op} is possible or the deadline passes; interruptible (select wakes). */
  private void await(int op, String what) throws IOException {
    SelectionKey key = channel.register(selector, op);
    try {
      long left = deadline - System.nanoTime();
      boolean ready = left > 0 && selector.select(Math.max(1, left / 1_000_000)) > 0;
      if (!ready && System.nanoTime() >= deadline) {
        throw new SocketTimeoutException("waited " + timeout.toMillis() + " ms for " + what);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new java.io.InterruptedIOException("interrupted while waiting for " + what);
      }
    } finally {
      key.interestOps(0);
      selector.selectedKeys().clear();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      selector.close();
    }
  }
}
