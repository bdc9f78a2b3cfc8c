package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cycle as CloudWatch embedded-metric-format documents (common's {@link Metrics}), namespace
 * {@value #NAMESPACE}: by {@code pool} one metric per {@link CycleReport.Count} and the gauges
 * {@code RunnersBusy} and {@code RunnersIdle}; by {@code pool} and {@code capacityType} (spot,
 * on-demand) the gauge {@code InstancesRunning}. Gauges are read with Maximum or Average, not Sum.
 */
public final class Emf {
  public static final String NAMESPACE = "spotrunner";

  private final Consumer<String> out;

  public Emf(Consumer<String> out) {
    this.out = out;
  }

  /** Writes to stdout, where the Lambda runtime hands it to CloudWatch Logs. */
  public static Emf stdout() {
    return new Emf(System.out::println);
  }

  public void emit(String pool, Instant at, CycleReport report) {
    Metrics metrics = new Metrics(NAMESPACE, Clock.fixed(at, ZoneOffset.UTC), out)
        .dimension("pool", pool)
        .property("function", "scale-down");
    for (CycleReport.Count count : CycleReport.Count.values()) {
      metrics.count(count.metric(), report.get(count));
    }
    metrics.count("RunnersBusy", report.gauges().runnersBusy());
    metrics.count("RunnersIdle", report.gauges().runnersIdle());
    metrics.flush();
    report.gauges().instancesRunning().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> new Metrics(NAMESPACE, Clock.fixed(at, ZoneOffset.UTC), out)
            .dimension("pool", pool).dimension("capacityType", e.getKey().ec2Value())
            .property("function", "scale-down")
            .count("InstancesRunning", e.getValue()).flush());
  }
}
