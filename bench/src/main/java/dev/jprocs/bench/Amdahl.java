package dev.jprocs.bench;

/**
 * Amdahl's law fitted to measured run times: {@code T(n) = t1 * ((1 - p) + p / n)} for a pool of
 * {@code n} workers, where {@code p} is the fraction of the one-worker time that parallelizes.
 *
 * @param t1 the fitted run time on one worker
 * @param p the fitted parallel fraction, in [0, 1]
 */
record Amdahl(double t1, double p) {

  /**
   * Returns the least-squares fit of {@code times[i]} measured at pool size {@code sizes[i]}, with
   * {@code p} held to [0, 1].
   *
   * <p>The model is linear in {@code x = 1/n}: {@code T = a + b x} with {@code a = t1 (1 - p)} and
   * {@code b = t1 p}, so the unconstrained fit is a straight-line regression. {@code p} in [0, 1]
   * means {@code a, b >= 0}, a convex region; when the regression lands outside it, the constrained
   * optimum of the convex squared error lies on its edge, {@code a = 0} (p = 1) or {@code b = 0}
   * (p = 0), and the better of the two is taken.
   *
   * @throws IllegalArgumentException with fewer than two distinct pool sizes, or lengths that differ
   */
  static Amdahl fit(int[] sizes, double[] times) {
    if (sizes.length != times.length) {
      throw new IllegalArgumentException(
          sizes.length + " pool sizes but " + times.length + " run times");
    }
    double sumX = 0;
    double sumY = 0;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1) {
        throw new IllegalArgumentException("a pool size must be at least 1, got " + sizes[i]);
      }
      sumX += 1.0 / sizes[i];
      sumY += times[i];
    }
    double meanX = sumX / sizes.length;
    double meanY = sumY / sizes.length;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < sizes.length; i++) {
      double dx = 1.0 / sizes[i] - meanX;
      sxx += dx * dx;
      sxy += dx * (times[i] - meanY);
    }
    if (sxx == 0) {
      throw new IllegalArgumentException("Amdahl's law needs at least two distinct pool sizes");
    }
    double b = sxy / sxx;
    double a = meanY - b * meanX;
    if (a >= 0 && b >= 0 && a + b > 0) {
      return new Amdahl(a + b, b / (a + b));
    }
    Amdahl serial = fixedP(0, sizes, times);
    Amdahl parallel = fixedP(1, sizes, times);
    return serial.squaredError(sizes, times) <= parallel.squaredError(sizes, times)
        ? serial : parallel;
  }

  /** The least-squares {@code t1} for a given {@code p}: the model is then t1 times known f(n). */
  private static Amdahl fixedP(double p, int[] sizes, double[] times) {
    double tf = 0;
    double ff = 0;
    for (int i = 0; i < sizes.length; i++) {
      double f = (1 - p) + p / sizes[i];
      tf += times[i] * f;
      ff += f * f;
    }
    return new Amdahl(tf / ff, p);
  }

  double squaredError(int[] sizes, double[] times) {
    double sum = 0;
    for (int i = 0; i < sizes.length; i++) {
      double residual = times[i] - time(sizes[i]);
      sum += residual * residual;
    }
    return sum;
  }

  /** The model's run time on {@code n} workers. */
  double time(double n) {
    return t1 * ((1 - p) + p / n);
  }

  /** The model's speedup on {@code n} workers over one: {@code 1 / ((1 - p) + p / n)}. */
  double speedup(double n) {
    return 1 / ((1 - p) + p / n);
  }
}
