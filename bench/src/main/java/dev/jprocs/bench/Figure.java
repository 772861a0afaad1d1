package dev.jprocs.bench;

/**
 * One row of the report: what was measured, its samples, and optionally a baseline measured the
 * same way (Python's {@code Pool}, an in-process thread pool, or jprocs without a feature) and a
 * target from issue 7. Immutable; the {@code with...} methods return changed copies.
 *
 * @param section the benchmark section that measured it, as {@code --only} names it
 * @param name what was measured, precise enough to repeat it
 * @param baselineName what the baseline is, or null when there is none
 * @param baseline the baseline's samples in the same unit, or null
 * @param target the goal the median is held to, or null
 * @param note how it was measured, where the name cannot say it; or null
 */
record Figure(String section, String name, String unit, Samples samples, String baselineName,
    Samples baseline, Target target, String note) {

  static Figure of(String section, String name, String unit, Samples samples) {
    return new Figure(section, name, unit, samples, null, null, null, null);
  }

  /** This figure with a baseline; a null {@code baseline} (not measured) leaves it without. */
  Figure against(String baselineName, Samples baseline) {
    return baseline == null ? this
        : new Figure(section, name, unit, samples, baselineName, baseline, target, note);
  }

  Figure target(Target target) {
    return new Figure(section, name, unit, samples, baselineName, baseline, target, note);
  }

  Figure note(String note) {
    return new Figure(section, name, unit, samples, baselineName, baseline, target, note);
  }

  /** This figure's median over the baseline's; null without a baseline or when it is 0. */
  Double ratio() {
    return baseline == null || baseline.median() == 0 ? null
        : samples.median() / baseline.median();
  }

  /** "pass", "miss", "n/a" (a target that cannot be judged), or null without a target. */
  String verdict() {
    return target == null ? null
        : target.verdict(samples.median(), baseline == null ? null : baseline.median());
  }
}
