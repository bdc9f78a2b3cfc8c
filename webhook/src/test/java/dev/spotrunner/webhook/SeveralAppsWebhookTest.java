package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.log.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several GitHub Apps with their webhooks pointed at one endpoint: Terraform lists every App's
 * secret parameter in {@code WEBHOOK_SECRET_PARAMS} (the first App's current and previous ones,
 * then the other Apps'); a delivery signed by any of them is accepted, any other is refused.
 */
class SeveralAppsWebhookTest {
  private static final String SECOND_APP_SECRET_PARAM = "/test/webhook/second-app-secret";

  private final Secret secondAppSecret = TestWebhooks.randomSecret();
  private final TestWebhooks.Harness harness = new TestWebhooks.Harness(TestWebhooks.settings(
      Map.of("WEBHOOK_SECRET_PARAMS", TestWebhooks.SECRET_PARAM + ","
          + TestWebhooks.PREVIOUS_SECRET_PARAM + "," + SECOND_APP_SECRET_PARAM)));
  private static final String LABELS = "[\"self-hosted\",\"Linux\",\"x64\"]";

  {
    harness.parameters.with(SECOND_APP_SECRET_PARAM, secondAppSecret.reveal());
  }

  private Reply sendSigned(String delivery, long jobId, Secret secret) {
    String body = TestWebhooks.workflowJob("queued", jobId, LABELS);
    String signature = Signature.sign(body.getBytes(StandardCharsets.UTF_8), secret);
    return harness.webhook.handle(TestWebhooks.headers("workflow_job", delivery, signature),
        body, false);
  }

  @Test
  void acceptsADeliverySignedByEitherApp() {
    assertThat(sendSigned("first-app", 501, harness.secret)).isEqualTo(Reply.queued("linux", 501));
    assertThat(sendSigned("second-app", 502, secondAppSecret))
        .isEqualTo(Reply.queued("linux", 502));
    assertThat(harness.queue.sent()).hasSize(2);
  }

  @Test
  void refusesADeliverySignedByAnAppItDoesNotKnow() {
    assertThat(sendSigned("stranger", 503, TestWebhooks.randomSecret()).status()).isEqualTo(401);
    assertThat(harness.queue.sent()).isEmpty();
  }

  @Test
  void refusesTheSecondAppsDeliveriesWhenOnlyTheFirstAppIsConfigured() {
    TestWebhooks.Harness firstOnly = new TestWebhooks.Harness();
    firstOnly.parameters.with(SECOND_APP_SECRET_PARAM, secondAppSecret.reveal());
    String body = TestWebhooks.workflowJob("queued", 504, LABELS);
    String signature = Signature.sign(body.getBytes(StandardCharsets.UTF_8), secondAppSecret);
    assertThat(firstOnly.webhook.handle(TestWebhooks.headers("workflow_job", "d", signature),
        body, false).status()).isEqualTo(401);
    assertThat(firstOnly.queue.sent()).isEmpty();
  }
}
