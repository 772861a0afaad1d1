package dev.jprocs.worker.tasks.anm;

import java.util.Arrays;

/**
 * A reverse Cuthill-McKee ordering of the atoms of a network: neighbours get nearby positions, so
 * the Cholesky factor of the Hessian in that order has a narrow profile, the envelope that {@link
 * EnvelopeCholesky} stores, and its fill stays inside that envelope. Measured earlier with EJML's
 * up-looking sparse factorization: in file order pdb3hsy's factor has 1.12 M non-zeros and takes
 * 2.4 times as long as in this order (0.80 M); a nested dissection by coordinate planes (15 A
 * separators) gives 0.93 M on pdb3hsy and 15% fewer than this ordering on 1000-2000-atom chains,
 * but no faster factorization, its separators being a large part of a protein this small.
 */
final class AtomOrdering {
  private AtomOrdering() {}

  /**
   * Returns the atoms of {@code hessian} in reverse Cuthill-McKee order: {@code order[k]} is the
   * atom at position k. Each connected part of the network is ordered from a pseudo-peripheral atom
   * (the end of a breadth-first search started at a least-connected atom).
   */
  static int[] reverseCuthillMcKee(AnmHessian hessian) {
    int n = hessian.atoms();
    int[] degree = hessian.degrees();
    // Neighbour lists in compressed rows: neighbours of i are adjacency[start[i] .. start[i+1]).
    int[] start = new int[n + 1];
    for (int i = 0; i < n; i++) {
      start[i + 1] = start[i] + degree[i];
    }
    int[] adjacency = new int[start[n]];
    int[] fill = Arrays.copyOf(start, n);
    for (int k = 0; k < hessian.contacts(); k++) {
      int i = hessian.first(k);
      int j = hessian.second(k);
      adjacency[fill[i]++] = j;
      adjacency[fill[j]++] = i;
    }
    int[] order = new int[n];
    boolean[] placed = new boolean[n];
    int count = 0;
    while (count < n) {
      int seed = -1;
      for (int i = 0; i < n; i++) {
        if (!placed[i] && (seed < 0 || degree[i] < degree[seed])) {
          seed = i;
        }
      }
      // Two sweeps towards the far end of the part give a pseudo-peripheral start.
      seed = farthest(seed, start, adjacency, placed);
      seed = farthest(seed, start, adjacency, placed);
      count = breadthFirst(seed, start, adjacency, degree, placed, order, count);
    }
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** Returns the last atom a breadth-first search from {@code from} reaches among unplaced ones. */
  private static int farthest(int from, int[] start, int[] adjacency, boolean[] placed) {
    boolean[] seen = placed.clone();
    int[] queue = new int[placed.length];
    int head = 0;
    int tail = 0;
    queue[tail++] = from;
    seen[from] = true;
    int last = from;
    while (head < tail) {
      int atom = queue[head++];
      last = atom;
      for (int k = start[atom]; k < start[atom + 1]; k++) {
        int next = adjacency[k];
        if (!seen[next]) {
          seen[next] = true;
          queue[tail++] = next;
        }
      }
    }
    return last;
  }

  /**
   * Appends the part of {@code seed} to {@code order} from position {@code count} in Cuthill-McKee
   * order (breadth first, each atom's new neighbours by increasing degree); returns the new count.
   */
  private static int breadthFirst(
      int seed, int[] start, int[] adjacency, int[] degree, boolean[] placed, int[] order, int count) {
    int head = count;
    order[count++] = seed;
    placed[seed] = true;
    while (head < count) {
      int atom = order[head++];
      int first = count;
      for (int k = start[atom]; k < start[atom + 1]; k++) {
        int next = adjacency[k];
        if (!placed[next]) {
          placed[next] = true;
          order[count++] = next;
        }
      }
      // Insertion sort of the few new neighbours by degree, ties by index for a stable order.
      for (int a = first + 1; a < count; a++) {
        int atomA = order[a];
        int b = a - 1;
        while (b >= first
            && (degree[order[b]] > degree[atomA]
                || degree[order[b]] == degree[atomA] && order[b] > atomA)) {
          order[b + 1] = order[b];
          b--;
        }
        order[b + 1] = atomA;
      }
    }
    return count;
  }
}
