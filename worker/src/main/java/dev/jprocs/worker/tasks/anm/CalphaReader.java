package dev.jprocs.worker.tasks.anm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads the C-alpha atoms of protein residues from a PDB file the way ProDy 2.3's {@code
 * parsePDB(path).select('calpha')} does, so that {@link AnmModes} sees the atoms ProDy's ANM sees:
 *
 * <ul>
 *   <li>Atom records are the lines whose first six characters, trimmed, are {@code ATOM} or {@code
 *       HETATM}; HETATM is no different (a selenomethionine's C-alpha counts).
 *   <li>A C-alpha is an atom named {@code CA} (columns 13-16, trimmed) whose residue name (columns
 *       18-20, trimmed) is one of ProDy's amino acids: the 20 standard ones and its non-standard list
 *       ({@link #AMINO_ACIDS}). A calcium ion ({@code CA} in residue {@code CA}) is not one.
 *   <li>Alternate locations: an atom record is kept when its column 17 is blank or {@code A}, as
 *       ProDy's default {@code altloc='A'}; records of other locations are skipped, so an atom that
 *       exists only in location {@code B} is missing, as in ProDy.
 *   <li>Models: the first model ends at the first record starting with {@code END} ({@code ENDMDL},
 *       {@code END}) that follows a kept atom record; {@code MODEL} records are not looked at, so a
 *       file without {@code ENDMDL} is one model. Later models are not read.
 * </ul>
 *
 * <p>A kept atom record (of any atom, as in ProDy) whose x, y or z (columns 31-38, 39-46, 47-54) is
 * missing or not a number is an error naming the file and line; ProDy raises too. Files ending in
 * {@code .gz} are read through gunzip. mmCIF is not read (ProDy's parseMMCIF has rules of its own
 * for labels and locations); a file that starts a {@code data_} block is an error saying so. The
 * methods keep no state; any thread may call them.
 */
public final class CalphaReader {
  /**
   * ProDy 2.3's amino acids ({@code prody.atomic.flags}: {@code STANDARDAA} and {@code
   * NONSTANDARD}), which its {@code protein} and {@code calpha} selections use.
   */
  public static final Set<String> AMINO_ACIDS =
      Set.of(
          "ALA", "ARG", "ASN", "ASP", "CYS", "GLN", "GLU", "GLY", "HIS", "ILE", "LEU", "LYS", "MET",
          "PHE", "PRO", "SER", "THR", "TRP", "TYR", "VAL", // standard
          "ASX", "GLX", "CSO", "CYX", "HIP", "HID", "HIE", "HSD", "HSE", "HSP", "MSE", "CME", "SEC",
          "SEP", "TPO", "PTR", "PHD", "XLE", "XAA", "MEN", "CSB"); // ProDy's non-standard list

  // What Python's float() takes from a PDB coordinate field, less nan, inf and digit underscores.
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private static final int ALTLOC_COLUMN = 16; // 0-based; column 17 of the PDB format

  private CalphaReader() {}

  /**
   * Returns the C-alpha atoms of the first model of {@code file}.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when it cannot be read
   * @throws IllegalArgumentException when it is empty, has no atom records, has a kept atom record
   *     without valid coordinates ({@code file:line: ...}), or has no C-alpha of a protein residue
   */
  public static Calphas read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "structure file does not exist"
              + (file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath() + ")"));
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a directory, not a structure file");
    }
    try (InputStream bytes = open(file);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(bytes, StandardCharsets.ISO_8859_1))) {
      return read(reader, file.toString());
    }
  }

  /**
   * Returns the C-alpha atoms of the first model in the PDB lines of {@code reader}; {@code file}
   * names them in messages. Throws as {@link #read(Path)}.
   */
  public static Calphas read(BufferedReader reader, String file) throws IOException {
    List<double[]> coordinates = new ArrayList<>();
    List<String> residues = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    int keptAtoms = 0;
    int lineNumber = 0;
    String line;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (keptAtoms == 0 && line.startsWith("data_")) {
        // mmCIF also has lines starting ATOM, with whitespace-separated fields: reading those as
        // PDB columns would give nonsense or a misleading column error.
        throw new IllegalArgumentException(
            file + ":" + lineNumber + ": an mmCIF file (data_ block); only PDB format is read");
      }
      String record = line.substring(0, Math.min(6, line.length())).strip();
      if (record.equals("ATOM") || record.equals("HETATM")) {
        if (line.length() <= ALTLOC_COLUMN) {
          throw new IllegalArgumentException(
              file + ":" + lineNumber + ": " + record + " record is cut short after "
                  + line.length() + " characters; its coordinates are in columns 31-54");
        }
        char altloc = line.charAt(ALTLOC_COLUMN);
        if (altloc != ' ' && altloc != 'A') {
          continue;
        }
        double x = coordinate(line, 30, 38, "x", file, lineNumber);
        double y = coordinate(line, 38, 46, "y", file, lineNumber);
        double z = coordinate(line, 46, 54, "z", file, lineNumber);
        keptAtoms++;
        String atomName = field(line, 12, 16);
        String residueName = field(line, 17, 20);
        if (atomName.equals("CA") && AMINO_ACIDS.contains(residueName)) {
          coordinates.add(new double[] {x, y, z});
          residues.add(residueLabel(line, residueName));
          lineNumbers.add(lineNumber);
        }
      } else if (record.startsWith("END") && keptAtoms > 0) {
        break; // ENDMDL or END of the first model
      }
    }
    if (lineNumber == 0) {
      throw new IllegalArgumentException(file + ": empty file, not a PDB structure");
    }
    if (keptAtoms == 0) {
      throw new IllegalArgumentException(
          file + ": no ATOM or HETATM records in " + lineNumber + " lines; not a PDB file?");
    }
    if (coordinates.isEmpty()) {
      throw new IllegalArgumentException(
          file + ": no C-alpha atom of a protein residue among the " + keptAtoms
              + " atoms of the first model (atom name CA in an amino acid residue)");
    }
    double[] flat = new double[3 * coordinates.size()];
    for (int i = 0; i < coordinates.size(); i++) {
      System.arraycopy(coordinates.get(i), 0, flat, 3 * i, 3);
    }
    return new Calphas(
        file,
        flat,
        residues.toArray(String[]::new),
        lineNumbers.stream().mapToInt(Integer::intValue).toArray());
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw;
    try {
      raw = Files.newInputStream(file);
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(file.toString(), null, "structure file is not readable");
    }
    if (!file.getFileName().toString().endsWith(".gz")) {
      return raw;
    }
    try {
      return new GZIPInputStream(raw);
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + ": named .gz but not gzip data: " + e.getMessage(), e);
    }
  }

  private static double coordinate(
      String line, int from, int to, String axis, String file, int lineNumber) {
    String text = field(line, from, to);
    if (text.isEmpty() || !NUMBER.matcher(text).matches()) {
      throw new IllegalArgumentException(
          String.format(
              "%s:%d: atom record has %s %s in columns %d-%d",
              file,
              lineNumber,
              text.isEmpty() ? "no" : "'" + text + "' for its",
              axis + " coordinate",
              from + 1,
              to));
    }
    double value = Double.parseDouble(text);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          file + ":" + lineNumber + ": " + axis + " coordinate '" + text + "' is out of range");
    }
    return value;
  }

  /** Columns [from, to) of the line, stripped; short lines give what they have. */
  private static String field(String line, int from, int to) {
    if (from >= line.length()) {
      return "";
    }
    return line.substring(from, Math.min(to, line.length())).strip();
  }

  private static String residueLabel(String line, String residueName) {
    String chain = field(line, 20, 22);
    String number = field(line, 22, 27); // sequence number and insertion code
    StringBuilder label = new StringBuilder(residueName);
    if (!chain.isEmpty()) {
      label.append(' ').append(chain);
    }
    return label.append(' ').append(number).toString();
  }
}
