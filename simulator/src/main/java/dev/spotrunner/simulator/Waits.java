package dev.spotrunner.simulator;

import org.HdrHistogram.Histogram;

/** Wait times in seconds, with the percentiles the report prints. */
public final class Waits {
  private final Histogram histogram = new Histogram(3_600L * 24 * 30, 3);

  public void record(long seconds) {
    histogram.recordValue(Math.max(0, seconds));
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The wait at a percentile (0–100), in seconds; 0 when nothing was recorded. */
  public long percentile(double percentile) {
    return count() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
  }

  public double mean() {
    return count() == 0 ? 0 : histogram.getMean();
  }

  public long max() {
    return count() == 0 ? 0 : histogram.getMaxValue();
  }

  public void add(Waits other) {
    histogram.add(other.histogram);
  }

  Histogram histogram() {
    return histogram;
  }

  @Override
  public String toString() {
    return String.format("p50 %ds  p90 %ds  p99 %ds", percentile(50), percentile(90), percentile(99));
  }
}
