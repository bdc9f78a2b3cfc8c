package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's first look finds it taken by a runner of ours that was launched for another job (GitHub
 * gives a queued job to the first idle runner that fits): the launch goes to the job left behind,
 * at once, instead of that job waiting for its recheck.
 */
class DisplacedFirstLookTest {
  private static final long X = 5001L;
  private static final long Y = 5002L;
  private static final RunnerOwner ACME = RunnerOwner.org("acme");

  private final Fixture f = new Fixture(false);
  private long nextInstance = 0x7100_0000L;

  /** An instance launched for {@code jobId} a minute ago, its runner busy: returns the runner name. */
  private String busyInstanceLaunchedFor(long jobId) {
    RunnerInstance instance = f.fleet.add(new RunnerInstance(
        new InstanceId(String.format("i-%017x", nextInstance++)), "running",
        f.clock.instant().minus(Duration.ofMinutes(1)), CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "prod", Tags.POOL, "linux", Tags.OWNER, "acme",
            Tags.JOB_ID, Long.toString(jobId), Tags.REPOSITORY, "acme/api")));
    return f.github.addRunner(ACME, "prod-" + instance.id(), "online", true,
        List.of("self-hosted", "linux")).name();
  }

  private void jobIs(long jobId, String status, String runnerName) {
    f.github.job(new WorkflowJob(jobId, 1L, status, List.of("self-hosted", "linux"), Fixture.NOW,
        runnerName == null ? null : Fixture.NOW, runnerName));
  }

  private List<RunnerInstance> boundTo(long jobId) {
    return f.fleet.all().stream().filter(i -> Long.toString(jobId).equals(i.tag(Tags.JOB_ID))).toList();
  }

  private BatchOutcome firstLookAt(long jobId, int attempt) {
    JobMessage message = Fixture.job(jobId);
    return f.scaleUp().run(List.of(QueuedMessage.of("m-" + jobId + "-" + attempt, attempt, message)));
  }

  @Test
  void launchesForTheJobWhoseRunnerTookThisOne() {
    String runnerOfY = busyInstanceLaunchedFor(Y);
    jobIs(X, "in_progress", runnerOfY);
    jobIs(Y, "queued", null);

    BatchOutcome outcome = firstLookAt(X, 1);

    assertEquals(1, outcome.launched());
    assertEquals(0, outcome.notQueued());
    assertEquals(2, boundTo(Y).size(), "the instance that runs X and Y's new one");
    assertEquals(0, boundTo(X).size());
    assertEquals(2, f.github.calls("get-job"), "X, then Y");
    // X's message again (SQS delivers at least once): the same ClientToken, nothing more
    firstLookAt(X, 1);
    assertEquals(2, boundTo(Y).size());
  }

  @Test
  void launchesNothingWhenTheJobLeftBehindWasServedOrTheRunnerIsNotOurs() {
    String runnerOfY = busyInstanceLaunchedFor(Y);
    jobIs(X, "in_progress", runnerOfY);
    jobIs(Y, "in_progress", "someone-elses-runner");
    jobIs(X + 10, "in_progress", "GitHub Actions 7");

    assertEquals(0, firstLookAt(X, 1).launched());
    assertEquals(0, firstLookAt(X + 10, 1).launched());

    assertEquals(1, boundTo(Y).size());
    assertEquals(3, f.github.calls("get-job"), "X, Y; X+10 and no hop");
  }

  @Test
  void launchesNothingWhenTheJobLeftBehindHasAnotherInstance() {
    String runnerOfY = busyInstanceLaunchedFor(Y);
    busyInstanceLaunchedFor(Y); // a recheck's second instance is coming for Y
    jobIs(X, "in_progress", runnerOfY);
    jobIs(Y, "queued", null);

    assertEquals(0, firstLookAt(X, 1).launched());
    assertEquals(2, boundTo(Y).size());
  }
}
