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
 * plain loops over contiguous memory, without the index arrays of a compressed column format;
 * this factorization takes about a third of the time of EJML's up-looking sparse Cholesky on the
 * same matrix, and a solve about half.
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
   * Overwrites the lower triangle of the matrix in {@code values} with L, row by row: L(i, j) for
   * j < i is (A(i, j) - L(i, 0..j) . L(j, 0..j)) / L(j, j), the dot product over the columns both
   * rows hold, then L(i, i) from what is left of A(i, i).
   */
  private static void factorInPlace(int size, int[] first, int[] start, double[] values) {
    for (int i = 0; i < size; i++) {
      int firstI = first[i];
      int rowI = start[i] - firstI; // values[rowI + j] is L(i, j)
      for (int j = firstI; j < i; j++) {
        int rowJ = start[j] - first[j];
        int from = Math.max(firstI, first[j]);
        double sum = values[rowI + j] - dot(values, rowI + from, rowJ + from, j - from);
        values[rowI + j] = sum / values[rowJ + j];
      }
      double pivot = values[rowI + i] - dot(values, rowI + firstI, rowI + firstI, i - firstI);
      if (!(pivot > 0)) {
        throw new IllegalStateException(
            "the Cholesky factorization of the shifted Hessian met a pivot of " + pivot
                + " in row " + i + " of " + size);
      }
      values[rowI + i] = Math.sqrt(pivot);
    }
  }

  /**
   * Returns the dot product of {@code length} entries of {@code values} from {@code x} and from
   * {@code y}. Four partial sums, so that the additions do not wait on one another.
   */
  private static double dot(double[] values, int x, int y, int length) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < length; k += 4) {
      s0 += values[x + k] * values[y + k];
      s1 += values[x + k + 1] * values[y + k + 1];
      s2 += values[x + k + 2] * values[y + k + 2];
      s3 += values[x + k + 3] * values[y + k + 3];
    }
    for (; k < length; k++) {
      s0 += values[x + k] * values[y + k];
    }
    return (s0 + s1) + (s2 + s3);
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
