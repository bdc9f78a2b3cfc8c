package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.queue.JobQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webhook's job starts on the pool's queue: the runner's instance is tagged with the job GitHub
 * gave it, whatever job it was launched for; a start of a runner that is not the pool's is dropped.
 */
class JobStartsTest {
  private final Fixture fixture = new Fixture();
  private final InstanceId launchedForJob7 = new InstanceId("i-0a1b2c3d4e5f60718");

  JobStartsTest() {
    fixture.fleet.add(new RunnerInstance(launchedForJob7, "running", Fixture.NOW, CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "prod", Tags.POOL, "linux", Tags.JOB_ID, "7", Tags.REPOSITORY, "acme/api")));
  }

  private static String start(long job, String runnerName) {
    return new JobStart(JobId.of(job), "acme/web", runnerName, "linux", "d-" + job, Fixture.NOW)
        .toJson();
  }

  private static SQSEvent.SQSMessage message(String id, String body, String kind, int receives) {
    SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
    message.setMessageId(id);
    message.setBody(body);
    message.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receives)));
    if (kind != null) {
      SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
      attribute.setDataType("String");
      attribute.setStringValue(kind);
      message.setMessageAttributes(Map.of(JobStart.KIND_ATTRIBUTE, attribute));
    }
    return message;
  }

  private static SQSEvent event(SQSEvent.SQSMessage... messages) {
    SQSEvent event = new SQSEvent();
    event.setRecords(new ArrayList<>(List.of(messages)));
    return event;
  }

  private static List<String> failed(SQSBatchResponse response) {
    return response.getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
  }

  /** Every job a start asked again, as the rescue message {@link Rescues} sent. */
  private final List<String> asked = new ArrayList<>();

  private JobStarts starts() {
    JobQueue queue = new JobQueue() {
      @Override
      public String send(String queueUrl, String body, int delaySeconds,
          Map<String, String> attributes) {
        asked.add(body);
        return "m-" + asked.size();
      }
    };
    return new JobStarts(fixture.pool(), fixture.fleet,
        new Rescues(fixture.pool(), queue, "https://sqs/queue", fixture.clock)::ask);
  }

  private ScaleUpHandler handler() {
    return new ScaleUpHandler(fixture.scaleUp(), starts());
  }

  private RunnerInstance instance() {
    return fixture.fleet.all().stream().filter(i -> i.id().equals(launchedForJob7)).findFirst()
        .orElseThrow();
  }

  @Test
  void theInstanceOfTheRunnerThatTookAnotherJobIsTaggedWithIt() {
    SQSBatchResponse response = handler().handleRequest(event(
        message("m1", start(12, "prod-" + launchedForJob7), JobStart.KIND, 1),
        message("m2", Fixture.job(3).toJson(), null, 1)), null);

    assertEquals(List.of(), failed(response));
    assertEquals("12", instance().tag(Tags.RUNNING_JOB));
    assertEquals("acme/web", instance().tag(Tags.RUNNING_REPOSITORY));
    assertEquals("7", instance().tag(Tags.JOB_ID), "the job it was launched for stays: rescues follow it");
    // the job message of the same batch went to scale-up as ever: job 3 got an instance
    assertTrue(fixture.fleet.all().stream().anyMatch(i -> "3".equals(i.tag(Tags.JOB_ID))));
    assertFalse(fixture.fleet.all().stream().anyMatch(i -> "12".equals(i.tag(Tags.JOB_ID))),
        "a start launches nothing");
  }

  @Test
  void theJobTheInstanceWasLaunchedForIsAskedAgainAndLaunchesWhileItWaits() {
    handler().handleRequest(event(message("m1", start(12, "prod-" + launchedForJob7), JobStart.KIND, 1)),
        null);

    assertEquals(1, asked.size(), "job 7 lost its runner to job 12: " + asked);
    JobMessage rescue = JobMessage.fromJson(asked.get(0));
    assertEquals(7L, rescue.jobId().value());
    assertEquals("acme/api", rescue.repository());
    assertTrue(rescue.deliveryId().startsWith(ScaleUp.RESCUE_DELIVERY_ID), rescue.deliveryId());

    // scale-up receives the rescue: job 7's only instance runs job 12, so it launches for job 7
    fixture.scaleUp().run(List.of(QueuedMessage.of("r1", 1, rescue)));
    assertEquals(1, fixture.fleet.launches().size(), "one launch for job 7");
    assertEquals(2, fixture.fleet.all().stream().filter(i -> "7".equals(i.tag(Tags.JOB_ID))).count());
  }

  @Test
  void aLaterJobOfTheSameRunnerOrAStartOfTheLaunchedJobAsksNothing() {
    InstanceId launchedForJob8 = new InstanceId("i-0a1b2c3d4e5f60719");
    fixture.fleet.add(new RunnerInstance(launchedForJob8, "running", Fixture.NOW, CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "prod", Tags.POOL, "linux", Tags.JOB_ID, "8", Tags.REPOSITORY, "acme/api")));
    ScaleUpHandler handler = handler();

    handler.handleRequest(event(message("m1", start(8, "prod-" + launchedForJob8), JobStart.KIND, 1)),
        null);
    assertEquals(List.of(), asked, "the runner took the job it was launched for");

    handler.handleRequest(event(message("m2", start(12, "prod-" + launchedForJob7), JobStart.KIND, 1)),
        null);
    handler.handleRequest(event(message("m3", start(13, "prod-" + launchedForJob7), JobStart.KIND, 1)),
        null);
    assertEquals(1, asked.size(), "job 7 is asked once, at its runner's first job: " + asked);
  }

  @Test
  void aJitRunnerRenamedAfterA409IsStillItsInstances() {
    handler().handleRequest(event(message("m1", start(12, "prod-" + launchedForJob7 + "-2"),
        JobStart.KIND, 1)), null);

    assertEquals("12", instance().tag(Tags.RUNNING_JOB));
  }

  @Test
  void aStartOfARunnerNotNamedAfterOneOfThePoolsInstancesTagsNothingAndIsDropped() {
    SQSBatchResponse response = handler().handleRequest(event(
        message("m1", start(12, "other-" + launchedForJob7), JobStart.KIND, 1),
        message("m2", start(13, "prod-" + launchedForJob7 + "-x"), JobStart.KIND, 1),
        message("m3", start(14, "GitHub Actions 5"), JobStart.KIND, 1),
        message("m4", "{not json", JobStart.KIND, 1)), null);

    assertEquals(List.of(), failed(response));
    assertFalse(instance().tags().containsKey(Tags.RUNNING_JOB));
    assertFalse(instance().tags().containsKey(Tags.RUNNING_REPOSITORY));
    assertEquals(List.of(), fixture.fleet.launches());
    assertEquals(List.of(), fixture.returns.deadLetters);
  }

  @Test
  void anEc2FailureReceivesTheStartAgainAFewTimesThenGivesUp() {
    List<InstanceId> tried = new ArrayList<>();
    JobStarts starts = new JobStarts(fixture.pool(), new RunnerFleet() {
      @Override
      public void tag(InstanceId instance, Map<String, String> tags) {
        tried.add(instance);
        throw new TransientFailure("RequestLimitExceeded");
      }

      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        throw new AssertionError("a job start launches nothing");
      }

      @Override
      public List<RunnerInstance> list(Map<String, String> tags) {
        throw new TransientFailure("RequestLimitExceeded"); // not described: tagged all the same
      }

      @Override
      public void terminate(Collection<InstanceId> instances) {
        throw new AssertionError("a job start terminates nothing");
      }
    }, JobStarts.Displaced.NONE);
    ScaleUpHandler handler = new ScaleUpHandler(fixture.scaleUp(), starts);
    String body = start(12, "prod-" + launchedForJob7);

    assertEquals(List.of("m1"),
        failed(handler.handleRequest(event(message("m1", body, JobStart.KIND, 1)), null)));
    assertEquals(List.of(), failed(handler.handleRequest(event(
        message("m1", body, JobStart.KIND, JobStarts.MAX_RECEIVES)), null)));
    assertEquals(List.of(launchedForJob7, launchedForJob7), tried);
  }

  @Test
  void aHandlerBuiltWithoutJobStartsGivesTheWholeBatchBack() {
    SQSBatchResponse response = new ScaleUpHandler(fixture.scaleUp()).handleRequest(event(
        message("m1", start(12, "prod-" + launchedForJob7), JobStart.KIND, 1),
        message("m2", Fixture.job(3).toJson(), null, 1)), null);

    assertEquals(List.of("m1", "m2"), failed(response));
  }
}
