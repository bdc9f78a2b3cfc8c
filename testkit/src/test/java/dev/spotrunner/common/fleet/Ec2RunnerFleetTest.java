package dev.spotrunner.common.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;

/** Ec2RunnerFleet against an EC2 that does not know new instances for a while, on a fake clock. */
class Ec2RunnerFleetTest {
  private static final String NEW_A = "i-0000000000000000a";
  private static final String NEW_B = "i-0000000000000000b";
  private static final String GONE = "i-00000000000000bad";

  /** EC2 that knows an instance only {@code lag} after launching it, as EC2 may. */
  private static final class LaggingEc2 implements Ec2Client {
    final ManualClock clock;
    Duration lag = Duration.ofSeconds(2);
    final Map<String, Instant> launchedAt = new java.util.HashMap<>();
    final Set<String> terminated = new HashSet<>();
    final List<String> calls = new ArrayList<>();

    LaggingEc2(ManualClock clock) {
      this.clock = clock;
    }

    @Override
    public CreateFleetResponse createFleet(CreateFleetRequest request) {
      calls.add("CreateFleet");
      launchedAt.put(NEW_A, clock.instant());
      launchedAt.put(NEW_B, clock.instant());
      return CreateFleetResponse.builder()
          .instances(CreateFleetInstance.builder().instanceIds(NEW_A, NEW_B).build()).build();
    }

    @Override
    public CreateTagsResponse createTags(CreateTagsRequest request) {
      calls.add("CreateTags");
      failUnlessKnown(request.resources());
      return CreateTagsResponse.builder().build();
    }

    @Override
    public TerminateInstancesResponse terminateInstances(TerminateInstancesRequest request) {
      calls.add("TerminateInstances");
      failUnlessKnown(request.instanceIds());
      terminated.addAll(request.instanceIds());
      return TerminateInstancesResponse.builder().build();
    }

    private void failUnlessKnown(List<String> ids) {
      List<String> unknown = ids.stream().filter(id -> !launchedAt.containsKey(id)
          || clock.instant().isBefore(launchedAt.get(id).plus(lag))).toList();
      if (!unknown.isEmpty()) {
        String message = unknown.size() == 1 ? "The instance ID '" + unknown.get(0) + "' does not exist"
            : "The instance IDs '" + String.join(", ", unknown) + "' do not exist";
        throw (Ec2Exception) Ec2Exception.builder().statusCode(400).message(message)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidInstanceID.NotFound")
                .errorMessage(message).build())
            .build();
      }
    }

    long count(String action) {
      return calls.stream().filter(action::equals).count();
    }

    @Override
    public String serviceName() {
      return "ec2";
    }

    @Override
    public void close() {}
  }

  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final LaggingEc2 ec2 = new LaggingEc2(clock);
  private final Ec2RunnerFleet fleet = new Ec2RunnerFleet(ec2, 500, 500, new EventualConsistency(
      clock, clock.sleeper(), EventualConsistency.DEFAULT_BACKOFF, () -> 1.0));

  private List<InstanceId> launch() {
    return fleet.launch(new LaunchSpec("template", List.of("m5.large"), List.of(), 2,
        CapacityType.SPOT, null, null, Map.of(), "token")).launched();
  }

  @Test
  void tagsAJustLaunchedInstanceOnceEc2KnowsIt() {
    Instant start = clock.instant();
    InstanceId id = launch().get(0);

    fleet.tag(id, Map.of(Tags.JOB_ID, "42"));

    Duration waited = Duration.between(start, clock.instant());
    assertTrue(waited.compareTo(Duration.ofSeconds(2)) >= 0, waited.toString());
    // 250 ms, 500 ms, 1 s, 2 s: the first attempt after the 2 s lag succeeds.
    assertEquals(Duration.ofMillis(3750), waited);
    assertEquals(5, ec2.count("CreateTags"));
  }

  @Test
  void givesUpTaggingAfterTheBudgetWithATransientFailure() {
    ec2.lag = Duration.ofMinutes(1);
    Instant start = clock.instant();
    InstanceId id = launch().get(0);

    TransientFailure failure = assertThrows(TransientFailure.class,
        () -> fleet.tag(id, Map.of(Tags.JOB_ID, "42")));

    assertTrue(Duration.between(start, clock.instant()).compareTo(Duration.ofSeconds(10)) <= 0);
    assertTrue(failure.getMessage().contains(id.value()), failure.getMessage());
    assertTrue(failure.getMessage().contains("InvalidInstanceID.NotFound"), failure.getMessage());
  }

  @Test
  void anInstanceThisFleetDidNotLaunchIsNotWaitedFor() {
    assertThrows(PermanentFailure.class, () -> fleet.tag(new InstanceId(GONE), Map.of("k", "v")));

    assertEquals(1, ec2.count("CreateTags"));
    assertEquals(Instant.parse("2026-03-01T10:00:00Z"), clock.instant());
  }

  @Test
  void terminatesJustLaunchedInstancesInsteadOfTakingNotFoundForGone() {
    List<InstanceId> launched = launch();

    fleet.terminate(launched);

    assertEquals(Set.of(NEW_A, NEW_B), ec2.terminated);
    assertTrue(ec2.count("TerminateInstances") > 1);
  }

  @Test
  void dropsUnknownOldIdsAndWaitsOnlyForNewOnes() {
    List<InstanceId> launched = launch();
    clock.advance(Duration.ofSeconds(1));
    ec2.launchedAt.put("i-00000000000000aaa", Instant.EPOCH);

    fleet.terminate(List.of(new InstanceId(GONE), launched.get(0),
        new InstanceId("i-00000000000000aaa")));

    assertEquals(Set.of(NEW_A, "i-00000000000000aaa"), ec2.terminated);
  }

  @Test
  void reportsJustLaunchedInstancesItCouldNotTerminateAfterTerminatingTheRest() {
    ec2.lag = Duration.ofMinutes(1);
    List<InstanceId> launched = launch();
    ec2.launchedAt.put("i-00000000000000aaa", Instant.EPOCH);

    TransientFailure failure = assertThrows(TransientFailure.class, () -> fleet.terminate(
        List.of(launched.get(0), new InstanceId("i-00000000000000aaa"))));

    assertEquals(Set.of("i-00000000000000aaa"), ec2.terminated);
    assertTrue(failure.getMessage().contains(NEW_A), failure.getMessage());
  }

  @Test
  void aNotFoundLongAfterTheLaunchMeansTheInstanceIsGone() {
    ec2.lag = Duration.ofHours(1);
    List<InstanceId> launched = launch();
    clock.advance(EventualConsistency.REMEMBERED);
    int before = ec2.calls.size();

    fleet.terminate(launched);

    assertEquals(Set.of(), ec2.terminated);
    assertEquals(before + 1, ec2.calls.size(), "one call, no waiting");
  }
}
