package dev.jprocs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FigureTest {
  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    Samples samples = Samples.of(5, 1, 3);
    assertEquals(3, samples.median());
    assertEquals(1, samples.min());
    assertEquals(5, samples.max());
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
    assertEquals(2.5, Samples.of(4, 1, 3, 2).median());
  }

  @Test
  void ratioIsTheMedianOverTheBaselineMedian() {
    Figure figure = Figure.of("trivial", "squares", "s", Samples.of(1, 2, 3))
        .against("python", Samples.of(4, 4, 8));
    assertEquals(0.5, figure.ratio());
  }

  @Test
  void relativeTargetPassesAtHalfTheBaselineAndCannotBeJudgedWithoutOne() {
    Target half = Target.atMostTimesBaseline(0.5, "python");
    assertEquals("<= 0.5 x python", half.text());
    Figure measured = Figure.of("cpu", "align", "s", Samples.of(2)).target(half);
    assertEquals("n/a", measured.verdict());
    assertEquals("pass", measured.against("python", Samples.of(4)).verdict());
    assertEquals("miss", measured.against("python", Samples.of(3.9)).verdict());
  }

  @Test
  void combinedTargetNeedsBothGoals() {
    Target both = Target.atMost(3, "us").and(Target.atMostTimesBaseline(0.2, "python"));
    assertEquals("<= 3 us and <= 0.2 x python", both.text());
    assertEquals("pass", both.verdict(2, 20.0));
    assertEquals("miss", both.verdict(2, 5.0));
    assertEquals("miss", both.verdict(4, 100.0));
  }

  @Test
  void figureWithoutTargetHasNoVerdictAndWithoutBaselineNoRatio() {
    Figure figure = Figure.of("start", "fleet", "ms", Samples.of(1));
    assertNull(figure.verdict());
    assertNull(figure.ratio());
  }
}
