package dev.jprocs.worker.tasks.anm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code anm}: the anisotropic network model of a protein structure file, as ProDy 2.3 computes
 * it with {@code parsePDB(path).select('calpha')}, {@code ANM.buildHessian(calphas, cutoff,
 * gamma)}, {@code calcModes(n_modes=modes)} and {@code calcFractVariance}: the lowest non-trivial
 * eigenvalues of the C-alpha network's Hessian and the share of the variance each mode carries.
 * {@code AnmTaskTest} checks every structure in {@code data/structures} against ProDy's numbers.
 *
 * <p>Input: a JSON string, the path of a PDB file (absolute, or relative to the worker's working
 * directory; {@code .gz} is read through gunzip; not mmCIF), or an object {@code {"path":
 * "..."}}. Options:
 * {@code cutoff} (A, default 15, at least 4 as in ProDy), {@code gamma} (spring constant, default
 * 1), {@code modes} (default 20), {@code solver} ({@code automatic}, {@code dense} or {@code
 * sparse}; see {@link AnmModes.Solver}). A structure that cannot be analysed (missing or
 * unreadable file, no C-alpha atom, two C-alphas at one place, no spring at all) is an error for
 * that input alone, with a message naming the file and saying why.
 */
public final class AnmTask implements Task {
  /** The system property naming the repository's data directory, which holds structures/. */
  public static final String DATA_PROPERTY = "jprocs.data";

  /**
   * The output for one structure.
   *
   * @param structure the file's name, without its directory
   * @param atoms how many C-alpha atoms make the network
   * @param eigenvalues the lowest non-zero eigenvalues of the Hessian, ascending: {@code modes} of
   *     them, or all there are when fewer
   * @param fractions for each of those modes, its variance (1/eigenvalue) over the sum for all of
   *     them
   * @param top3 the first three fractions (fewer when there are fewer modes)
   */
  public record Result(
      String structure, int atoms, double[] eigenvalues, double[] fractions, double[] top3) {}

  /** The options of one job, checked once (a job's options do not change between inputs). */
  private record Settings(double cutoff, double gamma, int modes, AnmModes.Solver solver) {}

  // The worker calls apply from one thread; the options are the same for a whole job.
  private JsonNode checkedOptions;
  private Settings settings;

  @Override
  public String name() {
    return "anm";
  }

  @Override
  public String description() {
    return "ANM of a PDB file's C-alphas, as ProDy: lowest modes (20) and their variance shares";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) throws IOException {
    Path file = path(input);
    if (!context.options().equals(checkedOptions)) {
      settings = settings(context.options());
      checkedOptions = context.options();
    }
    try {
      Calphas atoms = CalphaReader.read(file);
      AnmHessian hessian = AnmHessian.build(atoms, settings.cutoff(), settings.gamma());
      AnmModes modes = AnmModes.compute(hessian, settings.modes(), settings.solver(), atoms.file());
      double[] fractions = modes.fractions();
      return new Result(
          file.getFileName().toString(),
          atoms.count(),
          modes.eigenvalues(),
          fractions,
          Arrays.copyOf(fractions, Math.min(3, fractions.length)));
    } catch (NoClassDefFoundError e) {
      if (e.getMessage() != null && e.getMessage().startsWith("org/ejml/")) {
        throw new IllegalStateException(
            "the anm task needs EJML (ejml-core, ejml-ddense) on the worker"
                + " classpath, and " + e.getMessage() + " is missing",
            e);
      }
      throw e;
    }
  }

  /**
   * The structure files in {@code data/structures}, as absolute paths in name order: all of them
   * when {@code count} is at least their number, else {@code count} of them drawn with {@code
   * seed}. The directory is {@code structures} under the {@value #DATA_PROPERTY} system property
   * when that is set; otherwise the first {@code data/structures} found in the working directory
   * or a parent of it, or beside where this class was loaded from (so a coordinator started from
   * anywhere finds the repository's). Empty when there is none.
   */
  @Override
  public Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    Optional<Path> directory = structuresDirectory();
    if (directory.isEmpty()) {
      return Optional.empty();
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory.get())) {
      files =
          listing
              .filter(Files::isRegularFile)
              .filter(path -> isStructure(path.getFileName().toString()))
              .map(path -> path.toAbsolutePath().normalize())
              .sorted()
              .collect(Collectors.toCollection(ArrayList::new));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + directory.get() + ": " + e.getMessage(), e);
    }
    if (count < files.size()) {
      Collections.shuffle(files, new Random(seed));
      files = new ArrayList<>(files.subList(0, count));
      Collections.sort(files);
    }
    List<JsonNode> inputs = new ArrayList<>(files.size());
    for (Path file : files) {
      inputs.add(TextNode.valueOf(file.toString()));
    }
    return Optional.of(inputs);
  }

  /** Returns where the sample structures are, if anywhere; see {@link #sampleInputs}. */
  static Optional<Path> structuresDirectory() {
    String property = System.getProperty(DATA_PROPERTY);
    if (property != null) {
      Path structures = Path.of(property, "structures");
      return Files.isDirectory(structures) ? Optional.of(structures) : Optional.empty();
    }
    Optional<Path> found = searchUpwards(Path.of("").toAbsolutePath());
    if (found.isPresent()) {
      return found;
    }
    CodeSource source = AnmTask.class.getProtectionDomain().getCodeSource();
    if (source != null && source.getLocation() != null) {
      try {
        return searchUpwards(Path.of(source.getLocation().toURI()).toAbsolutePath());
      } catch (URISyntaxException | IllegalArgumentException e) {
        // A class loaded from something that is not a file (a jar inside a jar, a web server)
        // has no directory beside it to search; the caller then has no samples.
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> searchUpwards(Path start) {
    for (Path directory = start; directory != null; directory = directory.getParent()) {
      Path structures = directory.resolve("data").resolve("structures");
      if (Files.isDirectory(structures)) {
        return Optional.of(structures);
      }
    }
    return Optional.empty();
  }

  private static boolean isStructure(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".pdb") || lower.endsWith(".pdb.gz");
  }

  private static Path path(JsonNode input) {
    JsonNode path = input != null && input.isObject() ? input.get("path") : input;
    if (path == null || !path.isTextual() || path.textValue().isBlank()) {
      throw new IllegalArgumentException(
          "anm takes the path of a structure file as a JSON string or as {\"path\": \"...\"}, got "
              + Task.describeInput(input));
    }
    try {
      return Path.of(path.textValue());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a file path: " + path + " (" + e.getMessage() + ")", e);
    }
  }

  private static Settings settings(JsonNode options) {
    double cutoff = number(options, "cutoff", 15.0);
    if (!(cutoff >= 4) || Double.isInfinite(cutoff)) {
      throw new IllegalArgumentException(
          "option cutoff must be a distance of at least 4 A (as in ProDy: consecutive C-alphas"
              + " are 3.8 A apart), got " + options.get("cutoff"));
    }
    double gamma = number(options, "gamma", 1.0);
    if (!(gamma > 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException(
          "option gamma must be a positive spring constant, got " + options.get("gamma"));
    }
    double modes = number(options, "modes", 20);
    if (!(modes >= 1) || modes != Math.rint(modes) || modes > 100_000) {
      throw new IllegalArgumentException(
          "option modes must be a whole number from 1, got " + options.get("modes"));
    }
    JsonNode solverOption = options.get("solver");
    AnmModes.Solver solver = AnmModes.Solver.AUTOMATIC;
    if (solverOption != null && !solverOption.isNull()) {
      try {
        solver = AnmModes.Solver.valueOf(solverOption.asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "option solver must be automatic, dense or sparse, got " + solverOption, e);
      }
    }
    return new Settings(cutoff, gamma, (int) modes, solver);
  }

  /** The option {@code name} as a number, from a JSON number or a string such as "15". */
  private static double number(JsonNode options, String name, double fallback) {
    JsonNode value = options.get(name);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      try {
        return Double.parseDouble(value.textValue().strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("option " + name + " must be a number, got " + value, e);
      }
    }
    throw new IllegalArgumentException("option " + name + " must be a number, got " + value);
  }
}
