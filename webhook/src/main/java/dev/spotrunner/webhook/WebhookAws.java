package dev.spotrunner.webhook;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.SqsJobQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;

/**
 * The webhook's two AWS adapters, SQS and SSM, on the AWS SDK's clients as {@link AwsClients}
 * builds them (URL-connection HTTP client, region, endpoint, credentials and standard retries), with
 * the webhook's own timeouts and without the SQS client's MD5 check of the message body. Building
 * does no I/O: no connection is opened and no credential fetched before the first call, so the
 * clients can be built at init, before a SnapStart snapshot.
 *
 * @param queue SQS SendMessage ({@link SqsJobQueue})
 * @param parameters SSM GetParameter with decryption, never cached ({@link WebhookSecrets} and the
 *     pools keep what they read, and must see a rotated secret at once)
 */
record WebhookAws(SqsClient sqs, SsmClient ssm, JobQueue queue, Parameters parameters)
    implements AutoCloseable {
  /** Per attempt: to open a connection, and to wait for the answer. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  /** The whole call with its retries: GitHub waits 10 s for the webhook's answer. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);

  /** For a Lambda: region from {@code AWS_REGION}; endpoints and credentials as the SDK finds them. */
  static WebhookAws fromEnv(Map<String, String> env, Clock clock) {
    return of(AwsClients.configFromEnv(env), clock);
  }

  /** On common's configuration (an emulator's endpoint in tests), with the webhook's timeouts. */
  static WebhookAws of(AwsClients.Config config, Clock clock) {
    return build(new AwsClients(withTimeouts(config)), null, clock);
  }

  static AwsClients.Config withTimeouts(AwsClients.Config config) {
    return config.withTimeouts(CONNECT_TIMEOUT, READ_TIMEOUT, CALL_TIMEOUT);
  }

  /**
   * Both clients as {@code clients} configures them; with {@code http} set (priming's canned
   * answers) they use it instead of the URL-connection client. The SQS client leaves out its MD5
   * check of the body and attributes SQS echoes back: HTTPS already guards the message on the
   * wire, and the check costs every SendMessage two digests and their comparison.
   */
  static WebhookAws build(AwsClients clients, SdkHttpClient http, Clock clock) {
    SqsClientBuilder sqs = clients.configure(SqsClient.builder()).checksumValidationEnabled(false);
    SsmClientBuilder ssm = clients.configure(SsmClient.builder());
    if (http != null) {
      sqs.httpClient(http);
      ssm.httpClient(http);
    }
    SqsClient sqsClient = sqs.build();
    SsmClient ssmClient = ssm.build();
    return new WebhookAws(sqsClient, ssmClient, new SqsJobQueue(sqsClient),
        new SsmParameters(ssmClient, clock, Duration.ZERO));
  }

  @Override
  public void close() {
    sqs.close();
    ssm.close();
  }
}
