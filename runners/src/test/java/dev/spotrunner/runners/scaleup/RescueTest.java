package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue.Received;
import dev.spotrunner.runners.scaledown.QueuedLaunches;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scale-up serves scale-down's rescue asks for jobs whose instance spot took away before their
 * runner took them: it asks GitHub, launches for the stranded job or the job its runner displaced,
 * and leaves what it cannot serve now to scale-down's next ask.
 */
class RescueTest {
  private static final String QUEUE = "https://sqs/1/prod-linux-jobs";
  private static final long JOB = 4242L;
  private static final RunnerOwner ACME = RunnerOwner.org("acme");
  private static final RunnerOwner REPO = RunnerOwner.repo("acme", "api");

  private final Fixture f = new Fixture(false);
  private final FakeSqs sqs = new FakeSqs(f.clock);
  private final QueuedLaunches scaleDownAsks = new QueuedLaunches(f.pool(), sqs, QUEUE, f.clock);
  private long nextInstance = 0x7000_0000L;

  /** An instance launched for {@code jobId} two minutes ago. */
  private RunnerInstance jobInstance(long jobId) {
    return f.fleet.add(new RunnerInstance(
        new InstanceId(String.format("i-%017x", nextInstance++)), "running",
        f.clock.instant().minus(Duration.ofMinutes(2)), CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "prod", Tags.POOL, "linux", Tags.OWNER, "acme",
            Tags.JOB_ID, Long.toString(jobId), Tags.REPOSITORY, REPO.toString())));
  }

  /** The runner of {@code instance}, busy with whatever GitHub gave it. */
  private String busyRunner(RunnerInstance instance) {
    return f.github.addRunner(ACME, "prod-" + instance.id(), "online", true,
        List.of("self-hosted", "linux")).name();
  }

  private void jobIs(long jobId, String status) {
    jobIs(jobId, status, null);
  }

  private void jobIs(long jobId, String status, String runnerName) {
    f.github.job(new WorkflowJob(jobId, 1L, status, List.of("self-hosted"), Fixture.NOW,
        runnerName == null ? null : Fixture.NOW, runnerName));
  }

  private void askRescue(long jobId) {
    scaleDownAsks.rescue(JobId.of(jobId), REPO, "Organization");
  }

  /** One invocation over every visible message, as the handler; the rest are deleted. */
  private BatchOutcome serve() {
    List<Received> batch = sqs.receive(QUEUE, 10, 720);
    BatchOutcome outcome = f.scaleUp().run(batch.stream().map(r -> QueuedMessage.parse(
        r.messageId(), r.body(), Integer.toString(r.receiveCount()), null, null,
        r.attributes().get(WarmRequest.KIND_ATTRIBUTE), r.receiptHandle())).toList());
    batch.stream().filter(r -> !outcome.retry().contains(r.messageId()))
        .forEach(r -> sqs.delete(QUEUE, r.receiptHandle()));
    return outcome;
  }

  private List<RunnerInstance> boundTo(long jobId) {
    return f.fleet.all().stream()
        .filter(i -> Long.toString(jobId).equals(i.tag(Tags.JOB_ID))).toList();
  }

  @Test
  void relaunchesOneRunnerForAQueuedJobWhoseInstanceWasInterruptedBeforeBoot() {
    f.fleet.interrupt(jobInstance(JOB).id());
    jobIs(JOB, "queued");
    askRescue(JOB);

    BatchOutcome outcome = serve();

    assertEquals(1, outcome.launched());
    List<RunnerInstance> bound = boundTo(JOB);
    assertEquals(1, bound.size());
    assertEquals(REPO.toString(), bound.get(0).tag(Tags.REPOSITORY));
    assertEquals("acme", bound.get(0).tag(Tags.OWNER));
    assertTrue(f.parameters.get(f.pool().configParameter(bound.get(0).id().value())).isPresent(),
        "the rescued instance holds its runner config");
    assertEquals(List.of(), sqs.messages(QUEUE), "the ask is done with");
  }

  @Test
  void launchesNothingForAJobThatIsRunningOrDone() {
    f.fleet.interrupt(jobInstance(JOB).id());
    f.fleet.interrupt(jobInstance(JOB + 1).id());
    jobIs(JOB, "in_progress");
    jobIs(JOB + 1, "completed");
    askRescue(JOB);
    askRescue(JOB + 1);

    BatchOutcome outcome = serve();

    assertEquals(0, outcome.launched());
    assertEquals(2, outcome.notQueued());
    assertEquals(List.of(), f.fleet.all());
    assertEquals(2, f.github.calls("get-job"));
  }

  /**
   * The runner launched for job a took the stranded job b (GitHub gives a job to any idle runner
   * that fits); b's own instance was then reclaimed. a has lost its runner: it gets one.
   */
  @Test
  void relaunchesForTheJobWhoseRunnerTookTheStrandedJob() {
    long a = JOB;
    long b = JOB + 1;
    String runnerOfA = busyRunner(jobInstance(a));
    f.fleet.interrupt(jobInstance(b).id());
    jobIs(a, "queued");
    jobIs(b, "in_progress", runnerOfA);
    askRescue(b);

    BatchOutcome outcome = serve();

    assertEquals(1, outcome.launched());
    assertEquals(2, f.github.calls("get-job"));
    assertEquals(2, boundTo(a).size(), "the instance that runs b and a's new one");
    assertEquals(0, boundTo(b).size());

    f.clock.advance(Duration.ofMinutes(5));
    askRescue(b);
    assertEquals(0, serve().launched(), "a is not launched twice");
    assertEquals(2, boundTo(a).size());
  }

  @Test
  void launchesNothingWhenTheDisplacedJobRanElsewhereOrTheRunnerIsTheInterruptedOne() {
    long a = JOB;
    long b = JOB + 1;
    long c = JOB + 2;
    String runnerOfA = busyRunner(jobInstance(a));
    f.fleet.interrupt(jobInstance(b).id());
    jobIs(a, "in_progress");
    jobIs(b, "in_progress", runnerOfA);
    RunnerInstance launchedForC = jobInstance(c);
    jobIs(c, "in_progress", busyRunner(launchedForC));
    f.fleet.interrupt(launchedForC.id());
    askRescue(b);
    askRescue(c);

    BatchOutcome outcome = serve();

    assertEquals(0, outcome.launched());
    assertEquals(3, f.github.calls("get-job"), "b, then a (running), then c");
  }

  @Test
  void launchesOnceForTwoAsksOfOneJob() {
    f.fleet.interrupt(jobInstance(JOB).id());
    jobIs(JOB, "queued");
    askRescue(JOB);
    askRescue(JOB);

    serve();
    askRescue(JOB);
    serve();

    assertEquals(1, boundTo(JOB).size());
  }

  @Test
  void aRescueAtThePoolMaximumIsLeftToScaleDownsNextAsk() {
    f.set("MAX_RUNNERS", "2");
    f.fleet.interrupt(jobInstance(JOB).id());
    jobIs(JOB, "queued");
    busyRunner(jobInstance(JOB + 10));
    RunnerInstance finishing = jobInstance(JOB + 11);
    askRescue(JOB);

    BatchOutcome full = serve();

    assertEquals(0, full.launched());
    assertEquals(0, f.github.calls("get-job"));
    assertEquals(List.of(), sqs.messages(QUEUE), "not kept: scale-down asks every cycle");
    assertEquals(List.of(), full.retry());

    f.fleet.terminate(List.of(finishing.id())); // its ephemeral runner finished
    f.clock.advance(Duration.ofMinutes(1));
    askRescue(JOB);
    assertEquals(1, serve().launched());
    assertEquals(1, boundTo(JOB).size());
    assertEquals(2, f.fleet.all().size());
  }

  @Test
  void launchesNothingWhileGitHubIsDownThenOnTheNextAsk() {
    f.fleet.interrupt(jobInstance(JOB).id());
    jobIs(JOB, "queued");
    f.github.down(true);
    askRescue(JOB);

    BatchOutcome down = serve();

    assertEquals(0, down.launched());
    assertEquals(List.of(), down.retry(), "left to scale-down's next ask");
    f.github.down(false);
    f.clock.advance(Duration.ofMinutes(1));
    askRescue(JOB);
    assertEquals(1, serve().launched());
  }
}
