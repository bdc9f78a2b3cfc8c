package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import dev.spotrunner.runners.scaleup.ScaleUp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scale-down asks scale-up to rescue a job whose instance spot took away before its runner took
 * the job; it launches nothing and asks GitHub nothing (scale-up does both, scaleup.RescueTest).
 */
class RescueAskTest {
  private static final long JOB = 4242L;
  private static final String REPO = "acme/api";

  private final Fixture f = new Fixture();

  /** An instance scale-up launched for {@code jobId} two minutes ago, still booting. */
  private RunnerInstance jobInstance(long jobId) {
    return f.instance(ACME, 2, "linux",
        Map.of(Tags.JOB_ID, Long.toString(jobId), Tags.REPOSITORY, REPO));
  }

  @Test
  void asksScaleUpOnceForAJobWhoseInstanceWasInterruptedAndLaunchesNothing() {
    RunnerInstance booting = jobInstance(JOB);
    f.fleet.interrupt(booting.id());

    CycleReport report = f.cycle();

    assertEquals(1, report.get(Count.RESCUE_ASKED));
    assertEquals(List.of(JOB), f.rescueRequests);
    assertEquals(List.of(), f.fleet.all(), "scale-down launched nothing");
    assertEquals(0, f.fakeGitHub.calls("get-job"), "scale-up asks GitHub, not scale-down");
    assertTrue(f.emfLines.get(0).contains("\"RescueAsked\""), f.emfLines.get(0));
  }

  @Test
  void theAskIsTheStrandedJobsMessageWithARescueDeliveryIdOnThePoolsQueue() {
    f.fleet.interrupt(jobInstance(JOB).id());

    f.cycle();

    List<dev.spotrunner.runners.scaleup.FakeSqs.Message> sent = f.queue.messages(Fixture.QUEUE);
    assertEquals(1, sent.size());
    JobMessage rescue = JobMessage.fromJson(sent.get(0).body());
    assertEquals(JOB, rescue.jobId().value());
    assertEquals(REPO, rescue.repository());
    assertEquals("linux", rescue.pool());
    assertTrue(rescue.deliveryId().startsWith(ScaleUp.RESCUE_DELIVERY_ID), rescue.deliveryId());
    assertEquals(Long.toString(JOB), sent.get(0).attributes().get("jobId"));
  }

  @Test
  void asksNothingWhenTheJobHasALiveInstance() {
    f.fleet.interrupt(jobInstance(JOB).id());
    jobInstance(JOB); // rescued already (or relaunched by a recheck)

    CycleReport report = f.cycle();

    assertEquals(0, report.get(Count.RESCUE_ASKED));
    assertEquals(List.of(), f.rescueRequests);
  }

  @Test
  void asksOnceForAJobWhoseInstancesWereAllInterrupted() {
    RunnerInstance first = jobInstance(JOB);
    RunnerInstance rescue = jobInstance(JOB);
    f.fleet.interrupt(first.id());
    f.fleet.interrupt(rescue.id());

    f.cycle();

    assertEquals(List.of(JOB), f.rescueRequests);
  }

  @Test
  void asksEvenWhenThePoolIsFullForScaleUpCountsThePool() {
    f.env.put("MAX_RUNNERS", "1");
    f.fleet.interrupt(jobInstance(JOB).id());
    f.runner(ACME, f.instance(ACME, 30), "online", true);

    f.cycle();

    assertEquals(List.of(JOB), f.rescueRequests);
  }

  @Test
  void asksAgainEachCycleWhileEc2ListsTheInterruptedInstanceAndTheJobHasNoInstance() {
    f.fleet.interrupt(jobInstance(JOB).id());
    f.cycle();
    f.clock.advance(Duration.ofMinutes(5));

    f.cycle();

    assertEquals(List.of(JOB, JOB), f.rescueRequests);
  }

  @Test
  void neverAsksAboutAnInstanceWeTerminated() {
    RunnerInstance done = jobInstance(JOB);
    f.fleet.terminate(List.of(done.id()));

    CycleReport report = f.cycle();

    assertEquals(0, report.get(Count.RESCUE_ASKED));
  }

  @Test
  void forgetsAnInterruptionAfterEc2StopsListingIt() {
    f.fleet.interrupt(jobInstance(JOB).id());
    f.clock.advance(Duration.ofMinutes(61));

    f.cycle();

    assertEquals(List.of(), f.rescueRequests);
  }

  @Test
  void aRescueAskedThroughTheQueueGetsOneRunnerFromScaleUp() {
    f.fakeGitHub.job(new WorkflowJob(JOB, 1L, "queued", List.of("self-hosted"), Fixture.NOW,
        null));
    f.fleet.interrupt(jobInstance(JOB).id());

    f.cycle();
    f.serveAsks();

    List<RunnerInstance> bound = f.fleet.all().stream()
        .filter(i -> Long.toString(JOB).equals(i.tag(Tags.JOB_ID))).toList();
    assertEquals(1, bound.size());
    assertEquals(REPO, bound.get(0).tag(Tags.REPOSITORY));
    assertEquals("acme", bound.get(0).tag(Tags.OWNER));
    assertTrue(f.parameters.get(f.settings().pool().configParameter(bound.get(0).id().value()))
        .isPresent(), "the rescued instance holds its runner config");

    f.clock.advance(Duration.ofMinutes(1));
    assertEquals(0, f.cycle().get(Count.RESCUE_ASKED), "the job has its live instance");
  }
}
