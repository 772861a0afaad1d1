package dev.jprocs.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The seed's "pool size vs runtime" figure: run time (left axis) and speedup (right axis) against
 * the number of workers, with the fitted Amdahl curves, written as a PNG with XChart. Needs no
 * display ({@code -Djava.awt.headless=true}).
 */
final class PoolSizeChart {
  private static final Color JPROCS = new Color(0x1f, 0x77, 0xb4);
  private static final Color THREADS = new Color(0x2c, 0xa0, 0x2c);
  private static final Color PYTHON = new Color(0xff, 0x7f, 0x0e);
  private static final Color SPEEDUP = new Color(0xd6, 0x27, 0x28);

  private PoolSizeChart() {}

  /**
   * Writes the chart to {@code png}.
   *
   * @param seconds jprocs' median run time at each of {@code sizes}
   * @param threadSeconds the in-process thread pool's, at the same sizes
   * @param pythonSeconds Python's, or null when it was not measured
   * @param fit Amdahl's law fitted to {@code seconds}
   */
  static void write(Path png, String title, int[] sizes, double[] seconds, double[] threadSeconds,
      double[] pythonSeconds, Amdahl fit) throws IOException {
    XYChart chart = new XYChartBuilder().width(1200).height(600).title(title)
        .xAxisTitle("pool size (workers)").yAxisTitle("run time (s)").build();
    XYStyler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendLayout(Styler.LegendLayout.Vertical);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
    styler.setYAxisMin(0, 0.0);
    styler.setYAxisMin(1, 0.0);
    styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.setYAxisGroupTitle(0, "run time (s)");
    chart.setYAxisGroupTitle(1, "speedup over 1 worker");
    styler.setXAxisDecimalPattern("0");
    styler.setYAxisDecimalPattern("0.0");

    double[] x = new double[sizes.length];
    double[] speedup = new double[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      x[i] = sizes[i];
      speedup[i] = seconds[0] / seconds[i];
    }
    int steps = 60;
    double[] curveX = new double[steps + 1];
    double[] curveTime = new double[steps + 1];
    double[] curveSpeedup = new double[steps + 1];
    double[] ideal = new double[steps + 1];
    double last = sizes[sizes.length - 1];
    for (int k = 0; k <= steps; k++) {
      curveX[k] = 1 + (last - 1) * k / steps;
      curveTime[k] = fit.time(curveX[k]);
      curveSpeedup[k] = fit.speedup(curveX[k]);
      ideal[k] = curveX[k];
    }
    String p = String.format(Locale.ROOT, "p = %.2f", fit.p());

    points(chart, "jprocs, run time", x, seconds, JPROCS, 0);
    line(chart, "Amdahl fit, run time (" + p + ")", curveX, curveTime, JPROCS, 0, false);
    points(chart, "in-process threads, run time", x, threadSeconds, THREADS, 0);
    if (pythonSeconds != null) {
      points(chart, "Python Pool + Biopython, run time", x, pythonSeconds, PYTHON, 0);
    }
    points(chart, "jprocs speedup (right axis)", x, speedup, SPEEDUP, 1);
    line(chart, "Amdahl fit, speedup (" + p + ")", curveX, curveSpeedup, SPEEDUP, 1, false);
    line(chart, "ideal speedup", curveX, ideal, Color.GRAY, 1, true);

    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static void points(XYChart chart, String name, double[] x, double[] y, Color color,
      int axis) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    series.setMarker(SeriesMarkers.CIRCLE);
    series.setMarkerColor(color);
    series.setLineColor(color);
    series.setLineStyle(new BasicStroke(1.0f));
    series.setYAxisGroup(axis);
  }

  private static void line(XYChart chart, String name, double[] x, double[] y, Color color,
      int axis, boolean dotted) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setLineStyle(new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        dotted ? new float[] {2f, 4f} : new float[] {8f, 4f}, 0f));
    series.setYAxisGroup(axis);
  }
}
