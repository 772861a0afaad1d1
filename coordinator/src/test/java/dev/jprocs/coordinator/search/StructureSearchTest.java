package dev.jprocs.coordinator.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The search against a loopback server that plays both E-utilities and RCSB with canned answers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StructureSearchTest {
  private static final String ESEARCH = "{\"header\":{},\"esearchresult\":{\"count\":\"3\","
      + "\"idlist\":[\"101\",\"102\",\"103\"]}}";
  private static final String ESUMMARY = "{\"result\":{\"uids\":[\"101\",\"102\",\"103\"],"
      + "\"101\":{\"caption\":\"1ARD_A\"},\"102\":{\"caption\":\"1ard_B\"},\"103\":{\"caption\":\"1ZNF_A\"}}}";
  private static final String PDB = "HEADER    ZINC FINGER\n"
      + "ATOM      1  CA  GLY A   1       0.000   0.000   0.000  1.00  0.00           C\nEND\n";

  @TempDir Path cache;
  private HttpServer server;
  private URI base;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean slow;
  private volatile int status = 200;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/eutils/esearch.fcgi", e -> answer(e, ESEARCH));
    server.createContext("/eutils/esummary.fcgi", e -> answer(e, ESUMMARY));
    server.createContext("/rcsb/", e -> answer(e, PDB));
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private void answer(HttpExchange exchange, String body) throws IOException {
    hits.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
    if (slow) {
      try {
        release.await(20, TimeUnit.SECONDS); // holds the answer past the client's timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private StructureSearch search(Duration timeout) {
    return new StructureSearch(base.resolve("eutils"), base.resolve("rcsb"), cache, timeout);
  }

  @Test
  void aTermFindsDistinctPdbEntriesAndDownloadsEachOnce() throws Exception {
    StructureSearch.Found first = search(Duration.ofSeconds(5)).search("zinc finger", 20);
    StructureSearch.Found again = search(Duration.ofSeconds(5)).search("zinc finger", 20);

    assertEquals(List.of("1ARD", "1ZNF"), first.pdbIds());
    assertEquals(List.of(cache.resolve("1ARD.pdb"), cache.resolve("1ZNF.pdb")), first.files());
    assertEquals(2, first.downloaded());
    assertEquals(PDB, Files.readString(cache.resolve("1ARD.pdb")));
    assertEquals(0, again.downloaded(), "the cache is used");
    assertEquals(1, hits.get("/rcsb/1ARD.pdb").get());
    assertEquals(1, hits.get("/rcsb/1ZNF.pdb").get());
  }

  @Test
  void aServiceTooSlowIsAClearTimeout() {
    slow = true;
    IOException e = assertThrows(IOException.class, () -> search(Duration.ofMillis(300)).search("zinc", 5));

    assertTrue(e.getMessage().startsWith("E-utilities esearch at " + base + "eutils/esearch.fcgi?"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("did not answer within 0.3 s"), e.getMessage());
  }

  @Test
  void anHttpErrorNamesTheServiceAndStatus() {
    status = 500;
    IOException e = assertThrows(IOException.class, () -> search(Duration.ofSeconds(5)).search("zinc", 5));

    assertTrue(e.getMessage().startsWith("E-utilities esearch at "), e.getMessage());
    assertTrue(e.getMessage().endsWith("answered HTTP 500"), e.getMessage());
  }

  @Test
  void anUnreachableServiceSaysSo() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port + "/");
    StructureSearch search = new StructureSearch(nowhere, nowhere, cache, Duration.ofSeconds(2));

    IOException e = assertThrows(IOException.class, () -> search.search("zinc", 5));
    assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
  }
}
