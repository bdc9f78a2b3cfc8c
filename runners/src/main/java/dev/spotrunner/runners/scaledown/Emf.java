package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Consumer;

/**
 * The cycle's counts as one CloudWatch embedded-metric-format document (common's {@link Metrics}),
 * namespace {@value #NAMESPACE}, dimension {@code pool}, one metric per {@link CycleReport.Count}.
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
    metrics.flush();
  }
}
