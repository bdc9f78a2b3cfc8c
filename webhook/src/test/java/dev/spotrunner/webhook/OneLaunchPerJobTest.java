package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InMemoryRunnerFleet;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.queue.InMemoryJobQueue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Same delivery twice → one job launched." The webhook's memory is per container, so a redelivery
 * that lands on another container is queued again; what the webhook guarantees is that both
 * messages carry the same job id (body and attribute), the key of scale-up's launch (ARCHITECTURE
 * invariant 2: a job-id tag checked before launching and a ClientToken from job id and attempt).
 * The consumer below applies that rule to the in-memory fleet; scale-up's own tests prove it does.
 */
class OneLaunchPerJobTest {

  @Test
  void sameDeliveryOnTwoContainersIsTwoMessagesWithOneJobKeyAndOneInstance() {
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
    assertThat(messages).extracting(m -> m.attributes().get("jobId")).containsOnly("12877621891");

    InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(first.clock);
    messages.forEach(m -> launchOnce(fleet, JobMessage.fromJson(m.body())));

    assertThat(fleet.list(Map.of(Tags.JOB_ID, "12877621891"))).hasSize(1);
  }

  /** Scale-up's rule, as the architecture states it: check the job-id tag, launch with a job token. */
  private static void launchOnce(InMemoryRunnerFleet fleet, JobMessage message) {
    String jobId = Long.toString(message.jobId());
    if (!fleet.list(Map.of(Tags.JOB_ID, jobId)).isEmpty()) {
      return;
    }
    fleet.launch(new LaunchSpec("lt-" + message.pool(), List.of("m7a.large"), List.of("subnet-1"), 1,
        CapacityType.SPOT, null, null, Map.of(Tags.JOB_ID, jobId, Tags.POOL, message.pool()),
        "job-" + jobId + "-1"));
  }
}
