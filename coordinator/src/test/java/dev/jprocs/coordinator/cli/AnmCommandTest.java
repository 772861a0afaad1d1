package dev.jprocs.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The seed project on the command line: ANM over a directory of structures, or over a search. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class AnmCommandTest {
  private static final Path STRUCTURES = Path.of("").toAbsolutePath().getParent().resolve("data/structures");

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return CoordinatorCommand.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private void copy(String name) throws Exception {
    Files.copy(STRUCTURES.resolve(name), dir.resolve("in").resolve(name));
  }

  @Test
  void structuresAreRankedByTheFirstModeAndAFailingOneIsListedWithItsReason() throws Exception {
    Files.createDirectories(dir.resolve("in"));
    copy("pdb1ubi.pdb");
    copy("1sp1.pdb");
    copy("pdb1ejg_oneatom.pdb");

    assertEquals(1, run("--procs", "2", "anm", "--structures", dir.resolve("in").toString(),
        "--logs", dir.resolve("logs").toString()));

    String report = out.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("Top 2 of 3 structures by fractional variance of the first mode"), report);
    assertTrue(report.matches("(?s).*   1  pdb1ubi\\.pdb\\s+76\\s+0\\.6460\\s+0\\.1438\\s+0\\.0609.*"), report);
    assertTrue(report.matches("(?s).*   2  1sp1\\.pdb\\s+29\\s+0\\.2667.*"), report);
    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("pdb1ejg_oneatom.pdb: no C-alpha atom"), errors);
  }

  @Test
  void aSearchDownloadsTheEntriesOnceAndRunsThem() throws Exception {
    AtomicInteger downloads = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] ubiquitin = Files.readAllBytes(STRUCTURES.resolve("pdb1ubi.pdb"));
    server.createContext("/eutils/esearch.fcgi", e -> reply(e, "{\"esearchresult\":{\"idlist\":[\"7\"]}}".getBytes()));
    server.createContext("/eutils/esummary.fcgi", e -> reply(e, "{\"result\":{\"7\":{\"caption\":\"1UBQ_A\"}}}".getBytes()));
    server.createContext("/rcsb/", e -> {
      downloads.incrementAndGet();
      reply(e, ubiquitin);
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      String[] args = {"--procs", "1", "--search", "ubiquitin", "--eutils-url", base + "/eutils",
          "--rcsb-url", base + "/rcsb", "--cache", dir.resolve("cache").toString(),
          "--logs", dir.resolve("logs").toString()};

      assertEquals(0, run(args), err.toString(StandardCharsets.UTF_8));
      assertEquals(0, run(args), err.toString(StandardCharsets.UTF_8));

      assertEquals(1, downloads.get(), "the second run used the cache");
      assertTrue(Files.exists(dir.resolve("cache/1UBQ.pdb")));
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("1UBQ.pdb"), out.toString(StandardCharsets.UTF_8));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreachableSearchServiceIsAOneLineErrorBeforeAnyWorkerStarts() {
    assertEquals(2, run("--search", "zinc", "--eutils-url", "http://127.0.0.1:9/", "--http-timeout", "2",
        "--cache", dir.resolve("cache").toString(), "--logs", dir.resolve("logs").toString()));

    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.startsWith("coordinator.sh: E-utilities esearch at http://127.0.0.1:9/esearch.fcgi?"), errors);
    assertEquals(0, ProcessHandle.current().children().count());
  }

  private static void reply(com.sun.net.httpserver.HttpExchange exchange, byte[] body) throws java.io.IOException {
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
