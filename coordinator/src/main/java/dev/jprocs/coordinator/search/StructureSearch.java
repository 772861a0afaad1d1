package dev.jprocs.coordinator.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's front half: finds the protein structures matching a search term with NCBI's
 * E-utilities (the protein database, entries from the PDB) and downloads each from the RCSB
 * archive into a cache directory, once. Both services' base URLs are settable, so tests (and
 * mirrors) can stand in for them.
 *
 * <p>{@code esearch.fcgi?db=protein&term=TERM AND pdb[filter]} gives protein ids;
 * {@code esummary.fcgi?db=protein&id=...} gives their accessions ({@code 1ARD_A}), whose first
 * four characters are the PDB id; {@code <rcsb>/<ID>.pdb} is the entry.
 */
public final class StructureSearch {
  /** The public services. */
  public static final URI EUTILS = URI.create("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/");
  public static final URI RCSB = URI.create("https://files.rcsb.org/download/");

  private static final Pattern PDB_ACCESSION = Pattern.compile("^([0-9][A-Za-z0-9]{3})_");

  private final URI eutils;
  private final URI rcsb;
  private final Path cache;
  private final Duration timeout;
  private final HttpClient client;

  public StructureSearch(URI eutils, URI rcsb, Path cache, Duration timeout) {
    this.eutils = directory(eutils);
    this.rcsb = directory(rcsb);
    this.cache = cache;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  private static URI directory(URI base) {
    return base.toString().endsWith("/") ? base : URI.create(base + "/");
  }

  /** What a search found and fetched. */
  public record Found(List<String> pdbIds, List<Path> files, int downloaded) {}

  /**
   * Finds the PDB entries for {@code term} (at most {@code max}) and makes sure each is in the
   * cache, downloading only those that are not.
   *
   * @throws IOException naming the service and URL when a request fails, times out, or gets an
   *     answer it cannot read
   */
  public Found search(String term, int max) throws IOException, InterruptedException {
    List<String> ids = pdbIds(term, max);
    Files.createDirectories(cache);
    List<Path> files = new ArrayList<>();
    int downloaded = 0;
    for (String id : ids) {
      Path file = cache.resolve(id + ".pdb");
      if (!Files.exists(file)) {
        download(rcsb.resolve(id + ".pdb"), file);
        downloaded++;
      }
      files.add(file);
    }
    return new Found(ids, files, downloaded);
  }

  /** The distinct PDB ids of the protein entries matching {@code term}, in the order found. */
  List<String> pdbIds(String term, int max) throws IOException, InterruptedException {
    String query = URLEncoder.encode(term + " AND pdb[filter]", StandardCharsets.UTF_8);
    JsonNode search = json(eutils.resolve("esearch.fcgi?db=protein&retmode=json&retmax=" + max
        + "&term=" + query), "E-utilities esearch");
    JsonNode idList = search.path("esearchresult").path("idlist");
    if (!idList.isArray()) {
      throw new IOException("E-utilities esearch answered without esearchresult.idlist: "
          + abbreviate(search.toString()));
    }
    if (idList.isEmpty()) {
      return List.of();
    }
    List<String> proteinIds = new ArrayList<>();
    idList.forEach(id -> proteinIds.add(id.asText()));
    JsonNode summary = json(eutils.resolve("esummary.fcgi?db=protein&retmode=json&id="
        + String.join(",", proteinIds)), "E-utilities esummary");
    Set<String> pdbIds = new LinkedHashSet<>();
    for (String id : proteinIds) {
      String caption = summary.path("result").path(id).path("caption").asText("");
      Matcher m = PDB_ACCESSION.matcher(caption);
      if (m.find()) {
        pdbIds.add(m.group(1).toUpperCase(Locale.ROOT));
      }
    }
    return new ArrayList<>(pdbIds);
  }

  private JsonNode json(URI uri, String service) throws IOException, InterruptedException {
    String body = get(uri, service).body();
    try {
      return Codec.parse(body);
    } catch (JsonProcessingException e) {
      throw new IOException(service + " at " + uri + " answered something that is not JSON: "
          + abbreviate(body), e);
    }
  }

  private void download(URI uri, Path file) throws IOException, InterruptedException {
    HttpResponse<String> response = get(uri, "RCSB");
    if (!response.body().contains("ATOM") && !response.body().contains("HETATM")) {
      throw new IOException("RCSB at " + uri + " answered something that is not a PDB file: "
          + abbreviate(response.body()));
    }
    Path partial = Files.createTempFile(cache, file.getFileName().toString(), ".part");
    Files.writeString(partial, response.body());
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private HttpResponse<String> get(URI uri, String service) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new IOException(service + " at " + uri + " did not answer within "
          + timeout.toMillis() / 1000.0 + " s", e);
    } catch (IOException e) {
      throw new IOException(service + " at " + uri + " could not be reached: " + e, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(service + " at " + uri + " answered HTTP " + response.statusCode());
    }
    return response;
  }

  private static String abbreviate(String text) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
