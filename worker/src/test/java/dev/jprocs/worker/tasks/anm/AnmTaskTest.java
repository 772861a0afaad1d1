package dev.jprocs.worker.tasks.anm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.FrameReader;
import dev.jprocs.protocol.Message;
import dev.jprocs.worker.TaskContext;
import dev.jprocs.worker.TaskRegistry;
import dev.jprocs.worker.WorkerLoop;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AnmTaskTest {
  /** The sample structures, from the worker module's directory (where Maven runs the tests). */
  static final Path STRUCTURES = Path.of("..", "data", "structures").toAbsolutePath().normalize();

  private static final String PRODY_EXPECTED = "/anm/prody_expected.json";
  private static final double EIGENVALUE_RELATIVE_TOLERANCE = 1e-4;
  private static final double FRACTION_ABSOLUTE_TOLERANCE = 1e-4;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final AnmTask task = new AnmTask();

  @TempDir Path temporary;

  @TestFactory
  Stream<DynamicTest> everyStructureAgreesWithProdyWithinOneInTenThousand() throws IOException {
    JsonNode expected = prodyExpected();
    assertEquals(15.0, expected.get("cutoff").doubleValue());
    assertEquals(1.0, expected.get("gamma").doubleValue());
    assertEquals(20, expected.get("n_modes").intValue());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode structure : expected.get("structures")) {
      String name = structure.get("structure").textValue();
      tests.add(DynamicTest.dynamicTest(name + " gives ProDy's numbers", () -> {
        Path file = STRUCTURES.resolve(name);
        if (structure.has("error")) {
          Exception error = assertThrows(Exception.class, () -> run(TextNode.valueOf(file.toString())));
          assertTrue(error instanceof IllegalArgumentException || error instanceof IOException,
              error.toString());
          assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
          return;
        }
        JsonNode output = run(TextNode.valueOf(file.toString()));
        assertEquals(name, output.get("structure").textValue());
        assertEquals(structure.get("atoms").intValue(), output.get("atoms").intValue(), "C-alphas");
        double[] eigenvalues = doubles(output.get("eigenvalues"));
        double[] expectedEigenvalues = doubles(structure.get("eigenvalues"));
        assertEquals(expectedEigenvalues.length, eigenvalues.length, "modes");
        for (int i = 0; i < eigenvalues.length; i++) {
          double relative = Math.abs(eigenvalues[i] - expectedEigenvalues[i]) / expectedEigenvalues[i];
          assertTrue(relative <= EIGENVALUE_RELATIVE_TOLERANCE,
              "eigenvalue " + i + ": " + eigenvalues[i] + ", ProDy " + expectedEigenvalues[i]);
        }
        double[] fractions = doubles(output.get("fractions"));
        double[] expectedFractions = doubles(structure.get("fractions"));
        assertArrayEquals(expectedFractions, fractions, FRACTION_ABSOLUTE_TOLERANCE, "fractions");
      }));
    }
    return tests.stream();
  }

  @Test
  void structureFilesAreTheOnesTheReferenceWasComputedFrom() throws Exception {
    Set<String> referenced = new TreeSet<>();
    for (JsonNode structure : prodyExpected().get("structures")) {
      String name = structure.get("structure").textValue();
      referenced.add(name);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(STRUCTURES.resolve(name)));
      assertEquals(structure.get("sha256").textValue(), HexFormat.of().formatHex(digest),
          name + " changed since prody_expected.json was written; run prody_expected.py again");
    }
    Set<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.list(STRUCTURES)) {
      files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".pdb"))
          .forEach(present::add);
    }
    assertEquals(present, referenced, "every structure has reference values and every reference a file");
  }

  @Test
  void outputNamesTheFileCountsItsCalphasAndRepeatsTheFirstThreeFractions() throws Exception {
    JsonNode output = run(TextNode.valueOf(STRUCTURES.resolve("pdb1ubi.pdb").toString()));

    assertEquals(Set.of("structure", "atoms", "eigenvalues", "fractions", "top3"), fieldNames(output));
    assertEquals("pdb1ubi.pdb", output.get("structure").textValue());
    assertEquals(76, output.get("atoms").intValue());
    assertEquals(20, output.get("eigenvalues").size());
    double[] fractions = doubles(output.get("fractions"));
    assertArrayEquals(Arrays.copyOf(fractions, 3), doubles(output.get("top3")));
    assertEquals(1.0, Arrays.stream(fractions).sum(), 1e-12);
    double[] eigenvalues = doubles(output.get("eigenvalues"));
    for (int i = 1; i < eigenvalues.length; i++) {
      assertTrue(eigenvalues[i - 1] <= eigenvalues[i], "ascending");
    }
  }

  @Test
  void pathMayComeAsAnObjectAndRelativeToTheWorkingDirectory() throws Exception {
    Path relative = Path.of("").toAbsolutePath().relativize(STRUCTURES.resolve("1znf.pdb"));
    JsonNode fromString = run(TextNode.valueOf(STRUCTURES.resolve("1znf.pdb").toString()));

    JsonNode fromObject = run(JSON.objectNode().put("path", relative.toString()));

    assertEquals(fromString, fromObject);
  }

  @Test
  void inputThatIsNotAPathIsRejectedWithWhatItWas() {
    for (JsonNode input : List.of(JSON.numberNode(3), JSON.objectNode().put("file", "x.pdb"),
        JSON.textNode(" "), JSON.nullNode())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> run(input));

      assertTrue(error.getMessage().startsWith("anm takes the path of a structure file"), error.getMessage());
      assertTrue(error.getMessage().contains(input.toString()), error.getMessage());
    }
  }

  @Test
  void structureWithoutCalphaIsAnErrorThatSaysSoAndNamesTheFile() {
    Path file = STRUCTURES.resolve("pdb1ejg_oneatom.pdb");

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(TextNode.valueOf(file.toString())));

    assertEquals(file + ": no C-alpha atom of a protein residue among the 1 atoms of the first model"
        + " (atom name CA in an amino acid residue)", error.getMessage());
  }

  @Test
  void missingFileIsAnErrorNamingIt() {
    Path file = temporary.resolve("absent.pdb");

    NoSuchFileException error =
        assertThrows(NoSuchFileException.class, () -> run(TextNode.valueOf(file.toString())));

    assertEquals(file + ": structure file does not exist", error.getMessage());
  }

  @Test
  void twoCalphasAtOnePlaceAreAnErrorNamingBothResidues() throws Exception {
    Path file = temporary.resolve("coincident.pdb");
    Files.writeString(file, String.join("\n",
        atom(1, "CA", "GLY", 'A', 1, 0.0, 0.0, 0.0),
        atom(2, "CA", "ALA", 'A', 2, 3.8, 0.0, 0.0),
        atom(3, "CA", "SER", 'A', 3, 3.8, 0.0, 0.0),
        atom(4, "CA", "GLY", 'A', 4, 3.8, 3.8, 0.0),
        "END", ""));

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(TextNode.valueOf(file.toString())));

    assertEquals(file + ": the C-alpha of ALA A 2 (line 2) and the C-alpha of SER A 3 (line 3) are"
        + " at the same place (3.800, 0.000, 0.000); the network needs distinct atoms", error.getMessage());
  }

  @Test
  void fileOfGarbageIsAnErrorSayingItHoldsNoAtoms() throws Exception {
    Path file = temporary.resolve("garbage.pdb");
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    Files.write(file, bytes);

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(TextNode.valueOf(file.toString())));

    assertTrue(error.getMessage().startsWith(file + ": no ATOM or HETATM records in "), error.getMessage());
    assertTrue(error.getMessage().endsWith(" lines; not a PDB file?"), error.getMessage());
  }

  @Test
  void atomsTooFarApartForAnySpringAreAnErrorThatSaysSo() throws Exception {
    Path file = temporary.resolve("scattered.pdb");
    Files.writeString(file, String.join("\n",
        atom(1, "CA", "GLY", 'A', 1, 0.0, 0.0, 0.0),
        atom(2, "CA", "GLY", 'A', 2, 20.0, 0.0, 0.0),
        atom(3, "CA", "GLY", 'A', 3, 0.0, 20.0, 0.0), ""));

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(TextNode.valueOf(file.toString())));

    assertEquals(file + ": the network of 3 C-alpha atoms has no non-zero mode (0 contacts): no two"
        + " atoms are within the cutoff of each other", error.getMessage());
  }

  @Test
  void failingStructuresGetErrorsWhileTheOthersOfTheirChunkGetOutputs() throws Exception {
    List<JsonNode> inputs = List.of(
        TextNode.valueOf(STRUCTURES.resolve("1znf.pdb").toString()),
        TextNode.valueOf(STRUCTURES.resolve("pdb1ejg_oneatom.pdb").toString()),
        TextNode.valueOf(temporary.resolve("absent.pdb").toString()),
        TextNode.valueOf(STRUCTURES.resolve("pdbRTER.pdb").toString()));
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    in.writeBytes(Codec.encode(new Message.Task(1, 1, "anm", 0, inputs, null)));
    in.writeBytes(Codec.encode(new Message.Shutdown()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TaskRegistry registry = TaskRegistry.load(getClass().getClassLoader());

    int status = new WorkerLoop("worker-1", registry, new ByteArrayInputStream(in.toByteArray()), out,
        1 << 20).run();

    assertEquals(0, status);
    FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()), Integer.MAX_VALUE);
    assertInstanceOf(Message.Hello.class, Codec.decode(reader.readLine()));
    Message.Result result = assertInstanceOf(Message.Result.class, Codec.decode(reader.readLine()));
    assertEquals(4, result.outputs().size());
    assertEquals("1znf.pdb", result.outputs().get(0).get("structure").textValue());
    assertTrue(result.outputs().get(1) == null || result.outputs().get(1).isNull());
    assertTrue(result.outputs().get(2) == null || result.outputs().get(2).isNull());
    assertEquals(1, result.outputs().get(3).get("eigenvalues").size(), "two atoms, one spring");
    assertEquals(2, result.errors().size());
    assertEquals(1, result.errors().get(0).index());
    assertEquals("java.lang.IllegalArgumentException", result.errors().get(0).exception());
    assertTrue(result.errors().get(0).message().contains("no C-alpha"), result.errors().get(0).message());
    assertEquals(2, result.errors().get(1).index());
    assertEquals("java.nio.file.NoSuchFileException", result.errors().get(1).exception());
    assertInstanceOf(Message.Goodbye.class, Codec.decode(reader.readLine()));
    assertNull(reader.readLine());
  }

  @Test
  void modesCutoffAndGammaOptionsChangeTheAnalysisAsInProdysModel() throws Exception {
    TextNode input = TextNode.valueOf(STRUCTURES.resolve("pdb1ubi.pdb").toString());
    double[] defaults = doubles(run(input).get("eigenvalues"));

    JsonNode five = run(input, JSON.objectNode().put("modes", 5));
    JsonNode stiffer = run(input, JSON.objectNode().put("gamma", 2.5));
    JsonNode shorter = run(input, JSON.objectNode().put("cutoff", "10"));

    assertArrayEquals(Arrays.copyOf(defaults, 5), doubles(five.get("eigenvalues")), 1e-12);
    assertEquals(1.0, Arrays.stream(doubles(five.get("fractions"))).sum(), 1e-12);
    double[] scaled = Arrays.stream(defaults).map(value -> 2.5 * value).toArray();
    assertArrayEquals(scaled, doubles(stiffer.get("eigenvalues")), 1e-9);
    assertNotEquals(defaults[0], shorter.get("eigenvalues").get(0).doubleValue());
  }

  @Test
  void denseAndSparseSolversGiveTheSameModes() throws Exception {
    TextNode input = TextNode.valueOf(STRUCTURES.resolve("il2.pdb").toString());

    double[] dense = doubles(run(input, JSON.objectNode().put("solver", "dense")).get("eigenvalues"));
    double[] sparse = doubles(run(input, JSON.objectNode().put("solver", "SPARSE")).get("eigenvalues"));

    for (int i = 0; i < dense.length; i++) {
      assertEquals(dense[i], sparse[i], 1e-9 * dense[i]);
    }
  }

  @Test
  void optionsOutOfRangeAreRejectedWithTheirValue() {
    TextNode input = TextNode.valueOf(STRUCTURES.resolve("1znf.pdb").toString());
    List<ObjectNode> bad = List.of(
        JSON.objectNode().put("cutoff", 3.5),
        JSON.objectNode().put("cutoff", "far"),
        JSON.objectNode().put("gamma", 0),
        JSON.objectNode().put("modes", 0),
        JSON.objectNode().put("modes", 2.5),
        JSON.objectNode().put("solver", "magic"));
    for (ObjectNode options : bad) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> run(input, options), options.toString());

      String value = options.elements().next().toString();
      assertTrue(error.getMessage().contains(value), error.getMessage());
    }
  }

  @Test
  void sampleInputsAreTheStructureFilesInNameOrder() throws Exception {
    List<JsonNode> all = task.sampleInputs(1000, 1).orElseThrow();

    List<String> expected = new ArrayList<>();
    try (Stream<Path> files = Files.list(STRUCTURES)) {
      files.filter(path -> path.toString().endsWith(".pdb")).sorted()
          .forEach(path -> expected.add(path.toString()));
    }
    assertEquals(expected, all.stream().map(JsonNode::textValue).toList());
  }

  @Test
  void fewerSampleInputsThanFilesAreAReproducibleDrawForTheSeed() {
    List<JsonNode> first = task.sampleInputs(5, 42).orElseThrow();
    List<JsonNode> again = task.sampleInputs(5, 42).orElseThrow();
    List<JsonNode> other = task.sampleInputs(5, 43).orElseThrow();

    assertEquals(5, first.size());
    assertEquals(first, again);
    assertNotEquals(first, other);
    assertEquals(5, new HashSet<>(first).size());
    assertEquals(first.stream().map(JsonNode::textValue).sorted().toList(),
        first.stream().map(JsonNode::textValue).toList());
  }

  @Test
  void dataPropertyChoosesWhereSampleInputsComeFrom() throws Exception {
    String before = System.getProperty(AnmTask.DATA_PROPERTY);
    try {
      System.setProperty(AnmTask.DATA_PROPERTY, temporary.toString());
      assertFalse(task.sampleInputs(3, 1).isPresent(), "no structures/ there");

      Files.createDirectories(temporary.resolve("structures"));
      Files.copy(STRUCTURES.resolve("1znm.pdb"), temporary.resolve("structures/1znm.pdb"));
      List<JsonNode> inputs = task.sampleInputs(3, 1).orElseThrow();

      assertEquals(List.of(TextNode.valueOf(temporary.resolve("structures/1znm.pdb").toString())), inputs);
    } finally {
      if (before == null) {
        System.clearProperty(AnmTask.DATA_PROPERTY);
      } else {
        System.setProperty(AnmTask.DATA_PROPERTY, before);
      }
    }
  }

  private JsonNode run(JsonNode input) throws Exception {
    return run(input, JSON.objectNode());
  }

  private JsonNode run(JsonNode input, ObjectNode options) throws Exception {
    return Codec.toTree(task.apply(input, new TaskContext(options, 0, 1, "worker-1")));
  }

  static JsonNode prodyExpected() throws IOException {
    try (InputStream stream = AnmTaskTest.class.getResourceAsStream(PRODY_EXPECTED)) {
      assertNotNull(stream, PRODY_EXPECTED + " is not on the test classpath");
      return Codec.parse(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).doubleValue();
    }
    return values;
  }

  /** An ATOM record with the columns ProDy reads. */
  static String atom(int serial, String name, String residue, char chain, int number, double x,
      double y, double z) {
    return String.format(Locale.ROOT, "ATOM  %5d %-4s %3s %c%4d    %8.3f%8.3f%8.3f  1.00  0.00",
        serial, name.length() < 4 ? " " + name : name, residue, chain, number, x, y, z);
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
