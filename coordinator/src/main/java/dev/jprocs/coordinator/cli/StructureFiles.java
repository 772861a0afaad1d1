package dev.jprocs.coordinator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The structure files of a directory, as {@code --structures DIR} takes them. */
final class StructureFiles {
  private StructureFiles() {}

  /**
   * Returns the {@code .pdb} and {@code .ent} files directly in {@code dir}, sorted by name.
   *
   * @throws IOException naming the directory when it does not exist or holds no such file
   */
  static List<Path> in(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "--structures needs a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files
          .filter(f -> {
            String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
            return Files.isRegularFile(f) && (name.endsWith(".pdb") || name.endsWith(".ent"));
          })
          .sorted()
          .toList();
      if (found.isEmpty()) {
        throw new IOException("--structures " + dir + " holds no .pdb or .ent file");
      }
      return found;
    }
  }
}
