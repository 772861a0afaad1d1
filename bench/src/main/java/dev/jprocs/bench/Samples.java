package dev.jprocs.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The values one figure took, one per run, in the order they were taken; the report shows their
 * median, min and max.
 */
record Samples(double[] values) {
  Samples {
    if (values.length == 0) {
      throw new IllegalArgumentException("a figure needs at least one sample");
    }
    values = values.clone();
  }

  static Samples of(List<Double> values) {
    return new Samples(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static Samples of(double... values) {
    return new Samples(values);
  }

  /** The middle value; the mean of the two middle ones for an even count. */
  double median() {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  double min() {
    return Arrays.stream(values).min().orElseThrow();
  }

  double max() {
    return Arrays.stream(values).max().orElseThrow();
  }

  /** These samples in another unit, for example nanoseconds to milliseconds. */
  Samples map(DoubleUnaryOperator conversion) {
    return new Samples(Arrays.stream(values).map(conversion).toArray());
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Samples s && Arrays.equals(values, s.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
