package dev.jprocs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end and times it from just before the process is started to just after it
 * has exited (what a person at a shell would time). Its stdout and stderr go to files under
 * {@code scratch}, so a chatty child can never fill a pipe and stall.
 */
final class TimedCommand {
  /**
   * How one run went.
   *
   * @param wallNanos from starting the process to its exit
   * @param stdout everything it wrote to stdout
   * @param stderr everything it wrote to stderr
   */
  record Outcome(int exitCode, long wallNanos, String stdout, String stderr) {
    /** The last {@code lines} lines of stderr, for an error message. */
    String stderrTail(int lines) {
      List<String> all = stderr.lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }

  private final Path scratch;

  TimedCommand(Path scratch) {
    this.scratch = scratch;
  }

  /**
   * Runs {@code command} with {@code environment} added to this JVM's, and waits up to
   * {@code timeout}; on a timeout the process and all its descendants are killed.
   *
   * @throws IOException when it cannot be started, or timed out (the message says which)
   */
  Outcome run(List<String> command, Map<String, String> environment, Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(scratch);
    Path out = Files.createTempFile(scratch, "stdout-", ".txt");
    Path err = Files.createTempFile(scratch, "stderr-", ".txt");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(environment);
      long start = System.nanoTime();
      Process process = builder.start();
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      long wall = System.nanoTime() - start;
      if (!exited) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        throw new IOException(String.join(" ", command) + " did not finish within "
            + timeout.toSeconds() + " s and was killed; last stderr lines:\n"
            + tail(Files.readString(err, StandardCharsets.UTF_8)));
      }
      return new Outcome(process.exitValue(), wall, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }
}
