package dev.jprocs.worker.tasks.anm;

import java.util.Locale;

/**
 * The C-alpha atoms {@link CalphaReader} took from one structure file, in file order.
 *
 * @param file the file's name as the caller gave it, for messages
 * @param coordinates x, y, z of atom 0, then of atom 1, ... in Angstrom; length 3 * count
 * @param residues for each atom, its residue as written: name, chain and number, e.g. {@code "ALA
 *     A 12"}
 * @param lines for each atom, the 1-based line of the file it came from
 */
public record Calphas(String file, double[] coordinates, String[] residues, int[] lines) {
  public Calphas {
    if (coordinates.length != 3 * residues.length || residues.length != lines.length) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%d coordinates, %d residues and %d lines do not describe the same atoms",
              coordinates.length,
              residues.length,
              lines.length));
    }
  }

  /** Returns the number of atoms. */
  public int count() {
    return residues.length;
  }

  /** Returns atom {@code index} for a message: {@code "C-alpha of ALA A 12 (line 40)"}. */
  public String describe(int index) {
    return "C-alpha of " + residues[index] + " (line " + lines[index] + ")";
  }
}
