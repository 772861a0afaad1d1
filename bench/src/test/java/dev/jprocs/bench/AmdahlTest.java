package dev.jprocs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AmdahlTest {
  private static final int[] SIZES = {1, 2, 3, 4};

  private static double[] times(double t1, double p) {
    double[] times = new double[SIZES.length];
    for (int i = 0; i < SIZES.length; i++) {
      times[i] = t1 * ((1 - p) + p / SIZES[i]);
    }
    return times;
  }

  @Test
  void exactAmdahlTimesGiveBackTheirParameters() {
    Amdahl fit = Amdahl.fit(SIZES, times(8.0, 0.9));
    assertEquals(8.0, fit.t1(), 1e-9);
    assertEquals(0.9, fit.p(), 1e-9);
    assertEquals(1 / (0.1 + 0.9 / 4), fit.speedup(4), 1e-9);
  }

  @Test
  void noisyTimesFitCloseToTheTruth() {
    double[] times = times(10.0, 0.8);
    times[1] *= 1.02;
    times[3] *= 0.98;
    Amdahl fit = Amdahl.fit(SIZES, times);
    assertEquals(0.8, fit.p(), 0.03);
    assertEquals(10.0, fit.t1(), 0.2);
  }

  @Test
  void timesThatGrowWithWorkersFitAsFullySerial() {
    Amdahl fit = Amdahl.fit(SIZES, new double[] {1.0, 1.1, 1.2, 1.3});
    assertEquals(0.0, fit.p());
    assertEquals(1.15, fit.t1(), 1e-9); // the mean, the best constant
  }

  @Test
  void timesFallingFasterThanLinearFitAsFullyParallel() {
    Amdahl fit = Amdahl.fit(SIZES, new double[] {4.0, 1.5, 0.9, 0.6});
    assertEquals(1.0, fit.p());
  }

  @Test
  void oneDistinctPoolSizeCannotBeFitted() {
    assertThrows(IllegalArgumentException.class,
        () -> Amdahl.fit(new int[] {2, 2}, new double[] {1.0, 1.1}));
  }
}
