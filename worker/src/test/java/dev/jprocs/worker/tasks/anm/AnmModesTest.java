package dev.jprocs.worker.tasks.anm;

import static dev.jprocs.worker.tasks.anm.AnmTaskTest.STRUCTURES;
import static dev.jprocs.worker.tasks.anm.AnmTaskTest.doubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both ways to the modes: each against ProDy's numbers, and the sparse one against the dense one
 * where Lanczos is weakest, on eigenvalues of high multiplicity.
 */
@Timeout(60)
class AnmModesTest {
  /** Dense decompositions of more atoms than this take seconds; AnmTaskTest covers those. */
  private static final int DENSE_TEST_MAX_ATOMS = 330;

  @Test
  void eachSolverGivesProdysNumbersOnTheSampleStructures() throws IOException {
    for (JsonNode expected : AnmTaskTest.prodyExpected().get("structures")) {
      if (expected.has("error")) {
        continue;
      }
      String name = expected.get("structure").textValue();
      AnmHessian hessian = hessian(STRUCTURES.resolve(name));
      List<AnmModes.Solver> solvers = new ArrayList<>(List.of(AnmModes.Solver.SPARSE));
      if (hessian.atoms() <= DENSE_TEST_MAX_ATOMS) {
        solvers.add(AnmModes.Solver.DENSE);
      }
      for (AnmModes.Solver solver : solvers) {
        AnmModes modes = AnmModes.compute(hessian, 20, solver, name);

        double[] eigenvalues = doubles(expected.get("eigenvalues"));
        assertEquals(eigenvalues.length, modes.eigenvalues().length, name + " " + solver);
        for (int i = 0; i < eigenvalues.length; i++) {
          assertEquals(eigenvalues[i], modes.eigenvalues()[i], 1e-4 * eigenvalues[i],
              name + " " + solver + " eigenvalue " + i);
        }
        assertArrayEquals(doubles(expected.get("fractions")), modes.fractions(), 1e-4,
            name + " " + solver);
      }
    }
  }

  @Test
  void sparseSolverFindsEveryCopyOfEigenvaluesRepeatedMoreOftenThanItsBlock() {
    // Twelve copies of one cluster, far apart, with integer coordinates so that every copy's
    // Hessian block is bitwise the same: 72 zero eigenvalues and every other one twelve times.
    Random random = new Random(5);
    List<double[]> cluster = new ArrayList<>();
    while (cluster.size() < 12) {
      double[] point = {random.nextInt(10), random.nextInt(10), random.nextInt(10)};
      if (cluster.stream().allMatch(other -> distance2(point, other) >= 16)) {
        cluster.add(point);
      }
    }
    List<double[]> atoms = new ArrayList<>();
    for (int copy = 0; copy < 12; copy++) {
      for (double[] point : cluster) {
        atoms.add(new double[] {point[0] + 100 * copy, point[1], point[2]});
      }
    }
    AnmHessian hessian = AnmHessian.build(calphas(atoms), 15, 1);

    AnmModes dense = AnmModes.compute(hessian, 20, AnmModes.Solver.DENSE, "copies");
    AnmModes sparse = AnmModes.compute(hessian, 20, AnmModes.Solver.SPARSE, "copies");

    assertEquals(dense.eigenvalues()[0], dense.eigenvalues()[11], 1e-12, "twelve copies");
    assertArrayEquals(dense.eigenvalues(), sparse.eigenvalues(), 1e-9);
    assertArrayEquals(dense.fractions(), sparse.fractions(), 1e-9);
  }

  @Test
  void zeroModesOfEveryPieceOfABrokenNetworkAreSkipped() throws IOException {
    // il2 twice, 500 A apart, and five lone atoms: 12 + 15 zero eigenvalues, then il2's own
    // modes two by two.
    double[] il2 = CalphaReader.read(STRUCTURES.resolve("il2.pdb")).coordinates();
    List<double[]> atoms = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) {
      for (int i = 0; i < il2.length; i += 3) {
        atoms.add(new double[] {il2[i] + 500 * copy, il2[i + 1], il2[i + 2]});
      }
    }
    for (int lone = 0; lone < 5; lone++) {
      atoms.add(new double[] {-1000, 100 * lone, 0});
    }
    AnmHessian hessian = AnmHessian.build(calphas(atoms), 15, 1);
    AnmModes single = AnmModes.compute(hessian(STRUCTURES.resolve("il2.pdb")), 10,
        AnmModes.Solver.DENSE, "il2");

    AnmModes dense = AnmModes.compute(hessian, 20, AnmModes.Solver.DENSE, "broken");
    AnmModes sparse = AnmModes.compute(hessian, 20, AnmModes.Solver.SPARSE, "broken");

    for (int i = 0; i < 10; i++) {
      assertEquals(single.eigenvalues()[i], dense.eigenvalues()[2 * i], 1e-9);
      assertEquals(single.eigenvalues()[i], dense.eigenvalues()[2 * i + 1], 1e-9);
    }
    assertArrayEquals(dense.eigenvalues(), sparse.eigenvalues(), 1e-9);
  }

  @Test
  void smallNetworksHaveAllTheirNonZeroModes() {
    AnmModes two = AnmModes.compute(AnmHessian.build(calphas(List.of(
        new double[] {0, 0, 0}, new double[] {3.8, 0, 0})), 15, 2.5), 20, AnmModes.Solver.DENSE, "two");
    AnmModes three = AnmModes.compute(AnmHessian.build(calphas(List.of(
        new double[] {0, 0, 0}, new double[] {3.8, 0, 0}, new double[] {0, 3.8, 1})), 15, 1), 20,
        AnmModes.Solver.DENSE, "three");

    assertArrayEquals(new double[] {2 * 2.5}, two.eigenvalues(), 1e-12, "a spring stretches at 2 gamma");
    assertArrayEquals(new double[] {1}, two.fractions(), 1e-15);
    assertEquals(3, three.eigenvalues().length, "3N - 6");
  }

  @Test
  void sevenAtomsGiveTheirFifteenModesWhereProdyFails() throws IOException {
    // ProDy 2.3 asks scipy for eigenvalues 0..25 of a 21 x 21 matrix and raises; all 15
    // non-zero modes is what it gives for six atoms (12) or nine (20 of 21).
    double[] first = CalphaReader.read(STRUCTURES.resolve("pdb2gb1_truncated.pdb")).coordinates();
    List<double[]> atoms = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      atoms.add(Arrays.copyOfRange(first, 3 * i, 3 * i + 3));
    }
    AnmHessian hessian = AnmHessian.build(calphas(atoms), 15, 1);

    AnmModes dense = AnmModes.compute(hessian, 20, AnmModes.Solver.DENSE, "seven");
    AnmModes sparse = AnmModes.compute(hessian, 20, AnmModes.Solver.SPARSE, "seven");

    assertEquals(15, dense.eigenvalues().length);
    assertArrayEquals(dense.eigenvalues(), sparse.eigenvalues(), 1e-9);
  }

  @Test
  void oneAtomHasNoModeAndSaysSo() {
    AnmHessian hessian = AnmHessian.build(calphas(List.<double[]>of(new double[] {1, 2, 3})), 15, 1);

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> AnmModes.compute(hessian, 20, AnmModes.Solver.AUTOMATIC, "lone.pdb"));

    assertEquals("lone.pdb: the network of 1 C-alpha atom has no non-zero mode (0 contacts): one"
        + " atom can only move rigidly", error.getMessage());
  }

  @Test
  void hessianIsSymmetricAndStillUnderTranslationAndRotation() throws IOException {
    Calphas atoms = CalphaReader.read(STRUCTURES.resolve("1znf.pdb"));
    DMatrixRMaj h = AnmHessian.build(atoms, 15, 1).dense();
    int n = atoms.count();
    double[] xyz = atoms.coordinates();

    for (int row = 0; row < 3 * n; row++) {
      for (int column = 0; column < 3 * n; column++) {
        assertEquals(h.get(row, column), h.get(column, row), 0.0);
      }
    }
    for (int axis = 0; axis < 3; axis++) {
      double[] translation = new double[3 * n];
      double[] rotation = new double[3 * n]; // infinitesimal rotation about the axis: e x r
      for (int i = 0; i < n; i++) {
        translation[3 * i + axis] = 1;
        int a = (axis + 1) % 3;
        int b = (axis + 2) % 3;
        rotation[3 * i + a] = -xyz[3 * i + b];
        rotation[3 * i + b] = xyz[3 * i + a];
      }
      assertArrayEquals(new double[3 * n], multiply(h, translation), 1e-9, "translation " + axis);
      assertArrayEquals(new double[3 * n], multiply(h, rotation), 1e-9, "rotation " + axis);
    }
  }

  private static AnmHessian hessian(Path file) throws IOException {
    return AnmHessian.build(CalphaReader.read(file), 15, 1);
  }

  private static Calphas calphas(List<double[]> points) {
    double[] coordinates = new double[3 * points.size()];
    String[] residues = new String[points.size()];
    int[] lines = new int[points.size()];
    for (int i = 0; i < points.size(); i++) {
      System.arraycopy(points.get(i), 0, coordinates, 3 * i, 3);
      residues[i] = "GLY A " + (i + 1);
      lines[i] = i + 1;
    }
    return new Calphas("synthetic", coordinates, residues, lines);
  }

  private static double distance2(double[] a, double[] b) {
    double dx = a[0] - b[0];
    double dy = a[1] - b[1];
    double dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
  }

  private static double[] multiply(DMatrixRMaj matrix, double[] vector) {
    double[] result = new double[matrix.numRows];
    for (int row = 0; row < matrix.numRows; row++) {
      for (int column = 0; column < matrix.numCols; column++) {
        result[row] += matrix.get(row, column) * vector[column];
      }
    }
    return result;
  }
}
