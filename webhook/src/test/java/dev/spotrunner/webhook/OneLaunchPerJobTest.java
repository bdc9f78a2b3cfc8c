package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.testkit.fakes.InMemoryJobQueue;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Same delivery twice → one job launched." The webhook's memory is per container, so a redelivery
 * that lands on another container is queued again; what the webhook guarantees is that both
 * messages carry the same job id (body and attribute), the key of scale-up's launch (docs/architecture.md,
 * invariant 2: a job-id tag checked before launching and a ClientToken from job id and attempt).
 * That scale-up launches once per job key is proven against the real code, not a model of it:
 * {@code ScaleUpTest}/{@code ScaleUpIT} (three deliveries of every message → one instance per job)
 * and {@code LocalStackIT} (the same delivery sent twice end to end → one instance).
 */
class OneLaunchPerJobTest {

  @Test
  void sameDeliveryOnTwoContainersIsTwoMessagesWithOneJobKey() {
    TestWebhooks.Harness first = new TestWebhooks.Harness();
    TestWebhooks.Harness second = new TestWebhooks.Harness();
    String body = TestWebhooks.fixture("workflow_job.queued.with-deployment.payload.json");
    Reply a = first.webhook.handle(
        TestWebhooks.headers("workflow_job", "delivery-7", first.sign(body)), body, false);
    Reply b = second.webhook.handle(
        TestWebhooks.headers("workflow_job", "delivery-7",
            dev.spotrunner.webhook.Signature.sign(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                second.secret)), body, false);
    Reply c = first.webhook.handle(
        TestWebhooks.headers("workflow_job", "delivery-7", first.sign(body)), body, false);

    assertThat(List.of(a.message(), b.message(), c.message()))
        .containsExactly("queued", "queued", "duplicate");
    List<InMemoryJobQueue.Sent> messages =
        java.util.stream.Stream.concat(first.queue.sent().stream(), second.queue.sent().stream()).toList();
    assertThat(messages).hasSize(2);
    assertThat(messages).extracting(m -> m.attributes().get("jobId")).containsOnly("12877621891");
    assertThat(messages).extracting(m -> JobMessage.fromJson(m.body()).jobId().value())
        .containsOnly(12877621891L);
  }
}
