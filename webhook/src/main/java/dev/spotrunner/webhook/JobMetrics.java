package dev.spotrunner.webhook;

import dev.spotrunner.common.metrics.Metrics;
import dev.spotrunner.common.metrics.Unit;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Job start delay (GitHub's {@code started_at} − {@code created_at}: how long a job waited for a
 * runner) and run time, by environment, pool and repository, as CloudWatch embedded metric format
 * lines on stdout ({@link Metrics}): no API call on the request path.
 */
public final class JobMetrics {
  public static final String NAMESPACE = "spotrunner";
  public static final String JOB_START_DELAY = "JobStartDelay";
  public static final String JOB_RUN_TIME = "JobRunTime";

  private final String environment;
  private final Clock clock;
  private final Consumer<String> out;

  public JobMetrics(String environment, Clock clock, Consumer<String> out) {
    this.environment = environment;
    this.clock = clock;
    this.out = out;
  }

  /** Writes to stdout, where the Lambda runtime picks EMF lines up. */
  public static JobMetrics toStdout(String environment, Clock clock) {
    return new JobMetrics(environment, clock, System.out::println);
  }

  public void jobStarted(String pool, String repository, long jobId, Duration delay) {
    emit(JOB_START_DELAY, pool, repository, jobId, delay);
  }

  public void jobCompleted(String pool, String repository, long jobId, Duration runTime) {
    emit(JOB_RUN_TIME, pool, repository, jobId, runTime);
  }

  private void emit(String metric, String pool, String repository, long jobId, Duration value) {
    // one small document per event: nothing is buffered across requests, so nothing is lost
    new Metrics(NAMESPACE, clock, out)
        .dimension("environment", environment)
        .dimension("pool", pool)
        .dimension("repository", repository)
        .rollup("environment", "pool") // percentiles per pool: they do not add up across repositories
        // a property, not a dimension: searchable in Logs Insights without adding metric cardinality
        .property("job_id", jobId)
        .value(metric, value.toMillis() / 1000.0, Unit.SECONDS)
        .flush();
  }
}
