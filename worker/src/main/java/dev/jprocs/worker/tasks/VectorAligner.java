package dev.jprocs.worker.tasks;

import java.util.Arrays;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GlobalAligner}'s alignments of up to {@link #LANES} sequences of one length against one
 * reference at once, one sequence per lane of a vector of shorts (the incubating {@code
 * jdk.incubator.vector} module): the same scores and the same alignments, cell for cell, since
 * the fill computes the same three matrices and the traceback makes the same choices.
 *
 * <p>Use this class only in a JVM that resolves {@code jdk.incubator.vector} ({@code
 * --add-modules}; {@link AlignTask} checks); elsewhere its first use throws {@code
 * NoClassDefFoundError}. Scores are shorts,
 * so {@link #fits} bounds the lengths and parameters. Not thread-safe: buffers are reused.
 */
final class VectorAligner {
  private static final VectorSpecies<Short> SPECIES = ShortVector.SPECIES_PREFERRED;

  /** Sequences aligned at once: 32 with AVX-512, 16 with AVX2. */
  static final int LANES = SPECIES.length();

  /**
   * Whether the vectors are worth it: 8 lanes (128 bits) or more. Where C2 has no vector registers
   * the API runs in plain Java, many times slower than {@link GlobalAligner}.
   */
  static final boolean WORTHWHILE = LANES >= 8;

  /**
   * The score of an impossible state: it loses every max against a reachable score and gets at
   * most one parameter added first (the fill's row and column 0), so it never wraps.
   */
  private static final short IMPOSSIBLE = Short.MIN_VALUE / 2;

  /** Reachable scores stay within this of zero; see {@link #fits}. */
  private static final int MAX_SCORE_MAGNITUDE = 8000;

  /** The most cells a matrix may have: three of them take 6 bytes a cell a lane (3 MB at 32). */
  private static final int MAX_CELLS = 1 << 14;

  private final short match;
  private final short mismatch;
  private final short gapOpen;
  private final short gapExtend;
  private final int largestParameter;

  // Reused across calls; grown, never shrunk. Cell (i, j) of lane k is at ((i * width) + j) *
  // LANES + k; the query holds the sequences' characters the same way, column by column.
  private short[] query = new short[0];
  private short[] matchScores = new short[0];
  private short[] gapInSecondScores = new short[0];
  private short[] gapInFirstScores = new short[0];
  private char[] alignedFirst = new char[0];
  private char[] alignedSecond = new char[0];
  /** The columns row 0 of the matrices is written for; -1 when it is not (see fillRowZero). */
  private int rowZeroColumns = -1;

  /** An aligner with these scores, which {@link #fits} then bounds with the lengths. */
  VectorAligner(int match, int mismatch, int gapOpen, int gapExtend) {
    this.match = (short) match;
    this.mismatch = (short) mismatch;
    this.gapOpen = (short) gapOpen;
    this.gapExtend = (short) gapExtend;
    this.largestParameter = Math.max(Math.max(Math.abs(match), Math.abs(mismatch)),
        Math.max(Math.abs(gapOpen), Math.abs(gapExtend)));
    if (largestParameter > GlobalAligner.MAX_SCORE_MAGNITUDE) {
      throw new IllegalArgumentException("scores must be within +-" + GlobalAligner.MAX_SCORE_MAGNITUDE);
    }
  }

  /**
   * Whether a reference of {@code rows} characters and sequences of {@code columns} can be
   * aligned here: every score of an alignment (at most rows + columns steps, each adding one
   * parameter) fits a short with room for {@link #IMPOSSIBLE}, and the matrices stay small.
   */
  boolean fits(int rows, int columns) {
    return (long) (rows + 1) * (columns + 1) <= MAX_CELLS
        && (long) (rows + columns + 1) * largestParameter < MAX_SCORE_MAGNITUDE;
  }

  /**
   * Aligns {@code sequences[0..count)}, all of one length, against {@code reference}, and stores
   * each one's result at the same index of {@code into}. Requires {@code 1 <= count <= LANES} and
   * {@link #fits}; the caller checks both.
   */
  void align(String reference, String[] sequences, int count, GlobalAligner.Result[] into) {
    int rows = reference.length();
    int columns = sequences[0].length();
    int width = columns + 1;
    ensureCapacity(rows, columns);
    short[] q = query;
    for (int lane = 0; lane < LANES; lane++) {
      // Lanes past count hold character 0, which equals no letter; their results are not read.
      String sequence = lane < count ? sequences[lane] : null;
      for (int j = 0; j < columns; j++) {
        q[j * LANES + lane] = sequence == null ? 0 : (short) sequence.charAt(j);
      }
    }
    fill(reference, rows, columns);
    short[] m = matchScores;
    short[] x = gapInSecondScores;
    short[] y = gapInFirstScores;
    int end = (rows * width + columns) * LANES;
    for (int lane = 0; lane < count; lane++) {
      int score = m[end + lane];
      int state = GlobalAligner.MATCH;
      if (x[end + lane] > score) {
        score = x[end + lane];
        state = GlobalAligner.GAP_IN_SECOND;
      }
      if (y[end + lane] > score) {
        score = y[end + lane];
        state = GlobalAligner.GAP_IN_FIRST;
      }
      into[lane] = traceBack(score, state, reference, sequences[lane], lane);
    }
  }

  /**
   * The three score matrices of every lane, as {@link GlobalAligner#align} fills one: row 0 and
   * column 0 first, then row by row with the cell to the left and the diagonal one in registers.
   */
  private void fill(String reference, int rows, int columns) {
    if (rowZeroColumns != columns) {
      fillRowZero(columns);
    }
    for (int i = 1; i <= rows; i++) {
      // A leading gap of i in the second sequence; within a short, as fits() bounds every score.
      short columnGap = (short) (gapOpen + (i - 1) * gapExtend);
      fillRow(i, (short) reference.charAt(i - 1), columns, columnGap);
    }
  }

  /**
   * Row 0 of every lane's matrices, where only the empty alignment and a leading gap in the first
   * sequence are possible. Its cells depend on the column alone, and row 1 starts right after its
   * last one, so it serves every batch of sequences of that length: it is written again only when
   * the length changes or the matrices are replaced. Plain stores, not vectors: in code C2 has not
   * compiled, each vector operation is an object and a loop (written per batch, this row kept the
   * Vector API's fallback methods hot enough for C2 to compile them).
   */
  private void fillRowZero(int columns) {
    short[] m = matchScores;
    short[] x = gapInSecondScores;
    short[] y = gapInFirstScores;
    Arrays.fill(m, 0, LANES, (short) 0);
    Arrays.fill(x, 0, (columns + 1) * LANES, IMPOSSIBLE);
    Arrays.fill(y, 0, LANES, IMPOSSIBLE);
    Arrays.fill(m, LANES, (columns + 1) * LANES, IMPOSSIBLE);
    for (int j = 1; j <= columns; j++) {
      Arrays.fill(y, j * LANES, (j + 1) * LANES, (short) (gapOpen + (j - 1) * gapExtend));
    }
    rowZeroColumns = columns;
  }

  /**
   * Row {@code i} of every lane's three matrices, whose reference character is {@code ai} and
   * whose column-0 cell scores {@code columnGapScore} in the gap-in-second matrix.
   * A method of its own, called once a row, so that C2 compiles it from its calls within the
   * first batch (see PoolConfig's VECTOR_API_OPTIONS): as one method with {@link #fill}, it was
   * compiled three times, twice on stack replacement (a 100,000-align run took some 0.1 s more).
   */
  private void fillRow(int i, short ai, int columns, short columnGapScore) {
    int width = columns + 1;
    short[] q = query;
    short[] m = matchScores;
    short[] x = gapInSecondScores;
    short[] y = gapInFirstScores;
    ShortVector impossible = ShortVector.broadcast(SPECIES, IMPOSSIBLE);
    ShortVector open = ShortVector.broadcast(SPECIES, gapOpen);
    ShortVector extend = ShortVector.broadcast(SPECIES, gapExtend);
    ShortVector hit = ShortVector.broadcast(SPECIES, match);
    ShortVector miss = ShortVector.broadcast(SPECIES, mismatch);
    ShortVector columnGap = ShortVector.broadcast(SPECIES, columnGapScore);
    int p = i * width * LANES; // cell (i, 0)
    impossible.intoArray(m, p);
    columnGap.intoArray(x, p);
    impossible.intoArray(y, p);
    int up = p - width * LANES;
    ShortVector diagonalM = ShortVector.fromArray(SPECIES, m, up);
    ShortVector diagonalX = ShortVector.fromArray(SPECIES, x, up);
    ShortVector diagonalY = ShortVector.fromArray(SPECIES, y, up);
    ShortVector leftM = impossible;
    ShortVector leftX = columnGap;
    ShortVector leftY = impossible;
    for (int j = 1; j <= columns; j++) {
      p += LANES;
      up += LANES;
      ShortVector upM = ShortVector.fromArray(SPECIES, m, up);
      ShortVector upX = ShortVector.fromArray(SPECIES, x, up);
      ShortVector upY = ShortVector.fromArray(SPECIES, y, up);
      ShortVector step = miss.blend(hit, ShortVector.fromArray(SPECIES, q, (j - 1) * LANES).eq(ai));
      ShortVector cellM = diagonalM.max(diagonalX).max(diagonalY).add(step);
      // Opening after a gap in the other sequence is allowed, as in Biopython.
      ShortVector cellX = upX.add(extend).max(upM.max(upY).add(open));
      ShortVector cellY = leftY.add(extend).max(leftM.max(leftX).add(open));
      cellM.intoArray(m, p);
      cellX.intoArray(x, p);
      cellY.intoArray(y, p);
      diagonalM = upM;
      diagonalX = upX;
      diagonalY = upY;
      leftM = cellM;
      leftX = cellX;
      leftY = cellY;
    }
  }

  /** {@link GlobalAligner}'s traceback, on one lane of the matrices. */
  private GlobalAligner.Result traceBack(int score, int state, String first, String second, int lane) {
    short[] m = matchScores;
    short[] x = gapInSecondScores;
    short[] y = gapInFirstScores;
    char[] outFirst = alignedFirst;
    char[] outSecond = alignedSecond;
    int rows = first.length();
    int columns = second.length();
    int width = columns + 1;
    int end = rows + columns;
    int k = end;
    int i = rows;
    int j = columns;
    while (i > 0 || j > 0) {
      int p = (i * width + j) * LANES + lane;
      k--;
      switch (state) {
        case GlobalAligner.MATCH -> {
          char ai = first.charAt(--i);
          char bj = second.charAt(--j);
          outFirst[k] = ai;
          outSecond[k] = bj;
          // Without a branch, as the scalar fill scores a cell (a mispredicted branch here cost some
          // 0.15 us an alignment).
          int before = m[p] - mismatch - GlobalAligner.equal(ai, bj) * (match - mismatch);
          int diagonal = p - (width + 1) * LANES;
          state = m[diagonal] == before
              ? GlobalAligner.MATCH
              : x[diagonal] == before ? GlobalAligner.GAP_IN_SECOND : GlobalAligner.GAP_IN_FIRST;
        }
        case GlobalAligner.GAP_IN_SECOND -> {
          outFirst[k] = first.charAt(--i);
          outSecond[k] = GlobalAligner.GAP;
          int up = p - width * LANES;
          state = x[up] + gapExtend == x[p]
              ? GlobalAligner.GAP_IN_SECOND
              : m[up] + gapOpen == x[p] ? GlobalAligner.MATCH : GlobalAligner.GAP_IN_FIRST;
        }
        default -> {
          outFirst[k] = GlobalAligner.GAP;
          outSecond[k] = second.charAt(--j);
          int left = p - LANES;
          state = y[left] + gapExtend == y[p]
              ? GlobalAligner.GAP_IN_FIRST
              : m[left] + gapOpen == y[p] ? GlobalAligner.MATCH : GlobalAligner.GAP_IN_SECOND;
        }
      }
    }
    return new GlobalAligner.Result(score, new String(outFirst, k, end - k),
        new String(outSecond, k, end - k));
  }

  private void ensureCapacity(int rows, int columns) {
    int cells = (rows + 1) * (columns + 1) * LANES;
    if (query.length < columns * LANES) {
      query = new short[columns * LANES];
    }
    if (matchScores.length < cells) {
      matchScores = new short[cells];
      gapInSecondScores = new short[cells];
      gapInFirstScores = new short[cells];
      rowZeroColumns = -1;
    }
    if (alignedFirst.length < rows + columns) {
      alignedFirst = new char[rows + columns];
      alignedSecond = new char[rows + columns];
    }
  }
}
