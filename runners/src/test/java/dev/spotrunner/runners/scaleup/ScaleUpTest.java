package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.runners.scaleup.Fixture.queuedMessages;
import static dev.spotrunner.runners.scaleup.Fixture.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScaleUpTest {
  private final Fixture fixture = new Fixture();

  @Test
  void launchesABatchOfTenWithOneCreateFleet() {
    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages(10));

    assertEquals(List.of(), outcome.retry());
    assertEquals(10, outcome.launched());
    List<LaunchSpec> launches = fixture.fleet.launches();
    assertEquals(1, launches.size());
    LaunchSpec spec = launches.get(0);
    assertEquals(10, spec.count());
    assertEquals(CapacityType.SPOT, spec.capacityType());
    assertEquals("prod-linux", spec.launchTemplateName());
    assertEquals(List.of("m7a.large", "m6i.large"), spec.instanceTypes());
    assertEquals(List.of("subnet-a", "subnet-b"), spec.subnetIds());
    assertEquals("price-capacity-optimized", spec.spotAllocationStrategy());
    assertEquals(64, spec.clientToken().length());
    assertEquals(10, fixture.github.calls("generate-jitconfig"));
    assertEquals(1, fixture.github.calls("runner-groups"));
    assertEquals(10, fixture.github.calls("get-job"), "first receives are checked: 1 GET a job");
  }

  @Test
  void tagsEveryInstanceAndStoresItsJitConfig() {
    fixture.scaleUp().run(queuedMessages(3));

    Set<String> jobIds = new java.util.HashSet<>();
    for (RunnerInstance instance : fixture.fleet.all()) {
      Map<String, String> tags = instance.tags();
      assertEquals("prod", tags.get(Tags.ENVIRONMENT));
      assertEquals("linux", tags.get(Tags.POOL));
      assertEquals("acme", tags.get(Tags.OWNER));
      assertEquals("Organization", tags.get(Tags.OWNER_TYPE));
      assertEquals("prod-" + instance.id(), tags.get(Tags.RUNNER_NAME));
      jobIds.add(tags.get(Tags.JOB_ID));

      String stored = fixture.parameters.get("/prod/runners/linux/" + instance.id()).orElseThrow();
      Map<?, ?> config = Json.read(stored, Map.class);
      assertEquals("jit", config.get("mode"));
      assertEquals("prod-" + instance.id(), config.get("runnerName"));
      String jit = (String) config.get("jitConfig");
      assertTrue(jit.startsWith("jit-" + tags.get(Tags.RUNNER_ID) + "-prod-" + instance.id()), jit);
    }
    assertEquals(Set.of("1", "2", "3"), jobIds);
  }

  @Test
  void sendsJobsOverThePoolMaximumBackAsNewMessagesAfterAShortBackoff() {
    fixture.set("MAX_RUNNERS", "3");
    fixture.scaleUp().run(queuedMessages(2));

    List<QueuedMessage> next = new ArrayList<>();
    for (int i = 3; i <= 6; i++) {
      next.add(QueuedMessage.of("m" + i, 1, job(i)));
    }
    BatchOutcome outcome = fixture.scaleUp().run(next);

    assertEquals(1, outcome.launched());
    assertEquals(List.of(), outcome.retry(), "none waits out the queue's visibility timeout");
    assertEquals(List.of(4L, 5L, 6L), fixture.returns.laterJobIds());
    for (Fixture.Returns.Later later : fixture.returns.later) {
      assertEquals(1, later.waited());
      long seconds = later.delay().toSeconds();
      assertTrue(seconds >= 5 && seconds <= 20, "tens of seconds at most: " + seconds);
    }
    assertEquals(3, fixture.fleet.all().size());
  }

  @Test
  void launchesTheOldestJobsFirstWhenCapacityIsShort() {
    fixture.set("MAX_RUNNERS", "1");
    List<QueuedMessage> batch = List.of(
        QueuedMessage.of("young", 1, job(1, "acme/api", Fixture.NOW.minusSeconds(5))),
        QueuedMessage.of("old", 1, job(2, "acme/api", Fixture.NOW.minusSeconds(50))));

    BatchOutcome outcome = fixture.scaleUp().run(batch);

    assertEquals(List.of(1L), fixture.returns.laterJobIds(), "the young job waits");
    assertEquals(List.of(), outcome.retry());
    assertEquals("2", fixture.fleet.all().get(0).tag(Tags.JOB_ID));
  }

  @Test
  void launchesOnDemandWhenSpotCapacityIsExhausted() {
    fixture.fleet.spotCapacity(4);

    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages(10));

    assertEquals(List.of(), outcome.retry());
    List<LaunchSpec> launches = fixture.fleet.launches();
    assertEquals(2, launches.size());
    assertEquals(CapacityType.ON_DEMAND, launches.get(1).capacityType());
    assertEquals(6, launches.get(1).count(), "only the shortfall, at once");
    Map<CapacityType, Long> byType = fixture.fleet.all().stream()
        .collect(Collectors.groupingBy(RunnerInstance::capacityType, Collectors.counting()));
    assertEquals(Map.of(CapacityType.SPOT, 4L, CapacityType.ON_DEMAND, 6L), byType);
  }

  @Test
  void sendsTheShortfallBackAfterTheShortBackoffWhenOnDemandFailoverIsOff() {
    fixture.set("ON_DEMAND_FAILOVER", "false");
    fixture.fleet.spotCapacity(4);

    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages(10));

    assertEquals(4, outcome.launched());
    // not after the queue's 720 s visibility, not towards the DLQ by receive count
    assertEquals(List.of(), outcome.retry());
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), fixture.returns.laterJobIds());
    fixture.returns.later.forEach(later -> {
      assertEquals(1, later.waited());
      assertTrue(later.delay().toSeconds() <= ScaleUpSettings.DEFAULT_BACKOFF_BASE_SECONDS * 2,
          "back after " + later.delay());
    });
    assertEquals(1, fixture.fleet.launches().size());
  }

  @Test
  void aJobWhoseLaunchKeepsFailingComesBackWithAGrowingBackoffWhileGitHubSaysItWaits() {
    fixture.fleet.failLaunchesWith(spec -> "InsufficientInstanceCapacity"); // spot and on-demand
    QueuedMessage queued = QueuedMessage.of("m1", 1, Fixture.job(1));

    Backoff backoff = fixture.settings().backoff();
    for (int wait = 1; wait <= 6; wait++) {
      BatchOutcome outcome = fixture.scaleUp().run(List.of(queued));
      assertEquals(List.of(), outcome.retry(), "never back by the queue's visibility timeout");
      Fixture.Returns.Later later = fixture.returns.later.get(wait - 1);
      assertEquals(wait, later.waited());
      // the backoff of a job at the maximum: 10, 20, 40, 40 … s on the pool's grid
      assertEquals(backoff.delay(wait, fixture.clock.instant(), "linux"), later.delay());
      assertTrue(later.delay().toSeconds() < 2 * ScaleUpSettings.DEFAULT_BACKOFF_MAX_SECONDS);
      queued = QueuedMessage.waited("w" + wait, later.job(), later.waited());
      fixture.clock.advance(later.delay());
    }

    assertEquals(List.of(), fixture.returns.deadLetters);
    // Once GitHub says the job no longer waits, its message leaves.
    fixture.github.job(new dev.spotrunner.common.github.WorkflowJob(1L, 9001L, "cancelled",
        List.of("self-hosted", "linux"), Fixture.NOW, null));
    BatchOutcome last = fixture.scaleUp().run(List.of(queued));
    assertEquals(1, last.notQueued());
    assertEquals(6, fixture.returns.later.size());
  }

  @Test
  void twoScaleUpsSecondsApartStayWithinTheMaximumWhenEc2DoesNotListNewInstancesYet() {
    fixture.set("MAX_RUNNERS", "3");
    // EC2's listing leaves out instances launched less than 2 s ago
    fixture.fleetSeen(new dev.spotrunner.runners.pool.LaggingFleet(fixture.fleet, fixture.clock,
        java.time.Duration.ofSeconds(2)));
    fixture.lock = new RecordingLock();

    BatchOutcome first = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1)),
        QueuedMessage.of("m2", 1, Fixture.job(2))));
    fixture.clock.advance(java.time.Duration.ofMillis(500));
    BatchOutcome second = fixture.scaleUp().run(List.of(QueuedMessage.of("m3", 1, Fixture.job(3)),
        QueuedMessage.of("m4", 1, Fixture.job(4))));

    assertEquals(2, first.launched());
    assertEquals(1, second.launched());
    assertEquals(3, fixture.fleet.all().size(), "pool at its maximum, not past it");
    assertEquals(List.of(4L), fixture.returns.laterJobIds());
    // Once listed, a recorded launch leaves the record; an ended one stops taking room.
    fixture.clock.advance(java.time.Duration.ofSeconds(5));
    fixture.fleet.terminate(List.of(fixture.fleet.all().get(0).id()));
    BatchOutcome third = fixture.scaleUp().run(List.of(QueuedMessage.waited("w4", Fixture.job(4), 1)));
    assertEquals(1, third.launched());
    assertEquals(3, fixture.fleet.all().size());
  }

  /** A lock that keeps the record of recent launches in memory, as SsmLaunchLock in SSM. */
  static final class RecordingLock implements LaunchLock {
    private final java.util.Map<dev.spotrunner.common.fleet.InstanceId, java.time.Instant> record =
        new java.util.LinkedHashMap<>();

    @Override
    public java.util.Optional<Held> tryAcquire() {
      return java.util.Optional.of(new Held() {
        @Override
        public void close() {}

        @Override
        public java.util.Map<dev.spotrunner.common.fleet.InstanceId, java.time.Instant> launches() {
          return java.util.Map.copyOf(record);
        }

        @Override
        public void recordLaunches(
            java.util.Map<dev.spotrunner.common.fleet.InstanceId, java.time.Instant> launches) {
          record.clear();
          record.putAll(launches);
        }
      });
    }
  }

  @Test
  void failsOverForEverySpotCapacityError() {
    for (String code : List.of("InsufficientInstanceCapacity", "MaxSpotInstanceCountExceeded",
        "SpotMaxPriceTooLow", "UnfulfillableCapacity")) {
      Fixture f = new Fixture();
      f.fleet.failLaunchesWith(spec -> spec.capacityType() == CapacityType.SPOT ? code : null);

      BatchOutcome outcome = f.scaleUp().run(queuedMessages(2));

      assertEquals(List.of(), outcome.retry(), code);
      assertTrue(f.fleet.all().stream().allMatch(i -> i.capacityType() == CapacityType.ON_DEMAND));
    }
  }

  @Test
  void deadLettersMalformedMessagesWithTheirReason() {
    List<QueuedMessage> batch = List.of(
        QueuedMessage.parse("garbage", "not json", "1"),
        QueuedMessage.parse("empty", "", "1"),
        QueuedMessage.parse("negative", job(1).toJson().replace("\"jobId\":1", "\"jobId\":-1"), "1"),
        QueuedMessage.of("other-pool", 1, new dev.spotrunner.common.job.JobMessage(7, 1, "acme/api",
            "acme", "Organization", 42, List.of(), "windows", "d", Fixture.NOW)),
        QueuedMessage.of("good", 1, job(2)));

    BatchOutcome outcome = fixture.scaleUp().run(batch);

    assertEquals(List.of(), outcome.retry());
    assertEquals(4, outcome.deadLettered());
    assertEquals(1, outcome.launched());
    assertEquals(List.of("malformed", "malformed", "malformed", "wrong_pool"),
        fixture.returns.deadLetters.stream().map(d -> d.reason().split(":")[0]).toList());
    assertEquals("not json", fixture.returns.deadLetters.get(0).body(), "the body as it came");
    assertTrue(batch.get(0).malformed().contains("malformed JobMessage"), batch.get(0).malformed());
    assertTrue(batch.get(2).malformed().contains("jobId must be positive"));
  }

  @Test
  void retriesEveryJobWhileGitHubIsDown() {
    fixture.github.down(true);

    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages(3));

    // every job back after the short backoff, as a new message
    assertEquals(List.of(), outcome.retry());
    assertEquals(List.of(1L, 2L, 3L), fixture.returns.laterJobIds());
    assertEquals(List.of(), fixture.fleet.all(), "no instance without a config");
    assertEquals(List.of(), fixture.fleet.launches(), "none started: the runner group is unknown");
  }

  @Test
  void terminatesTheInstanceAndRetriesTheJobWhenItsConfigCannotBeStored() {
    int[] puts = {0};
    fixture.parameters.failPutsTo(name -> ++puts[0] == 2);

    BatchOutcome outcome = fixture.scaleUp().run(queuedMessages(3));

    assertEquals(2, outcome.launched());
    assertEquals(List.of(), outcome.retry());
    assertEquals(1, fixture.returns.later.size(), "the job waits with the short backoff");
    assertEquals(1, fixture.fleet.terminated().size());
    InstanceId terminated = fixture.fleet.terminated().get(0);
    assertTrue(fixture.parameters.get("/prod/runners/linux/" + terminated).isEmpty());
    assertEquals(2, fixture.github.runners(dev.spotrunner.common.job.RunnerOwner.org("acme")).size(),
        "the JIT runner of the terminated instance is deregistered");
    for (RunnerInstance alive : fixture.fleet.all()) {
      assertTrue(fixture.parameters.get("/prod/runners/linux/" + alive.id()).isPresent());
    }

    Fixture.Returns.Later waiting = fixture.returns.later.get(0);
    fixture.github.job(queued(waiting.job().jobId().value()));
    BatchOutcome retried = fixture.scaleUp().run(
        List.of(QueuedMessage.waited("w1", waiting.job(), waiting.waited())));
    assertEquals(1, retried.launched());
    assertEquals(3, fixture.fleet.all().size());
  }

  @Test
  void launchesOneInstancePerJobHoweverOftenItsMessageArrives() {
    List<QueuedMessage> tripled = new ArrayList<>();
    for (int copy = 0; copy < 3; copy++) {
      for (int i = 1; i <= 4; i++) {
        tripled.add(QueuedMessage.of("m" + i + "-" + copy, 1, job(i)));
      }
    }
    BatchOutcome first = fixture.scaleUp().run(tripled);
    BatchOutcome second = fixture.scaleUp().run(queuedMessages(4).stream()
        .map(d -> QueuedMessage.of(d.messageId(), 2, d.job())).toList());
    BatchOutcome third = fixture.scaleUp().run(queuedMessages(4).stream()
        .map(d -> QueuedMessage.of(d.messageId(), 3, d.job())).toList());

    assertEquals(4, fixture.fleet.all().size());
    assertEquals(4, first.launched());
    assertEquals(4, second.alreadyLaunched());
    assertEquals(4, third.alreadyLaunched());
    assertEquals(List.of(), third.retry());
    assertEquals(Set.of("1", "2", "3", "4"), fixture.fleet.all().stream()
        .map(i -> i.tag(Tags.JOB_ID)).collect(Collectors.toSet()));
  }

  @Test
  void repeatsTheSameAttemptWithTheSameClientToken() {
    fixture.scaleUp().run(queuedMessages(2));
    fixture.scaleUp().run(queuedMessages(2).stream().map(d -> QueuedMessage.of(d.messageId(), 1,
        job(d.job().jobId().value() + 10))).toList());

    List<String> tokens = fixture.fleet.launches().stream().map(LaunchSpec::clientToken).toList();
    assertEquals(2, Set.copyOf(tokens).size(), "different jobs, different tokens");
  }

  @Test
  void launchesOneFleetPerOwnerAtRepositoryLevel() {
    fixture.set("RUNNER_LEVEL", "repo");
    List<QueuedMessage> batch = List.of(
        QueuedMessage.of("a", 1, job(1, "acme/api", Fixture.NOW)),
        QueuedMessage.of("b", 1, job(2, "acme/web", Fixture.NOW)),
        QueuedMessage.of("c", 1, job(3, "acme/api", Fixture.NOW)));

    BatchOutcome outcome = fixture.scaleUp().run(batch);

    assertEquals(3, outcome.launched());
    assertEquals(List.of(2, 1), fixture.fleet.launches().stream().map(LaunchSpec::count).toList());
    assertEquals(Set.of("acme/api", "acme/web"), fixture.fleet.all().stream()
        .map(i -> i.tag(Tags.OWNER)).collect(Collectors.toSet()));
    assertEquals(0, fixture.github.calls("runner-groups"), "repository runners use the default group");
    assertTrue(fixture.github.installation(dev.spotrunner.common.job.RunnerOwner.repo("acme", "api"))
        .isPresent(), "the webhook's installation id is passed on");
  }

  @Test
  void leavesAnEmptyBatchAlone() {
    BatchOutcome outcome = fixture.scaleUp().run(List.of());

    assertEquals(List.of(), outcome.retry());
    assertEquals(List.of(), fixture.fleet.launches());
  }

  static dev.spotrunner.common.github.WorkflowJob queued(long id) {
    return new dev.spotrunner.common.github.WorkflowJob(id, 9000 + id, "queued",
        List.of("self-hosted", "linux"), Fixture.NOW.minusSeconds(60), null);
  }
}
