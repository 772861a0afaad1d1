package dev.jprocs.worker.tasks.anm;

import java.util.Arrays;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * The Hessian of the anisotropic network model of a set of atoms, as ProDy's {@code
 * ANM.buildHessian(atoms, cutoff, gamma)} builds it: every pair of atoms at most {@code cutoff}
 * apart is a spring of constant {@code gamma}; with {@code r} the vector from atom i to atom j and
 * {@code d2} its squared length, the 3 x 3 block (i, j) is {@code -gamma / d2 * r r^T}, and each
 * diagonal block (i, i) is minus the sum of the other blocks of its row.
 *
 * <p>The 3N x 3N matrix is symmetric and positive semi-definite, with at least six zero
 * eigenvalues (rigid-body motion) when the atoms are not all on one line. It is kept as its
 * contact list; {@link #dense()} and {@link #multiply} expand it. An instance is immutable.
 */
public final class AnmHessian {
  private final int atoms;
  // Contact k joins atoms first[k] < second[k]; block[9k .. 9k+8] is its off-diagonal block,
  // row-major. diagonal[9i .. 9i+8] is the diagonal block of atom i.
  private final int[] first;
  private final int[] second;
  private final double[] block;
  private final double[] diagonal;

  private AnmHessian(int atoms, int[] first, int[] second, double[] block, double[] diagonal) {
    this.atoms = atoms;
    this.first = first;
    this.second = second;
    this.block = block;
    this.diagonal = diagonal;
  }

  /**
   * Builds the Hessian of {@code atoms}.
   *
   * @throws IllegalArgumentException when two atoms are at the same place (a spring of length zero
   *     has no direction; ProDy's Hessian gets NaNs there), naming both
   */
  public static AnmHessian build(Calphas atoms, double cutoff, double gamma) {
    if (!(cutoff > 0) || !(gamma > 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException(
          "cutoff and gamma must be positive numbers, got " + cutoff + " and " + gamma);
    }
    int n = atoms.count();
    double[] xyz = atoms.coordinates();
    double cutoff2 = cutoff * cutoff;
    int capacity = 16;
    int[] first = new int[capacity];
    int[] second = new int[capacity];
    double[] block = new double[9 * capacity];
    double[] diagonal = new double[9 * n];
    int contacts = 0;
    // All pairs: 5e7 distance checks for 10,000 atoms, a fraction of a second, far below the
    // eigenvalue work, so no cell list.
    for (int i = 0; i < n; i++) {
      double xi = xyz[3 * i];
      double yi = xyz[3 * i + 1];
      double zi = xyz[3 * i + 2];
      for (int j = i + 1; j < n; j++) {
        double dx = xyz[3 * j] - xi;
        double dy = xyz[3 * j + 1] - yi;
        double dz = xyz[3 * j + 2] - zi;
        double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 > cutoff2) {
          continue;
        }
        if (d2 == 0) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "%s: the %s and the %s are at the same place (%.3f, %.3f, %.3f); the network"
                      + " needs distinct atoms",
                  atoms.file(),
                  atoms.describe(i),
                  atoms.describe(j),
                  xi,
                  yi,
                  zi));
        }
        if (contacts == capacity) {
          capacity *= 2;
          first = Arrays.copyOf(first, capacity);
          second = Arrays.copyOf(second, capacity);
          block = Arrays.copyOf(block, 9 * capacity);
        }
        first[contacts] = i;
        second[contacts] = j;
        double scale = -gamma / d2;
        double[] r = {dx, dy, dz};
        int b = 9 * contacts;
        for (int row = 0; row < 3; row++) {
          for (int column = 0; column < 3; column++) {
            // (r r^T) * scale as ProDy's np.outer(r, r) * (-g / d2): bitwise symmetric.
            double value = r[row] * r[column] * scale;
            block[b + 3 * row + column] = value;
            diagonal[9 * i + 3 * row + column] -= value;
            diagonal[9 * j + 3 * row + column] -= value;
          }
        }
        contacts++;
      }
    }
    return new AnmHessian(
        n,
        Arrays.copyOf(first, contacts),
        Arrays.copyOf(second, contacts),
        Arrays.copyOf(block, 9 * contacts),
        diagonal);
  }

  /** Returns the number of atoms N; the matrix is 3N x 3N. */
  public int atoms() {
    return atoms;
  }

  /** Returns the number of springs, pairs of atoms within the cutoff. */
  public int contacts() {
    return first.length;
  }

  /** Returns atom {@code k}'s partners' count per atom, for orderings: degree[i]. */
  int[] degrees() {
    int[] degree = new int[atoms];
    for (int k = 0; k < first.length; k++) {
      degree[first[k]]++;
      degree[second[k]]++;
    }
    return degree;
  }

  /** Returns the first atom of contact {@code k}; {@link #second} is the other, always larger. */
  int first(int k) {
    return first[k];
  }

  int second(int k) {
    return second[k];
  }

  /** Returns entry (row, column) of contact {@code k}'s 3 x 3 off-diagonal block (i, j). */
  double block(int k, int row, int column) {
    return block[9 * k + 3 * row + column];
  }

  /** Returns entry (row, column) of atom {@code i}'s 3 x 3 diagonal block. */
  double diagonal(int i, int row, int column) {
    return diagonal[9 * i + 3 * row + column];
  }

  /** Returns the whole 3N x 3N matrix, row-major: 72 N^2 bytes. */
  public DMatrixRMaj dense() {
    int size = 3 * atoms;
    DMatrixRMaj matrix = new DMatrixRMaj(size, size);
    for (int i = 0; i < atoms; i++) {
      for (int row = 0; row < 3; row++) {
        for (int column = 0; column < 3; column++) {
          matrix.unsafe_set(3 * i + row, 3 * i + column, diagonal[9 * i + 3 * row + column]);
        }
      }
    }
    for (int k = 0; k < first.length; k++) {
      int i = first[k];
      int j = second[k];
      for (int row = 0; row < 3; row++) {
        for (int column = 0; column < 3; column++) {
          double value = block[9 * k + 3 * row + column];
          matrix.unsafe_set(3 * i + row, 3 * j + column, value);
          matrix.unsafe_set(3 * j + column, 3 * i + row, value);
        }
      }
    }
    return matrix;
  }
}
