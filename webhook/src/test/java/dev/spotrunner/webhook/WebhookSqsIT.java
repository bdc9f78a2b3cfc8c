package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The webhook over real SQS and SSM (moto): the message lands on the chosen pool's queue, delayed. */
@ExtendWith(AwsEmulatorExtension.class)
class WebhookSqsIT {
  private static final int DELAY_SECONDS = 3;

  private final Secret secret = TestWebhooks.randomSecret();
  private AwsClients aws;
  private String slowQueue;
  private String otherQueue;
  private WebhookHandler handler;
  private WebhookSettings settings;

  @BeforeEach
  void wire(AwsClients aws) {
    this.aws = aws;
    String suffix = Long.toString(System.nanoTime());
    slowQueue = aws.sqs().createQueue(r -> r.queueName("webhook-linux-" + suffix)).queueUrl();
    otherQueue = aws.sqs().createQueue(r -> r.queueName("webhook-gpu-" + suffix)).queueUrl();
    String secretParam = "/it-" + suffix + "/webhook/secret";
    aws.ssm().putParameter(r -> r.name(secretParam).value(secret.reveal()).type(ParameterType.SECURE_STRING));
    String pools = Json.write(List.of(
        new PoolDefinition("gpu", List.of("self-hosted", "gpu"), PoolDefinition.Match.EXACT, 1, otherQueue, 0, false),
        new PoolDefinition("linux", List.of("self-hosted", "linux", "x64"), null, 2, slowQueue, DELAY_SECONDS, true)));
    settings = WebhookSettings.fromEnv(Map.of("ENVIRONMENT", "it",
        "WEBHOOK_SECRET_PARAMS", secretParam, "POOLS", pools));
    // The production wiring's clients (WebhookAws), pointed at moto; the test's own clients set up
    // and read back.
    handler = new WebhookHandler(Wiring.webhook(settings, WebhookAwsIT.at(AwsEmulatorExtension.endpoint(),
        AwsEmulatorExtension.REGION, software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing", "testing"))),
        Clock.systemUTC()));
  }

  private APIGatewayV2HTTPResponse send(String delivery, String body, Secret signedWith) {
    return handler.handleRequest(TestWebhooks.event(TestWebhooks.headers("workflow_job", delivery,
        Signature.sign(body.getBytes(StandardCharsets.UTF_8), signedWith)), body, false), null);
  }

  private List<Message> receive(String queue, int waitSeconds) {
    return aws.sqs().receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(waitSeconds)
        .maxNumberOfMessages(10).messageAttributeNames("All")).messages();
  }

  @Test
  void theMessageLandsOnThePoolsQueueHeldBackByItsDelay() throws InterruptedException {
    String body = TestWebhooks.workflowJob("queued", 8101, "[\"self-hosted\",\"linux\"]");
    long sentAt = System.nanoTime();

    APIGatewayV2HTTPResponse response = send("it-delivery-1", body, secret);

    assertThat(response.getStatusCode()).isEqualTo(202);
    assertThat(Json.read(response.getBody(), Reply.class)).isEqualTo(Reply.queued("linux", 8101));
    assertThat(receive(slowQueue, 0)).as("held back by the pool's delay").isEmpty();

    List<Message> messages = List.of();
    while (messages.isEmpty() && System.nanoTime() - sentAt < Duration.ofSeconds(DELAY_SECONDS + 15).toNanos()) {
      messages = receive(slowQueue, 1);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(DELAY_SECONDS));
    assertThat(messages).hasSize(1);
    JobMessage message = JobMessage.fromJson(messages.getFirst().body());
    assertThat(message.jobId().value()).isEqualTo(8101);
    assertThat(message.pool()).isEqualTo("linux");
    assertThat(message.deliveryId()).isEqualTo("it-delivery-1");
    assertThat(message.installationId()).isEqualTo(4242);
    assertThat(messages.getFirst().messageAttributes().get("jobId").stringValue()).isEqualTo("8101");
    assertThat(messages.getFirst().messageAttributes().get("deliveryId").stringValue()).isEqualTo("it-delivery-1");
    assertThat(receive(otherQueue, 0)).isEmpty();
  }

  @Test
  void anExactPoolWithoutDelayGetsItsJobAtOnce() {
    String body = TestWebhooks.workflowJob("queued", 8102, "[\"GPU\",\"self-hosted\"]");

    assertThat(send("it-delivery-2", body, secret).getStatusCode()).isEqualTo(202);

    List<Message> messages = receive(otherQueue, 2);
    assertThat(messages).extracting(m -> JobMessage.fromJson(m.body()).pool()).containsExactly("gpu");
  }

  /**
   * Wired as in a Lambda, from the region alone: the SDK finds moto's endpoint and the credentials
   * in its own configuration (here the system properties standing for AWS_ENDPOINT_URL and the key
   * variables, which a test cannot set).
   */
  @Test
  void theProductionWiringFindsItsEndpointAndCredentialsAsTheSdkDoes() {
    String body = TestWebhooks.workflowJob("queued", 8105, "[\"self-hosted\",\"linux\"]");
    Map<String, String> properties = Map.of("aws.endpointUrl", AwsEmulatorExtension.endpoint().toString(),
        "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing");
    properties.forEach(System::setProperty);
    try {
      handler = new WebhookHandler(Wiring.webhook(settings,
          Map.of("AWS_REGION", AwsEmulatorExtension.REGION)));

      assertThat(send("it-delivery-5", body, secret).getStatusCode()).isEqualTo(202);
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
    List<Message> messages = List.of();
    long sentAt = System.nanoTime();
    while (messages.isEmpty() && System.nanoTime() - sentAt < Duration.ofSeconds(DELAY_SECONDS + 15).toNanos()) {
      messages = receive(slowQueue, 1);
    }
    assertThat(messages).extracting(m -> JobMessage.fromJson(m.body()).jobId().value()).containsExactly(8105L);
  }

  @Test
  void aForgedSignatureQueuesNothing() {
    String body = TestWebhooks.workflowJob("queued", 8103, "[\"self-hosted\",\"linux\"]");

    assertThat(send("it-delivery-3", body, TestWebhooks.randomSecret()).getStatusCode()).isEqualTo(401);

    assertThat(aws.sqs().getQueueAttributes(r -> r.queueUrl(slowQueue).attributeNamesWithStrings(
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed")).attributesAsStrings())
        .containsEntry("ApproximateNumberOfMessages", "0")
        .containsEntry("ApproximateNumberOfMessagesDelayed", "0");
  }

  @Test
  void aMissingQueueIsA503SoGitHubCanRedeliver() {
    aws.sqs().deleteQueue(r -> r.queueUrl(slowQueue));
    String body = TestWebhooks.workflowJob("queued", 8104, "[\"self-hosted\",\"linux\"]");

    APIGatewayV2HTTPResponse response = send("it-delivery-4", body, secret);

    assertThat(response.getStatusCode()).isEqualTo(503);
    assertThat(response.getBody()).doesNotContain(secret.reveal());
  }
}
