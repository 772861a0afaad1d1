package dev.jprocs.worker.tasks;

/**
 * Optimal global alignment of two sequences with affine gap scores (Gotoh's algorithm), returning
 * the score and one optimal alignment; which one of several equally good alignments is not
 * guaranteed.
 *
 * <p>All four parameters are scores added to the total, so penalties are negative. A gap of length
 * {@code L} scores {@code gapOpen + (L - 1) * gapExtend}, at either end as inside; a gap in one
 * sequence may directly follow a gap in the other. This is the model of Biopython's {@code
 * PairwiseAligner(mode="global")} with {@code open_gap_score=gapOpen} and {@code
 * extend_gap_score=gapExtend}, whose scores {@code GlobalAlignerTest} checks this class against.
 * Characters are compared exactly, so case matters.
 *
 * <p>An instance reuses its buffers from one call to the next: it is not thread-safe, and a task
 * keeps one per worker (a worker calls a task from one thread).
 */
public final class GlobalAligner {
  /** Scikit-bio's {@code global_pairwise_align_nucleotide} defaults, end gaps penalized. */
  public static final int DEFAULT_MATCH = 1;

  public static final int DEFAULT_MISMATCH = -2;
  public static final int DEFAULT_GAP_OPEN = -5;
  public static final int DEFAULT_GAP_EXTEND = -2;

  /** The gap character in the aligned rows. */
  public static final char GAP = '-';

  /**
   * The score of an impossible state. Far enough from {@code Integer.MIN_VALUE} that adding one
   * gap score cannot wrap; it never has more than one score added before losing a max.
   */
  private static final int IMPOSSIBLE = Integer.MIN_VALUE / 4;

  /**
   * Bounds on parameters and on the two lengths together: every reachable score then lies within
   * 2^28 of zero, above {@link #IMPOSSIBLE} plus any one parameter.
   */
  static final int MAX_SCORE_MAGNITUDE = 1 << 8;

  private static final int MAX_TOTAL_LENGTH = 1 << 20;

  // The three states of a cell (i, j), i characters of the first sequence and j of the second
  // consumed: MATCH ends with first[i-1] against second[j-1], GAP_IN_SECOND with first[i-1]
  // against a gap, GAP_IN_FIRST with a gap against second[j-1].
  static final int MATCH = 0;
  static final int GAP_IN_SECOND = 1;
  static final int GAP_IN_FIRST = 2;

  /**
   * The score and one optimal alignment: {@code first} and {@code second} are the two sequences
   * with {@link #GAP} inserted, of equal length, never with a gap against a gap.
   */
  public record Result(int score, String first, String second) {}

  private final int match;
  private final int mismatch;
  private final int gapOpen;
  private final int gapExtend;

  // Reused across calls; grown, never shrunk. The three score matrices are row-major with
  // columns + 1 cells a row; the traceback recomputes each step from them, so the fill loop keeps
  // no per-cell pointers and has no data-dependent branches (on random sequences those branches
  // mispredict often enough to cost several times the arithmetic).
  private char[] firstChars = new char[0];
  private char[] secondChars = new char[0];
  private int[] matchScores = new int[0];
  private int[] gapInSecondScores = new int[0];
  private int[] gapInFirstScores = new int[0];
  private char[] alignedFirst = new char[0];
  private char[] alignedSecond = new char[0];

  /** An aligner with the defaults: match +1, mismatch -2, gap open -5, gap extend -2. */
  public GlobalAligner() {
    this(DEFAULT_MATCH, DEFAULT_MISMATCH, DEFAULT_GAP_OPEN, DEFAULT_GAP_EXTEND);
  }

  /**
   * An aligner with these scores, each at most 256 in magnitude.
   *
   * @param gapOpen the score of a gap's first position
   * @param gapExtend the score of each further position of the same gap
   */
  public GlobalAligner(int match, int mismatch, int gapOpen, int gapExtend) {
    requireMagnitude("match", match);
    requireMagnitude("mismatch", mismatch);
    requireMagnitude("gapOpen", gapOpen);
    requireMagnitude("gapExtend", gapExtend);
    this.match = match;
    this.mismatch = mismatch;
    this.gapOpen = gapOpen;
    this.gapExtend = gapExtend;
  }

  /**
   * 1 when {@code a} and {@code b} are equal, else 0, without a branch (whether two bases match is
   * near random, so a branch would be mispredicted half the time): {@code a ^ b} is in
   * [0, 0xFFFF], and less 1 it is negative only when it was 0.
   */
  static int equal(char a, char b) {
    return ((a ^ b) - 1) >>> 31;
  }

  private static void requireMagnitude(String name, int score) {
    if (Math.abs(score) > MAX_SCORE_MAGNITUDE) {
      throw new IllegalArgumentException(
          name + " is " + score + "; scores must be within +-" + MAX_SCORE_MAGNITUDE);
    }
  }

  /**
   * Returns the best global alignment score of {@code first} and {@code second} and one alignment
   * that has it. Either may be empty. Time is O(nm) and memory 12 bytes per cell of the
   * (n+1) x (m+1) matrix, so that matrix must have fewer than 2^31 cells, and n + m is at most
   * 2^20.
   */
  public Result align(String first, String second) {
    int rows = first.length();
    int columns = second.length();
    int width = columns + 1;
    long cells = (long) (rows + 1) * width;
    if (cells > Integer.MAX_VALUE - 8 || rows + columns > MAX_TOTAL_LENGTH) {
      throw new IllegalArgumentException(
          "sequences of lengths " + rows + " and " + columns + " are too long to align in memory");
    }
    ensureCapacity(rows, columns, (int) cells);
    char[] a = firstChars;
    char[] b = secondChars;
    first.getChars(0, rows, a, 0);
    second.getChars(0, columns, b, 0);
    int[] m = matchScores;
    int[] x = gapInSecondScores;
    int[] y = gapInFirstScores;
    int matchBonus = match - mismatch;

    // Row 0: only the empty alignment and a leading gap in the first sequence are possible.
    m[0] = 0;
    x[0] = IMPOSSIBLE;
    y[0] = IMPOSSIBLE;
    for (int j = 1; j <= columns; j++) {
      m[j] = IMPOSSIBLE;
      x[j] = IMPOSSIBLE;
      y[j] = j == 1 ? gapOpen : y[j - 1] + gapExtend;
    }

    for (int i = 1; i <= rows; i++) {
      int p = i * width; // cell (i, 0)
      m[p] = IMPOSSIBLE;
      x[p] = i == 1 ? gapOpen : x[p - width] + gapExtend;
      y[p] = IMPOSSIBLE;
      char ai = a[i - 1];
      // Cell (i-1, j-1), cell (i, j-1), and cell (i-1, j) in the loop, carried in locals so the
      // chain along the row runs through registers rather than through stores and loads.
      int diagonalM = m[p - width];
      int diagonalX = x[p - width];
      int diagonalY = y[p - width];
      int leftM = m[p];
      int leftX = x[p];
      int leftY = y[p];
      for (int j = 1; j <= columns; j++) {
        p++;
        int upM = m[p - width];
        int upX = x[p - width];
        int upY = y[p - width];
        int cellM = Math.max(diagonalM, Math.max(diagonalX, diagonalY)) + mismatch
            + equal(ai, b[j - 1]) * matchBonus;
        // Opening after a gap in the other sequence is allowed, as in Biopython.
        int cellX = Math.max(upX + gapExtend, Math.max(upM, upY) + gapOpen);
        int cellY = Math.max(leftY + gapExtend, Math.max(leftM, leftX) + gapOpen);
        m[p] = cellM;
        x[p] = cellX;
        y[p] = cellY;
        diagonalM = upM;
        diagonalX = upX;
        diagonalY = upY;
        leftM = cellM;
        leftX = cellX;
        leftY = cellY;
      }
    }

    int end = rows * width + columns;
    int score = m[end];
    int state = MATCH;
    if (x[end] > score) {
      score = x[end];
      state = GAP_IN_SECOND;
    }
    if (y[end] > score) {
      score = y[end];
      state = GAP_IN_FIRST;
    }
    return traceBack(score, state, rows, columns);
  }

  /**
   * Walks from cell (rows, columns) in {@code state} back to (0, 0), at each step finding a
   * predecessor whose score plus the step's score equals the cell's; one always does, since the
   * fill took the maximum of exactly these sums.
   */
  private Result traceBack(int score, int state, int rows, int columns) {
    char[] a = firstChars;
    char[] b = secondChars;
    int[] m = matchScores;
    int[] x = gapInSecondScores;
    int[] y = gapInFirstScores;
    char[] outFirst = alignedFirst;
    char[] outSecond = alignedSecond;
    int width = columns + 1;
    int end = rows + columns;
    int k = end;
    int i = rows;
    int j = columns;
    while (i > 0 || j > 0) {
      int p = i * width + j;
      k--;
      switch (state) {
        case MATCH -> {
          char ai = a[--i];
          char bj = b[--j];
          outFirst[k] = ai;
          outSecond[k] = bj;
          int before = m[p] - (ai == bj ? match : mismatch);
          int diagonal = p - width - 1;
          state =
              m[diagonal] == before
                  ? MATCH
                  : x[diagonal] == before ? GAP_IN_SECOND : GAP_IN_FIRST;
        }
        case GAP_IN_SECOND -> {
          outFirst[k] = a[--i];
          outSecond[k] = GAP;
          int up = p - width;
          state =
              x[up] + gapExtend == x[p]
                  ? GAP_IN_SECOND
                  : m[up] + gapOpen == x[p] ? MATCH : GAP_IN_FIRST;
        }
        default -> {
          outFirst[k] = GAP;
          outSecond[k] = b[--j];
          int left = p - 1;
          state =
              y[left] + gapExtend == y[p]
                  ? GAP_IN_FIRST
                  : m[left] + gapOpen == y[p] ? MATCH : GAP_IN_SECOND;
        }
      }
    }
    return new Result(score, new String(outFirst, k, end - k), new String(outSecond, k, end - k));
  }

  private void ensureCapacity(int rows, int columns, int cells) {
    if (firstChars.length < rows) {
      firstChars = new char[rows];
    }
    if (secondChars.length < columns) {
      secondChars = new char[columns];
    }
    if (matchScores.length < cells) {
      matchScores = new int[cells];
      gapInSecondScores = new int[cells];
      gapInFirstScores = new int[cells];
    }
    if (alignedFirst.length < rows + columns) {
      alignedFirst = new char[rows + columns];
      alignedSecond = new char[rows + columns];
    }
  }
}
