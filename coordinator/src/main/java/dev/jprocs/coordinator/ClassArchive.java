package dev.jprocs.coordinator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AppCDS archive (JDK 17's dynamic class-data sharing) of the classes a worker JVM loads, so a
 * worker maps them already parsed and verified instead of loading them from jars: measured here,
 * a worker's start and exit went from 0.35 s to 0.16 s and its resident set from 67 to 50 MB.
 *
 * <p>There is one archive per worker command: the JDK, the JVM options and every classpath
 * entry's path, size and modification time name it, so a rebuilt jar or another JDK gets a new
 * archive rather than one the JVM would refuse. No archive exists at first: the first worker of a
 * pool then dumps one when it exits ({@code -XX:ArchiveClassesAtExit}, to a private file moved
 * into place only after a clean exit), and workers started after that map it. A class directory on
 * the classpath (a build tool's {@code target/classes}) cannot be archived, so such a classpath
 * gets no archive and workers start as before.
 *
 * <p>Each rebuilt jar names a new archive, so the directory keeps only the {@value #KEPT} most
 * recently used ones (a use touches the file; making one deletes the oldest beyond that).
 *
 * <p>An archive is code the worker runs, so only one in a directory that this user owns and only
 * this user may write is used; the directory is made owner-only. Thread-safe.
 */
final class ClassArchive {
  private static final Logger log = LoggerFactory.getLogger(ClassArchive.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  /** How many archives a directory keeps: one per classpath and JDK in use, about 8 MB each. */
  static final int KEPT = 8;

  private final Path archive;
  /** Set once a worker of this JVM was asked to dump the archive: one try per JVM is enough. */
  private final AtomicBoolean dumpTried = new AtomicBoolean();

  private ClassArchive(Path archive) {
    this.archive = archive;
  }

  /**
   * The archive for workers started with {@code java}, {@code jvmOptions} and {@code classpath},
   * kept in {@code directory}; null when the classpath has an entry that cannot be archived (a
   * directory, or a file that is missing).
   */
  static ClassArchive of(Path directory, Path java, List<String> jvmOptions, List<Path> classpath) {
    List<String> identity = new ArrayList<>();
    identity.add(java.toAbsolutePath().toString());
    identity.add(System.getProperty("java.vm.version"));
    identity.addAll(jvmOptions);
    for (Path entry : classpath) {
      if (!Files.isRegularFile(entry)) {
        return null; // a class directory: the JVM archives classes from jars only
      }
      try {
        identity.add(entry.toAbsolutePath() + " " + Files.size(entry) + " "
            + Files.getLastModifiedTime(entry).toMillis());
      } catch (IOException e) {
        return null;
      }
    }
    return new ClassArchive(directory.resolve("worker-" + digest(identity) + ".jsa"));
  }

  private static String digest(List<String> identity) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : identity) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Where the archive is, or will be once a worker has made it. */
  Path path() {
    return archive;
  }

  /** The JVM options that make a worker map the archive; empty while there is no usable one. */
  List<String> useOptions() {
    if (!Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS) || !privateDirectory()) {
      return List.of();
    }
    try {
      Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
    } catch (IOException e) {
      log.debug("cannot mark {} as used: {}", archive, e.toString()); // only pruning order suffers
    }
    return List.of("-XX:SharedArchiveFile=" + archive);
  }

  /**
   * A new worker's part in making the archive: when there is none yet and no worker of this JVM
   * was asked before, the options that make this worker dump one at its exit, to a file of its
   * own; call {@link Dump#adopt} when the worker has exited. Null otherwise.
   */
  Dump dump() {
    if (Files.exists(archive) || dumpTried.getAndSet(true)) {
      return null;
    }
    try {
      Files.createDirectories(archive.getParent(), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (IOException | UnsupportedOperationException e) {
      log.info("no class archive for workers: cannot make {}: {}", archive.getParent(), e.toString());
      return null;
    }
    if (!privateDirectory()) {
      return null;
    }
    Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid()
        + ".partial");
    // The dump warns about every class it skips (generated reflection accessors, old class files);
    // those warnings say nothing about the worker's work.
    return new Dump(partial, List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds*=off:stderr"));
  }

  /** Deletes the least recently used archives beyond {@link #KEPT}; a mapped one stays valid. */
  private void prune() throws IOException {
    List<Path> archives;
    try (var listing = Files.list(archive.getParent())) {
      archives = listing.filter(p -> p.getFileName().toString().matches("worker-[0-9a-f]+\\.jsa"))
          .sorted(java.util.Comparator.comparing((Path p) -> {
            try {
              return Files.getLastModifiedTime(p);
            } catch (IOException e) {
              return java.nio.file.attribute.FileTime.fromMillis(0);
            }
          }).reversed())
          .toList();
    }
    for (Path old : archives.subList(Math.min(KEPT, archives.size()), archives.size())) {
      Files.deleteIfExists(old);
    }
  }

  /** True when the archive's directory belongs to this user and nobody else may write in it. */
  private boolean privateDirectory() {
    Path directory = archive.getParent();
    try {
      String me = System.getProperty("user.name");
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
      boolean ours = Files.getOwner(directory).getName().equals(me);
      boolean shared = permissions.contains(PosixFilePermission.GROUP_WRITE)
          || permissions.contains(PosixFilePermission.OTHERS_WRITE);
      if (!ours || shared) {
        log.warn("not using worker class archives in {}: it must belong to {} and be writable by"
            + " nobody else", directory, me);
        return false;
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      log.info("no class archive for workers: cannot check {}: {}", directory, e.toString());
      return false;
    }
  }

  /** One worker's dump of the archive: the options that ask for it and where it lands. */
  final class Dump {
    private final Path partial;
    private final List<String> options;

    private Dump(Path partial, List<String> options) {
      this.partial = partial;
      this.options = options;
    }

    List<String> options() {
      return options;
    }

    /**
     * Moves the dumped archive into place if the worker exited cleanly (status 0), so no worker
     * ever maps a half-written one; otherwise deletes what it left. Called once the worker has
     * exited; any thread.
     */
    void adopt(int exitStatus) {
      try {
        if (exitStatus == 0 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
          Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          log.debug("worker class archive made: {}", archive);
          prune();
        } else {
          Files.deleteIfExists(partial);
        }
      } catch (IOException e) {
        // Workers start as they did before; the next pool tries again.
        log.warn("cannot put the worker class archive in place at {}: {}", archive, e.toString());
      }
    }
  }
}
