package dev.jprocs.coordinator.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one request to a {@link ControlServer} and returns its response. */
public final class ControlClient {
  /** Long enough for a coordinator under load; the server gives up on a connection after 5 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private ControlClient() {}

  /**
   * Connects to {@code socket}, writes {@code request} as one JSON line and returns the one-line
   * response, {@code {"ok":true,...}} or {@code {"ok":false,"error":...}}.
   *
   * @throws java.net.SocketException when nothing listens there any more (connection refused,
   *     no such file): the run has most likely ended
   * @throws java.net.SocketTimeoutException when no response came within {@code timeout}
   * @throws IOException when the response is cut short or is not JSON
   */
  public static JsonNode call(Path socket, Object request, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    try (JsonLineChannel line = new JsonLineChannel(channel, timeout)) {
      line.write(request);
      return line.read();
    }
  }
}
