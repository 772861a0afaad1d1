package dev.jprocs.worker.tasks.anm;

/**
 * The Cholesky factor L of P (H + sI) P^T, an ANM Hessian shifted by s with its atoms permuted into
 * {@link AtomOrdering}'s order, kept in envelope (skyline) form: row i of L holds every column
 * from the first one where row i of the matrix has a non-zero, through the diagonal, as one
 * contiguous run of doubles.
 *
 * <p>Why an envelope rather than a general sparse factor: the fill of a reverse Cuthill-McKee
 * ordered factor stays inside the envelope, and for ANM networks with a 15 A cutoff it fills it
 * almost completely (pdb3hsy: 0.80 M non-zeros in EJML's sparse factor, 0.82 M entries in the
 * envelope; pdb3mht: the same 0.22 M). Dense rows let the factorization and the solves run as
 * plain loops over contiguous memory, without the index arrays of a compressed column format, and
 * the factorization works on 3 x 3 blocks (one atom's rows against another's). Warm, on pdb3hsy
 * and 1tii, it takes a sixth of the time of EJML's up-looking sparse Cholesky on the same matrix
 * (0.03 and 0.045 s against 0.21 and 0.33 s), and a solve about half.
 *
 * <p>An instance is immutable once built; {@link #solve} keeps no state between calls and may be
 * called from any thread.
 */
final class EnvelopeCholesky {
  private final int size;
  // Row i of L holds columns first[i] .. i, at values[start[i]] .. values[start[i] + i - first[i]].
  private final int[] first;
  private final int[] start;
  private final double[] values;

  private EnvelopeCholesky(int size, int[] first, int[] start, double[] values) {
    this.size = size;
    this.first = first;
    this.start = start;
    this.values = values;
  }

  /**
   * Factors P (H + sI) P^T, where atom a of {@code hessian} goes to position {@code position[a]}.
   *
   * @throws IllegalStateException when the matrix is not numerically positive definite (a pivot
   *     at or below zero), which a positive shift of a positive semi-definite matrix prevents
   *     unless rounding error is as large as the shift
   */
  static EnvelopeCholesky factor(AnmHessian hessian, int[] position, double shift) {
    int atoms = hessian.atoms();
    int size = 3 * atoms;
    int[] firstAtom = new int[atoms]; // by position: the lowest position of a neighbour or itself
    for (int p = 0; p < atoms; p++) {
      firstAtom[p] = p;
    }
    for (int k = 0; k < hessian.contacts(); k++) {
      int a = position[hessian.first(k)];
      int b = position[hessian.second(k)];
      int high = Math.max(a, b);
      firstAtom[high] = Math.min(firstAtom[high], Math.min(a, b));
    }
    int[] first = new int[size];
    int[] start = new int[size + 1];
    for (int i = 0; i < size; i++) {
      first[i] = 3 * firstAtom[i / 3];
      start[i + 1] = start[i] + i - first[i] + 1;
    }
    double[] values = new double[start[size]];
    for (int atom = 0; atom < atoms; atom++) {
      int base = 3 * position[atom];
      for (int row = 0; row < 3; row++) {
        for (int column = 0; column <= row; column++) {
          double value = hessian.diagonal(atom, row, column) + (row == column ? shift : 0);
          values[start[base + row] + base + column - first[base + row]] = value;
        }
      }
    }
    for (int k = 0; k < hessian.contacts(); k++) {
      int a = position[hessian.first(k)];
      int b = position[hessian.second(k)];
      // Row atom `high`, column atom `low`: the contact's block is symmetric, so no transpose.
      int rowBase = 3 * Math.max(a, b);
      int columnBase = 3 * Math.min(a, b);
      for (int row = 0; row < 3; row++) {
        int i = rowBase + row;
        for (int column = 0; column < 3; column++) {
          values[start[i] + columnBase + column - first[i]] = hessian.block(k, row, column);
        }
      }
    }
    factorInPlace(size, first, start, values);
    return new EnvelopeCholesky(size, first, start, values);
  }

  /**
   * Overwrites the lower triangle of the matrix in {@code values} with L, three rows (one atom) at
   * a time. Every row's envelope starts at an atom's first row, so the matrix is made of 3 x 3
   * blocks: L(I, J) for an atom J before atom I is (A(I, J) - L(I, :) L(J, :)^T) L(J, J)^-T over
   * the columns both hold, then L(I, I) is the Cholesky factor of what is left of A(I, I). The
   * nine dot products of a block share their loads, which is what makes this faster than one row
   * at a time.
   */
  private static void factorInPlace(int size, int[] first, int[] start, double[] values) {
    double[] sums = new double[9];
    for (int i = 0; i < size; i += 3) {
      int from = first[i];
      // values[rowK + c] is L(i + k, c) for c from `from` on.
      int row0 = start[i] - from;
      int row1 = start[i + 1] - from;
      int row2 = start[i + 2] - from;
      for (int j = from; j < i; j += 3) {
        int firstJ = first[j];
        int column0 = start[j] - firstJ;
        int column1 = start[j + 1] - firstJ;
        int column2 = start[j + 2] - firstJ;
        int shared = Math.max(from, firstJ);
        blockDots(values, row0, row1, row2, column0, column1, column2, shared, j, sums);
        double l00 = values[column0 + j];
        double l10 = values[column1 + j];
        double l11 = values[column1 + j + 1];
        double l20 = values[column2 + j];
        double l21 = values[column2 + j + 1];
        double l22 = values[column2 + j + 2];
        solveRow(values, row0 + j, sums, 0, l00, l10, l11, l20, l21, l22);
        solveRow(values, row1 + j, sums, 3, l00, l10, l11, l20, l21, l22);
        solveRow(values, row2 + j, sums, 6, l00, l10, l11, l20, l21, l22);
      }
      blockDots(values, row0, row1, row2, row0, row1, row2, from, i, sums);
      double l00 = pivot(values[row0 + i] - sums[0], i, size);
      double l10 = (values[row1 + i] - sums[3]) / l00;
      double l11 = pivot(values[row1 + i + 1] - sums[4] - l10 * l10, i + 1, size);
      double l20 = (values[row2 + i] - sums[6]) / l00;
      double l21 = (values[row2 + i + 1] - sums[7] - l20 * l10) / l11;
      double l22 = pivot(values[row2 + i + 2] - sums[8] - l20 * l20 - l21 * l21, i + 2, size);
      values[row0 + i] = l00;
      values[row1 + i] = l10;
      values[row1 + i + 1] = l11;
      values[row2 + i] = l20;
      values[row2 + i + 1] = l21;
      values[row2 + i + 2] = l22;
    }
  }

  /** Returns the square root of a pivot, which must be positive. */
  private static double pivot(double value, int row, int size) {
    if (!(value > 0)) {
      throw new IllegalStateException(
          "the Cholesky factorization of the shifted Hessian met a pivot of " + value + " in row "
              + row + " of " + size);
    }
    return Math.sqrt(value);
  }

  /**
   * Finishes three entries of one row of L in the columns of one atom, with that atom's 3 x 3
   * diagonal block of L (lower triangle l00 .. l22): forward substitution of what is left of A
   * after the dot products {@code sums[offset .. offset + 2]}.
   */
  private static void solveRow(double[] values, int at, double[] sums, int offset, double l00,
      double l10, double l11, double l20, double l21, double l22) {
    double x0 = (values[at] - sums[offset]) / l00;
    double x1 = (values[at + 1] - sums[offset + 1] - x0 * l10) / l11;
    double x2 = (values[at + 2] - sums[offset + 2] - x0 * l20 - x1 * l21) / l22;
    values[at] = x0;
    values[at + 1] = x1;
    values[at + 2] = x2;
  }

  /**
   * Puts in {@code sums[3 * r + c]} the dot product of rows r and c (0 to 2) of two triples, over
   * columns {@code from} to {@code to - 1}: {@code values[rowR + k]} and {@code values[columnC +
   * k]} are their entries in column k.
   */
  private static void blockDots(double[] values, int row0, int row1, int row2, int column0,
      int column1, int column2, int from, int to, double[] sums) {
    double s00 = 0;
    double s01 = 0;
    double s02 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s20 = 0;
    double s21 = 0;
    double s22 = 0;
    for (int k = from; k < to; k++) {
      double r0 = values[row0 + k];
      double r1 = values[row1 + k];
      double r2 = values[row2 + k];
      double c0 = values[column0 + k];
      double c1 = values[column1 + k];
      double c2 = values[column2 + k];
      s00 += r0 * c0;
      s01 += r0 * c1;
      s02 += r0 * c2;
      s10 += r1 * c0;
      s11 += r1 * c1;
      s12 += r1 * c2;
      s20 += r2 * c0;
      s21 += r2 * c1;
      s22 += r2 * c2;
    }
    sums[0] = s00;
    sums[1] = s01;
    sums[2] = s02;
    sums[3] = s10;
    sums[4] = s11;
    sums[5] = s12;
    sums[6] = s20;
    sums[7] = s21;
    sums[8] = s22;
  }

  /** Returns the number of rows, 3N. */
  int size() {
    return size;
  }

  /** Returns the number of entries kept for L. */
  long entries() {
    return values.length;
  }

  /**
   * Solves L L^T X = B in place for {@code width} right-hand sides stored interleaved: entry i of
   * vector c is {@code x[i * width + c]}. Each entry of L is read once per sweep for all the
   * vectors, which is what makes a block of vectors cheaper than as many single solves.
   */
  void solve(double[] x, int width) {
    if (width == 8) {
      solve8(x);
      return;
    }
    double[] sum = new double[width];
    for (int i = 0; i < size; i++) { // L y = b, row by row
      int firstI = first[i];
      int rowI = start[i] - firstI;
      int ip = i * width;
      for (int c = 0; c < width; c++) {
        sum[c] = x[ip + c];
      }
      for (int j = firstI; j < i; j++) {
        double l = values[rowI + j];
        int jp = j * width;
        for (int c = 0; c < width; c++) {
          sum[c] -= l * x[jp + c];
        }
      }
      double inverse = 1 / values[rowI + i];
      for (int c = 0; c < width; c++) {
        x[ip + c] = sum[c] * inverse;
      }
    }
    for (int i = size - 1; i >= 0; i--) { // L^T x = y: row i of L is column i of L^T
      int firstI = first[i];
      int rowI = start[i] - firstI;
      int ip = i * width;
      double inverse = 1 / values[rowI + i];
      for (int c = 0; c < width; c++) {
        x[ip + c] *= inverse;
      }
      for (int j = firstI; j < i; j++) {
        double l = values[rowI + j];
        int jp = j * width;
        for (int c = 0; c < width; c++) {
          x[jp + c] -= l * x[ip + c];
        }
      }
    }
  }

  /**
   * {@link #solve} for the Lanczos block of eight, written out: eight running sums in locals
   * rather than an array the JIT would load and store on every entry of L.
   */
  private void solve8(double[] x) {
    for (int i = 0; i < size; i++) {
      int firstI = first[i];
      int rowI = start[i] - firstI;
      int ip = i * 8;
      double s0 = x[ip];
      double s1 = x[ip + 1];
      double s2 = x[ip + 2];
      double s3 = x[ip + 3];
      double s4 = x[ip + 4];
      double s5 = x[ip + 5];
      double s6 = x[ip + 6];
      double s7 = x[ip + 7];
      for (int j = firstI; j < i; j++) {
        double l = values[rowI + j];
        int jp = j * 8;
        s0 -= l * x[jp];
        s1 -= l * x[jp + 1];
        s2 -= l * x[jp + 2];
        s3 -= l * x[jp + 3];
        s4 -= l * x[jp + 4];
        s5 -= l * x[jp + 5];
        s6 -= l * x[jp + 6];
        s7 -= l * x[jp + 7];
      }
      double inverse = 1 / values[rowI + i];
      x[ip] = s0 * inverse;
      x[ip + 1] = s1 * inverse;
      x[ip + 2] = s2 * inverse;
      x[ip + 3] = s3 * inverse;
      x[ip + 4] = s4 * inverse;
      x[ip + 5] = s5 * inverse;
      x[ip + 6] = s6 * inverse;
      x[ip + 7] = s7 * inverse;
    }
    for (int i = size - 1; i >= 0; i--) {
      int firstI = first[i];
      int rowI = start[i] - firstI;
      int ip = i * 8;
      double inverse = 1 / values[rowI + i];
      double x0 = x[ip] * inverse;
      double x1 = x[ip + 1] * inverse;
      double x2 = x[ip + 2] * inverse;
      double x3 = x[ip + 3] * inverse;
      double x4 = x[ip + 4] * inverse;
      double x5 = x[ip + 5] * inverse;
      double x6 = x[ip + 6] * inverse;
      double x7 = x[ip + 7] * inverse;
      x[ip] = x0;
      x[ip + 1] = x1;
      x[ip + 2] = x2;
      x[ip + 3] = x3;
      x[ip + 4] = x4;
      x[ip + 5] = x5;
      x[ip + 6] = x6;
      x[ip + 7] = x7;
      for (int j = firstI; j < i; j++) {
        double l = values[rowI + j];
        int jp = j * 8;
        x[jp] -= l * x0;
        x[jp + 1] -= l * x1;
        x[jp + 2] -= l * x2;
        x[jp + 3] -= l * x3;
        x[jp + 4] -= l * x4;
        x[jp + 5] -= l * x5;
        x[jp + 6] -= l * x6;
        x[jp + 7] -= l * x7;
      }
    }
  }
}
