package dev.jprocs.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that answers every request after a fixed delay with
 * {@code {"version_major":1}}, as {@code fetch} expects: I/O-bound work without a network. Each
 * request has its own thread, so concurrent requests overlap their delays.
 */
final class SlowServer implements AutoCloseable {
  private static final byte[] BODY = "{\"version_major\":1}".getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "slow-server");
    thread.setDaemon(true);
    return thread;
  });

  SlowServer(Duration delay) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", exchange -> answer(exchange, delay));
    server.setExecutor(threads);
    server.start();
  }

  private static void answer(HttpExchange exchange, Duration delay) throws IOException {
    try (exchange) {
      Thread.sleep(delay.toMillis());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, BODY.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(BODY);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is stopping
    }
  }

  /** The base URL of this server, with a path that tells request {@code index} apart. */
  String url(int index) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/site-" + index;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
