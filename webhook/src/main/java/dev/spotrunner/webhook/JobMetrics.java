package dev.spotrunner.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Job start delay (GitHub's {@code started_at} − {@code created_at}: how long a job waited for a
 * runner) and run time, by pool and repository, as CloudWatch Embedded Metric Format lines on
 * stdout, which Lambda ships to CloudWatch Logs and CloudWatch turns into metrics without an API call.
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
    out.accept(line(JOB_START_DELAY, pool, repository, jobId, delay));
  }

  public void jobCompleted(String pool, String repository, long jobId, Duration runTime) {
    out.accept(line(JOB_RUN_TIME, pool, repository, jobId, runTime));
  }

  private String line(String metric, String pool, String repository, long jobId, Duration value) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode aws = root.putObject("_aws");
    aws.put("Timestamp", clock.millis());
    ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
    directive.put("Namespace", NAMESPACE);
    ArrayNode dimensions = directive.putArray("Dimensions");
    dimensions.addArray().add("environment").add("pool").add("repository");
    dimensions.addArray().add("environment").add("pool");
    directive.putArray("Metrics").addObject().put("Name", metric).put("Unit", "Seconds");
    root.put("environment", environment);
    root.put("pool", pool);
    root.put("repository", repository);
    // a property, not a dimension: searchable in Logs Insights without exploding metric cardinality
    root.put("job_id", jobId);
    root.put(metric, value.toMillis() / 1000.0);
    return Json.write(root);
  }
}
