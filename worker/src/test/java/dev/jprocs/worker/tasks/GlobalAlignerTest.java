package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GlobalAlignerTest {
  private static final String BIOPYTHON_SCORES = "/align/biopython_scores.tsv";

  private final GlobalAligner aligner = new GlobalAligner();

  @Test
  void identicalSequencesScoreTheirLength() {
    GlobalAligner.Result result = aligner.align("ACGTTGCA", "ACGTTGCA");

    assertEquals(8, result.score());
    assertEquals("ACGTTGCA", result.first());
    assertEquals("ACGTTGCA", result.second());
  }

  @Test
  void oneMismatchScoresMinusTwoInsteadOfOne() {
    GlobalAligner.Result result = aligner.align("ACGTTGCA", "ACGATGCA");

    assertEquals(7 - 2, result.score());
    assertEquals("ACGTTGCA", result.first());
    assertEquals("ACGATGCA", result.second());
  }

  @Test
  void innerGapOfOneScoresTheOpenScore() {
    GlobalAligner.Result result = aligner.align("AAAAAGTTTTT", "AAAAATTTTT");

    assertEquals(10 - 5, result.score());
    assertEquals("AAAAAGTTTTT", result.first());
    assertEquals("AAAAA-TTTTT", result.second());
  }

  @Test
  void innerGapOfThreeScoresOpenAndTwoExtensions() {
    GlobalAligner.Result result = aligner.align("AAAAAGGGTTTTT", "AAAAATTTTT");

    assertEquals(10 - (5 + 2 + 2), result.score());
    assertEquals("AAAAAGGGTTTTT", result.first());
    assertEquals("AAAAA---TTTTT", result.second());
  }

  @Test
  void gapInTheFirstSequenceScoresLikeAGapInTheSecond() {
    GlobalAligner.Result result = aligner.align("AAAAATTTTT", "AAAAAGGGTTTTT");

    assertEquals(10 - (5 + 2 + 2), result.score());
    assertEquals("AAAAA---TTTTT", result.first());
    assertEquals("AAAAAGGGTTTTT", result.second());
  }

  @Test
  void terminalGapsCostTheSameAsInnerOnes() {
    GlobalAligner.Result trailing = aligner.align("ACGTACGGG", "ACGTAC");
    GlobalAligner.Result leading = aligner.align("CCACGTAC", "ACGTAC");

    assertEquals(6 - (5 + 2 + 2), trailing.score());
    assertEquals("ACGTACGGG", trailing.first());
    assertEquals("ACGTAC---", trailing.second());
    assertEquals(6 - (5 + 2), leading.score());
    assertEquals("CCACGTAC", leading.first());
    assertEquals("--ACGTAC", leading.second());
  }

  @Test
  void emptyAgainstNonEmptyScoresOneGapOfTheWholeLength() {
    for (int length = 1; length <= 6; length++) {
      String bases = "ACGTAC".substring(0, length);
      int expected = -(5 + 2 * (length - 1));

      GlobalAligner.Result emptyFirst = aligner.align("", bases);
      GlobalAligner.Result emptySecond = aligner.align(bases, "");

      assertEquals(expected, emptyFirst.score(), "empty against " + bases);
      assertEquals("-".repeat(length), emptyFirst.first());
      assertEquals(bases, emptyFirst.second());
      assertEquals(expected, emptySecond.score(), bases + " against empty");
      assertEquals(bases, emptySecond.first());
      assertEquals("-".repeat(length), emptySecond.second());
    }
  }

  @Test
  void twoEmptySequencesScoreZero() {
    GlobalAligner.Result result = aligner.align("", "");

    assertEquals(0, result.score());
    assertEquals("", result.first());
    assertEquals("", result.second());
  }

  @Test
  void lettersAreComparedCaseSensitively() {
    assertEquals(-8, aligner.align("acgt", "ACGT").score());
  }

  @Test
  void scoresAreTakenFromTheConstructor() {
    GlobalAligner custom = new GlobalAligner(2, -1, -3, -1);

    assertEquals(8, custom.align("ACGT", "ACGT").score());
    assertEquals(6 - 1, custom.align("ACGT", "ACTT").score());
    assertEquals(6 - (3 + 1 + 1), custom.align("ACGGGT", "ACT").score());
  }

  /**
   * When a mismatch costs more than two gap openings, a gap in one sequence directly followed by a
   * gap in the other is best; Biopython 1.80 also scores "GAT" against "GCT" here as -8.
   */
  @Test
  void gapInOneSequenceMayDirectlyFollowAGapInTheOther() {
    GlobalAligner harsh = new GlobalAligner(1, -20, -5, -2);

    GlobalAligner.Result result = harsh.align("GAT", "GCT");

    assertEquals(2 - 10, result.score());
    assertEquals(result.score(), rescore(result, 1, -20, -5, -2));
    assertTrue(result.first().contains("-") && result.second().contains("-"), result.toString());
  }

  @Test
  void alignedRowsHoldTheInputsAndRescoreToTheScore() {
    Random random = new Random(7);
    for (int n = 0; n < 500; n++) {
      String first = randomSequence(random, random.nextInt(50), n % 2 == 0 ? "ACGT" : "AB");
      String second = randomSequence(random, random.nextInt(50), n % 2 == 0 ? "ACGT" : "AB");

      assertAlignmentOf(first, second, aligner.align(first, second));
    }
  }

  @Test
  void reusedBuffersGiveTheSameResultsAsAFreshAligner() {
    Random random = new Random(11);
    for (int n = 0; n < 200; n++) {
      String first = randomSequence(random, random.nextInt(90), "ACGT");
      String second = randomSequence(random, random.nextInt(90), "ACGT");

      assertEquals(new GlobalAligner().align(first, second), aligner.align(first, second));
    }
  }

  @Test
  void scoresAgreeWithBiopython() throws IOException {
    List<String[]> rows = readBiopythonScores();
    assertTrue(rows.size() >= 300, "only " + rows.size() + " pairs in " + BIOPYTHON_SCORES);
    for (String[] row : rows) {
      String reference = row[0];
      String sequence = row[1];
      int biopythonScore = Integer.parseInt(row[2]);

      GlobalAligner.Result result = aligner.align(reference, sequence);

      assertEquals(biopythonScore, result.score(), reference + " against " + sequence);
      assertAlignmentOf(reference, sequence, result);
    }
  }

  @Test
  void scoresAgreeWithAStraightforwardThreeMatrixGotoh() {
    int[][] scoreSets = {{1, -2, -5, -2}, {2, -1, -3, -1}, {1, -20, -5, -2}, {1, -1, -1, -1}};
    Random random = new Random(2024);
    for (int[] scores : scoreSets) {
      GlobalAligner custom = new GlobalAligner(scores[0], scores[1], scores[2], scores[3]);
      for (int n = 0; n < 1500; n++) {
        int firstLength = n < 36 ? n / 6 : random.nextInt(n % 3 == 0 ? 8 : 80);
        int secondLength = n < 36 ? n % 6 : random.nextInt(n % 5 == 0 ? 8 : 80);
        String alphabet = n % 4 == 0 ? "AB" : "ACGT";
        String first = randomSequence(random, firstLength, alphabet);
        String second = randomSequence(random, secondLength, alphabet);

        GlobalAligner.Result result = custom.align(first, second);

        String pair = first + " against " + second + " with " + Arrays.toString(scores);
        assertEquals(referenceScore(first, second, scores), result.score(), pair);
        assertEquals(result.first().length(), result.second().length(), pair);
        assertEquals(first, result.first().replace("-", ""), pair);
        assertEquals(second, result.second().replace("-", ""), pair);
        assertEquals(
            result.score(), rescore(result, scores[0], scores[1], scores[2], scores[3]), pair);
      }
    }
  }

  @Test
  void outOfRangeScoresAreRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new GlobalAligner(1, -2, -5000, -2));

    assertTrue(error.getMessage().contains("gapOpen is -5000"), error.getMessage());
  }

  private static void assertAlignmentOf(String first, String second, GlobalAligner.Result result) {
    String pair = first + " against " + second + ": " + result;
    assertEquals(result.first().length(), result.second().length(), pair);
    assertEquals(first, result.first().replace("-", ""), pair);
    assertEquals(second, result.second().replace("-", ""), pair);
    assertEquals(result.score(), rescore(result, 1, -2, -5, -2), pair);
  }

  /** Scores two aligned rows column by column, independently of the aligner's recurrences. */
  private static int rescore(
      GlobalAligner.Result result, int match, int mismatch, int gapOpen, int gapExtend) {
    String top = result.first();
    String bottom = result.second();
    int score = 0;
    char previousGap = ' '; // 't' after a gap in top, 'b' after a gap in bottom
    for (int k = 0; k < top.length(); k++) {
      char a = top.charAt(k);
      char b = bottom.charAt(k);
      if (a == '-' && b == '-') {
        fail("gap against gap in column " + k + " of " + result);
      } else if (a == '-') {
        score += previousGap == 't' ? gapExtend : gapOpen;
        previousGap = 't';
      } else if (b == '-') {
        score += previousGap == 'b' ? gapExtend : gapOpen;
        previousGap = 'b';
      } else {
        score += a == b ? match : mismatch;
        previousGap = ' ';
      }
    }
    return score;
  }

  /**
   * Gotoh's recurrences over three full matrices as textbooks write them, with no shared rows or
   * traceback: the reference the aligner's scores are checked against.
   */
  private static int referenceScore(String first, String second, int[] scores) {
    int match = scores[0];
    int mismatch = scores[1];
    int gapOpen = scores[2];
    int gapExtend = scores[3];
    int rows = first.length();
    int columns = second.length();
    long impossible = Long.MIN_VALUE / 4;
    long[][] m = new long[rows + 1][columns + 1];
    long[][] x = new long[rows + 1][columns + 1]; // ends with a gap in second
    long[][] y = new long[rows + 1][columns + 1]; // ends with a gap in first
    for (int i = 0; i <= rows; i++) {
      for (int j = 0; j <= columns; j++) {
        if (i == 0 && j == 0) {
          m[i][j] = 0;
          x[i][j] = impossible;
          y[i][j] = impossible;
          continue;
        }
        m[i][j] =
            i > 0 && j > 0
                ? Math.max(m[i - 1][j - 1], Math.max(x[i - 1][j - 1], y[i - 1][j - 1]))
                    + (first.charAt(i - 1) == second.charAt(j - 1) ? match : mismatch)
                : impossible;
        x[i][j] =
            i > 0
                ? Math.max(
                    x[i - 1][j] + gapExtend, Math.max(m[i - 1][j], y[i - 1][j]) + gapOpen)
                : impossible;
        y[i][j] =
            j > 0
                ? Math.max(
                    y[i][j - 1] + gapExtend, Math.max(m[i][j - 1], x[i][j - 1]) + gapOpen)
                : impossible;
      }
    }
    return (int) Math.max(m[rows][columns], Math.max(x[rows][columns], y[rows][columns]));
  }

  private static List<String[]> readBiopythonScores() throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (InputStream in = GlobalAlignerTest.class.getResourceAsStream(BIOPYTHON_SCORES)) {
      if (in == null) {
        throw new IOException(BIOPYTHON_SCORES + " is not on the test classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String header = null;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        if (header == null) {
          header = line;
          assertEquals("reference\tsequence\tscore", header);
          continue;
        }
        String[] fields = line.split("\t", -1);
        assertEquals(3, fields.length, "line: " + line);
        rows.add(fields);
      }
    }
    return rows;
  }

  static String randomSequence(Random random, int length, String alphabet) {
    char[] chars = new char[length];
    for (int k = 0; k < length; k++) {
      chars[k] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(chars);
  }
}
