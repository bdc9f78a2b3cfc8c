package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.queue.JobQueue.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pool at its maximum over SQS as Lambda drives it (a batch of up to 10 visible messages, the
 * queue's 720 s visibility for batch failures, maxReceiveCount 5 to the DLQ), second by second on
 * a test clock: the jobs wait as new messages and are served in arrival order as instances end.
 */
class SaturationTest {
  private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/1/prod-linux-jobs";
  private static final String DLQ = "https://sqs.eu-west-1.amazonaws.com/1/prod-linux-jobs-dlq";
  private static final int VISIBILITY = 720;
  /** How long job n runs: about 10 minutes, off the backoff grid. */
  private static Duration runs(RunnerInstance instance) {
    return Duration.ofSeconds(583 + 17 * Long.parseLong(instance.tag(Tags.JOB_ID)));
  }

  private final Fixture fixture = new Fixture().set("MAX_RUNNERS", "1")
      .set("QUEUE_URL", QUEUE).set("DLQ_URL", DLQ);
  private final FakeSqs sqs = new FakeSqs(fixture.clock).redrive(QUEUE, DLQ, 5);

  @Test
  void servesSixJobsThroughAPoolOfOneInArrivalOrderWithoutDeadLetteringAny() {
    fixture.returnsSeen(JobReturns.on(sqs, QUEUE, DLQ));
    ScaleUpSettings settings = fixture.settings();
    Instant start = fixture.clock.instant();
    for (int i = 1; i <= 6; i++) {
      // the webhook: one job a second, each delayed 30 s
      JobMessage job = Fixture.job(i, "acme/api", start.plusSeconds(i));
      fixture.clock.advance(Duration.ofSeconds(1));
      sqs.send(QUEUE, job.toJson(), 30, Map.of("jobId", Long.toString(i)));
    }

    Map<InstanceId, RunnerInstance> launched = new LinkedHashMap<>();
    for (int second = 0; second < 90 * 60 && launched.size() < 6; second++) {
      for (RunnerInstance instance : fixture.fleet.list(settings.pool().poolTags())) {
        if (!instance.launchTime().plus(runs(instance)).isAfter(fixture.clock.instant())) {
          fixture.fleet.terminate(List.of(instance.id())); // its job is done
        }
      }
      lambdaPolls();
      fixture.fleet.all().forEach(i -> launched.putIfAbsent(i.id(), i));
      fixture.clock.advance(Duration.ofSeconds(1));
    }

    List<RunnerInstance> byLaunch = launched.values().stream()
        .sorted(Comparator.comparing(RunnerInstance::launchTime)).toList();
    assertEquals(List.of("1", "2", "3", "4", "5", "6"),
        byLaunch.stream().map(i -> i.tag(Tags.JOB_ID)).toList(), "one each, in arrival order");
    assertEquals(List.of(), sqs.messages(DLQ), "nothing dead-lettered");
    assertEquals(List.of(), sqs.messages(QUEUE), "every message consumed");

    long worstGap = 0;
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < byLaunch.size(); i++) {
      Instant ended = byLaunch.get(i - 1).launchTime().plus(runs(byLaunch.get(i - 1)));
      long gap = Duration.between(ended, byLaunch.get(i).launchTime()).toSeconds();
      gaps.add(gap);
      worstGap = Math.max(worstGap, gap);
    }
    Backoff backoff = settings.backoff();
    long bound = backoff.cap().toSeconds() + backoff.base().toSeconds() / 2 + 1;
    assertTrue(worstGap <= bound, "an instance's end to the next launch " + gaps + " s");

    // one GET per launched job (none while a job waits) and one JIT POST (5 points); the runner
    // group id is looked up once per container (here once per poll: each poll is a new ScaleUp)
    int points = fixture.github.calls("get-job") + 5 * fixture.github.calls("generate-jitconfig");
    assertEquals(6, fixture.github.calls("get-job"));
    assertEquals(6, fixture.github.calls("generate-jitconfig"));
    System.out.printf("saturation: pool max 1, 6 jobs of ~10 min: launched in order %s, "
        + "end-to-next-launch gaps %s s (mean %.1f s), DLQ 0, GitHub points per JIT runner %.2f%n",
        byLaunch.stream().map(i -> i.tag(Tags.JOB_ID)).toList(), gaps,
        gaps.stream().mapToLong(Long::longValue).average().orElse(0), points / 6.0);
  }

  /** The event source mapping: batches of visible messages until none is left this second. */
  private void lambdaPolls() {
    ScaleUp scaleUp = fixture.scaleUp();
    for (List<Received> batch = sqs.receive(QUEUE, 10, VISIBILITY); !batch.isEmpty();
        batch = sqs.receive(QUEUE, 10, VISIBILITY)) {
      List<QueuedMessage> queuedMessages = batch.stream().map(r -> QueuedMessage.parse(r.messageId(), r.body(),
          Integer.toString(r.receiveCount()), r.attributes().get(JobRechecks.ATTRIBUTE),
          r.attributes().get(JobReturns.WAIT_ATTRIBUTE),
          r.attributes().get(WarmRequest.KIND_ATTRIBUTE), r.receiptHandle())).toList();
      BatchOutcome outcome = scaleUp.run(queuedMessages);
      for (Received received : batch) {
        if (!outcome.retry().contains(received.messageId())) {
          sqs.delete(QUEUE, received.receiptHandle());
        }
      }
    }
  }
}
