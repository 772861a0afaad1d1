package dev.jprocs.bench;

import java.math.BigDecimal;

/**
 * A goal from issue 7 that a figure's median is held to: an absolute bound ("150 ms or less"), a
 * bound relative to the figure's baseline ("at most half Python's time"), or both.
 *
 * @param text the goal as the report prints it
 * @param check judges the figure's median, given its baseline's median (null when the figure has
 *     none); returns null when the goal cannot be judged, for example without the baseline
 */
record Target(String text, Check check) {

  /** Judges one median; null when it cannot. */
  @FunctionalInterface
  interface Check {
    Boolean passes(double median, Double baselineMedian);
  }

  /** The median is {@code limit} or less. */
  static Target atMost(double limit, String unit) {
    return new Target("<= " + plain(limit) + " " + unit, (median, base) -> median <= limit);
  }

  /** The median is {@code limit} or more. */
  static Target atLeast(double limit, String unit) {
    return new Target(">= " + plain(limit) + (unit.isEmpty() ? "" : " " + unit),
        (median, base) -> median >= limit);
  }

  /** The median is at most {@code factor} times the baseline's median. */
  static Target atMostTimesBaseline(double factor, String baseline) {
    return new Target("<= " + plain(factor) + " x " + baseline,
        (median, base) -> base == null ? null : median <= factor * base);
  }

  /** Both goals; not judged when either cannot be. */
  Target and(Target other) {
    return new Target(text + " and " + other.text, (median, base) -> {
      Boolean first = check.passes(median, base);
      Boolean second = other.check.passes(median, base);
      return first == null || second == null ? null : first && second;
    });
  }

  /** "pass", "miss", or "n/a" when the goal cannot be judged. */
  String verdict(double median, Double baselineMedian) {
    Boolean passes = check.passes(median, baselineMedian);
    return passes == null ? "n/a" : passes ? "pass" : "miss";
  }

  /** 0.5 as "0.5", 150.0 as "150". */
  static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
