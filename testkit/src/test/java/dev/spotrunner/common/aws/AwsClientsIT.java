package dev.spotrunner.common.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The SDK resolves endpoint overrides itself: {@code AWS_ENDPOINT_URL} in a Lambda, or the
 * equivalent {@code aws.endpointUrl} system property set here (a test cannot set the environment).
 */
@ExtendWith(AwsEmulatorExtension.class)
class AwsClientsIT {
  private static final Map<String, String> PROPERTIES = Map.of(
      "aws.endpointUrl", "", "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing");

  @AfterEach
  void clearProperties() {
    PROPERTIES.keySet().forEach(System::clearProperty);
  }

  @Test
  void clientsFromTheEnvironmentReachTheEndpointTheSdkResolves() {
    String endpoint = AwsEmulatorExtension.endpoint().toString();
    System.setProperty("aws.endpointUrl", endpoint);
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");

    try (AwsClients clients = AwsClients.fromEnv(Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint))) {
      String url = clients.sqs().createQueue(r -> r.queueName("from-env")).queueUrl();
      clients.s3().createBucket(r -> r.bucket("from-env"));
      clients.s3().putObject(r -> r.bucket("from-env").key("k"), RequestBody.fromString("v"));

      assertEquals(url, AwsEmulatorExtension.clients().sqs().getQueueUrl(r -> r.queueName("from-env")).queueUrl());
      assertEquals("v", AwsEmulatorExtension.clients().s3()
          .getObjectAsBytes(r -> r.bucket("from-env").key("k")).asUtf8String());
    }
  }
}
