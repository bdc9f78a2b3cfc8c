package dev.spotrunner.common.aws;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * What the webhook does with {@link AwsClients} (SQS and SSM only), linked as ordinary bytecode;
 * {@link AwsClientsTest} runs it in a class loader without the EC2 and S3 SDKs.
 */
public final class WebhookLikeUse implements Runnable {
  private final boolean askForEc2;

  public WebhookLikeUse(boolean askForEc2) {
    this.askForEc2 = askForEc2;
  }

  @Override
  public void run() {
    try (AwsClients clients = AwsClients.forEndpoint(URI.create("http://127.0.0.1:9"), Region.US_EAST_1,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
      clients.sqs();
      clients.ssm();
      if (askForEc2) {
        clients.ec2();
      }
    }
  }
}
