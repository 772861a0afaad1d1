package dev.jprocs.worker.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Surefire resolves jdk.incubator.vector for this module's tests (worker/pom.xml). */
@Timeout(120)
class VectorAlignerTest {
  private static final int LANES = VectorAligner.LANES;

  /** With align's scores; a new pair for each test, as JUnit makes a new instance for each. */
  private final VectorAligner vectors = new VectorAligner(1, -2, -5, -2);
  private final GlobalAligner scalar = new GlobalAligner();

  @Test
  void testJvmHasLanesEnoughToBeWorthIt() {
    assertTrue(VectorAligner.WORTHWHILE, "lanes: " + LANES);
  }

  @Test
  void everyLaneGivesGlobalAlignersScoreAndAlignment() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      String reference = GlobalAlignerTest.randomSequence(random, 1 + random.nextInt(80), "ACGT");
      int length = 1 + random.nextInt(80);
      int count = 1 + random.nextInt(LANES);
      assertLanesMatch(vectors, scalar, reference, sequences(random, count, length, "ACGT"));
    }
  }

  @Test
  void oneAlignerKeepsAgreeingAsTheLengthShrinksAndGrowsAgain() {
    // Row 0 of the matrices is written only when the length changes; rows of a shorter length
    // overwrite its end, so the longer length after them must write it again.
    Random random = new Random(14);
    for (int length : new int[] {40, 40, 8, 40, 1, 64, 64, 3, 64}) {
      assertLanesMatch(vectors, scalar, AlignTask.DEFAULT_REFERENCE,
          sequences(random, LANES, length, "ACGT"));
    }
  }

  @Test
  void otherScoresAndAlphabetsAgreeToo() {
    Random random = new Random(12);
    int[][] parameters = {{2, -1, -3, -1}, {5, -4, -10, -1}, {1, 0, -1, -1}, {3, -3, -2, -2},
        {0, -1, -1, 0}, {1, -1, 0, 0}};
    for (int[] p : parameters) {
      VectorAligner otherVectors = new VectorAligner(p[0], p[1], p[2], p[3]);
      GlobalAligner otherScalar = new GlobalAligner(p[0], p[1], p[2], p[3]);
      for (int round = 0; round < 60; round++) {
        String alphabet = round % 2 == 0 ? "AC" : "ACDEFGHIKLMNPQRSTVWYacgt";
        String reference = GlobalAlignerTest.randomSequence(random, 1 + random.nextInt(60), alphabet);
        String[] sequences = sequences(random, 1 + random.nextInt(LANES), 1 + random.nextInt(60), alphabet);
        assertLanesMatch(otherVectors, otherScalar, reference, sequences);
      }
    }
  }

  @Test
  void repeatsAndNearCopiesOfTheReferenceAgree() {
    Random random = new Random(13);
    String reference = AlignTask.DEFAULT_REFERENCE;
    String[] sequences = new String[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      char[] copy = reference.toCharArray();
      for (int edits = 0; edits < lane % 6; edits++) {
        copy[random.nextInt(copy.length)] = "ACGT".charAt(random.nextInt(4));
      }
      sequences[lane] = lane == 0 ? "A".repeat(64) : new String(copy);
    }
    assertLanesMatch(vectors, scalar, reference, sequences);
  }

  @Test
  void scoresThatCouldOverflowAShortAreNotTaken() {
    VectorAligner large = new VectorAligner(256, -256, -256, -256);

    assertTrue(vectors.fits(64, 64));
    assertTrue(vectors.fits(126, 126));
    assertFalse(vectors.fits(128, 128), "more cells than the buffers are for");
    assertFalse(vectors.fits(1, 20_000));
    assertTrue(large.fits(10, 10));
    assertFalse(large.fits(20, 20), "40 steps of 256 is past a short's safe range");
  }

  @Test
  void largestScoresThatFitStillAgree() {
    Random random = new Random(14);
    VectorAligner large = new VectorAligner(200, -200, -256, -150);
    GlobalAligner largeScalar = new GlobalAligner(200, -200, -256, -150);
    for (int round = 0; round < 50; round++) {
      int rows = 1 + random.nextInt(18);
      int columns = 1 + random.nextInt(18);
      if (!large.fits(rows, columns)) {
        continue;
      }
      assertLanesMatch(large, largeScalar, GlobalAlignerTest.randomSequence(random, rows, "ACGT"),
          sequences(random, 1 + random.nextInt(LANES), columns, "ACGT"));
    }
  }

  private static void assertLanesMatch(VectorAligner vectors, GlobalAligner scalar, String reference,
      String[] sequences) {
    GlobalAligner.Result[] results = new GlobalAligner.Result[LANES];
    vectors.align(reference, sequences, sequences.length, results);
    for (int lane = 0; lane < sequences.length; lane++) {
      assertEquals(scalar.align(reference, sequences[lane]), results[lane],
          "lane " + lane + " of " + sequences.length + ": " + reference + " vs " + sequences[lane]);
    }
  }

  private static String[] sequences(Random random, int count, int length, String alphabet) {
    String[] sequences = new String[count];
    for (int i = 0; i < count; i++) {
      sequences[i] = GlobalAlignerTest.randomSequence(random, length, alphabet);
    }
    return sequences;
  }
}
