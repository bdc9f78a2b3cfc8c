package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleUpHandlerTest {
  private final Fixture fixture = new Fixture();

  private static SQSEvent event(String... bodies) {
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      message.setMessageId("m" + (i + 1));
      message.setBody(bodies[i]);
      message.setAttributes(Map.of("ApproximateReceiveCount", "1"));
      records.add(message);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return event;
  }

  private static List<String> failed(SQSBatchResponse response) {
    return response.getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
  }

  @Test
  void reportsOnlyTheJobsToRetryAsFailures() {
    fixture.set("MAX_RUNNERS", "1");
    ScaleUpHandler handler = new ScaleUpHandler(fixture.scaleUp());

    SQSBatchResponse response = handler.handleRequest(
        event(Fixture.job(1).toJson(), "{broken", Fixture.job(2).toJson()), null);

    assertEquals(List.of(), failed(response), "m1 launched, m2 dead-lettered, m3 sent to wait");
    assertEquals(List.of(2L), fixture.returns.laterJobIds());
    assertEquals(1, fixture.returns.deadLetters.size());
  }

  @Test
  void readsTheRecheckAttributeAndAsksGitHubAboutTheJob() {
    fixture.set("JOB_RECHECK_SECONDS", "300").set("QUEUE_URL", "https://sqs/123/q");
    fixture.github.job(new dev.spotrunner.common.github.WorkflowJob(1, 9001, "in_progress",
        List.of("self-hosted", "linux"), Fixture.NOW, Fixture.NOW, "prod-i-0abc"));
    SQSEvent event = event(Fixture.job(1).toJson());
    SQSEvent.MessageAttribute recheck = new SQSEvent.MessageAttribute();
    recheck.setDataType("String");
    recheck.setStringValue("1");
    event.getRecords().get(0).setMessageAttributes(Map.of(JobRechecks.ATTRIBUTE, recheck));

    SQSBatchResponse response = new ScaleUpHandler(fixture.scaleUp()).handleRequest(event, null);

    assertEquals(List.of(), failed(response));
    assertEquals(1, fixture.github.calls("get-job"), "a recheck always asks, even when fresh");
    assertEquals(0, fixture.fleet.all().size(), "the job was taken: nothing launched");
  }

  @Test
  void readsTheWaitCountAndTheWarmKindAndHoldsWithTheReceiptHandle() {
    fixture.set("MAX_RUNNERS", "1");
    fixture.scaleUp().run(List.of(QueuedMessage.of("m0", 1, Fixture.job(9))));
    fixture.returns.refusingNewMessages = true; // the re-send fails: held by its receipt
    SQSEvent event = event(Fixture.job(1).toJson());
    SQSEvent.SQSMessage record = event.getRecords().get(0);
    record.setReceiptHandle("rh-1");
    SQSEvent.MessageAttribute wait = new SQSEvent.MessageAttribute();
    wait.setDataType("String");
    wait.setStringValue("3");
    record.setMessageAttributes(Map.of(JobReturns.WAIT_ATTRIBUTE, wait));

    SQSBatchResponse response = new ScaleUpHandler(fixture.scaleUp()).handleRequest(event, null);

    assertEquals(List.of("m1"), failed(response));
    // the 4th wait: a 40 s step
    long held = Long.parseLong(fixture.returns.held.get(0).substring("rh-1@".length()));
    assertTrue(held >= 15 && held <= 65, "held for " + held + " s");
    fixture.returns.refusingNewMessages = false;

    SQSEvent warm = event(new WarmRequest("acme", null, 1, "60").toJson());
    SQSEvent.MessageAttribute kind = new SQSEvent.MessageAttribute();
    kind.setDataType("String");
    kind.setStringValue(WarmRequest.KIND);
    warm.getRecords().get(0).setMessageAttributes(Map.of(WarmRequest.KIND_ATTRIBUTE, kind));
    assertEquals(List.of(), failed(new ScaleUpHandler(fixture.scaleUp()).handleRequest(warm, null)));
    assertEquals(List.of(), fixture.returns.deadLetters, "a warm request is not malformed");
  }

  @Test
  void returnsTheWholeBatchOnAnUnexpectedException() {
    fixture.fleetSeen(new BrokenFleet());
    ScaleUpHandler handler = new ScaleUpHandler(fixture.scaleUp());

    SQSBatchResponse response = handler.handleRequest(
        event(Fixture.job(1).toJson(), "{broken", Fixture.job(2).toJson()), null);

    assertEquals(List.of("m1", "m2", "m3"), failed(response));
  }

  @Test
  void answersAnEmptyEventWithNoFailures() {
    ScaleUpHandler handler = new ScaleUpHandler(fixture.scaleUp());

    assertEquals(List.of(), failed(handler.handleRequest(new SQSEvent(), null)));
    assertEquals(List.of(), failed(handler.handleRequest(null, null)));
  }

  /** EC2 that fails every call, as when DescribeInstances is throttled past the retry budget. */
  private static final class BrokenFleet implements RunnerFleet {
    @Override
    public LaunchOutcome launch(LaunchSpec spec) {
      throw new TransientFailure("RequestLimitExceeded");
    }

    @Override
    public List<RunnerInstance> list(Map<String, String> tags) {
      throw new IllegalStateException("unexpected response from DescribeInstances");
    }

    @Override
    public List<RunnerInstance> interrupted(Map<String, String> tags) {
      throw new TransientFailure("RequestLimitExceeded");
    }

    @Override
    public java.util.Set<InstanceId> ended(Collection<InstanceId> instances) {
      throw new TransientFailure("RequestLimitExceeded");
    }

    @Override
    public void tag(InstanceId instance, Map<String, String> tags) {
      throw new TransientFailure("RequestLimitExceeded");
    }

    @Override
    public void terminate(Collection<InstanceId> instances) {
      throw new TransientFailure("RequestLimitExceeded");
    }
  }
}
