package dev.spotrunner.webhook.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON-protocol client against a loopback stub: endpoints, digests, error mapping, redaction. */
class AwsJsonClientTest {
  private record Reply(int status, Map<String, String> headers, String body) {}

  private final String secretKey = "sk-" + UUID.randomUUID();
  private final String sessionToken = "st-" + UUID.randomUUID();
  private final CredentialSource credentials = CredentialSource.fixed(
      new AwsCredentials("ASIAUNIT", secretKey, sessionToken, null));
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private volatile Function<String, Reply> replies;
  private HttpServer server;
  private LiteAws aws;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::answer);
    server.start();
    aws = LiteAws.forEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "eu-west-1",
        credentials, HttpSettings.DEFAULT.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)),
        Clock.systemUTC());
    Log.setOutput(new PrintStream(logs, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    Log.setOutput(System.out);
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(body);
      Reply reply = replies.apply(body);
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private static Reply json(int status, String body) {
    return new Reply(status, Map.of("Content-Type", "application/x-amz-json-1.1"), body);
  }

  @Test
  void endpointsFollowTheSdksVariables() {
    Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://all:1", "AWS_ENDPOINT_URL_SQS", "http://sqs:2");

    assertThat(AwsJsonClient.endpoint(AwsJsonClient.Service.SQS, "us-east-1", env)).hasToString("http://sqs:2");
    assertThat(AwsJsonClient.endpoint(AwsJsonClient.Service.SSM, "us-east-1", env)).hasToString("http://all:1");
    assertThat(AwsJsonClient.endpoint(AwsJsonClient.Service.SSM, "eu-west-3", Map.of()))
        .hasToString("https://ssm.eu-west-3.amazonaws.com");
    assertThat(AwsJsonClient.endpoint(AwsJsonClient.Service.SQS, "cn-north-1", Map.of()))
        .hasToString("https://sqs.cn-north-1.amazonaws.com.cn");
    Map<String, String> ignored = Map.of("AWS_ENDPOINT_URL", "http://all:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assertThat(AwsJsonClient.endpoint(AwsJsonClient.Service.SQS, "us-east-1", ignored))
        .hasToString("https://sqs.us-east-1.amazonaws.com");
  }

  @Test
  void theRegionComesFromAwsRegionThenAwsDefaultRegion() {
    assertThat(LiteAws.region(Map.of("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-east-1"))).isEqualTo("eu-west-1");
    assertThat(LiteAws.region(Map.of("AWS_DEFAULT_REGION", "us-east-2"))).isEqualTo("us-east-2");
    assertThatThrownBy(() -> LiteAws.region(Map.of())).hasMessageContaining("AWS_REGION");
  }

  @Test
  void fromEnvDoesNoIoAndFailsOnFirstUseWithoutCredentials() {
    LiteAws lazy = LiteAws.fromEnv(Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:1"));

    assertThatThrownBy(() -> lazy.parameters().get("/x")).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  }

  @Test
  void errorCodesLoseTheirNamespace() {
    assertThat(AwsJsonClient.stripType("com.amazonaws.sqs#QueueDoesNotExist")).isEqualTo("QueueDoesNotExist");
    assertThat(AwsJsonClient.stripType("ValidationException:http://internal.amazon.com/")).isEqualTo("ValidationException");
    assertThat(AwsJsonClient.stripType("ParameterNotFound")).isEqualTo("ParameterNotFound");
  }

  @Test
  void sendsSqssJsonAndChecksItsDigests() {
    TreeMap<String, String> attributes = new TreeMap<>(Map.of("jobId", "7", "deliveryId", "ü"));
    replies = body -> json(200, "{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\""
        + LiteSqsJobQueue.md5Hex("héllo".getBytes(StandardCharsets.UTF_8)) + "\",\"MD5OfMessageAttributes\":\""
        + LiteSqsJobQueue.attributesMd5(attributes) + "\"}");

    assertThat(aws.queue().send("http://q/1", "héllo", 30, attributes)).isEqualTo("m-1");
    assertThat(requests).containsExactly("{\"QueueUrl\":\"http://q/1\",\"MessageBody\":\"héllo\",\"DelaySeconds\":30,"
        + "\"MessageAttributes\":{\"deliveryId\":{\"DataType\":\"String\",\"StringValue\":\"ü\"},"
        + "\"jobId\":{\"DataType\":\"String\",\"StringValue\":\"7\"}}}");
  }

  @Test
  void theAttributeDigestIsSqssAlgorithm() {
    // The layout the SQS developer guide gives (and LiteAwsIT checks against moto's own digest):
    // name, data type, transport byte 1 (string), value; each with a 4-byte big-endian length.
    assertThat(LiteSqsJobQueue.attributesMd5(new TreeMap<>(Map.of("a", "b"))))
        .isEqualTo(LiteSqsJobQueue.md5Hex(new byte[] {0, 0, 0, 1, 'a', 0, 0, 0, 6, 'S', 't', 'r', 'i', 'n', 'g', 1,
            0, 0, 0, 1, 'b'}));
  }

  @Test
  void aDigestMismatchIsTransient() {
    replies = body -> json(200, "{\"MessageId\":\"m-2\",\"MD5OfMessageBody\":\"00000000000000000000000000000000\"}");

    assertThatThrownBy(() -> aws.queue().send("http://q/1", "body", 0, Map.of()))
        .isInstanceOf(TransientFailure.class).hasMessageContaining("MD5OfMessageBody");

    replies = body -> json(200, "{\"MessageId\":\"m-3\",\"MD5OfMessageBody\":\""
        + LiteSqsJobQueue.md5Hex("body".getBytes(StandardCharsets.UTF_8)) + "\",\"MD5OfMessageAttributes\":\"ff\"}");
    assertThatThrownBy(() -> aws.queue().send("http://q/1", "body", 0, Map.of("k", "v")))
        .isInstanceOf(TransientFailure.class).hasMessageContaining("MD5OfMessageAttributes");
  }

  @Test
  void delaysOutsideSqssRangeAreRefusedBeforeAnyCall() {
    assertThatThrownBy(() -> aws.queue().send("http://q/1", "b", 901, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> aws.queue().send("http://q/1", "b", -1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(requests).isEmpty();
  }

  @Test
  void sqssQueryErrorHeaderNamesTheCode() {
    replies = body -> new Reply(400, Map.of("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender",
        "Content-Type", "application/x-amz-json-1.0"),
        "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}");

    assertThatThrownBy(() -> aws.queue().send("http://q/1", "b", 0, Map.of()))
        .isInstanceOf(AwsJsonClient.AwsError.class)
        .hasMessage("SQS SendMessage failed: AWS.SimpleQueueService.NonExistentQueue (HTTP 400) "
            + "The specified queue does not exist.")
        .extracting("code").isEqualTo("QueueDoesNotExist");
    assertThat(requests).hasSize(1);
  }

  @Test
  void readsTheValueAndNothingWhenTheParameterIsMissing() {
    String value = "v-" + UUID.randomUUID();
    replies = body -> body.contains("/there")
        ? json(200, "{\"Parameter\":{\"Name\":\"/there\",\"Type\":\"SecureString\",\"Value\":\"" + value + "\",\"Version\":3}}")
        : json(400, "{\"__type\":\"ParameterNotFound\",\"message\":\"Parameter /gone not found.\"}");

    assertThat(aws.parameters().get("/there")).contains(value);
    assertThat(aws.parameters().get("/gone")).isEmpty();
    assertThat(requests).contains("{\"Name\":\"/there\",\"WithDecryption\":true}");
  }

  @Test
  void theWebhookNeverWritesParameters() {
    assertThatThrownBy(() -> aws.parameters().putSecure("/a", "b")).isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("the webhook only reads parameters");
    assertThatThrownBy(() -> aws.parameters().delete("/a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> aws.parameters().namesUnder("/a")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void noSecretReachesAMessageOrALogLine() {
    String value = "pv-" + UUID.randomUUID();
    // An SSM answer that echoes the value in its message, then in a half-written body, then a throttle.
    replies = body -> json(400, "{\"__type\":\"ValidationException\",\"message\":\"bad value " + value
        + " signed with " + secretKey + " token " + sessionToken + "\"}");
    assertThatThrownBy(() -> aws.parameters().get("/p"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("ValidationException")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value, secretKey, sessionToken));

    replies = body -> json(200, "{\"Parameter\":{\"Value\":\"" + value);
    assertThatThrownBy(() -> aws.parameters().get("/p"))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value, secretKey, sessionToken));

    replies = body -> json(400, "{\"__type\":\"ThrottlingException\",\"message\":\"" + value + " " + secretKey + "\"}");
    assertThatThrownBy(() -> aws.parameters().get("/p"))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value, secretKey, sessionToken));
    assertThat(requests).hasSize(5);

    // SQS keeps AWS's message, but never the credentials.
    replies = body -> json(500, "{\"__type\":\"InternalFailure\",\"message\":\"oops\"}");
    assertThatThrownBy(() -> aws.queue().send("http://q/1", "b", 0, Map.of()))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(e.getMessage()).contains("oops").doesNotContain(secretKey, sessionToken));

    String logged = logs.toString(StandardCharsets.UTF_8);
    assertThat(logged).as("the retries were logged").contains("aws call retried");
    assertThat(logged).doesNotContain(value, secretKey, sessionToken);
  }
}
