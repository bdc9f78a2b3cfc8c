package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrimingTest {

  @Test
  void primesEveryPathOfTheHotPathWithoutTouchingTheRealQueue() {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();

    harness.handler.beforeCheckpoint(null);
    Priming.Result result = Priming.run();

    // per round: queued 202, in_progress 202, forged 401, truncated JSON 400, ping 200
    int rounds = Priming.ROUNDS;
    assertThat(result.replies()).isEqualTo(Map.of(200, rounds, 202, 2 * rounds, 400, rounds, 401, rounds));
    assertThat(result.awsCalls()).as("through the SDK's clients to the canned AWS: every queued job"
        + " and job start sent, the current secret read and the previous one found gone, once")
        .isEqualTo(Map.of("SendMessage", 2 * rounds, "GetParameter", 2));
    assertThat(harness.queue.sent()).isEmpty();
    assertThat(harness.metricLines).isEmpty();
  }

  @Test
  void primingLeavesNoSecretOrDeliveryBehindInTheRealWebhook() {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    harness.handler.beforeCheckpoint(null);
    String queued = TestWebhooks.workflowJob("queued", 1_000_000, "[\"self-hosted\",\"linux\",\"x64\"]");

    // the same job id as the first priming round is still queued: priming's memory was its own
    assertThat(harness.send("workflow_job", "priming-0-workflow_job", queued).message()).isEqualTo("queued");
    // and the priming secret signs nothing the real webhook accepts
    assertThat(harness.webhook.handle(TestWebhooks.headers("workflow_job", "d-2", Signature.sign(
        queued.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        new dev.spotrunner.common.log.Secret("spotrunner-priming-only"))), queued, false).status())
        .isEqualTo(401);
  }
}
