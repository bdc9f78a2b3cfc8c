package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.metrics.Metrics;
import dev.spotrunner.runners.breaker.SpotBreaker;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The interruption function's CloudWatch metrics (EMF, namespace {@code spotrunner}), one document
 * per fact: {@code SpotInterruptions{pool,instanceType,az}}, counts by pool ({@link Count}), and
 * {@code SpotBreakerOpened}/{@code SpotBreakerClosed{pool,breaker}}.
 */
public final class InterruptionMetrics {
  static final String NAMESPACE = "spotrunner";

  public enum Count {
    IDLE_RUNNERS_DEREGISTERED("IdleRunnersDeregistered"),
    INTERRUPTED_JOBS("InterruptedJobs"),
    GHOSTS_REMOVED("GhostRunnersRemoved"),
    JOBS_RERUN("JobsRerun"),
    RERUNS_NOT_NEEDED("RerunsNotNeeded"),
    RERUNS_AT_LIMIT("RerunsAtLimit"),
    RERUNS_EXPIRED("RerunsExpired");

    private final String metric;

    Count(String metric) {
      this.metric = metric;
    }

    public String metric() {
      return metric;
    }
  }

  private final Clock clock;
  private final Consumer<String> emf;

  public InterruptionMetrics(Clock clock, Consumer<String> emf) {
    this.clock = clock;
    this.emf = emf;
  }

  public void spotInterruption(String pool, String instanceType, String az) {
    Metrics metrics = new Metrics(NAMESPACE, clock, emf).dimension("pool", pool)
        .dimension("instanceType", instanceType).dimension("az", az);
    metrics.count("SpotInterruptions", 1);
    metrics.flush();
  }

  public void count(Count count, String pool, String jobOrInstance) {
    Metrics metrics = new Metrics(NAMESPACE, clock, emf).dimension("pool", pool)
        .property("subject", jobOrInstance);
    metrics.count(count.metric(), 1);
    metrics.flush();
  }

  public void breaker(String pool, SpotBreaker.Change change) {
    String metric = switch (change.to()) {
      case OPEN -> "SpotBreakerOpened";
      case CLOSED -> "SpotBreakerClosed";
      case HALF_OPEN -> "SpotBreakerProbing";
    };
    Metrics metrics = new Metrics(NAMESPACE, clock, emf).dimension("pool", pool)
        .dimension("breaker", change.key());
    metrics.count(metric, 1);
    metrics.flush();
  }
}
