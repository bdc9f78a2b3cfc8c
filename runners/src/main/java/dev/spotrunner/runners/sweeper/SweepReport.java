package dev.spotrunner.runners.sweeper;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/** What one sweep did, by {@link Count}; written as one EMF document per run. */
public final class SweepReport {
  public enum Count {
    /** Redeliveries GitHub accepted for failed queued-job deliveries: jobs recovered. */
    JOBS_RECOVERED("JobsRecovered"),
    /** Failed queued-job deliveries left for the next run because the points ran out. */
    REDELIVERIES_DEFERRED("RedeliveriesDeferred"),
    /** Queued-job deliveries whose one redelivery failed too (counted every run while in the window). */
    REDELIVERIES_GIVEN_UP("RedeliveriesGivenUp"),
    /** Queued-job deliveries the webhook refused for their content (400, 403, 413, 422). */
    REFUSED_BY_WEBHOOK("DeliveriesRefusedByWebhook"),
    /** Redeliveries GitHub refused (the delivery is too old, or gone). */
    REDELIVERIES_REFUSED("RedeliveriesRefused"),
    /** Apps whose delivery log could not be read at all this run (key refused, GitHub down). */
    LOGS_UNREAD("DeliveryLogsUnread"),
    /** Delivery pages read. */
    PAGES_READ("DeliveryPagesRead"),
    /** GitHub secondary-limit points spent: 1 per page, 5 per redelivery. */
    POINTS_SPENT("SweeperPointsSpent");

    private final String metric;

    Count(String metric) {
      this.metric = metric;
    }

    public String metric() {
      return metric;
    }
  }

  private final Map<Count, Integer> counts = new EnumMap<>(Count.class);

  void add(Count count, int n) {
    counts.merge(count, n, Integer::sum);
  }

  public int get(Count count) {
    return counts.getOrDefault(count, 0);
  }

  /** Where a run's counts go: namespace {@code spotrunner}, dimension {@code function=sweeper}. */
  public static Metrics metrics(Clock clock, Consumer<String> emf) {
    return new Metrics(SweeperHandler.NAMESPACE, clock, emf).dimension("function", "sweeper");
  }

  /** Every count, zeros included, so CloudWatch sees a point per run. */
  public void writeTo(Metrics metrics) {
    for (Count count : Count.values()) {
      metrics.count(count.metric(), get(count));
    }
    metrics.flush();
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
