package dev.jprocs.worker.tasks.anm;

import java.util.Arrays;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The lowest non-trivial normal modes of an anisotropic network model and the fraction of the
 * variance each carries, as ProDy 2.3's {@code ANM.calcModes(n_modes, zeros=False)} and {@code
 * calcFractVariance} compute them.
 *
 * <p>ProDy calls an eigenvalue zero when it is below {@link #ZERO} (its {@code
 * prody.utilities.eigtools.ZERO}, an absolute 1e-6), skips every zero one (six for a rigid network,
 * more when it falls apart into pieces), and keeps the next {@code n_modes}, or all that remain.
 * A mode's variance is 1/eigenvalue, and its fraction is that over the sum for the modes kept.
 *
 * <p>One difference: ProDy 2.3 fails when {@code n_modes + 6} exceeds the 3N degrees of freedom
 * but {@code n_modes} does not (N = 7 or 8 atoms for 20 modes: "Requested eigenvalue indices are
 * not valid"); here those structures get all their non-zero modes, as smaller ones do in ProDy.
 *
 * @param eigenvalues the kept eigenvalues, ascending
 * @param fractions for each kept mode, its share of the summed variance; they add up to 1
 */
public record AnmModes(double[] eigenvalues, double[] fractions) {
  /** ProDy's threshold below which an eigenvalue is a zero mode. */
  public static final double ZERO = 1e-6;

  /**
   * From this many atoms on, {@link #compute} finds the modes with {@link ShiftInvertLanczos};
   * below, with a dense decomposition. This is where the two cross in AnmBenchmark (in the tests,
   * warm JIT): both take about 0.02 s on il2's 126 atoms and on a 150-atom synthetic chain; the
   * sparse way has a floor of about 0.015 s of Lanczos work however small the structure (0.005 s
   * dense for pdb1ubi's 76 atoms), and dense time grows as N^3 (0.13 s at 250 atoms against 0.04
   * s, 0.3 s at pdb3mht's 327 against 0.05 s).
   */
  public static final int SPARSE_FROM_ATOMS = 140;

  /** How {@link #compute} finds the eigenvalues. */
  public enum Solver {
    /** {@link #DENSE} below {@link #SPARSE_FROM_ATOMS} atoms, else {@link #SPARSE}. */
    AUTOMATIC,
    /** Every eigenvalue, from EJML's symmetric QR algorithm on the dense 3N x 3N Hessian. */
    DENSE,
    /** The lowest ones only, by {@link ShiftInvertLanczos} on the sparse Hessian. */
    SPARSE
  }

  /**
   * Returns the {@code modes} lowest non-trivial modes of {@code hessian}, or all it has when
   * fewer.
   *
   * @throws IllegalArgumentException when the network has no non-zero mode (one atom, or atoms
   *     too far apart to be joined by a spring), naming the file
   */
  public static AnmModes compute(AnmHessian hessian, int modes, Solver solver, String file) {
    if (modes < 1) {
      throw new IllegalArgumentException("modes must be at least 1, got " + modes);
    }
    int dof = 3 * hessian.atoms();
    boolean sparse =
        switch (solver) {
          case AUTOMATIC -> hessian.atoms() >= SPARSE_FROM_ATOMS && modes + 6 <= dof / 8;
          case DENSE -> false;
          case SPARSE -> true;
        };
    double[] ascending = null;
    if (sparse) {
      try {
        ascending = ShiftInvertLanczos.lowest(hessian, modes, ZERO);
      } catch (IllegalStateException e) {
        if (solver == Solver.SPARSE) {
          throw e;
        }
        // Automatic choice: the dense decomposition always gets there, only slower. The worker's
        // stdout is its log (stderr), so the fallback is on record.
        System.out.println(file + ": the sparse solver gave up (" + e.getMessage()
            + "); using a dense decomposition");
      }
    }
    if (ascending == null) {
      ascending = denseEigenvalues(hessian);
    }
    return select(ascending, modes, hessian, file);
  }

  /**
   * Returns every eigenvalue of the Hessian, ascending, from a dense decomposition.
   *
   * @throws IllegalArgumentException when three 3N x 3N matrices of doubles (the Hessian and
   *     EJML's work copies) would not fit in this JVM's heap, rather than run out of memory
   */
  static double[] denseEigenvalues(AnmHessian hessian) {
    int size = 3 * hessian.atoms();
    long bytes = 3L * 8 * size * size;
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "a dense decomposition of %d atoms needs about %d MB, more than the heap's %d MB; use"
              + " the sparse solver or a larger heap", hessian.atoms(), bytes >> 20, heap >> 20));
    }
    DMatrixRMaj matrix = hessian.dense();
    EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(size, false, true);
    if (!eigen.decompose(matrix)) {
      throw new IllegalStateException(
          "EJML's symmetric eigenvalue decomposition of the " + size + " x " + size
              + " Hessian did not converge");
    }
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = eigen.getEigenvalue(i).real;
    }
    Arrays.sort(values);
    return values;
  }

  private static AnmModes select(double[] ascending, int modes, AnmHessian hessian, String file) {
    int zeros = 0;
    while (zeros < ascending.length && ascending[zeros] < ZERO) {
      zeros++;
    }
    int kept = Math.min(modes, ascending.length - zeros);
    if (kept == 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s: the network of %d C-alpha atom%s has no non-zero mode (%d contacts): %s",
              file,
              hessian.atoms(),
              hessian.atoms() == 1 ? "" : "s",
              hessian.contacts(),
              hessian.atoms() == 1
                  ? "one atom can only move rigidly"
                  : "no two atoms are within the cutoff of each other"));
    }
    double[] eigenvalues = Arrays.copyOfRange(ascending, zeros, zeros + kept);
    double[] fractions = new double[kept];
    double total = 0;
    for (int i = 0; i < kept; i++) {
      fractions[i] = 1 / eigenvalues[i];
      total += fractions[i];
    }
    for (int i = 0; i < kept; i++) {
      fractions[i] /= total;
    }
    return new AnmModes(eigenvalues, fractions);
  }
}
