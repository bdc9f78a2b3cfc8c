package dev.spotrunner.webhook;

import dev.spotrunner.common.log.Secret;
import dev.spotrunner.common.parameters.Parameters;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** For the benchmark: the production settings and handler, minus SQS, to split webhook from SDK time. */
public final class BenchAccess {
  private BenchAccess() {}

  /** What SnapStart's beforeCheckpoint hook runs; returns the number of primed requests. */
  public static int prime() {
    return Priming.run().replies().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The webhook's production SQS adapter ({@link WebhookAws}) on another SDK HTTP client. */
  public static dev.spotrunner.common.queue.JobQueue queue(
      dev.spotrunner.common.aws.AwsClients.Config config,
      software.amazon.awssdk.http.SdkHttpClient http) {
    return WebhookAws.build(new dev.spotrunner.common.aws.AwsClients(WebhookAws.withTimeouts(config)),
        http, Clock.systemUTC()).queue();
  }

  /** A handler from these settings whose queue answers at once in memory and whose secret is given. */
  public static WebhookHandler withoutSqs(Map<String, String> env, String secretParam, Secret secret) {
    Parameters parameters = new Parameters() {
      @Override
      public Optional<String> get(String name) {
        return name.equals(secretParam) ? Optional.of(secret.reveal()) : Optional.empty();
      }

      @Override
      public void putSecure(String name, String value) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void delete(String name) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<String> namesUnder(String path) {
        return List.of();
      }
    };
    WebhookSettings settings = WebhookSettings.fromEnv(env);
    Clock clock = Clock.systemUTC();
    return new WebhookHandler(Wiring.webhook(settings, (url, body, delay, attributes) -> "in-memory",
        parameters, JobMetrics.toStdout(settings.environment(), clock), clock));
  }
}
