package dev.spotrunner.local.stack;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The SDK clients the local stack itself uses against the emulated AWS endpoint. */
public final class LocalAws implements AutoCloseable {
  /** moto accepts any credentials; these are the well-known placeholders, not secrets. */
  public static final String ACCESS_KEY = "testing";
  public static final String SECRET_KEY = "testing";

  private final URI endpoint;
  private final Region region;
  private final SdkHttpClient http = UrlConnectionHttpClient.builder()
      .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(30)).build();
  public final SqsClient sqs;
  public final SsmClient ssm;
  public final Ec2Client ec2;
  public final LambdaClient lambda;
  public final EventBridgeClient events;

  public LocalAws(URI endpoint, String region) {
    this.endpoint = endpoint;
    this.region = Region.of(region);
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    var overrides = ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(60)).build();
    sqs = SqsClient.builder().endpointOverride(endpoint).region(this.region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(overrides).build();
    ssm = SsmClient.builder().endpointOverride(endpoint).region(this.region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(overrides).build();
    ec2 = Ec2Client.builder().endpointOverride(endpoint).region(this.region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(overrides).build();
    lambda = LambdaClient.builder().endpointOverride(endpoint).region(this.region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(overrides).build();
    events = EventBridgeClient.builder().endpointOverride(endpoint).region(this.region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(overrides).build();
  }

  public URI endpoint() {
    return endpoint;
  }

  public String region() {
    return region.id();
  }

  @Override
  public void close() {
    sqs.close();
    ssm.close();
    ec2.close();
    lambda.close();
    events.close();
    http.close();
  }
}
