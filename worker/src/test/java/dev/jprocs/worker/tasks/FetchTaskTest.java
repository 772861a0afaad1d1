package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpServer;
import dev.jprocs.worker.TaskContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code fetch} against HTTP servers on the loopback interface, one of them too slow. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FetchTaskTest {
  private final FetchTask fetch = new FetchTask();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;

  private String serve(String path, int status, String body, boolean slow) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(path, exchange -> {
      if (slow) {
        try {
          release.await(20, TimeUnit.SECONDS); // holds the answer until the test has timed out
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  private static TaskContext context(double timeoutSeconds) {
    return new TaskContext(JsonNodeFactory.instance.objectNode().put("timeout", timeoutSeconds), 0, 1, "test");
  }

  @Test
  void aServerThatAnswersHasItsMajorVersionRecorded() throws Exception {
    String url = serve("/api/version", 200, "{\"version_major\":3,\"version_minor\":1}", false);

    FetchTask.Version version = (FetchTask.Version) fetch.apply(TextNode.valueOf(url + "/"), context(2));

    assertEquals(3, version.versionMajor());
    assertEquals(url, version.url());
    assertNull(version.note());
  }

  @Test
  void aServerTooSlowForTheTimeoutRecordsNothing() throws Exception {
    String url = serve("/api/version", 200, "{\"version_major\":3}", true);

    FetchTask.Version version = (FetchTask.Version) fetch.apply(TextNode.valueOf(url), context(0.3));

    assertNull(version.versionMajor());
    assertEquals("no answer within 0.3 s", version.note());
  }

  @Test
  void anHttpErrorIsAnErrorNamingTheUrl() throws Exception {
    String url = serve("/api/version", 404, "not here", false);

    IOException e = assertThrows(IOException.class, () -> fetch.apply(TextNode.valueOf(url), context(2)));
    assertEquals(url + "/api/version answered HTTP 404", e.getMessage());
  }

  @Test
  void aRefusedConnectionIsAnErrorNamingTheUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // free again once closed: nobody listens there
    }
    String url = "http://127.0.0.1:" + port;

    IOException e = assertThrows(IOException.class, () -> fetch.apply(TextNode.valueOf(url), context(2)));
    assertTrue(e.getMessage().startsWith(url + "/api/version: "), e.getMessage());
  }

  @Test
  void somethingThatIsNotAnHttpUrlIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fetch.apply(TextNode.valueOf("ftp://example.org"), context(2)));
    assertEquals("fetch takes an http or https URL, got ftp://example.org", e.getMessage());
  }
}
