package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue.Received;
import dev.spotrunner.runners.scaledown.QueuedLaunches;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scale-down asks, scale-up launches: warm runners and rescues arrive through the pool's queue. */
class OneLauncherTest {
  private static final String QUEUE = "https://sqs/1/prod-linux-jobs";

  private final Fixture fixture = new Fixture().set("MAX_RUNNERS", "3");
  private final FakeSqs sqs = new FakeSqs(fixture.clock);
  private final QueuedLaunches scaleDownAsks =
      new QueuedLaunches(fixture.pool(), sqs, QUEUE, fixture.clock);

  @Test
  void launchesTheWarmRunnersScaleDownAskedForOnlyWithinThePoolMaximum() {
    fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1)),
        QueuedMessage.of("m2", 1, Fixture.job(2))));

    scaleDownAsks.warm(RunnerOwner.org("acme"), 2);
    assertEquals(2, fixture.fleet.all().size(), "scale-down launched nothing itself");
    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages());

    List<RunnerInstance> warm = fixture.fleet.all().stream()
        .filter(i -> i.tag(Tags.JOB_ID) == null).toList();
    assertEquals(1, warm.size(), "one slot left of three");
    assertEquals(3, fixture.fleet.all().size());
    assertEquals(List.of(), outcome.retry(), "a warm request is consumed either way");
  }

  @Test
  void aRescueIsTheStrandedJobAgainAndScaleUpLaunchesForItOnce() {
    scaleDownAsks.rescue(JobId.of(7), RunnerOwner.repo("acme", "api"), "Organization");
    scaleDownAsks.rescue(JobId.of(7), RunnerOwner.repo("acme", "api"), "Organization");

    fixture.scaleUp().run(queuedMessages());

    assertEquals(List.of("7"), fixture.fleet.all().stream().map(i -> i.tag(Tags.JOB_ID)).toList());
  }

  private List<QueuedMessage> queuedMessages() {
    List<Received> batch = sqs.receive(QUEUE, 10, 720);
    return batch.stream().map(r -> QueuedMessage.parse(r.messageId(), r.body(),
        Integer.toString(r.receiveCount()), null, null,
        r.attributes().get(WarmRequest.KIND_ATTRIBUTE), r.receiptHandle())).toList();
  }
}
