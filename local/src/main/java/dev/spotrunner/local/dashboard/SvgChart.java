package dev.spotrunner.local.dashboard;

import java.util.List;
import java.util.Locale;

/** A time-series graph as an SVG document: one polyline with markers per series, axes, legend. */
final class SvgChart {
  static final int WIDTH = 560;
  static final int HEIGHT = 190;
  private static final int LEFT = 48;
  private static final int BOTTOM = 22;
  private static final int TOP = 8;
  private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

  private SvgChart() {}

  /** The colour of the i-th series, in the graph and in the page's legend. */
  static String colour(int index) {
    return COLOURS[index % COLOURS.length];
  }

  static String render(List<DashboardView.Series> series, long from, long to, long periodMillis) {
    double max = 0;
    for (DashboardView.Series s : series) {
      for (double[] v : s.values()) {
        max = Math.max(max, v[1]);
      }
    }
    max = max <= 0 ? 1 : niceCeiling(max);
    long span = Math.max(periodMillis, to - from);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    int plotWidth = WIDTH - LEFT - 8;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>",
        LEFT, TOP, plotWidth, plotHeight));
    for (int i = 0; i <= 4; i++) {
      double value = max * i / 4;
      int y = TOP + plotHeight - plotHeight * i / 4;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s</text>",
          LEFT, y, LEFT + plotWidth, y, LEFT - 4, y + 3, number(value)));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"10\">-%d s</text><text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">now</text>",
        LEFT, HEIGHT - 6, span / 1000, LEFT + plotWidth, HEIGHT - 6));
    for (int i = 0; i < series.size(); i++) {
      String colour = colour(i);
      StringBuilder line = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (double[] v : series.get(i).values()) {
        double x = LEFT + plotWidth * Math.max(0, Math.min(1, (v[0] + periodMillis / 2.0 - from) / span));
        double y = TOP + plotHeight - plotHeight * (v[1] / max);
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y, colour));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>",
          colour, line.toString().trim()));
      svg.append(dots);
    }
    svg.append("</svg>");
    return svg.toString();
  }

  /** A round number at or above the value: 1, 2 or 5 times a power of ten. */
  static double niceCeiling(double value) {
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (value <= step * power) {
        return step * power;
      }
    }
    return 10 * power;
  }

  static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
  }
}
