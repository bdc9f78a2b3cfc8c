package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.queue.SqsJobQueue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The webhook's SQS client leaves out the SDK's MD5 check: an answer whose digests do not match
 * the message is taken, where the SDK's default client refuses it. A loopback server answers.
 */
class WebhookAwsTest {
  private static final String WRONG_DIGEST = "00000000000000000000000000000000";
  private HttpServer server;
  private URI endpoint;

  @BeforeEach
  void answerWithWrongDigests() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        byte[] body = ("{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"" + WRONG_DIGEST
            + "\",\"MD5OfMessageAttributes\":\"" + WRONG_DIGEST + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
    endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private AwsClients.Config config() {
    return AwsClients.forEndpoint(endpoint, Region.US_EAST_1, StaticCredentialsProvider.create(
        AwsBasicCredentials.create("testing", "testing"))).config();
  }

  @Test
  void theWebhooksSqsClientDoesNotCheckTheDigestsSqsEchoes() {
    try (WebhookAws aws = WebhookAws.of(config(), Clock.systemUTC())) {
      assertThat(aws.queue().send(endpoint + "/000000000000/q", "{\"jobId\":1}", 0,
          Map.of("jobId", "1"))).isEqualTo("m-1");
    }
  }

  @Test
  void theSdksDefaultClientWouldHaveRefusedTheSameAnswer() {
    try (AwsClients clients = new AwsClients(config())) {
      SqsClient checking = clients.configure(SqsClient.builder()).build();
      assertThatThrownBy(() -> new SqsJobQueue(checking).send(endpoint + "/000000000000/q",
          "{\"jobId\":1}", 0, Map.of("jobId", "1")))
          .hasRootCauseInstanceOf(SdkClientException.class)
          .rootCause().hasMessageContaining("MD5");
    }
  }
}
