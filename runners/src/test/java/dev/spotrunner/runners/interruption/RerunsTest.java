package dev.spotrunner.runners.interruption;

import static dev.spotrunner.runners.interruption.World.NOW;
import static dev.spotrunner.runners.interruption.World.terminated;
import static dev.spotrunner.runners.interruption.World.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.GitHubRunners.JobOutcome;
import dev.spotrunner.runners.interruption.World.Runner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RerunsTest {
  private static final long RUN = 7001;
  private static final String COUNTER = InterruptedJob.runParameter("dev", "linux", RUN, "build");
  private final World world = new World();

  /** A busy runner's instance was taken: its job is now followed. */
  private Runner interrupted() {
    Runner busy = world.runner(true);
    world.interruptions().handle(warning(busy.instance(), NOW));
    return busy;
  }

  private void completed(Runner runner, String conclusion, String runnerName) {
    world.github.outcome(new JobOutcome(runner.jobId(), RUN, "completed", conclusion, runnerName, "build"));
  }

  private boolean followed(Runner runner) {
    return world.parameters.get("/dev/interruptions/linux/jobs/" + runner.jobId()).isPresent();
  }

  @Test
  void reRunsAJobThatFailedBecauseSpotTookItsRunner() {
    Runner runner = interrupted();
    completed(runner, "failure", runner.runner().name());

    assertEquals(1, world.reruns().run());

    assertEquals(List.of(runner.jobId()), world.github.reruns());
    assertTrue(!followed(runner));
    assertEquals("1 " + NOW, world.parameters.get(COUNTER).orElseThrow());
    assertEquals(1, world.metricLines("JobsRerun").size());
  }

  @Test
  void theTerminationEventFollowsTheJobUpAtOnce() {
    Runner runner = interrupted();
    completed(runner, "failure", runner.runner().name());

    world.interruptions().handle(terminated(runner.instance(), NOW.plusSeconds(120)));

    assertEquals(List.of(runner.jobId()), world.github.reruns());
  }

  @Test
  void neverReRunsAJobThatRanOnAnotherRunner() {
    Runner runner = interrupted();
    completed(runner, "failure", "dev-i-someoneelse");

    assertEquals(0, world.reruns().run());

    assertEquals(List.of(), world.github.reruns());
    assertTrue(!followed(runner), "nothing left to follow");
  }

  /** The job GitHub gave the runner instead of the one its instance was launched for. */
  private static final long TAKEN = 9001;

  private void took(Runner runner, long job) {
    world.instances.tag(runner.instance(), java.util.Map.of(
        dev.spotrunner.common.fleet.Tags.RUNNING_JOB, Long.toString(job),
        dev.spotrunner.common.fleet.Tags.RUNNING_REPOSITORY, "acme/web"));
  }

  @Test
  void reRunsTheJobTheRunnerTookWhenItsStartWasTaggedBeforeTheWarning() {
    Runner busy = world.runner(true);
    took(busy, TAKEN);
    world.interruptions().handle(warning(busy.instance(), NOW));
    world.github.outcome(new JobOutcome(TAKEN, RUN, "completed", "failure", busy.runner().name(), "build"));
    // the job it was launched for ran elsewhere and failed on its own
    completed(busy, "failure", "dev-i-someoneelse");

    assertEquals(1, world.reruns().run());

    assertEquals(List.of(TAKEN), world.github.reruns());
    assertTrue(world.parameters.get("/dev/interruptions/linux/jobs/" + TAKEN).isEmpty());
    assertTrue(!followed(busy));
  }

  @Test
  void reRunsTheJobTheRunnerTookWhenItsStartWasTaggedAfterTheWarning() {
    Runner busy = interrupted(); // recorded the job it was launched for
    took(busy, TAKEN);           // the webhook's job start, tagged by scale-up a moment later
    world.github.outcome(new JobOutcome(TAKEN, RUN, "completed", "failure", busy.runner().name(), "build"));
    completed(busy, "failure", "dev-i-someoneelse");

    world.interruptions().handle(terminated(busy.instance(), NOW.plusSeconds(120)));

    assertEquals(List.of(TAKEN), world.github.reruns());
    assertTrue(!followed(busy), "the record moved to the job the runner took, then went");
  }

  @Test
  void aRecordMovedToTheJobTheRunnerTookWaitsForThatJob() {
    Runner busy = interrupted();
    took(busy, TAKEN);
    completed(busy, "failure", "dev-i-someoneelse");
    world.github.outcome(new JobOutcome(TAKEN, RUN, "in_progress", null, busy.runner().name(), "build"));

    assertEquals(0, world.reruns().run());

    assertEquals(List.of(), world.github.reruns());
    assertTrue(world.parameters.get("/dev/interruptions/linux/jobs/" + TAKEN).isPresent());
    assertTrue(!followed(busy));
  }

  @Test
  void neverReRunsAJobThatSucceededOrWasCancelledInsideTheWarning() {
    Runner succeeded = interrupted();
    Runner cancelled = interrupted();
    completed(succeeded, "success", succeeded.runner().name());
    completed(cancelled, "cancelled", cancelled.runner().name());

    assertEquals(0, world.reruns().run());
    assertEquals(List.of(), world.github.reruns());
  }

  @Test
  void neverReRunsAJobWhoseRunnerWasIdleAtTheWarning() {
    Runner idle = world.runner(false);
    world.interruptions().handle(warning(idle.instance(), NOW));
    completed(idle, "failure", idle.runner().name());

    assertEquals(0, world.reruns().run());
    assertEquals(List.of(), world.github.reruns());
  }

  @Test
  void followsAJobUntilItCompletes() {
    Runner runner = interrupted();
    world.github.outcome(new JobOutcome(runner.jobId(), RUN, "in_progress", null,
        runner.runner().name(), "build"));

    assertEquals(0, world.reruns().run());
    assertTrue(followed(runner));

    completed(runner, "failure", runner.runner().name());
    assertEquals(1, world.reruns().run());
  }

  @Test
  void reRunsAJobAtMostNTimes() {
    world.parameters.putSecure(COUNTER, "2 " + NOW);
    Runner third = interrupted();
    completed(third, "failure", third.runner().name());

    assertEquals(0, world.reruns().run());

    assertEquals(List.of(), world.github.reruns());
    assertTrue(!followed(third));
    assertEquals(1, world.metricLines("RerunsAtLimit").size());
  }

  @Test
  void theNthReRunIsTheLast() {
    for (int n = 1; n <= 3; n++) {
      Runner runner = interrupted();
      completed(runner, "failure", runner.runner().name());
      world.reruns().run();
    }
    assertEquals(2, world.github.reruns().size(), "max_reruns = 2 for pool linux");
  }

  @Test
  void countsReRunsPerJobNotPerWorkflowRun() {
    world.parameters.putSecure(COUNTER, "2 " + NOW);
    Runner test = interrupted();
    world.github.outcome(new JobOutcome(test.jobId(), RUN, "completed", "failure",
        test.runner().name(), "test (ubuntu, 22)"));

    assertEquals(1, world.reruns().run(), "another job of the same run has its own count");
    assertEquals("1 " + NOW, world.parameters.get(InterruptedJob.runParameter("dev", "linux", RUN,
        "test (ubuntu, 22)")).orElseThrow());
  }

  @Test
  void spendsNoMorePointsThanConfiguredOrLeftAtGitHub() {
    world.env.put("INTERRUPTION_MAX_POINTS", "6");
    Runner first = interrupted();
    Runner second = interrupted();
    completed(first, "failure", first.runner().name());
    completed(second, "failure", second.runner().name());

    assertEquals(1, world.reruns().run(), "one check and one re-run fit in 6 points");
    assertTrue(followed(second), "the other waits for the next invocation");

    world.runners.pointsLeft(5);
    assertEquals(0, world.reruns().run());
    assertEquals(1, world.github.outcomeCalls());
  }

  @Test
  void stopsFollowingAJobAfterTheWatch() {
    Runner runner = interrupted();
    world.github.outcome(new JobOutcome(runner.jobId(), RUN, "queued", null, null, "build"));
    world.at(NOW.plus(Duration.ofHours(7)));

    world.reruns().run();

    assertTrue(!followed(runner));
    assertEquals(0, world.github.outcomeCalls());
    assertEquals(1, world.metricLines("RerunsExpired").size());
  }

  @Test
  void forgetsARunsCounterOnceItsLastReRunIsOlderThanTheWatch() {
    String counter = COUNTER;
    world.parameters.putSecure(counter, "1 " + NOW);
    world.at(NOW.plus(Duration.ofHours(5)));
    world.reruns().run();
    assertTrue(world.parameters.get(counter).isPresent());

    world.at(NOW.plus(Duration.ofHours(7)));
    world.reruns().run();
    assertTrue(world.parameters.get(counter).isEmpty());
  }
}
