package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The webhook's SDK adapters ({@link WebhookAws}) against moto, read back with the test's own
 * clients; faults through the fault proxy.
 */
@ExtendWith(AwsEmulatorExtension.class)
class WebhookAwsIT {
  private static final AwsCredentialsProvider TESTING =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
  private static FaultProxy proxy;

  private final SqsClient sqs = AwsEmulatorExtension.clients().sqs();
  private final SsmClient ssm = AwsEmulatorExtension.clients().ssm();
  private final WebhookAws aws = at(AwsEmulatorExtension.endpoint(), AwsEmulatorExtension.REGION, TESTING);
  private final WebhookAws proxied = at(proxy.endpoint(), AwsEmulatorExtension.REGION, TESTING);
  private String queue;

  /** The webhook's clients as production builds them, at an emulator's endpoint. */
  static WebhookAws at(URI endpoint, String region, AwsCredentialsProvider credentials) {
    return WebhookAws.of(new AwsClients.Config(Region.of(region), endpoint, credentials, true,
        AwsClients.DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(2), Duration.ofSeconds(20),
        Duration.ofSeconds(30)), Clock.systemUTC());
  }

  @BeforeAll
  static void startProxy() {
    proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @BeforeEach
  void createQueue() {
    proxy.reset();
    queue = sqs.createQueue(r -> r.queueName("lite-" + System.nanoTime())).queueUrl();
  }

  private List<Message> receive(int waitSeconds) {
    return sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(waitSeconds).maxNumberOfMessages(10)
        .messageAttributeNames("All")).messages();
  }

  @Test
  void sendsADelayedMessageWithAttributesThatTheSdkReadsBack() {
    String body = "{\"jobId\":1,\"note\":\"größe ✓ 漢字 🚀 \\\"quoted\\\"\"}";
    long sentAt = System.nanoTime();

    String id = aws.queue().send(queue, body, 2, Map.of("jobId", "8101", "deliveryId", "d-ü-1", "pool", "linux"));

    assertThat(id).isNotBlank();
    assertThat(receive(0)).as("held back by its delay").isEmpty();
    List<Message> messages = List.of();
    while (messages.isEmpty() && System.nanoTime() - sentAt < Duration.ofSeconds(15).toNanos()) {
      messages = receive(1);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(messages).hasSize(1);
    Message message = messages.getFirst();
    assertThat(message.messageId()).isEqualTo(id);
    assertThat(message.body()).isEqualTo(body);
    assertThat(message.messageAttributes()).hasSize(3);
    assertThat(message.messageAttributes().get("jobId").stringValue()).isEqualTo("8101");
    assertThat(message.messageAttributes().get("deliveryId").stringValue()).isEqualTo("d-ü-1");
    assertThat(message.messageAttributes().get("pool").dataType()).isEqualTo("String");
  }

  @Test
  void aMessageWithoutDelayOrAttributesArrivesAtOnce() {
    aws.queue().send(queue, "plain", 0, Map.of());

    List<Message> messages = receive(2);
    assertThat(messages).extracting(Message::body).containsExactly("plain");
    assertThat(messages.getFirst().messageAttributes()).isEmpty();
  }

  @Test
  void aQueueThatDoesNotExistIsPermanent() {
    String missing = queue.substring(0, queue.lastIndexOf('/') + 1) + "no-such-queue-" + UUID.randomUUID();

    assertThatThrownBy(() -> aws.queue().send(missing, "x", 0, Map.of()))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageStartingWith("SQS SendMessage failed: ")
        .hasMessageContaining("HTTP 400");
  }

  @Test
  void readsASecureStringAndNothingForAMissingParameter() {
    String name = "/lite-" + System.nanoTime() + "/webhook/secret";
    String value = "s3cr3t-" + UUID.randomUUID();
    ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.SECURE_STRING));

    assertThat(aws.parameters().get(name)).contains(value);
    assertThat(aws.parameters().get(name + "-missing")).isEmpty();
  }

  @Test
  void aRotatedSecretIsReadAtOnceNotFromACache() {
    String name = "/lite-" + System.nanoTime() + "/webhook/secret";
    ssm.putParameter(r -> r.name(name).value("before-rotation").type(ParameterType.SECURE_STRING));
    assertThat(aws.parameters().get(name)).contains("before-rotation");

    ssm.putParameter(r -> r.name(name).value("after-rotation").type(ParameterType.SECURE_STRING)
        .overwrite(true));

    assertThat(aws.parameters().get(name)).contains("after-rotation");
  }

  @Test
  void throttlingIsRetriedThenTransient() {
    proxy.failNext(3, FaultProxy.action("SendMessage"), Fault.throttle());

    assertThatThrownBy(() -> proxied.queue().send(queue, "x", 0, Map.of()))
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("ThrottlingException").hasMessageContaining("HTTP 400");
    assertThat(proxy.calls("SendMessage")).isEqualTo(3);
    assertThat(receive(0)).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedThenTransient() {
    proxy.failNext(3, FaultProxy.action("GetParameter"), Fault.serverError(500));

    assertThatThrownBy(() -> proxied.parameters().get("/any"))
        .isInstanceOf(TransientFailure.class).hasMessageContaining("HTTP 500");
    assertThat(proxy.calls("GetParameter")).isEqualTo(3);
  }

  @Test
  void oneFaultThenSuccessSucceeds() {
    proxy.failNext(1, FaultProxy.action("SendMessage"), Fault.serverError(503));
    proxy.failNext(1, FaultProxy.action("GetParameter"), Fault.throttle());
    String name = "/lite-" + System.nanoTime() + "/pools";
    ssm.putParameter(r -> r.name(name).value("[]").type(ParameterType.SECURE_STRING));

    String id = proxied.queue().send(queue, "after a blip", 0, Map.of("a", "b"));
    assertThat(proxied.parameters().get(name)).contains("[]");

    assertThat(proxy.calls("SendMessage")).isEqualTo(2);
    assertThat(proxy.calls("GetParameter")).isEqualTo(2);
    assertThat(receive(2)).extracting(Message::messageId).containsExactly(id);
  }

  @Test
  void accessDeniedIsPermanentAtOnce() {
    proxy.failNext(1, FaultProxy.action("SendMessage"), Fault.error(400, "AccessDenied"));

    assertThatThrownBy(() -> proxied.queue().send(queue, "x", 0, Map.of()))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("AccessDenied");
    assertThat(proxy.calls("SendMessage")).isEqualTo(1);
  }

  @Test
  void nobodyListeningIsTransient() {
    WebhookAws nowhere = at(URI.create("http://127.0.0.1:1"), "us-east-1", TESTING);

    assertThatThrownBy(() -> nowhere.queue().send(queue, "x", 0, Map.of()))
        .isInstanceOf(TransientFailure.class).hasMessageContaining("SdkClientException");
  }

  @Test
  void theSignedRequestCarriesTheTargetContentTypeAndSessionToken() {
    String token = "tok-" + UUID.randomUUID();
    WebhookAws withToken = at(proxy.endpoint(), "us-east-1",
        StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIATEST", "testing", token)));

    withToken.queue().send(queue, "x", 0, Map.of());

    FaultProxy.Call call = proxy.seen("SendMessage").getFirst();
    assertThat(call.headers().get("x-amz-target")).containsExactly("AmazonSQS.SendMessage");
    assertThat(call.headers().get("content-type")).containsExactly("application/x-amz-json-1.0");
    assertThat(call.headers().get("x-amz-security-token")).containsExactly(token);
    String authorization = call.headers().get("authorization").getFirst();
    assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=ASIATEST/")
        .contains("/us-east-1/sqs/aws4_request, SignedHeaders=");
    String signed = authorization.replaceFirst(".*SignedHeaders=([^,]*),.*", "$1");
    assertThat(List.of(signed.split(";")))
        .contains("content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target");
  }
}
