package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.runners.scaleup.Fixture.job;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobQueuedCheckTest {
  private final Fixture fixture = new Fixture(false);

  private static WorkflowJob withStatus(long id, String status) {
    return new WorkflowJob(id, 9000 + id, status, List.of("self-hosted", "linux"),
        Fixture.NOW.minusSeconds(300), null);
  }

  @Test
  void skipsRedeliveredJobsThatNoLongerWait() {
    fixture.github.job(withStatus(1, "in_progress")).job(withStatus(2, "completed"))
        .job(withStatus(3, "queued"));
    List<QueuedMessage> batch = List.of(QueuedMessage.of("m1", 2, job(1)), QueuedMessage.of("m2", 2, job(2)),
        QueuedMessage.of("m3", 2, job(3)), QueuedMessage.of("m4", 2, job(4)));

    BatchOutcome outcome = fixture.scaleUp().run(batch);

    assertEquals(List.of(), outcome.retry(), "jobs that no longer wait leave the queue");
    assertEquals(3, outcome.notQueued(), "in progress, completed and unknown (404)");
    assertEquals(1, outcome.launched());
    assertEquals("3", fixture.fleet.all().get(0).tag(dev.spotrunner.common.fleet.Tags.JOB_ID));
    assertEquals(4, fixture.github.calls("get-job"));
  }

  @Test
  void checksTheFirstReceiveOfAJobCancelledDuringTheQueueDelay() {
    fixture.github.job(withStatus(1, "completed")).job(withStatus(2, "queued"));
    // delivered after the webhook's 30 s delay: a push cancelled it meanwhile
    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, job(1)),
        QueuedMessage.of("m2", 1, job(2))));

    assertEquals(1, outcome.notQueued(), "the cancelled job gets no instance");
    assertEquals(1, outcome.launched());
    assertEquals(2, fixture.github.calls("get-job"));
    assertEquals(1, fixture.fleet.all().size());
  }

  @Test
  void skipsTheFirstReceiveCheckWhenThePoolSwitchesItOff() {
    fixture.set("JOB_CHECK_FIRST_RECEIVE", "false");
    fixture.github.job(withStatus(1, "completed")).job(withStatus(2, "completed"));

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, job(1)),
        QueuedMessage.of("m2", 2, job(2))));

    assertEquals(1, fixture.github.calls("get-job"), "only the redelivery is checked");
    assertEquals(1, outcome.launched());
    assertEquals(1, outcome.notQueued());
  }

  @Test
  void asksNothingWhenTheCheckIsOff() {
    fixture.set("JOB_QUEUED_CHECK", "false");

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 5, job(1))));

    assertEquals(1, outcome.launched());
    assertEquals(0, fixture.github.calls("get-job"));
  }

  @Test
  void launchesAnywayAndCountsItWhenTheCheckFails() {
    fixture.githubSeen(new JobsDown(fixture.github));

    BatchOutcome outcome = fixture.scaleUp().run(
        List.of(QueuedMessage.of("m1", 2, job(1)), QueuedMessage.of("m2", 3, job(2))));

    assertEquals(2, outcome.checkFailed());
    assertEquals(2, outcome.launched());
    assertEquals(List.of(), outcome.retry());
  }

  @Test
  void doesNotCheckJobsThatWillNotFitAnyway() {
    fixture.set("MAX_RUNNERS", "1");
    fixture.github.job(withStatus(1, "queued")).job(withStatus(2, "queued"));

    BatchOutcome outcome = fixture.scaleUp().run(
        List.of(QueuedMessage.of("m1", 2, job(1)), QueuedMessage.of("m2", 2, job(2))));

    assertEquals(List.of(2L), fixture.returns.laterJobIds());
    assertEquals(1, fixture.github.calls("get-job"));
  }

  /** GitHub whose job endpoint fails while everything else answers. */
  private record JobsDown(GitHubRunners delegate) implements GitHubRunners {
    @Override
    public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
      throw new TransientFailure("GitHub answered 502 for get-job");
    }

    @Override
    public void knownInstallation(RunnerOwner owner, long installationId) {
      delegate.knownInstallation(owner, installationId);
    }

    @Override
    public RegistrationToken registrationToken(RunnerOwner owner) {
      return delegate.registrationToken(owner);
    }

    @Override
    public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
      return delegate.jitConfig(owner, request);
    }

    @Override
    public List<GitHubRunner> listRunners(RunnerOwner owner) {
      return delegate.listRunners(owner);
    }

    @Override
    public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
      return delegate.getRunner(owner, runnerId);
    }

    @Override
    public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
      return delegate.deleteRunner(owner, runnerId);
    }

    @Override
    public long runnerGroupId(RunnerOwner owner, String groupName) {
      return delegate.runnerGroupId(owner, groupName);
    }
  }
}
