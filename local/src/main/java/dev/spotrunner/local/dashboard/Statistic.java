package dev.spotrunner.local.dashboard;

import java.util.List;
import java.util.Locale;

/** A CloudWatch statistic over a bucket's values: Sum, Average, Minimum, Maximum, SampleCount or pNN. */
public record Statistic(String name) {
  public Statistic {
    String n = name.toLowerCase(Locale.ROOT);
    if (!List.of("sum", "average", "minimum", "maximum", "samplecount").contains(n) && !n.matches("p\\d{1,2}(\\.\\d+)?")) {
      throw new IllegalArgumentException("statistic not drawn locally: " + name);
    }
  }

  /** The statistic of the values (none: NaN). */
  public double of(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "sum" -> values.stream().mapToDouble(Double::doubleValue).sum();
      case "average" -> values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      case "minimum" -> values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      case "maximum" -> values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      case "samplecount" -> values.size();
      default -> percentile(values, Double.parseDouble(name.substring(1)));
    };
  }

  /** Nearest rank, as CloudWatch's percentile of raw values. */
  private static double percentile(List<Double> values, double percent) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
