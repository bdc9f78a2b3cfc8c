package dev.spotrunner.webhook.aws;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * The webhook's two AWS adapters, SQS and SSM, on one credential source and one set of HTTP
 * settings, without the AWS SDK. Building them does no I/O (safe before a SnapStart snapshot).
 *
 * <pre>{@code
 * LiteAws aws = LiteAws.fromEnv(System.getenv());
 * JobQueue queue = aws.queue();
 * Parameters parameters = aws.parameters();
 * }</pre>
 */
public final class LiteAws {
  private final LiteSqsJobQueue queue;
  private final LiteSsmParameters parameters;
  private final String region;

  private LiteAws(String region, URI sqsEndpoint, URI ssmEndpoint, CredentialSource credentials,
      HttpSettings http, Clock clock) {
    this.region = region;
    this.queue = new LiteSqsJobQueue(new AwsJsonClient(AwsJsonClient.Service.SQS, sqsEndpoint, region,
        credentials, http, clock));
    this.parameters = new LiteSsmParameters(new AwsJsonClient(AwsJsonClient.Service.SSM, ssmEndpoint, region,
        credentials, http, clock));
  }

  /** For a Lambda: region, endpoints and credentials from the environment, default HTTP settings. */
  public static LiteAws fromEnv(Map<String, String> env) {
    return fromEnv(env, Clock.systemUTC(), HttpSettings.DEFAULT);
  }

  public static LiteAws fromEnv(Map<String, String> env, Clock clock, HttpSettings http) {
    String region = region(env);
    return new LiteAws(region,
        AwsJsonClient.endpoint(AwsJsonClient.Service.SQS, region, env),
        AwsJsonClient.endpoint(AwsJsonClient.Service.SSM, region, env),
        CredentialSource.fromEnv(env, clock, http), http, clock);
  }

  /** Both services at one endpoint (moto, LocalStack, a fault proxy, a benchmark stub). */
  public static LiteAws forEndpoint(URI endpoint, String region, CredentialSource credentials,
      HttpSettings http, Clock clock) {
    return new LiteAws(Objects.requireNonNull(region, "region"), endpoint, endpoint, credentials, http, clock);
  }

  /** {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}; neither is an error naming both. */
  public static String region(Map<String, String> env) {
    for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    throw new IllegalStateException("AWS_REGION is not set (nor AWS_DEFAULT_REGION)");
  }

  public LiteSqsJobQueue queue() {
    return queue;
  }

  public LiteSsmParameters parameters() {
    return parameters;
  }

  public String region() {
    return region;
  }
}
