package dev.jprocs.worker.tasks.anm;

import static dev.jprocs.worker.tasks.anm.AnmTaskTest.STRUCTURES;
import static dev.jprocs.worker.tasks.anm.AnmTaskTest.atom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The C-alphas ProDy's parsePDB(path).select('calpha') would take, and the errors of bad files. */
@Timeout(60)
class CalphaReaderTest {
  @TempDir Path temporary;

  @Test
  void alternateLocationAIsKeptAndTheOthersAreSkipped() throws IOException {
    // pdb1ejg residue 22 is PRO in location A and SER in B and C; ProDy keeps A alone.
    Calphas atoms = CalphaReader.read(STRUCTURES.resolve("pdb1ejg.pdb"));

    assertEquals(46, atoms.count());
    int proline = List.of(atoms.residues()).indexOf("PRO A 22");
    assertEquals(-1, List.of(atoms.residues()).indexOf("SER A 22"));
    assertArrayEquals(new double[] {6.042, 13.429, -2.601},
        Arrays.copyOfRange(atoms.coordinates(), 3 * proline, 3 * proline + 3));
  }

  @Test
  void anAtomOnlyInLocationBIsMissingAsInPrody() throws IOException {
    Calphas atoms = read(
        atom(1, "CA", "GLY", 'A', 1, 0, 0, 0),
        withAltloc(atom(2, "CA", "ALA", 'A', 2, 3.8, 0, 0), 'B'),
        withAltloc(atom(3, "CA", "SER", 'A', 3, 3.8, 3.8, 0), 'A'),
        withAltloc(atom(4, "CA", "SER", 'A', 3, 3.9, 3.9, 0), 'B'));

    assertArrayEquals(new String[] {"GLY A 1", "SER A 3"}, atoms.residues());
    assertArrayEquals(new double[] {0, 0, 0, 3.8, 3.8, 0}, atoms.coordinates());
  }

  @Test
  void onlyTheFirstModelIsRead() throws IOException {
    Calphas atoms = read(
        "MODEL        1",
        atom(1, "CA", "GLY", 'A', 1, 0, 0, 0),
        atom(2, "CA", "ALA", 'A', 2, 3.8, 0, 0),
        "ENDMDL",
        "MODEL        2",
        atom(1, "CA", "GLY", 'A', 1, 1, 1, 1),
        atom(2, "CA", "ALA", 'A', 2, 4.8, 1, 1),
        "ENDMDL",
        "END");

    assertArrayEquals(new double[] {0, 0, 0, 3.8, 0, 0}, atoms.coordinates());
    assertArrayEquals(new int[] {2, 3}, atoms.lines());
  }

  @Test
  void anEndBeforeAnyAtomDoesNotEndTheFirstModel() throws IOException {
    Calphas atoms = read("ENDMDL", atom(1, "CA", "GLY", 'A', 1, 0, 0, 0), "END");

    assertEquals(1, atoms.count());
  }

  @Test
  void calphasOfAminoAcidsCountWhateverTheRecordAndCalciumDoesNot() throws IOException {
    Calphas atoms = read(
        atom(1, "N", "GLY", 'A', 1, 0, 0, 1),
        atom(2, "CA", "GLY", 'A', 1, 0, 0, 0),
        atom(3, "CA", "MSE", 'A', 2, 3.8, 0, 0).replace("ATOM  ", "HETATM"),
        atom(4, "CA", "CA", 'A', 101, 9, 9, 9).replace("ATOM  ", "HETATM"),
        atom(5, "CA", "DAL", 'A', 3, 3.8, 3.8, 0),
        atom(6, "CB", "ALA", 'A', 4, 1, 1, 1));

    assertArrayEquals(new String[] {"GLY A 1", "MSE A 2"}, atoms.residues());
  }

  @Test
  void noCalphaAmongTheAtomsIsAnErrorCountingThem() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> read(atom(1, "N", "GLY", 'A', 1, 0, 0, 0), atom(2, "O", "HOH", 'A', 2, 1, 1, 1)));

    assertEquals("test.pdb: no C-alpha atom of a protein residue among the 2 atoms of the first model"
        + " (atom name CA in an amino acid residue)", error.getMessage());
  }

  @Test
  void unreadableCoordinatesAreAnErrorWithFileLineAndColumns() {
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> read(
        "REMARK",
        atom(1, "CA", "GLY", 'A', 1, 0, 0, 0),
        atom(2, "CA", "GLY", 'A', 2, 0, 0, 0).substring(0, 38) + "  12x.45"));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> read(atom(1, "CA", "GLY", 'A', 1, 0, 0, 0).substring(0, 46)));
    IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
        () -> read("ATOM      1  CA"));

    assertEquals("test.pdb:3: atom record has '12x.45' for its y coordinate in columns 39-46",
        bad.getMessage());
    assertEquals("test.pdb:1: atom record has no z coordinate in columns 47-54", missing.getMessage());
    assertEquals("test.pdb:1: ATOM record is cut short after 15 characters; its coordinates are in"
        + " columns 31-54", cut.getMessage());
  }

  @Test
  void badCoordinatesOfASkippedAlternateLocationDoNotMatter() throws IOException {
    Calphas atoms = read(
        atom(1, "CA", "GLY", 'A', 1, 0, 0, 0),
        withAltloc(atom(2, "CA", "GLY", 'A', 1, 0, 0, 0).substring(0, 30) + "garbage", 'B'));

    assertEquals(1, atoms.count());
  }

  @Test
  void mmcifIsAnErrorSayingOnlyPdbIsRead() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> read(
        "data_1UBQ",
        "#",
        "ATOM   1    N N   . MET A 1 1  ? 27.340 24.430 2.614  1.00 9.67  ? 1  MET A N   1"));

    assertEquals("test.pdb:1: an mmCIF file (data_ block); only PDB format is read", error.getMessage());
  }

  @Test
  void anEmptyFileIsAnError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> read());

    assertEquals("test.pdb: empty file, not a PDB structure", error.getMessage());
  }

  @Test
  void gzippedFilesAreReadThroughGunzip() throws IOException {
    Path plain = STRUCTURES.resolve("1znf.pdb");
    Path zipped = temporary.resolve("1znf.pdb.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(zipped))) {
      out.write(Files.readAllBytes(plain));
    }

    assertArrayEquals(CalphaReader.read(plain).coordinates(), CalphaReader.read(zipped).coordinates());
  }

  @Test
  void aDirectoryIsNotAStructureFile() {
    IOException error = assertThrows(IOException.class, () -> CalphaReader.read(temporary));

    assertEquals(temporary + ": is a directory, not a structure file", error.getMessage());
  }

  private static Calphas read(String... lines) throws IOException {
    String text = lines.length == 0 ? "" : String.join("\n", lines) + "\n";
    return CalphaReader.read(new BufferedReader(new StringReader(text)), "test.pdb");
  }

  private static String withAltloc(String line, char altloc) {
    return line.substring(0, 16) + altloc + line.substring(17);
  }
}
