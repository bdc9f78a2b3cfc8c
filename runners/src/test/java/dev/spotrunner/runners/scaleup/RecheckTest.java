package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.runners.scaleup.Fixture.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scale-up looks at a launched job again after JOB_RECHECK_SECONDS: GitHub gives a queued job to any
 * idle runner that fits, and an instance can die before its runner takes one, so the runner
 * launched for a job may never run it.
 */
class RecheckTest {
  private final Fixture fixture = new Fixture()
      .set("JOB_RECHECK_SECONDS", "300")
      .set("QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/prod-linux");

  private void jobIs(long id, String status) {
    fixture.github.job(new WorkflowJob(id, 9000 + id, status, List.of("self-hosted", "linux"),
        Fixture.NOW, null));
  }

  private List<RunnerInstance> boundTo(long id) {
    return fixture.fleet.all().stream()
        .filter(i -> Long.toString(id).equals(i.tag(Tags.JOB_ID))).toList();
  }

  /** Scale-up over the fixture whose queue refuses every recheck (SQS throttling). */
  private ScaleUp scaleUpWhoseRechecksCannotBeSent() {
    ScaleUpSettings settings = fixture.settings();
    var launcher = new dev.spotrunner.runners.launch.RunnerLauncher(settings.pool(), fixture.fleet,
        fixture.github, fixture.parameters,
        new dev.spotrunner.runners.launch.RunnerConfigs(settings.pool(), fixture.github,
            fixture.clock));
    return new ScaleUp(settings, fixture.fleet, fixture.github, launcher, (j, n, d) -> {
      throw new dev.spotrunner.common.TransientFailure("SQS SendMessage failed: throttled");
    }, fixture.clock);
  }

  /**
   * The first launch, its machine up (it read and deleted its runner config, as the start script
   * does), then the clock moved to when the recheck is delivered.
   */
  private JobMessage launchedAndDue(long id) {
    JobMessage job = launchedNotBooted(id);
    boundTo(id).forEach(i -> fixture.parameters.delete(fixture.pool().configParameter(i.id().value())));
    return job;
  }

  /** As {@link #launchedAndDue}, but the machine has not come up: its config still waits in SSM. */
  private JobMessage launchedNotBooted(long id) {
    JobMessage job = job(id);
    fixture.scaleUp().run(List.of(QueuedMessage.of("m" + id, 1, job)));
    fixture.clock.advance(Duration.ofSeconds(300));
    return job;
  }

  @Test
  void schedulesOneRecheckPerLaunchedJobAfterTheDelay() {
    BatchOutcome outcome = fixture.scaleUp().run(Fixture.queuedMessages(3));

    assertEquals(3, outcome.launched());
    assertEquals(List.of(1L, 2L, 3L), fixture.rechecks.stream().map(r -> r.job().jobId().value()).toList());
    assertTrue(fixture.rechecks.stream().allMatch(
        r -> r.recheck() == 1 && r.delay().equals(Duration.ofSeconds(300))));
  }

  @Test
  void schedulesNoRecheckForAJobThatHadItsInstanceOrWasNotLaunched() {
    fixture.set("MAX_RUNNERS", "1");
    fixture.scaleUp().run(List.of(QueuedMessage.of("a", 1, job(1))));
    fixture.rechecks.clear();

    fixture.scaleUp().run(List.of(QueuedMessage.of("again", 2, job(1)), QueuedMessage.of("b", 1, job(2))));

    assertEquals(List.of(), fixture.rechecks, "job 1 had its instance, job 2 found the pool full");
  }

  @Test
  void launchesAgainWhenTheJobStillWaitsAndSchedulesTheNextRecheck() {
    JobMessage job = launchedAndDue(7);
    jobIs(7, "queued");
    fixture.rechecks.clear();
    int launchChecks = fixture.github.calls("get-job");

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of(), outcome.retry());
    assertEquals(1, outcome.launched());
    assertEquals(2, boundTo(7).size(), "the first instance's runner took another job");
    assertEquals(1, fixture.github.calls("get-job") - launchChecks);
    assertEquals(1, fixture.rechecks.size());
    assertEquals(2, fixture.rechecks.get(0).recheck());
  }

  @Test
  void looksAgainLaterWithoutAskingGitHubWhileTheJobsMachineHasNotComeUp() {
    JobMessage job = launchedNotBooted(7);
    jobIs(7, "queued");
    fixture.rechecks.clear();
    int launchChecks = fixture.github.calls("get-job");

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of(), outcome.retry());
    assertEquals(0, outcome.launched());
    assertEquals(1, boundTo(7).size(), "a slow boot gets no second instance");
    assertEquals(0, fixture.github.calls("get-job") - launchChecks);
    assertEquals(1, fixture.rechecks.size());
    assertEquals(1, fixture.rechecks.get(0).recheck(), "the same recheck, once more");
  }

  @Test
  void sendsTheRecheckBackToTheQueueWhenItCannotLookAgainLater() {
    JobMessage job = launchedNotBooted(7);
    ScaleUp failing = scaleUpWhoseRechecksCannotBeSent();

    BatchOutcome outcome = failing.run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of("r7"), outcome.retry());
  }

  @Test
  void doesNothingMoreOnceGitHubGaveTheJobToARunner() {
    JobMessage job = launchedAndDue(7);
    jobIs(7, "in_progress");
    fixture.rechecks.clear();

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of(), outcome.retry());
    assertEquals(0, outcome.launched());
    assertEquals(1, outcome.notQueued());
    assertEquals(1, boundTo(7).size());
    assertEquals(List.of(), fixture.rechecks);
  }

  @Test
  void keepsRecheckingWhileGitHubSaysTheJobWaitsWhateverTheCount() {
    // The simulator's trace: every runner launched for the job is taken by an older job of its run.
    JobMessage job = launchedAndDue(7);
    jobIs(7, "queued");
    for (int recheck = 1; recheck <= 6; recheck++) {
      fixture.rechecks.clear();
      int gets = fixture.github.calls("get-job");

      BatchOutcome outcome =
          fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7-" + recheck, 1, job, recheck)));

      assertEquals(1, outcome.launched(), "recheck " + recheck + " launches again");
      assertEquals(1, fixture.github.calls("get-job") - gets, "one GET a recheck");
      assertEquals(List.of(recheck + 1),
          fixture.rechecks.stream().map(Fixture.Recheck::recheck).toList());
      // its machine boots and its runner takes another job; the next recheck is due
      boundTo(7).forEach(
          i -> fixture.parameters.delete(fixture.pool().configParameter(i.id().value())));
      fixture.clock.advance(Duration.ofSeconds(300));
    }
    assertEquals(7, boundTo(7).size());
  }

  @Test
  void stopsRecheckingOnceTheJobIsOlderThanItsMaximumAge() {
    fixture.set("JOB_RECHECK_MAX_AGE_MINUTES", "30");
    JobMessage job = launchedAndDue(7); // received 30 s before the first launch
    jobIs(7, "queued");
    fixture.rechecks.clear();
    // 25.5 min after its webhook: a recheck 5 min later would find it older than 30 min
    fixture.clock.advance(Duration.ofSeconds(25 * 60 + 30 - 330));

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 4)));

    assertEquals(1, outcome.launched(), "this recheck still launches: the job waits");
    assertEquals(List.of(), fixture.rechecks, "no recheck past the job's maximum age");
  }

  @Test
  void readsTheRecheckMaximumAgeFromItsVariableWithADefaultOfSixHours() {
    assertEquals(Duration.ofHours(6), fixture.settings().recheckMaxAge());
    assertEquals(Duration.ofMinutes(90),
        fixture.set("JOB_RECHECK_MAX_AGE_MINUTES", "90").settings().recheckMaxAge());
    assertThrows(SettingsException.class,
        () -> fixture.set("JOB_RECHECK_MAX_AGE_MINUTES", "0").settings());
  }

  @Test
  void leavesAJobAloneThatWasLaunchedForAgainSinceWithoutAskingGitHub() {
    JobMessage job = launchedAndDue(7);
    jobIs(7, "queued");
    // scale-down's rescue (or an earlier recheck) launched for the job a minute ago
    fixture.fleet.add(new RunnerInstance(new dev.spotrunner.common.fleet.InstanceId(
        "i-0000000000000abcd"), "running", fixture.clock.instant().minusSeconds(60),
        dev.spotrunner.common.fleet.CapacityType.SPOT, java.util.Map.of(Tags.ENVIRONMENT, "prod",
        Tags.POOL, "linux", Tags.JOB_ID, "7")));
    int calls = fixture.github.calls("get-job");

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(1, outcome.alreadyLaunched());
    assertEquals(calls, fixture.github.calls("get-job"));
    assertEquals(2, boundTo(7).size());
  }

  @Test
  void sendsTheRecheckBackToTheQueueWhileGitHubFails() {
    JobMessage job = launchedAndDue(7);
    jobIs(7, "queued");
    fixture.github.down(true);

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of("r7"), outcome.retry());
    assertEquals(1, boundTo(7).size(), "no launch on a guess");
  }

  @Test
  void keepsTheJobLaunchedWhenTheRecheckCannotBeSent() {
    fixture.set("JOB_RECHECK_SECONDS", "300");
    ScaleUp failing = scaleUpWhoseRechecksCannotBeSent();

    BatchOutcome outcome = failing.run(Fixture.queuedMessages(2));

    assertEquals(List.of(), outcome.retry());
    assertEquals(2, outcome.launched());
  }

  @Test
  void needsTheQueueWhenRechecksAreOnAndAtMostSqssDelay() {
    Fixture noQueue = new Fixture().set("JOB_RECHECK_SECONDS", "300");
    SettingsException missing = assertThrows(SettingsException.class, noQueue::settings);
    assertTrue(missing.getMessage().contains("QUEUE_URL"), missing.getMessage());
    Fixture tooLong = new Fixture().set("JOB_RECHECK_SECONDS", "901").set("QUEUE_URL", "q");
    SettingsException over = assertThrows(SettingsException.class, tooLong::settings);
    assertTrue(over.getMessage().contains("JOB_RECHECK_SECONDS"), over.getMessage());
    assertTrue(!new Fixture().settings().rechecks(), "off unless set");
  }

  @Test
  void aRecheckAtThePoolMaximumWaitsAsANewRecheckMessageNotByReceivesThatEndInTheDlq() {
    fixture.set("MAX_RUNNERS", "1");
    JobMessage job = launchedAndDue(7);
    fixture.rechecks.clear();
    fixture.scaleUp().run(List.of(QueuedMessage.of("other", 1, job(8))));
    fixture.rechecks.clear();

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.recheck("r7", 1, job, 1)));

    assertEquals(List.of(), outcome.retry(), "its message is done with, not left to be received again");
    assertEquals(List.of(), fixture.returns.held);
    assertEquals(1, fixture.rechecks.size());
    assertEquals(7L, fixture.rechecks.get(0).job().jobId().value());
    assertEquals(1, fixture.rechecks.get(0).recheck(), "the same recheck, later");
    assertTrue(fixture.rechecks.get(0).delay().compareTo(Duration.ofSeconds(60)) < 0,
        "back after the short backoff: " + fixture.rechecks.get(0).delay());
  }

  @Test
  void aRescueOfALaunchedJobLaunchesWithItsOwnClientToken() {
    JobMessage job = launchedAndDue(9);
    boundTo(9).forEach(i -> fixture.fleet.terminate(List.of(i.id())));
    JobMessage rescue = new JobMessage(job.jobId(), 0, job.repository(), job.owner(), job.ownerType(),
        0, job.labels(), job.pool(), ScaleUp.RESCUE_DELIVERY_ID + "1700000000", fixture.clock.instant());
    jobIs(9, "queued");

    fixture.scaleUp().run(List.of(QueuedMessage.of("rescue", 1, rescue)));

    var tokens = fixture.fleet.launches().stream().map(l -> l.clientToken()).toList();
    assertEquals(2, tokens.size());
    assertTrue(!tokens.get(0).equals(tokens.get(1)), "a new token: " + tokens);
    assertEquals(1, boundTo(9).stream().filter(i -> !fixture.fleet.ended(List.of(i.id()))
        .contains(i.id())).count(), "a live instance for the rescued job");
  }
}
