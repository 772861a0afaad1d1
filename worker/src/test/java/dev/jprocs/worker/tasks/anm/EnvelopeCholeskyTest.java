package dev.jprocs.worker.tasks.anm;

import static dev.jprocs.worker.tasks.anm.AnmTaskTest.STRUCTURES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The envelope factor against EJML's dense solve, and its refusal of an indefinite matrix. */
@Timeout(60)
class EnvelopeCholeskyTest {
  @Test
  void solvesTheShiftedHessianInAtomOrderAsADenseSolveDoes() throws IOException {
    AnmHessian hessian = AnmHessian.build(CalphaReader.read(STRUCTURES.resolve("il2.pdb")), 15, 1);
    int[] order = AtomOrdering.reverseCuthillMcKee(hessian);
    int[] position = new int[order.length];
    for (int k = 0; k < order.length; k++) {
      position[order[k]] = k;
    }
    double shift = 0.01;
    int size = 3 * hessian.atoms();
    DMatrixRMaj dense = hessian.dense(); // in file order: permute the solution, not the matrix
    for (int i = 0; i < size; i++) {
      dense.add(i, i, shift);
    }
    for (int width : new int[] {8, 3}) {
      Random random = new Random(width);
      DMatrixRMaj b = new DMatrixRMaj(size, width);
      double[] interleaved = new double[size * width];
      for (int atom = 0; atom < hessian.atoms(); atom++) {
        for (int axis = 0; axis < 3; axis++) {
          for (int c = 0; c < width; c++) {
            double value = random.nextGaussian();
            b.set(3 * atom + axis, c, value);
            interleaved[(3 * position[atom] + axis) * width + c] = value;
          }
        }
      }
      DMatrixRMaj expected = new DMatrixRMaj(size, width);
      CommonOps_DDRM.solve(dense, b, expected);

      EnvelopeCholesky.factor(hessian, position, shift).solve(interleaved, width);

      double[] actual = new double[size * width];
      double[] wanted = new double[size * width];
      for (int atom = 0; atom < hessian.atoms(); atom++) {
        for (int axis = 0; axis < 3; axis++) {
          for (int c = 0; c < width; c++) {
            actual[(3 * atom + axis) * width + c] = interleaved[(3 * position[atom] + axis) * width + c];
            wanted[(3 * atom + axis) * width + c] = expected.get(3 * atom + axis, c);
          }
        }
      }
      double scale = 0;
      for (double value : wanted) {
        scale = Math.max(scale, Math.abs(value));
      }
      assertArrayEquals(wanted, actual, 1e-9 * scale, "width " + width);
    }
  }

  @Test
  void aHessianWithoutShiftIsNotPositiveDefiniteAndSaysSo() throws IOException {
    AnmHessian hessian = AnmHessian.build(CalphaReader.read(STRUCTURES.resolve("1znf.pdb")), 15, 1);
    int[] position = new int[hessian.atoms()];
    for (int i = 0; i < position.length; i++) {
      position[i] = i;
    }

    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> EnvelopeCholesky.factor(hessian, position, -1));

    assertTrue(error.getMessage().startsWith(
        "the Cholesky factorization of the shifted Hessian met a pivot of "), error.getMessage());
  }
}
