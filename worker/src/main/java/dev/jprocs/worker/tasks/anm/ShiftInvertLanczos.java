package dev.jprocs.worker.tasks.anm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The lowest eigenvalues of a sparse ANM Hessian H without a dense decomposition: block Lanczos
 * on the inverse of H + sI, whose largest eigenvalues 1/(lambda + s) are H's smallest, with the
 * {@link EnvelopeCholesky} factor of H + sI, atoms in {@link AtomOrdering}'s order.
 *
 * <p>Multiplicity is the trap: a Krylov space grown from p vectors holds at most p copies of an
 * eigenvalue, and H has six zero eigenvalues per rigid piece of the network, more when the network
 * falls apart. So each run locks the eigenpairs it converged, and the next run starts from random
 * vectors orthogonal to every locked one. The search ends with a run that finds nothing outside
 * the locked space in the wanted range, or, without that checking run, when the wanted count is
 * locked and the last run's values show too few copies of any one to have left some out (see
 * largestCluster): the usual case, a network in one piece. All vectors are kept orthogonal to the
 * locked ones and to each other (full reorthogonalization, twice).
 *
 * <p>Eigenvalues agree with a dense decomposition to about 1e-12 relative on the sample
 * structures; a Ritz pair counts as converged when its residual is below {@link #TOLERANCE} of its
 * value. Random start vectors come from a fixed seed, so a matrix always gives the same answer.
 * Not thread-safe: an instance holds one factorization and the state of its runs.
 */
final class ShiftInvertLanczos {
  /** Vectors added per Lanczos step: the six rigid-body zero modes of a network, and two more. */
  static final int BLOCK = 8;

  /**
   * A Ritz pair has converged when its residual is below this fraction of its value. The residual
   * bounds the error of the Ritz value, so no eigenvalue is off by more than this (relative), 100
   * times less than the tests allow; in practice a Ritz value's error is of the order of the
   * residual squared over the gap to the next eigenvalue, and the sample structures' eigenvalues
   * agree with a dense decomposition to 1e-12. 1e-9 here took 176 vectors where this takes 144.
   */
  static final double TOLERANCE = 1e-6;

  /**
   * A checking run may end when its largest Ritz value is below the wanted range and has a
   * residual below this fraction of itself: an eigenvalue missed above that range would by then
   * have pulled the largest Ritz value over it (Ritz values only grow towards the largest
   * eigenvalue), unless it is within about this fraction of the range's edge.
   */
  static final double CHECK_TOLERANCE = 1e-3;

  /**
   * Ritz values this close (relative) count as copies of one eigenvalue in {@link
   * #largestCluster}: ten times {@link #TOLERANCE}, as converged copies are within twice it of
   * each other. Distinct eigenvalues this close count as copies too, which only costs a checking
   * run.
   */
  static final double SAME = 10 * TOLERANCE;

  /** The shift s, as a fraction of the mean diagonal entry of H: far below any non-zero mode. */
  private static final double SHIFT_FRACTION = 1e-4;

  /**
   * The basis of one run grows to at most this many vectors, plus six per wanted mode, before it
   * locks what has converged; 20 modes have converged by 176 on every structure tried (144 on
   * the sample structures).
   */
  private static final int MAX_BASIS = 240;

  private static final long SEED = 20240611L;

  /**
   * Where the time went, for the benchmark: nanoseconds per phase (inverse, orthogonalize and ritz
   * are parts of lanczos), and the work done.
   */
  record Work(long orderNanos, long factorNanos, long lanczosNanos, long inverseNanos,
      long orthogonalizeNanos, long ritzNanos, long factorEntries, int runs, int vectors) {}

  private final int dof;
  private final double shift;
  private final EnvelopeCholesky factor;
  private final Random random = new Random(SEED);
  private final List<double[]> lockedVectors = new ArrayList<>();
  private final List<Double> lockedValues = new ArrayList<>(); // eigenvalues of (H + sI)^-1
  private int runs;
  private int vectors;
  private long ritzNanos;
  private long inverseNanos;
  private long orthogonalizeNanos;
  private boolean lastRunShrank; // a vector of the last run's blocks collapsed: its block shrank

  private ShiftInvertLanczos(int dof, double shift, EnvelopeCholesky factor) {
    this.dof = dof;
    this.shift = shift;
    this.factor = factor;
  }

  /**
   * Returns, in ascending order, the eigenvalues of {@code hessian} below {@code zero} (its zero
   * modes) and the {@code modes} lowest ones from {@code zero} up, or all of them when there are
   * fewer.
   *
   * @throws IllegalStateException when a run locks nothing in its basis, which no structure tried
   *     has done; a dense decomposition is then the way
   */
  static double[] lowest(AnmHessian hessian, int modes, double zero) {
    return lowest(hessian, modes, zero, null);
  }

  /** As {@link #lowest(AnmHessian, int, double)}, and reports the work to {@code work[0]}. */
  static double[] lowest(AnmHessian hessian, int modes, double zero, Work[] work) {
    int dof = 3 * hessian.atoms();
    if (hessian.contacts() == 0) {
      return new double[dof]; // no springs: every motion is free
    }
    long start = System.nanoTime();
    int[] order = AtomOrdering.reverseCuthillMcKee(hessian);
    int[] position = new int[order.length];
    for (int k = 0; k < order.length; k++) {
      position[order[k]] = k;
    }
    double trace = 0;
    for (int i = 0; i < hessian.atoms(); i++) {
      trace += hessian.diagonal(i, 0, 0) + hessian.diagonal(i, 1, 1) + hessian.diagonal(i, 2, 2);
    }
    double shift = SHIFT_FRACTION * trace / dof;
    long ordered = System.nanoTime();
    EnvelopeCholesky factor = EnvelopeCholesky.factor(hessian, position, shift);
    long factored = System.nanoTime();
    ShiftInvertLanczos solver = new ShiftInvertLanczos(dof, shift, factor);
    double[] lowest = solver.solve(modes, zero);
    if (work != null) {
      work[0] = new Work(ordered - start, factored - ordered, System.nanoTime() - factored,
          solver.inverseNanos, solver.orthogonalizeNanos, solver.ritzNanos, factor.entries(),
          solver.runs, solver.vectors);
    }
    return lowest;
  }

  private double[] solve(int modes, double zero) {
    while (lockedValues.size() < dof) {
      int wanted = wanted(lockedValues, modes, zero);
      // Once the wanted count is locked, a run checks that nothing outside reaches the wanted
      // range, whose edge is the smallest wanted value of (H + sI)^-1.
      double edge =
          lockedValues.size() >= wanted ? sortedDescending(lockedValues)[wanted - 1] : Double.NaN;
      List<RitzPair> converged = run(modes, zero, edge);
      if (converged.isEmpty()) {
        break; // the check found nothing
      }
      for (RitzPair pair : converged) {
        lockedValues.add(pair.value());
        lockedVectors.add(pair.vector());
      }
      if (lockedValues.size() >= wanted(lockedValues, modes, zero)
          && !lastRunShrank
          && largestCluster(converged) < BLOCK - 1) {
        break; // no eigenvalue can have copies this run could not hold; see largestCluster
      }
    }
    double[] mu = sortedDescending(lockedValues);
    double[] lambda = new double[Math.min(mu.length, wanted(lockedValues, modes, zero))];
    for (int i = 0; i < lambda.length; i++) {
      lambda[i] = 1 / mu[i] - shift;
    }
    Arrays.sort(lambda);
    return lambda;
  }

  /**
   * Returns the largest number of {@code pairs} whose values are within {@link #SAME} of one
   * another (relative). Why this can end the search without a checking run: a block Krylov space
   * grown from p random vectors holds min(k, p) copies of an eigenvalue of multiplicity k, so a run
   * that converged fewer than p - 1 copies of every value it found (and whose block never shrank)
   * has met every copy, with one copy to spare for rounding. The six zero modes of a network in
   * one piece are six copies, below the block of eight; a network in pieces has twelve or more,
   * and gets its checking run.
   */
  private static int largestCluster(List<RitzPair> pairs) {
    int largest = 0;
    for (RitzPair pair : pairs) {
      int near = 0;
      for (RitzPair other : pairs) {
        if (Math.abs(other.value() - pair.value()) <= SAME * pair.value()) {
          near++;
        }
      }
      largest = Math.max(largest, near);
    }
    return largest;
  }

  /** How many of the top values of (H + sI)^-1 are wanted: the zero modes among them, + modes. */
  private int wanted(List<Double> values, int modes, double zero) {
    int zeros = 0;
    for (double mu : values) {
      if (1 / mu - shift < zero) {
        zeros++;
      }
    }
    return Math.min(dof, zeros + modes);
  }

  private record RitzPair(double value, double[] vector) {}

  /**
   * One block Lanczos run from random vectors orthogonal to the locked ones. Returns the Ritz
   * pairs that converged, consecutively from the largest value: as many as make the wanted count
   * with the locked ones, or at least one when the basis is full. For a checking run (an {@code
   * edge} that is a number), returns none when the largest eigenvalue outside the locked space is
   * at most the edge.
   */
  private List<RitzPair> run(int modes, double zero, double edge) {
    runs++;
    lastRunShrank = false;
    int room = dof - lockedVectors.size();
    int maxBasis = Math.min(MAX_BASIS + 6 * modes, room);
    List<double[]> basis = new ArrayList<>();
    int lastCheck = 0;
    List<double[][]> diagonalBlocks = new ArrayList<>(); // A_j = Q_j^T Op Q_j
    List<double[][]> lowerBlocks = new ArrayList<>(); // B_j: Q_{j+1} B_j = (Op Q_j)'s new part
    double[][] block = new double[BLOCK][];
    for (int c = 0; c < BLOCK; c++) {
      block[c] = gaussian();
    }
    double[] startNorms = norms(block);
    orthogonalize(block, lockedVectors);
    orthogonalize(block, lockedVectors);
    int startRank = orthonormalize(block, startNorms, new double[BLOCK][BLOCK]);
    if (startRank == 0) {
      throw new IllegalStateException("no dimension is left outside the " + dof + " locked ones");
    }
    lastRunShrank = startRank < BLOCK;
    while (true) {
      basis.addAll(Arrays.asList(block));
      vectors += BLOCK;
      long inverseStart = System.nanoTime();
      double[][] next = applyInverse(block);
      inverseNanos += System.nanoTime() - inverseStart;
      double[][] a = new double[BLOCK][BLOCK];
      for (int r = 0; r < BLOCK; r++) {
        for (int c = 0; c < BLOCK; c++) {
          a[r][c] = dot(block[r], next[c]);
        }
      }
      for (int r = 0; r < BLOCK; r++) {
        for (int c = r + 1; c < BLOCK; c++) {
          double mean = (a[r][c] + a[c][r]) / 2;
          a[r][c] = mean;
          a[c][r] = mean;
        }
      }
      diagonalBlocks.add(a);
      double[] rawNorms = norms(next);
      // Against the locked vectors and the whole basis: this takes off Q_j A_j and
      // Q_{j-1} B_{j-1}^T, and what else it takes off is rounding error.
      long orthogonalizeStart = System.nanoTime();
      for (int pass = 0; pass < 2; pass++) {
        orthogonalize(next, lockedVectors);
        orthogonalize(next, basis);
      }
      orthogonalizeNanos += System.nanoTime() - orthogonalizeStart;
      // A vector that collapses here is left at zero and stays so: the block shrinks, which is
      // how block Lanczos deflates. When all collapse, the basis spans an invariant space and its
      // Ritz pairs are exact.
      double[][] b = new double[BLOCK][BLOCK];
      int rank = orthonormalize(next, rawNorms, b);
      boolean invariant = rank == 0;
      lastRunShrank |= rank < BLOCK;
      lowerBlocks.add(b);
      boolean full = invariant || basis.size() >= maxBasis;
      // Each check diagonalizes T, O(m^3): checking at every step would cost small structures
      // more than their solves, so after the first chance checks come every m/6 vectors.
      int needed = Math.max(wanted(lockedValues, modes, zero) - lockedValues.size(), 1);
      boolean due = basis.size() >= needed + BLOCK
          && basis.size() - lastCheck >= Math.max(BLOCK, basis.size() / 6);
      if (full || due) {
        lastCheck = basis.size();
        long ritzStart = System.nanoTime();
        List<RitzPair> converged =
            converged(basis, diagonalBlocks, lowerBlocks, modes, zero, edge, full);
        ritzNanos += System.nanoTime() - ritzStart;
        if (converged != null) {
          return converged;
        }
        if (full) {
          throw new IllegalStateException(
              "block Lanczos converged no Ritz pair in " + basis.size() + " vectors ("
                  + lockedValues.size() + " eigenpairs locked, " + dof + " dimensions)");
        }
      }
      block = next;
    }
  }

  /**
   * Returns the converged top Ritz pairs of the basis when they are enough to end the run (any
   * number from one when {@code full}), an empty list when a checking run may end with nothing
   * found, else null. The last of {@code lowerBlocks} is B_j of the newest block, which gives the
   * residuals.
   */
  private List<RitzPair> converged(
      List<double[]> basis,
      List<double[][]> diagonalBlocks,
      List<double[][]> lowerBlocks,
      int modes,
      double zero,
      double edge,
      boolean full) {
    int m = basis.size();
    int steps = diagonalBlocks.size();
    DMatrixRMaj t = new DMatrixRMaj(m, m);
    for (int j = 0; j < steps; j++) {
      int offset = j * BLOCK;
      double[][] a = diagonalBlocks.get(j);
      for (int r = 0; r < BLOCK; r++) {
        for (int c = 0; c < BLOCK; c++) {
          t.unsafe_set(offset + r, offset + c, a[r][c]);
        }
      }
      if (j + 1 < steps) {
        double[][] b = lowerBlocks.get(j); // T[block j+1, block j] = B_j, mirrored above
        for (int r = 0; r < BLOCK; r++) {
          for (int c = 0; c < BLOCK; c++) {
            t.unsafe_set(offset + BLOCK + r, offset + c, b[r][c]);
            t.unsafe_set(offset + c, offset + BLOCK + r, b[r][c]);
          }
        }
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(m, true, true);
    if (!eigen.decompose(t)) {
      throw new IllegalStateException(
          "EJML could not diagonalize the " + m + " x " + m + " Lanczos matrix");
    }
    Integer[] byValue = new Integer[m];
    for (int i = 0; i < m; i++) {
      byValue[i] = i;
    }
    Arrays.sort(byValue, Comparator.comparingDouble((Integer i) -> -eigen.getEigenvalue(i).real));
    double[][] last = lowerBlocks.get(steps - 1);
    int lastOffset = (steps - 1) * BLOCK;
    List<Double> candidates = new ArrayList<>(lockedValues);
    List<Integer> accepted = new ArrayList<>();
    for (int index : byValue) {
      double theta = eigen.getEigenvalue(index).real;
      DMatrixRMaj y = eigen.getEigenVector(index);
      double residual2 = 0;
      for (int r = 0; r < BLOCK; r++) {
        double sum = 0;
        for (int c = r; c < BLOCK; c++) { // B_j is upper triangular
          sum += last[r][c] * y.get(lastOffset + c);
        }
        residual2 += sum * sum;
      }
      double residual = Math.sqrt(residual2);
      // The largest Ritz value is at most the largest eigenvalue: above the edge, it proves an
      // eigenvalue was missed, which this run then converges; at or below, it must settle first.
      if (accepted.isEmpty() && theta <= edge && residual <= CHECK_TOLERANCE * theta) {
        return List.of();
      }
      if (!(theta > 0) || residual > TOLERANCE * theta) {
        break;
      }
      accepted.add(index);
      candidates.add(theta);
    }
    int needed = full ? 1 : Math.max(wanted(candidates, modes, zero) - lockedValues.size(), 1);
    if (accepted.size() < needed) {
      return null;
    }
    List<RitzPair> pairs = new ArrayList<>(accepted.size());
    for (int index : accepted) {
      DMatrixRMaj y = eigen.getEigenVector(index);
      double[] vector = new double[dof];
      for (int k = 0; k < m; k++) {
        axpy(y.get(k), basis.get(k), vector);
      }
      double norm = Math.sqrt(dot(vector, vector));
      for (int i = 0; i < dof; i++) {
        vector[i] /= norm;
      }
      pairs.add(new RitzPair(eigen.getEigenvalue(index).real, vector));
    }
    return pairs;
  }

  /**
   * Returns (H + sI)^-1 applied to each vector of {@code block}: forward and back substitution with
   * the factor L, all vectors in one sweep over L (see {@link EnvelopeCholesky#solve}).
   */
  private double[][] applyInverse(double[][] block) {
    int p = block.length;
    double[] x = new double[dof * p];
    for (int c = 0; c < p; c++) {
      double[] v = block[c];
      for (int i = 0; i < dof; i++) {
        x[i * p + c] = v[i];
      }
    }
    factor.solve(x, p);
    double[][] result = new double[p][dof];
    for (int c = 0; c < p; c++) {
      double[] v = result[c];
      for (int i = 0; i < dof; i++) {
        v[i] = x[i * p + c];
      }
    }
    return result;
  }

  private double[] gaussian() {
    double[] vector = new double[dof];
    for (int i = 0; i < dof; i++) {
      vector[i] = random.nextGaussian();
    }
    return vector;
  }

  /**
   * Subtracts from each vector of {@code block} its components along {@code against}, which are
   * orthonormal (or zero). Four of them at a time: their four dot products with a vector in one
   * pass over it, then their four multiples off it in another, rather than eight passes; within a
   * four the components are taken as they were before any of the four went (classical
   * Gram-Schmidt), between fours as they are after (modified). The callers orthogonalize twice.
   */
  private static void orthogonalize(double[][] block, List<double[]> against) {
    int count = against.size();
    int k = 0;
    for (; k + 3 < count; k += 4) {
      double[] q0 = against.get(k);
      double[] q1 = against.get(k + 1);
      double[] q2 = against.get(k + 2);
      double[] q3 = against.get(k + 3);
      for (double[] v : block) {
        double d0 = 0;
        double d1 = 0;
        double d2 = 0;
        double d3 = 0;
        for (int i = 0; i < v.length; i++) {
          double x = v[i];
          d0 += q0[i] * x;
          d1 += q1[i] * x;
          d2 += q2[i] * x;
          d3 += q3[i] * x;
        }
        for (int i = 0; i < v.length; i++) {
          v[i] -= d0 * q0[i] + d1 * q1[i] + d2 * q2[i] + d3 * q3[i];
        }
      }
    }
    for (; k < count; k++) {
      double[] q = against.get(k);
      for (double[] v : block) {
        axpy(-dot(q, v), q, v);
      }
    }
  }

  /**
   * Replaces the vectors of {@code block} with orthonormal ones spanning the same space (modified
   * Gram-Schmidt, twice) and adds to the upper triangle of {@code r} so that old = new * r. Returns
   * the rank: a vector left with less than 1e-10 of its length in {@code reference} (its length
   * before any orthogonalization: what remains below that is rounding error) is set to zero, with
   * a zero row in {@code r}, and the others go on.
   */
  private static int orthonormalize(double[][] block, double[] reference, double[][] r) {
    int rank = 0;
    for (int k = 0; k < block.length; k++) {
      double before = reference[k];
      for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < k; i++) {
          double coefficient = dot(block[i], block[k]);
          r[i][k] += coefficient;
          axpy(-coefficient, block[i], block[k]);
        }
      }
      double norm = Math.sqrt(dot(block[k], block[k]));
      if (!(norm > 1e-10 * before)) {
        Arrays.fill(block[k], 0);
        continue;
      }
      rank++;
      r[k][k] = norm;
      double scale = 1 / norm;
      for (int i = 0; i < block[k].length; i++) {
        block[k][i] *= scale;
      }
    }
    return rank;
  }

  private static double[] norms(double[][] block) {
    double[] norms = new double[block.length];
    for (int c = 0; c < block.length; c++) {
      norms[c] = Math.sqrt(dot(block[c], block[c]));
    }
    return norms;
  }

  private static double dot(double[] x, double[] y) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += x[i] * y[i];
    }
    return sum;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double[] sortedDescending(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    for (int i = 0, j = sorted.length - 1; i < j; i++, j--) {
      double swap = sorted[i];
      sorted[i] = sorted[j];
      sorted[j] = swap;
    }
    return sorted;
  }
}
