package dev.spotrunner.common.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Subnet;

@ExtendWith(AwsEmulatorExtension.class)
class Ec2RunnerFleetIT {
  private static final String TEMPLATE = "spotrunner-test";

  private static Ec2Client ec2;
  private static List<String> subnets;
  private static FaultProxy proxy;
  private static AwsClients throughProxy;

  private String pool;

  @BeforeAll
  static void createLaunchTemplate(Ec2Client client) {
    ec2 = client;
    String ami = anyImage();
    ec2.createLaunchTemplate(r -> r.launchTemplateName(TEMPLATE)
        .launchTemplateData(d -> d.imageId(ami).instanceType("m5.large")));
    subnets = ec2.describeSubnets().subnets().stream().map(Subnet::subnetId).limit(2).toList();
    proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
    // One attempt per call: the proxy's faults reach the adapter instead of the SDK's retries.
    throughProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 1);
  }

  /** One of moto's built-in AMIs; listing all of them takes seconds, so a known one is tried first. */
  private static String anyImage() {
    try {
      return ec2.describeImages(r -> r.imageIds("ami-12c6146b")).images().get(0).imageId();
    } catch (RuntimeException e) {
      return ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
    }
  }

  @AfterAll
  static void stopProxy() {
    throughProxy.close();
    proxy.close();
  }

  @BeforeEach
  void newPool() {
    proxy.reset();
    // As strict as EC2: new instances are unknown for 2 s after their launch.
    proxy.eventualConsistency(FaultProxy.EC2_NOT_FOUND_WINDOW);
    pool = "pool-" + System.nanoTime();
  }

  /** What moto holds, asked directly: through the proxy, instances this new are not seen yet. */
  private static List<RunnerInstance> inMoto(String pool) {
    return new Ec2RunnerFleet(ec2).list(Map.of(Tags.POOL, pool));
  }

  private LaunchSpec spec(int count, CapacityType type, String token) {
    return new LaunchSpec(TEMPLATE, List.of("m5.large", "c5.large"), subnets, count, type,
        "price-capacity-optimized", type == CapacityType.SPOT ? "0.05" : null,
        Map.of(Tags.POOL, pool, Tags.JOB_ID, "42"), token);
  }

  @Test
  void launchesTaggedSpotInstancesFromTheTemplate() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);

    LaunchOutcome outcome = fleet.launch(spec(3, CapacityType.SPOT, "job-42-1"));

    assertEquals(3, outcome.launched().size());
    assertEquals(List.of(), outcome.errors());
    List<RunnerInstance> listed = fleet.list(Map.of(Tags.POOL, pool));
    assertEquals(Set.copyOf(outcome.launched()),
        Set.copyOf(listed.stream().map(RunnerInstance::id).toList()));
    for (RunnerInstance instance : listed) {
      assertEquals("42", instance.tag(Tags.JOB_ID));
      assertEquals(CapacityType.SPOT, instance.capacityType());
      assertTrue(Set.of("pending", "running").contains(instance.state()), instance.state());
      assertTrue(instance.launchTime() != null);
    }
    Instance described = ec2.describeInstances(r -> r.instanceIds(outcome.launched().get(0).value()))
        .reservations().get(0).instances().get(0);
    assertTrue(Set.of("m5.large", "c5.large").contains(described.instanceTypeAsString()));
    assertTrue(subnets.contains(described.subnetId()));
  }

  @Test
  void launchesOnDemandInstances() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);

    LaunchOutcome outcome = fleet.launch(spec(2, CapacityType.ON_DEMAND, null));

    assertEquals(2, outcome.launched().size());
    assertTrue(fleet.list(Map.of(Tags.POOL, pool)).stream()
        .allMatch(i -> i.capacityType() == CapacityType.ON_DEMAND));
  }

  @Test
  void tellsWhichInstancesHaveEndedAndTakesUnknownIdsForAlive() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);
    List<InstanceId> launched = fleet.launch(spec(3, CapacityType.SPOT, null)).launched();
    fleet.terminate(List.of(launched.get(1)));
    InstanceId notYetDescribed = new InstanceId("i-0123456789abcdef0");

    Set<InstanceId> ended = fleet.ended(List.of(launched.get(0), launched.get(1), launched.get(2),
        notYetDescribed));

    assertEquals(Set.of(launched.get(1)), ended);
    assertEquals(Set.of(), fleet.ended(List.of()));
  }

  @Test
  void doesNotReportInstancesWeTerminatedAsInterrupted() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);
    LaunchOutcome outcome = fleet.launch(spec(2, CapacityType.SPOT, null));

    fleet.terminate(outcome.launched());

    // moto, like EC2 for a TerminateInstances call, says Client.UserInitiatedShutdown.
    Instance described = ec2.describeInstances(r -> r.instanceIds(outcome.launched().get(0).value()))
        .reservations().get(0).instances().get(0);
    assertEquals("Client.UserInitiatedShutdown", described.stateReason().code());
    assertEquals(List.of(), fleet.interrupted(Map.of(Tags.POOL, pool)));
    assertEquals(List.of(), fleet.list(Map.of(Tags.POOL, pool)));
  }

  @Test
  void findsEndedInstancesByTagAndReasonAcrossPages() {
    Ec2RunnerFleet fleet = new Ec2RunnerFleet(ec2, 5, 500);
    LaunchOutcome ended = fleet.launch(spec(7, CapacityType.SPOT, null));
    LaunchOutcome running = fleet.launch(spec(2, CapacityType.SPOT, null));
    String otherPool = pool;
    newPool();
    LaunchOutcome elsewhere = fleet.launch(spec(1, CapacityType.SPOT, null));
    fleet.terminate(ended.launched());
    fleet.terminate(elsewhere.launched());

    List<RunnerInstance> found =
        fleet.endedBecause(Map.of(Tags.POOL, otherPool), Set.of("Client.UserInitiatedShutdown"));

    assertEquals(Set.copyOf(ended.launched()),
        Set.copyOf(found.stream().map(RunnerInstance::id).toList()));
    assertTrue(found.stream().allMatch(i -> "terminated".equals(i.state())
        && "42".equals(i.tag(Tags.JOB_ID))));
    assertEquals(2, fleet.list(Map.of(Tags.POOL, otherPool)).size());
    assertEquals(List.of(), fleet.endedBecause(Map.of(Tags.POOL, otherPool),
        RunnerFleet.INTERRUPTION_CODES));
    assertFalse(running.launched().isEmpty());
  }

  @Test
  void listsOnlyInstancesCarryingEveryTag() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);
    fleet.launch(spec(1, CapacityType.ON_DEMAND, null));

    assertEquals(1, fleet.list(Map.of(Tags.POOL, pool, Tags.JOB_ID, "42")).size());
    assertEquals(0, fleet.list(Map.of(Tags.POOL, pool, Tags.JOB_ID, "43")).size());
    assertEquals(0, fleet.list(Map.of(Tags.POOL, pool + "-other")).size());
  }

  @Test
  void readsEveryPageOfDescribeInstances() {
    proxy.eventualConsistency(Duration.ZERO);
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2(), 5, 500);
    List<InstanceId> launched = new ArrayList<>(fleet.launch(spec(7, CapacityType.ON_DEMAND, null)).launched());
    launched.addAll(fleet.launch(spec(5, CapacityType.SPOT, null)).launched());
    proxy.reset();

    List<RunnerInstance> listed = fleet.list(Map.of(Tags.POOL, pool));

    assertEquals(Set.copyOf(launched), Set.copyOf(listed.stream().map(RunnerInstance::id).toList()));
    assertEquals(12, listed.size());
    // EC2 pages by instance, moto by reservation: either way one page cannot hold all twelve.
    assertTrue(proxy.calls("DescribeInstances") >= 2,
        "12 instances in pages of 5 need several calls, saw " + proxy.calls("DescribeInstances"));
  }

  @Test
  void reportsNoSpotCapacityAsLaunchErrors() {
    proxy.noSpotCapacity(1);
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    LaunchOutcome spot = fleet.launch(spec(2, CapacityType.SPOT, "job-42-1"));
    LaunchOutcome onDemand = fleet.launch(spec(2, CapacityType.ON_DEMAND, "job-42-2"));

    assertEquals(List.of(), spot.launched());
    assertEquals(List.of("InsufficientInstanceCapacity"), spot.errors());
    assertTrue(spot.capacityShortfall());
    assertEquals(2, onDemand.launched().size());
    assertFalse(onDemand.capacityShortfall());
    assertEquals(2, inMoto(pool).size());
  }

  @Test
  void launchesWhatSpotCapacityAllowsAndReportsTheShortfall() {
    proxy.spotCapacity(2);
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    LaunchOutcome partly = fleet.launch(spec(3, CapacityType.SPOT, null));
    LaunchOutcome shortfall = fleet.launch(spec(1, CapacityType.ON_DEMAND, null));
    LaunchOutcome none = fleet.launch(spec(1, CapacityType.SPOT, null));

    assertEquals(2, partly.launched().size());
    assertEquals(List.of("InsufficientInstanceCapacity"), partly.errors());
    assertEquals(1, shortfall.launched().size());
    assertEquals(List.of(), none.launched());
    assertTrue(none.capacityShortfall());
    List<RunnerInstance> running = inMoto(pool);
    assertEquals(2, running.stream().filter(i -> i.capacityType() == CapacityType.SPOT).count());
    assertEquals(1, running.stream().filter(i -> i.capacityType() == CapacityType.ON_DEMAND).count());
  }

  @Test
  void spotCapacityReturnsAfterTheFaultIsUsedUp() {
    proxy.noSpotCapacity(2);
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    assertTrue(fleet.launch(spec(1, CapacityType.SPOT, null)).capacityShortfall());
    assertTrue(fleet.launch(spec(1, CapacityType.SPOT, null)).capacityShortfall());
    assertEquals(1, fleet.launch(spec(1, CapacityType.SPOT, null)).launched().size());
    assertEquals(3, proxy.calls("CreateFleet"));
  }

  @Test
  void sendsTheClientTokenSoARepeatedLaunchStartsNothingNew() {
    // moto ignores ClientToken on CreateFleet; the proxy keeps EC2's promise so the adapter's
    // part — the same token on the wire — is what this checks.
    proxy.honourFleetClientTokens(true);
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    LaunchOutcome first = fleet.launch(spec(1, CapacityType.SPOT, "job-42-attempt-1"));
    LaunchOutcome again = fleet.launch(spec(1, CapacityType.SPOT, "job-42-attempt-1"));
    LaunchOutcome next = fleet.launch(spec(1, CapacityType.SPOT, "job-42-attempt-2"));

    assertEquals(first.launched(), again.launched());
    assertFalse(next.launched().equals(first.launched()));
    assertEquals(2, inMoto(pool).size());
  }

  @Test
  void throttlingIsATransientFailure() {
    proxy.failNext(1, "CreateFleet", Fault.throttle());
    proxy.failNext(1, "DescribeInstances", Fault.serverError(503));
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    TransientFailure launch = assertThrows(TransientFailure.class,
        () -> fleet.launch(spec(1, CapacityType.SPOT, null)));
    assertTrue(launch.getMessage().contains("RequestLimitExceeded"), launch.getMessage());
    assertThrows(TransientFailure.class, () -> fleet.list(Map.of(Tags.POOL, pool)));
    assertEquals(0, fleet.list(Map.of(Tags.POOL, pool)).size(), "nothing was launched");
  }

  @Test
  void sdkRetriesRideOutABriefThrottle() {
    proxy.failNext(2, "CreateFleet", Fault.throttle());
    try (AwsClients retrying = AwsEmulatorExtension.clients(proxy.endpoint(), 3)) {
      RunnerFleet fleet = new Ec2RunnerFleet(retrying.ec2());

      assertEquals(1, fleet.launch(spec(1, CapacityType.ON_DEMAND, null)).launched().size());
      assertEquals(3, proxy.calls("CreateFleet"));
    }
  }

  @Test
  void anUnknownLaunchTemplateIsAPermanentFailure() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);
    LaunchSpec unknown = new LaunchSpec("no-such-template", List.of("m5.large"), subnets, 1,
        CapacityType.ON_DEMAND, null, null, Map.of(Tags.POOL, pool), null);

    assertThrows(PermanentFailure.class, () -> fleet.launch(unknown));
  }

  @Test
  void tagsAnInstance() {
    RunnerFleet fleet = new Ec2RunnerFleet(ec2);
    InstanceId id = fleet.launch(spec(1, CapacityType.ON_DEMAND, null)).launched().get(0);

    fleet.tag(id, Map.of(Tags.RUNNER_ID, "1234", Tags.JOB_ID, "43"));

    RunnerInstance instance = fleet.list(Map.of(Tags.POOL, pool)).get(0);
    assertEquals("1234", instance.tag(Tags.RUNNER_ID));
    assertEquals("43", instance.tag(Tags.JOB_ID));
  }

  @Test
  void terminatesInChunksAndIgnoresUnknownInstances() {
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2(), 500, 2);
    List<InstanceId> launched = fleet.launch(spec(5, CapacityType.ON_DEMAND, null)).launched();
    InstanceId unknown = new InstanceId("i-0123456789abcdef0");
    List<InstanceId> doomed = new ArrayList<>(launched.subList(0, 4));
    doomed.add(1, unknown);
    proxy.reset();

    fleet.terminate(doomed);

    List<RunnerInstance> left = fleet.list(Map.of(Tags.POOL, pool));
    assertEquals(List.of(launched.get(4)), left.stream().map(RunnerInstance::id).toList());
    assertTrue(proxy.calls("TerminateInstances") >= 3,
        "5 ids in chunks of 2 take 3 calls, saw " + proxy.calls("TerminateInstances"));
    Set<String> states = new HashSet<>();
    ec2.describeInstances(r -> r.instanceIds(launched.get(0).value())).reservations()
        .forEach(res -> res.instances().forEach(i -> states.add(i.state().nameAsString())));
    assertTrue(states.stream().allMatch(s -> s.equals("shutting-down") || s.equals("terminated")), states.toString());
  }

  @Test
  void sendsAnInstantFleetWithItsTokenAndTagsForInstanceAndVolume() {
    // moto does not tag a fleet's volumes; what the adapter sends EC2 is checked on the wire.
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());

    fleet.launch(spec(1, CapacityType.ON_DEMAND, "job-42-1"));

    FaultProxy.Call call = proxy.seen("CreateFleet").get(0);
    assertEquals("job-42-1", call.param("ClientToken"));
    assertEquals("instant", call.param("Type"));
    Map<String, String> tagSpecs = call.paramsStartingWith("TagSpecification.");
    Set<String> tagged = new HashSet<>();
    for (int n = 1; tagSpecs.containsKey("TagSpecification." + n + ".ResourceType"); n++) {
      String prefix = "TagSpecification." + n + ".";
      for (int t = 1; tagSpecs.containsKey(prefix + "Tag." + t + ".Key"); t++) {
        if (tagSpecs.get(prefix + "Tag." + t + ".Key").equals(Tags.POOL)
            && tagSpecs.get(prefix + "Tag." + t + ".Value").equals(pool)) {
          tagged.add(tagSpecs.get(prefix + "ResourceType"));
        }
      }
    }
    assertEquals(Set.of("instance", "volume"), tagged);
  }

  // EC2's eventual consistency, as the proxy applies it for 2 s after a launch in this class.

  @Test
  void theProxyDoesNotKnowAJustLaunchedInstanceForTwoSeconds() throws InterruptedException {
    InstanceId id = new Ec2RunnerFleet(throughProxy.ec2())
        .launch(spec(1, CapacityType.ON_DEMAND, null)).launched().get(0);
    Ec2Client viaProxy = throughProxy.ec2();

    Ec2Exception tag = assertThrows(Ec2Exception.class, () -> viaProxy.createTags(
        r -> r.resources(id.value()).tags(t -> t.key("k").value("v"))));
    Ec2Exception describe = assertThrows(Ec2Exception.class,
        () -> viaProxy.describeInstances(r -> r.instanceIds(id.value())));
    boolean listed = viaProxy.describeInstances(r -> r.filters(f -> f.name("tag:" + Tags.POOL).values(pool)))
        .reservations().stream().anyMatch(res -> !res.instances().isEmpty());

    assertEquals("InvalidInstanceID.NotFound", tag.awsErrorDetails().errorCode());
    assertEquals("The instance ID '" + id + "' does not exist", tag.awsErrorDetails().errorMessage());
    assertEquals("InvalidInstanceID.NotFound", describe.awsErrorDetails().errorCode());
    assertFalse(listed, "DescribeInstances by filter leaves the new instance out");
    Thread.sleep(2_100);
    assertEquals(1, viaProxy.describeInstances(r -> r.instanceIds(id.value())).reservations().size());
  }

  @Test
  void tagsAnInstanceRightAfterItsLaunchThroughTheNotFoundWindow() {
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());
    InstanceId id = fleet.launch(spec(1, CapacityType.ON_DEMAND, null)).launched().get(0);
    long start = System.nanoTime();

    fleet.tag(id, Map.of(Tags.RUNNER_ID, "1234"));

    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("eventual consistency: CreateTags took " + millis + " ms in "
        + proxy.calls("CreateTags") + " calls");
    assertEquals("1234", inMoto(pool).get(0).tag(Tags.RUNNER_ID));
    assertTrue(proxy.calls("CreateTags") > 1, "the first answers were NotFound");
    assertTrue(millis < 10_000, millis + " ms");
  }

  @Test
  void doesNotReportABrandNewInstanceAsEnded() {
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());
    List<InstanceId> launched = fleet.launch(spec(2, CapacityType.ON_DEMAND, null)).launched();

    Set<InstanceId> ended = fleet.ended(launched);

    assertEquals(Set.of(), ended);
    assertEquals(1, proxy.calls("DescribeInstances"));
  }

  @Test
  void terminatesJustLaunchedInstancesInsteadOfTakingNotFoundForGone() {
    RunnerFleet fleet = new Ec2RunnerFleet(throughProxy.ec2());
    List<InstanceId> launched = fleet.launch(spec(2, CapacityType.ON_DEMAND, null)).launched();
    long start = System.nanoTime();

    fleet.terminate(launched);

    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("eventual consistency: TerminateInstances took " + millis + " ms in "
        + proxy.calls("TerminateInstances") + " calls");
    assertEquals(List.of(), inMoto(pool), "both instances are shutting down or terminated");
    assertTrue(proxy.calls("TerminateInstances") > 1, "the first answers were NotFound");
  }
}
