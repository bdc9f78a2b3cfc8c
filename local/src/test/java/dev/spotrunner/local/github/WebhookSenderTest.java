package dev.spotrunner.local.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {
  static final Instant CREATED = Instant.parse("2026-11-28T16:00:00Z");

  @Test
  void signsTheBodyAsGitHubDocumentsIt() {
    // The example from GitHub's "Validating webhook deliveries" page.
    String signature = WebhookSender.sign(new Secret("It's a Secret to Everybody"),
        "Hello, World!".getBytes(StandardCharsets.UTF_8));

    assertThat(signature)
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  @Test
  void aQueuedPayloadHasWhatTheWebhookReads() throws Exception {
    JsonNode payload = Json.MAPPER.readTree(WebhookSender.payload(new JobEvent("queued", 42, 7, "acme",
        "Organization", "api", true, 99, "queued", null, List.of("self-hosted", "linux"), CREATED,
        null, null, null, null)));

    assertThat(payload.get("action").asText()).isEqualTo("queued");
    assertThat(payload.at("/workflow_job/id").asLong()).isEqualTo(42);
    assertThat(payload.at("/workflow_job/run_id").asLong()).isEqualTo(7);
    assertThat(payload.at("/workflow_job/labels/1").asText()).isEqualTo("linux");
    assertThat(payload.at("/repository/full_name").asText()).isEqualTo("acme/api");
    assertThat(payload.at("/repository/private").asBoolean()).isTrue();
    assertThat(payload.at("/repository/owner/type").asText()).isEqualTo("Organization");
    assertThat(payload.at("/installation/id").asLong()).isEqualTo(99);
    assertThat(payload.at("/workflow_job/runner_id").isNull()).isTrue();
  }
}
