package dev.spotrunner.local.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {
  static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  @Test
  void anApiGatewayEventCarriesTheBodyVerbatimAndHeadersLowerCased() throws Exception {
    String body = "{\"action\":\"queued\"}";
    JsonNode event = Json.MAPPER.readTree(Events.apiGatewayV2(new Events.HttpRequest("POST", "/webhook", null,
        Map.of("X-GitHub-Delivery", List.of("d-1"), "Content-Type", List.of("application/json")),
        body.getBytes(StandardCharsets.UTF_8), "127.0.0.1"), NOW));

    assertThat(event.get("version").asText()).isEqualTo("2.0");
    assertThat(event.get("body").asText()).isEqualTo(body);
    assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
    assertThat(event.at("/headers/x-github-delivery").asText()).isEqualTo("d-1");
    assertThat(event.at("/requestContext/http/method").asText()).isEqualTo("POST");
    assertThat(event.at("/requestContext/timeEpoch").asLong()).isEqualTo(NOW.toEpochMilli());
  }

  @Test
  void aBinaryBodyIsBase64Encoded() throws Exception {
    JsonNode event = Json.MAPPER.readTree(Events.apiGatewayV2(new Events.HttpRequest("POST", "/webhook", "",
        Map.of("Content-Type", List.of("application/octet-stream")), new byte[] {1, 2, 3}, "127.0.0.1"), NOW));

    assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
    assertThat(event.get("body").asText()).isEqualTo("AQID");
  }

  @Test
  void readsAnIntegrationResponseOrInfersA200() {
    Events.HttpResponse explicit = Events.apiGatewayV2Response(
        "{\"statusCode\":401,\"headers\":{\"content-type\":\"text/plain\"},\"body\":\"bad signature\"}");
    Events.HttpResponse inferred = Events.apiGatewayV2Response("{\"ok\":true}");

    assertThat(explicit.status()).isEqualTo(401);
    assertThat(new String(explicit.body(), StandardCharsets.UTF_8)).isEqualTo("bad signature");
    assertThat(inferred.status()).isEqualTo(200);
  }

  @Test
  void batchItemFailuresNameTheMessagesToKeep() {
    List<String> batch = List.of("a", "b", "c");

    assertThat(Events.batchItemFailures("{\"batchItemFailures\":[{\"itemIdentifier\":\"b\"}]}", batch))
        .contains(List.of("b"));
    assertThat(Events.batchItemFailures("{\"batchItemFailures\":[]}", batch)).contains(List.of());
    assertThat(Events.batchItemFailures("null", batch)).contains(List.of());
  }

  @Test
  void anUnknownOrEmptyItemIdentifierFailsTheWholeBatch() {
    List<String> batch = List.of("a", "b");

    assertThat(Events.batchItemFailures("{\"batchItemFailures\":[{\"itemIdentifier\":\"z\"}]}", batch)).isEmpty();
    assertThat(Events.batchItemFailures("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}", batch)).isEmpty();
  }

  @Test
  void anSqsEventHasTheRecordsLambdaBuilds() throws Exception {
    JsonNode event = Json.MAPPER.readTree(Events.sqs(List.of(new Events.SqsMessage("m-1", "rh-1", "{}", "md5",
        Map.of("ApproximateReceiveCount", "2"), Map.of("delivery", "d-1"))), "arn:aws:sqs:us-east-1:1:q", "us-east-1"));

    JsonNode record = event.get("Records").get(0);
    assertThat(record.get("eventSource").asText()).isEqualTo("aws:sqs");
    assertThat(record.at("/attributes/ApproximateReceiveCount").asText()).isEqualTo("2");
    assertThat(record.at("/messageAttributes/delivery/stringValue").asText()).isEqualTo("d-1");
    assertThat(record.get("eventSourceARN").asText()).isEqualTo("arn:aws:sqs:us-east-1:1:q");
  }

  @Test
  void aScheduledEventLooksLikeEventBridges() throws Exception {
    JsonNode event = Json.MAPPER.readTree(Events.scheduled("arn:aws:events:us-east-1:1:rule/x", NOW, "us-east-1"));

    assertThat(event.get("detail-type").asText()).isEqualTo("Scheduled Event");
    assertThat(event.get("source").asText()).isEqualTo("aws.events");
    assertThat(event.get("time").asText()).isEqualTo("2026-11-28T16:00:00Z");
  }
}
