package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scale-down relaunches a job whose instance spot took away before its runner took the job. */
class RescueTest {
  private static final long JOB = 4242L;
  private static final String REPO = "acme/api";

  private final Fixture f = new Fixture();

  /** An instance scale-up launched for {@link #JOB} two minutes ago, still booting. */
  private RunnerInstance jobInstance(long jobId) {
    return f.instance(ACME, 2, "linux",
        Map.of(Tags.JOB_ID, Long.toString(jobId), Tags.REPOSITORY, REPO));
  }

  private void jobIs(long jobId, String status) {
    f.fakeGitHub.job(new WorkflowJob(jobId, 1L, status, List.of("self-hosted"),
        Fixture.NOW, null));
  }

  private List<RunnerInstance> boundTo(long jobId) {
    return f.fleet.all().stream()
        .filter(i -> Long.toString(jobId).equals(i.tag(Tags.JOB_ID))).toList();
  }

  @Test
  void relaunchesOneRunnerForAQueuedJobWhoseInstanceWasInterruptedBeforeBoot() {
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());

    CycleReport report = f.cycle();

    assertEquals(1, report.get(Count.RESCUED));
    assertEquals(List.of(JOB), f.rescueRequests);
    assertEquals(1, boundTo(JOB).size());
    assertEquals(REPO, boundTo(JOB).get(0).tag(Tags.REPOSITORY));
    assertTrue(f.emfLines.get(0).contains("\"Rescued\""), f.emfLines.get(0));
  }

  @Test
  void launchesNothingForAJobThatIsRunningOrDone() {
    RunnerInstance first = jobInstance(JOB);
    RunnerInstance second = jobInstance(JOB + 1);
    jobIs(JOB, "in_progress");
    jobIs(JOB + 1, "completed");
    f.fleet.interrupt(first.id());
    f.fleet.interrupt(second.id());

    CycleReport report = f.cycle();

    assertEquals(0, report.get(Count.RESCUED));
    assertEquals(List.of(), f.rescueRequests);
    assertEquals(2, f.fakeGitHub.calls("get-job"));
  }

  /**
   * The runner launched for job a took the stranded job b (GitHub gives a job to any idle runner
   * that fits); b's own instance was then reclaimed. a has lost its runner: it gets one.
   */
  @Test
  void relaunchesForTheJobWhoseRunnerTookTheStrandedJob() {
    long a = JOB;
    long b = JOB + 1;
    RunnerInstance launchedForA = jobInstance(a);
    String runnerOfA = f.runner(ACME, launchedForA, "online", true).name();
    RunnerInstance launchedForB = jobInstance(b);
    jobIs(a, "queued");
    f.fakeGitHub.job(new WorkflowJob(b, 1L, "in_progress", List.of("self-hosted"), Fixture.NOW,
        Fixture.NOW, runnerOfA));
    f.fleet.interrupt(launchedForB.id());

    CycleReport report = f.cycle();

    assertEquals(1, report.get(Count.RESCUED));
    assertEquals(List.of(a), f.rescueRequests);
    assertEquals(2, f.fakeGitHub.calls("get-job"));
    assertEquals(2, boundTo(a).size(), "the instance that runs b and a's new one");

    f.clock.advance(Duration.ofMinutes(5));
    CycleReport next = f.cycle();

    assertEquals(0, next.get(Count.RESCUED));
    assertEquals(List.of(a), f.rescueRequests, "a is not launched twice");
  }

  @Test
  void launchesNothingWhenTheDisplacedJobRanElsewhereOrTheRunnerIsTheInterruptedOne() {
    long a = JOB;
    long b = JOB + 1;
    RunnerInstance launchedForA = jobInstance(a);
    String runnerOfA = f.runner(ACME, launchedForA, "online", true).name();
    RunnerInstance launchedForB = jobInstance(b);
    jobIs(a, "in_progress");
    f.fakeGitHub.job(new WorkflowJob(b, 1L, "in_progress", List.of("self-hosted"), Fixture.NOW,
        Fixture.NOW, runnerOfA));
    f.fleet.interrupt(launchedForB.id());
    RunnerInstance launchedForC = jobInstance(b + 1);
    String runnerOfC = f.runner(ACME, launchedForC, "online", true).name();
    f.fakeGitHub.job(new WorkflowJob(b + 1, 1L, "in_progress", List.of("self-hosted"),
        Fixture.NOW, Fixture.NOW, runnerOfC));
    f.fleet.interrupt(launchedForC.id());

    CycleReport report = f.cycle();

    assertEquals(0, report.get(Count.RESCUED));
    assertEquals(List.of(), f.rescueRequests);
    assertEquals(3, f.fakeGitHub.calls("get-job"), "b, then a (running), then c");
  }

  @Test
  void asksNothingWhenTheJobWasRescuedAlready() {
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());
    f.cycle();
    f.clock.advance(Duration.ofMinutes(5));

    CycleReport next = f.cycle();

    assertEquals(0, next.get(Count.RESCUED));
    assertEquals(List.of(JOB), f.rescueRequests);
    assertEquals(1, f.fakeGitHub.calls("get-job"));
  }

  @Test
  void launchesOnceForAJobWhoseInstancesWereAllInterrupted() {
    RunnerInstance first = jobInstance(JOB);
    RunnerInstance rescue = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(first.id());
    f.fleet.interrupt(rescue.id());

    f.cycle();

    assertEquals(List.of(JOB), f.rescueRequests);
  }

  @Test
  void waitsForRoomWhenThePoolIsFullAndRelaunchesNextCycle() {
    f.env.put("MAX_RUNNERS", "2");
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());
    RunnerInstance busy = f.instance(ACME, 30);
    f.runner(ACME, busy, "online", true);
    RunnerInstance finishing = f.instance(ACME, 30);
    f.runner(ACME, finishing, "online", true);

    CycleReport full = f.cycle();

    assertEquals(0, full.get(Count.RESCUED));
    assertEquals(0, f.fakeGitHub.calls("get-job"));
    f.fleet.terminate(List.of(finishing.id())); // its ephemeral runner finished
    f.clock.advance(Duration.ofMinutes(5));

    CycleReport next = f.cycle();

    assertEquals(1, next.get(Count.RESCUED));
    assertEquals(1, boundTo(JOB).size());
    assertEquals(2, f.fleet.all().size());
  }

  @Test
  void launchesNothingAndThrowsNothingWhileGitHubIsDownThenRetries() {
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());
    f.fakeGitHub.down(true);

    CycleReport down = f.cycle();

    assertEquals(0, down.get(Count.RESCUED));
    assertEquals(List.of(), f.rescueRequests);
    f.fakeGitHub.down(false);
    f.clock.advance(Duration.ofMinutes(5));

    assertEquals(1, f.cycle().get(Count.RESCUED));
  }

  @Test
  void neverAsksGitHubAboutAnInstanceWeTerminated() {
    RunnerInstance done = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.terminate(List.of(done.id()));

    CycleReport report = f.cycle();

    assertEquals(0, report.get(Count.RESCUED));
    assertEquals(0, f.fakeGitHub.calls("get-job"));
  }

  @Test
  void forgetsAnInterruptionAfterEc2StopsListingIt() {
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());
    f.clock.advance(Duration.ofMinutes(61));

    f.cycle();

    assertEquals(0, f.fakeGitHub.calls("get-job"));
  }

  @Test
  void rescuesThroughTheScaleUpLaunchCodeWithTheJobAndRepositoryTags() {
    ScaleDownSettings settings = f.settings();
    RunnerLauncher launcher = new RunnerLauncher(settings.pool(), f.fleet, f.fakeGitHub,
        f.parameters, new RunnerConfigs(settings.pool(), f.fakeGitHub, f.clock));
    LaunchedWarmRunners launched = new LaunchedWarmRunners(launcher, f.clock);
    ScaleDown scaleDown = new ScaleDown(settings, f.fleet, f.fakeGitHub, f.parameters, f.budget,
        launched, launched, new Emf(f.emfLines::add), f.clock);
    RunnerInstance booting = jobInstance(JOB);
    jobIs(JOB, "queued");
    f.fleet.interrupt(booting.id());

    CycleReport report = scaleDown.run();

    assertEquals(1, report.get(Count.RESCUED));
    List<RunnerInstance> bound = boundTo(JOB);
    assertEquals(1, bound.size());
    assertEquals(REPO, bound.get(0).tag(Tags.REPOSITORY));
    assertEquals("acme", bound.get(0).tag(Tags.OWNER));
    assertTrue(bound.get(0).tag(Tags.RUNNER_NAME) != null);
    assertTrue(f.parameters.get(settings.pool().configParameter(bound.get(0).id().value()))
        .isPresent(), "the rescued instance holds its runner config");
  }
}
