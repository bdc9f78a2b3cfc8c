package dev.spotrunner.common.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds the AWS SDK clients of one Lambda once, all on one URL-connection HTTP client.
 *
 * <p>In a Lambda, {@link #fromEnv} reads {@code AWS_REGION}; the SDK itself reads
 * {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>}, which point it at moto or
 * LocalStack. Tests pass the emulator's endpoint explicitly with {@link #forEndpoint}.
 *
 * <p>The EC2 and S3 SDKs are optional dependencies of {@code common}: the webhook jar has neither.
 * Their builders live in {@link Ec2Clients} and {@link S3Clients}, which the JVM loads only when
 * {@link #ec2()} or {@link #s3()} is first called.
 */
public final class AwsClients implements AutoCloseable {
  /** Three attempts in the SDK's standard mode: enough for a blip, short enough for a Lambda. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /**
   * How clients are built.
   *
   * @param endpoint explicit endpoint for every service, or null to let the SDK decide (it reads
   *     {@code AWS_ENDPOINT_URL[_<SERVICE>]} itself)
   * @param credentials explicit credentials, or null for the SDK's default chain
   * @param pathStyleS3 address S3 buckets in the path, as emulators need
   * @param maxAttempts attempts per call including the first, in the SDK's standard retry mode
   */
  public record Config(
      Region region,
      URI endpoint,
      AwsCredentialsProvider credentials,
      boolean pathStyleS3,
      int maxAttempts,
      Duration connectTimeout,
      Duration readTimeout,
      Duration apiCallTimeout) {
    public Config {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
    }

    public Config withMaxAttempts(int attempts) {
      return new Config(region, endpoint, credentials, pathStyleS3, attempts, connectTimeout,
          readTimeout, apiCallTimeout);
    }

    public Config withTimeouts(Duration connect, Duration read, Duration apiCall) {
      return new Config(region, endpoint, credentials, pathStyleS3, maxAttempts, connect, read, apiCall);
    }

    public Config withEndpoint(URI newEndpoint) {
      return new Config(region, newEndpoint, credentials, pathStyleS3 || newEndpoint != null,
          maxAttempts, connectTimeout, readTimeout, apiCallTimeout);
    }
  }

  private final Config config;
  private final SdkHttpClient http;
  private volatile SqsClient sqs;
  private volatile SsmClient ssm;
  private volatile Ec2Client ec2;
  private volatile S3Client s3;

  public AwsClients(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = UrlConnectionHttpClient.builder()
        .connectionTimeout(config.connectTimeout())
        .socketTimeout(config.readTimeout())
        .build();
  }

  /**
   * Clients for a Lambda: region from {@code AWS_REGION}, credentials from the default chain,
   * endpoints as the SDK resolves them, path-style S3 when an endpoint override is set.
   */
  public static AwsClients fromEnv(Map<String, String> env) {
    return new AwsClients(configFromEnv(env));
  }

  /** What {@link #fromEnv} builds from, for a Lambda that changes a setting before building. */
  public static Config configFromEnv(Map<String, String> env) {
    String region = env.get("AWS_REGION");
    if (region == null || region.isBlank()) {
      region = env.get("AWS_DEFAULT_REGION");
    }
    if (region == null || region.isBlank()) {
      throw new IllegalStateException("AWS_REGION is not set");
    }
    boolean overridden = isSet(env, "AWS_ENDPOINT_URL") || isSet(env, "AWS_ENDPOINT_URL_S3");
    return new Config(Region.of(region.trim()), null, null, overridden, DEFAULT_MAX_ATTEMPTS,
        Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(30));
  }

  /** Clients for an emulator (moto, LocalStack, the fault proxy) at {@code endpoint}. */
  public static AwsClients forEndpoint(URI endpoint, Region region,
      AwsCredentialsProvider credentials) {
    return new AwsClients(new Config(region, endpoint, credentials, true, DEFAULT_MAX_ATTEMPTS,
        Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(30)));
  }

  private static boolean isSet(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }

  public Config config() {
    return config;
  }

  public SqsClient sqs() {
    SqsClient client = sqs;
    if (client == null) {
      synchronized (this) {
        if (sqs == null) {
          sqs = configure(SqsClient.builder()).build();
        }
        client = sqs;
      }
    }
    return client;
  }

  public SsmClient ssm() {
    SsmClient client = ssm;
    if (client == null) {
      synchronized (this) {
        if (ssm == null) {
          ssm = configure(SsmClient.builder()).build();
        }
        client = ssm;
      }
    }
    return client;
  }

  /** The EC2 client; only Lambdas that ship the EC2 SDK may call this. */
  public Ec2Client ec2() {
    Ec2Client client = ec2;
    if (client == null) {
      synchronized (this) {
        if (ec2 == null) {
          ec2 = Ec2Clients.build(this);
        }
        client = ec2;
      }
    }
    return client;
  }

  /** The S3 client; only Lambdas that ship the S3 SDK may call this. */
  public S3Client s3() {
    S3Client client = s3;
    if (client == null) {
      synchronized (this) {
        if (s3 == null) {
          s3 = S3Clients.build(this);
        }
        client = s3;
      }
    }
    return client;
  }

  /**
   * Applies region, endpoint, credentials, HTTP client, timeouts and retries to a builder; public
   * for a Lambda that sets a service option of its own before building (the webhook's SQS client).
   */
  public <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B configure(B builder) {
    builder.region(config.region()).httpClient(http);
    if (config.endpoint() != null) {
      builder.endpointOverride(config.endpoint());
    }
    if (config.credentials() != null) {
      builder.credentialsProvider(config.credentials());
    }
    builder.overrideConfiguration(overrides());
    return builder;
  }

  /** Like {@link #configure} without a whole-call timeout, for streaming S3 downloads. */
  ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(config.maxAttempts())
            .build())
        .apiCallTimeout(config.apiCallTimeout())
        .build();
  }

  @Override
  public synchronized void close() {
    if (sqs != null) {
      sqs.close();
    }
    if (ssm != null) {
      ssm.close();
    }
    if (ec2 != null) {
      Ec2Clients.close(ec2);
    }
    if (s3 != null) {
      S3Clients.close(s3);
    }
    http.close();
  }
}
