package dev.jprocs.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The worker command line a configuration makes, without starting a worker. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PoolConfigTest {
  @Test
  void heapSizesReadAsTheJvmReadsThem() {
    assertEquals(512L << 20, PoolConfig.bytes("512m"));
    assertEquals(2L << 30, PoolConfig.bytes("2G"));
    assertEquals(4096L << 10, PoolConfig.bytes("4096k"));
    assertEquals(1000L, PoolConfig.bytes("1000"));
  }

  @Test
  void aBlankJvmOptionIsRefusedWithItsPosition() {
    IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
        () -> PoolConfig.builder().jvmOptions(List.of("-Xss1m", " ")));
    assertTrue(blank.getMessage().startsWith("JVM option 1 of ['-Xss1m', ' '] is blank"), blank.getMessage());
  }

  @Test
  void aWorkerStartsWithASmallHeapUnlessItsCapIsSmallerStill() {
    List<String> usual = PoolConfig.builder().build().launcher().command("worker-0");
    assertTrue(usual.containsAll(List.of("-Xmx512m", "-Xms32m")), usual.toString());
    assertTrue(usual.indexOf("-Xms32m") < usual.indexOf("dev.jprocs.worker.WorkerMain"), usual.toString());

    List<String> tiny = PoolConfig.builder().workerHeap("16m").build().launcher().command("worker-0");
    assertTrue(tiny.contains("-Xmx16m"), tiny.toString());
    assertFalse(tiny.stream().anyMatch(option -> option.startsWith("-Xms")), tiny.toString());
  }

  @Test
  void vectorApiAddsTheModuleAndItsCompileCommandsOnlyWhenAskedFor() {
    List<String> plain = PoolConfig.builder().build().launcher().command("worker-0");
    assertFalse(plain.stream().anyMatch(option -> option.startsWith("--add-modules")), plain.toString());

    List<String> vectors = PoolConfig.builder().vectorApi(true).jvmOptions(List.of("-Xss2m")).build()
        .launcher().command("worker-0");
    assertTrue(vectors.containsAll(PoolConfig.VECTOR_API_OPTIONS), vectors.toString());
    // quiet must come before the command it silences: the JVM echoes commands on stdout otherwise.
    String kernelCommand = PoolConfig.VECTOR_API_OPTIONS.stream()
        .filter(option -> option.startsWith("-XX:CompileCommand=CompileThresholdScaling")).findFirst()
        .orElseThrow();
    assertTrue(vectors.indexOf("-XX:CompileCommand=quiet") < vectors.indexOf(kernelCommand),
        vectors.toString());
    assertTrue(vectors.indexOf(PoolConfig.VECTOR_API_OPTIONS.get(0)) < vectors.indexOf("-Xss2m"),
        "a user's options come after, so they win: " + vectors);
  }

  @Test
  void anotherJdksModulesAreReadFromItsReleaseFile(@TempDir Path jdk) throws Exception {
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    assertFalse(PoolConfig.hasModule(java, "jdk.incubator.vector"), "no release file");

    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n"
        + "MODULES=\"java.base java.logging jdk.incubator.vector jdk.jfr\"\n");
    assertTrue(PoolConfig.hasModule(java, "jdk.incubator.vector"));
    assertFalse(PoolConfig.hasModule(java, "jdk.incubator.foreign"));

    Files.writeString(jdk.resolve("release"), "MODULES=\"java.base\"\n");
    List<String> command = PoolConfig.builder().java(java).vectorApi(true).build().launcher()
        .command("worker-0");
    assertFalse(command.contains(PoolConfig.VECTOR_API_OPTIONS.get(0)),
        "a JDK without the module would not start: " + command);
  }

  @Test
  void thisJdkHasTheVectorModule() {
    assertTrue(PoolConfig.hasModule(WorkerLauncher.currentJava(), "jdk.incubator.vector"));
  }
}
