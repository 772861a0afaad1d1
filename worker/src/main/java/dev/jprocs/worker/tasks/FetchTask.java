package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * {@code fetch}: asks a server for {@code <base URL>/api/version} and records its
 * {@code version_major}, or nothing when the server does not answer within the timeout (the
 * seed's I/O-bound example). Any other failure (refused, not HTTP 200, not JSON) is an error for
 * that input. Option {@code timeout}: seconds, default 2.
 */
public final class FetchTask implements Task {
  /**
   * What one server said.
   *
   * @param versionMajor its {@code version_major}, or null when it timed out
   * @param note why there is no version, or null
   */
  public record Version(String url, Integer versionMajor, long millis, String note) {}

  // Made on first use: every worker loads every task at start, and an HttpClient sets up TLS
  // (a quarter of a second, measured by scripts/bench.sh) that workers not running fetch never need.
  private HttpClient client;

  @Override
  public String name() {
    return "fetch";
  }

  @Override
  public String description() {
    return "GET <base URL>/api/version and record version_major (nothing on a timeout)";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) throws IOException, InterruptedException {
    if (!input.isTextual()) {
      throw new IllegalArgumentException("fetch takes a base URL as a JSON string, got " + input);
    }
    String base = input.asText().replaceAll("/+$", "");
    URI uri;
    try {
      uri = URI.create(base + "/api/version");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + input.asText() + " (" + e.getMessage() + ")", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("fetch takes an http or https URL, got " + input.asText());
    }
    Duration timeout = Duration.ofMillis(Math.round(
        context.options().path("timeout").asDouble(2.0) * 1000));
    if (client == null) {
      client = HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
    }
    long start = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      return new Version(base, null, elapsed(start),
          "no answer within " + timeout.toMillis() / 1000.0 + " s");
    } catch (IOException e) {
      throw new IOException(uri + ": " + e.getMessage(), e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(uri + " answered HTTP " + response.statusCode());
    }
    JsonNode body = Codec.parse(response.body());
    JsonNode major = body.get("version_major");
    if (major == null || !major.canConvertToInt()) {
      throw new IOException(uri + " answered without an integer version_major: "
          + (response.body().length() > 200 ? response.body().substring(0, 200) + "..." : response.body()));
    }
    return new Version(base, major.intValue(), elapsed(start), null);
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
