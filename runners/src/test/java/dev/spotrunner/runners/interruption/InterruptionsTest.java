package dev.spotrunner.runners.interruption;

import static dev.spotrunner.runners.interruption.World.NOW;
import static dev.spotrunner.runners.interruption.World.terminated;
import static dev.spotrunner.runners.interruption.World.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.breaker.BreakerKeys;
import dev.spotrunner.runners.breaker.BreakerStore;
import dev.spotrunner.runners.breaker.SpotBreaker.Phase;
import dev.spotrunner.runners.interruption.Interruptions.Outcome;
import dev.spotrunner.runners.interruption.World.Runner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterruptionsTest {
  private final World world = new World();

  @Test
  void deregistersAnIdleRunnerAtTheWarningBeforeSpotTerminatesIt() {
    Runner idle = world.runner(false);

    Outcome outcome = world.interruptions().handle(warning(idle.instance(), NOW));

    assertEquals(Outcome.IDLE_DEREGISTERED, outcome);
    assertFalse(world.registered(idle.runner()), "GitHub must not give a dying runner a job");
    assertEquals(List.of(), world.instances.terminated(), "spot terminates it, not us");
    assertEquals(1, world.metricLines("IdleRunnersDeregistered").size());
  }

  @Test
  void neverDeregistersABusyRunnerAndRecordsItsJobAsInterrupted() {
    Runner busy = world.runner(true);

    Outcome outcome = world.interruptions().handle(warning(busy.instance(), NOW));

    assertEquals(Outcome.BUSY_RECORDED, outcome);
    assertTrue(world.registered(busy.runner()));
    assertEquals(0, world.runners.calls("delete-runner"), "a busy runner is never touched");
    assertEquals(NOW.toString(), world.instances.tag(busy.instance(), Interruptions.INTERRUPTED_TAG));
    InterruptedJob job = InterruptedJob.parse(world.parameters
        .get("/dev/interruptions/linux/jobs/" + busy.jobId()).orElseThrow());
    assertEquals(new InterruptedJob("linux", "acme/api", dev.spotrunner.common.job.JobId.of(busy.jobId()), busy.runner().name(),
        busy.instance(), NOW), job);
    assertEquals(1, world.metricLines("InterruptedJobs").size());
  }

  @Test
  void aRunnerThatTookAJobSinceItWasLookedAtIsTreatedAsBusy() {
    Runner runner = world.runner(false);
    // GitHub answers 422 to the DELETE: the runner took a job between our GET and our DELETE
    world.runners.beforeDelete(id -> world.runners.setRunner(World.ACME, new GitHubRunner(id,
        runner.runner().name(), "online", true, List.of("linux"))));

    Outcome outcome = world.interruptions().handle(warning(runner.instance(), NOW));

    assertEquals(Outcome.BUSY_RECORDED, outcome);
    assertTrue(world.registered(runner.runner()));
    assertTrue(world.parameters.get("/dev/interruptions/linux/jobs/" + runner.jobId()).isPresent());
  }

  /**
   * The local stack boots a machine at once: its runner may take a job before scale-up wrote the
   * job-id tag (last, after the config) and before the job start is tagged. The warning looks again
   * a few times, half a second apart, and records the job once a tag names it.
   */
  @Test
  void aBusyRunnerWhoseInstanceIsNotTaggedYetIsRecordedOnceItIs() {
    Runner busy = world.runner(true);
    Map<String, String> tags = new java.util.HashMap<>(world.instances.describe(busy.instance())
        .orElseThrow().tags());
    tags.remove(dev.spotrunner.common.fleet.Tags.JOB_ID);
    tags.remove(dev.spotrunner.common.fleet.Tags.REPOSITORY);
    InstanceFacts untagged = world.instances.describe(busy.instance()).orElseThrow();
    world.instances.add(new InstanceFacts(busy.instance(), "running", untagged.instanceType(),
        untagged.availabilityZone(), untagged.subnetId(), true, tags));
    List<Duration> sleeps = new java.util.ArrayList<>();
    Interruptions interruptions = new Interruptions(world.settings(), world.instances, world.github,
        world.parameters, world.reruns(), new InterruptionMetrics(world.clock, world.emf::add),
        world.clock, pause -> {
          sleeps.add(pause);
          if (sleeps.size() == 2) { // scale-up's tag lands during the second pause
            world.instances.tag(busy.instance(), Map.of(
                dev.spotrunner.common.fleet.Tags.RUNNING_JOB, Long.toString(busy.jobId()),
                dev.spotrunner.common.fleet.Tags.RUNNING_REPOSITORY, "acme/api"));
          }
        });

    assertEquals(Outcome.BUSY_RECORDED, interruptions.handle(warning(busy.instance(), NOW)));

    assertEquals(List.of(Interruptions.UNTAGGED_PAUSE, Interruptions.UNTAGGED_PAUSE), sleeps);
    assertTrue(world.parameters.get("/dev/interruptions/linux/jobs/" + busy.jobId()).isPresent());
  }

  @Test
  void aWarningBeforeScaleUpTaggedTheRunnerLooksAgainAndFindsTheBusyRunner() {
    Runner busy = world.runner(true);
    InstanceFacts tagged = world.instances.describe(busy.instance()).orElseThrow();
    Map<String, String> tags = new java.util.HashMap<>(Map.of(
        dev.spotrunner.common.fleet.Tags.ENVIRONMENT, "dev", dev.spotrunner.common.fleet.Tags.APPLICATION, "spotrunner",
        dev.spotrunner.common.fleet.Tags.POOL, "linux", dev.spotrunner.common.fleet.Tags.OWNER, "acme"));
    world.instances.add(new InstanceFacts(busy.instance(), "running", tagged.instanceType(),
        tagged.availabilityZone(), tagged.subnetId(), true, tags));
    List<Duration> sleeps = new java.util.ArrayList<>();
    Interruptions interruptions = new Interruptions(world.settings(), world.instances, world.github,
        world.parameters, world.reruns(), new InterruptionMetrics(world.clock, world.emf::add),
        world.clock, pause -> {
          if (sleeps.add(pause) && sleeps.size() == 3) { // scale-up's tags land
            world.instances.tag(busy.instance(), tagged.tags());
          }
        });

    assertEquals(Outcome.BUSY_RECORDED, interruptions.handle(warning(busy.instance(), NOW)));

    assertEquals(3, sleeps.size());
    assertTrue(world.registered(busy.runner()), "a busy runner is never deregistered");
    assertTrue(world.parameters.get("/dev/interruptions/linux/jobs/" + busy.jobId()).isPresent());
  }

  @Test
  void aBusyRunnerOfAPoolWithoutReRunsIsOnlyTagged() {
    Runner busy = world.runner("dev", "persistent", "m5.large", true);

    assertEquals(Outcome.BUSY_LEFT, world.interruptions().handle(warning(busy.instance(), NOW)));
    assertEquals(List.of(), world.parameters.namesUnder("/dev/interruptions/persistent/jobs"));
    assertEquals(NOW.toString(), world.instances.tag(busy.instance(), Interruptions.INTERRUPTED_TAG));
  }

  @Test
  void neverTouchesAnInstanceOfAnotherEnvironment() {
    Runner theirs = world.runner("prod", "linux", "m5.large", false);

    assertEquals(Outcome.NOT_OURS, world.interruptions().handle(warning(theirs.instance(), NOW)));
    assertEquals(Outcome.NOT_OURS, world.interruptions().handle(terminated(theirs.instance(), NOW)));
    assertTrue(world.registered(theirs.runner()));
    assertEquals(0, world.runners.totalCalls());
    assertNull(world.instances.tag(theirs.instance(), Interruptions.INTERRUPTED_TAG));
    assertEquals(List.of(), world.emf);
    assertEquals(List.of(), world.parameters.namesUnder("/dev"));
  }

  @Test
  void removesTheRunnerOfATerminatedInstanceInSeconds() {
    Runner ghost = world.runner(false);
    world.runners.setRunner(World.ACME, new GitHubRunner(ghost.runner().id(),
        ghost.runner().name(), "offline", false, List.of("linux")));

    Outcome outcome = world.interruptions().handle(terminated(ghost.instance(), NOW));

    assertEquals(Outcome.GHOST_REMOVED, outcome);
    assertFalse(world.registered(ghost.runner()));
    assertEquals(1, world.metricLines("GhostRunnersRemoved").size());
  }

  @Test
  void aStateChangeOtherThanTerminationIsIgnored() {
    Runner runner = world.runner(false);
    Ec2Event stopping = new Ec2Event(Ec2Event.Kind.STATE_CHANGE, runner.instance(), NOW, "stopping");

    assertEquals(Outcome.IGNORED, world.interruptions().handle(stopping));
    assertTrue(world.registered(runner.runner()));
  }

  @Test
  void aRebalanceRecommendationRetiresAnIdleRunnerAndKeepsABusyOne() {
    Runner idle = world.runner(false);
    Runner busy = world.runner(true);
    Interruptions interruptions = world.interruptions();

    assertEquals(Outcome.IDLE_DEREGISTERED, interruptions.handle(
        new Ec2Event(Ec2Event.Kind.REBALANCE, idle.instance(), NOW, null)));
    assertEquals(Outcome.BUSY_LEFT, interruptions.handle(
        new Ec2Event(Ec2Event.Kind.REBALANCE, busy.instance(), NOW, null)));

    assertFalse(world.registered(idle.runner()));
    assertEquals(List.of(idle.instance()), world.instances.terminated());
    assertTrue(world.registered(busy.runner()));
    assertEquals(List.of(), world.metricLines("SpotInterruptions"), "a recommendation is no interruption");
  }

  @Test
  void countsEveryWarningByPoolInstanceTypeAndZone() throws Exception {
    Runner runner = world.runner(false);

    world.interruptions().handle(warning(runner.instance(), NOW));

    List<String> lines = world.metricLines("SpotInterruptions");
    assertEquals(1, lines.size());
    Map<?, ?> doc = Json.read(lines.getFirst(), Map.class);
    assertEquals("linux", doc.get("pool"));
    assertEquals("m5.large", doc.get("instanceType"));
    assertEquals("eu-west-1a", doc.get("az"));
    assertEquals(1, ((Number) doc.get("SpotInterruptions")).intValue());
  }

  @Test
  void opensThePoolsBreakerAfterMoreThanKWarningsAndClosesItOnSchedule() {
    Interruptions interruptions = world.interruptions();
    for (int i = 0; i < 3; i++) {
      interruptions.handle(warning(world.runner(false).instance(), NOW.plusSeconds(i)));
    }
    BreakerStore store = new BreakerStore(world.parameters);
    assertEquals(Phase.OPEN, store.read("dev", "linux")
        .phase(BreakerKeys.instanceType("m5.large"), NOW.plusSeconds(3)));
    assertEquals(Phase.OPEN, store.read("dev", "linux")
        .phase(BreakerKeys.subnet("subnet-a"), NOW.plusSeconds(3)));
    assertEquals(2, world.metricLines("SpotBreakerOpened").size(), "the type and the subnet");

    world.at(NOW.plus(Duration.ofMinutes(41)));
    world.interruptions().handle(new Ec2Event(Ec2Event.Kind.SCHEDULE, null, NOW, null));

    assertEquals(2, world.metricLines("SpotBreakerClosed").size());
    assertTrue(world.parameters.get(BreakerStore.parameterName("dev", "linux")).isEmpty(),
        "closed breakers leave no state behind");
  }
}
