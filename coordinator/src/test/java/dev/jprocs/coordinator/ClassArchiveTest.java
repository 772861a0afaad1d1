package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Naming, making and trusting worker class archives, without a JVM; that workers really map them
 * is checked end to end by {@code CoordinatorScriptIT}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClassArchiveTest {
  private static final Path JAVA = WorkerLauncher.currentJava();

  @TempDir Path dir;

  @Test
  void aClasspathWithAClassDirectoryGetsNoArchive() throws Exception {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    assertNull(ClassArchive.of(dir.resolve("cds"), JAVA, List.of(), List.of(jar, dir)));
    assertNotNull(ClassArchive.of(dir.resolve("cds"), JAVA, List.of(), List.of(jar)));
  }

  @Test
  void aRebuiltJarOrOtherJvmOptionsNameAnotherArchive() throws Exception {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    Path first = ClassArchive.of(dir, JAVA, List.of("-Xmx512m"), List.of(jar)).path();
    assertEquals(first, ClassArchive.of(dir, JAVA, List.of("-Xmx512m"), List.of(jar)).path());
    assertNotEquals(first, ClassArchive.of(dir, JAVA, List.of("-Xmx64g"), List.of(jar)).path());
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
    assertNotEquals(first, ClassArchive.of(dir, JAVA, List.of("-Xmx512m"), List.of(jar)).path());
  }

  @Test
  void oneWorkerDumpsAndOnlyACleanExitPutsTheArchiveInPlace() throws Exception {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    ClassArchive archive = ClassArchive.of(dir.resolve("cds"), JAVA, List.of(), List.of(jar));
    assertEquals(List.of(), archive.useOptions(), "nothing to map yet");

    ClassArchive.Dump dump = archive.dump();
    assertNull(archive.dump(), "only one worker per pool is asked to dump");
    assertEquals("rwx------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(archive.path().getParent())));
    Path partial = Path.of(dump.options().get(0).substring("-XX:ArchiveClassesAtExit=".length()));
    assertFalse(partial.equals(archive.path()), "the JVM writes a file of its own, not the archive");

    Files.writeString(partial, "half");
    dump.adopt(137); // killed while dumping
    assertFalse(Files.exists(partial));
    assertFalse(Files.exists(archive.path()));

    ClassArchive again = ClassArchive.of(dir.resolve("cds"), JAVA, List.of(), List.of(jar));
    ClassArchive.Dump second = again.dump();
    Files.writeString(partial, "classes");
    second.adopt(0);
    assertEquals("classes", Files.readString(archive.path()));
    assertEquals(List.of("-XX:SharedArchiveFile=" + archive.path()), again.useOptions());
    assertNull(ClassArchive.of(dir.resolve("cds"), JAVA, List.of(), List.of(jar)).dump(),
        "no dump once the archive exists");
  }

  @Test
  void makingAnArchiveDeletesTheLeastRecentlyUsedBeyondTheKeptNumber() throws Exception {
    Path cds = dir.resolve("cds");
    Files.createDirectories(cds);
    Files.setPosixFilePermissions(cds, PosixFilePermissions.fromString("rwx------"));
    List<Path> old = new java.util.ArrayList<>();
    for (int i = 0; i < ClassArchive.KEPT; i++) {
      Path archive = Files.writeString(cds.resolve("worker-" + Integer.toHexString(0xa0 + i) + ".jsa"), "x");
      Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000L * (i + 1)));
      old.add(archive);
    }
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    ClassArchive archive = ClassArchive.of(cds, JAVA, List.of(), List.of(jar));
    ClassArchive.Dump dump = archive.dump();
    Path partial = Path.of(dump.options().get(0).substring("-XX:ArchiveClassesAtExit=".length()));
    Files.writeString(partial, "classes");
    dump.adopt(0);

    assertTrue(Files.exists(archive.path()));
    assertFalse(Files.exists(old.get(0)), "the least recently used one is gone");
    for (Path kept : old.subList(1, old.size())) {
      assertTrue(Files.exists(kept), kept + " kept");
    }
  }

  @Test
  void anArchiveInADirectoryOthersMayWriteIsNotUsed() throws Exception {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    Path shared = Files.createDirectory(dir.resolve("shared"));
    ClassArchive archive = ClassArchive.of(shared, JAVA, List.of(), List.of(jar));
    Files.writeString(archive.path(), "classes someone else put there");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertEquals(List.of(), archive.useOptions());
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwx------"));
    assertTrue(archive.useOptions().get(0).startsWith("-XX:SharedArchiveFile="));
  }
}
