package dev.spotrunner.local.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunnerAgentsTest {
  static final String CONFIG_PATH = "/test/runners";
  final Clock clock = Clock.systemUTC();
  final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  final InMemoryParameters parameters = new InMemoryParameters();
  final InMemoryGitHubSide github = new InMemoryGitHubSide();
  final RunnerAgents agents = new RunnerAgents(fleet, parameters, github,
      new RunnerAgents.Settings("test", pool -> CONFIG_PATH, Duration.ofMillis(50),
          Duration.ofMillis(600), Duration.ofMillis(20)), clock);
  int nextInstance = 1;

  @AfterEach
  void stop() {
    agents.close();
  }

  InstanceId launch(String pool) {
    InstanceId id = new InstanceId(String.format("i-%017x", nextInstance++));
    fleet.add(new RunnerInstance(id, "running", clock.instant(), CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "test", Tags.POOL, pool)));
    return id;
  }

  InstanceId launchForJob(String pool, long jobId) {
    InstanceId id = new InstanceId(String.format("i-%017x", nextInstance++));
    fleet.add(new RunnerInstance(id, "running", clock.instant(), CapacityType.SPOT,
        Map.of(Tags.ENVIRONMENT, "test", Tags.POOL, pool, Tags.JOB_ID, Long.toString(jobId))));
    parameters.putSecure(configName(pool, id),
        "{\"mode\":\"jit\",\"runnerName\":\"test-" + id + "\",\"jitConfig\":\"jit:self-hosted,linux\"}");
    return id;
  }

  String configName(String pool, InstanceId id) {
    return CONFIG_PATH + "/" + pool + "/" + id;
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void anEphemeralJitRunnerServesOneJobThenTerminatesItsInstance() {
    long job = github.queueJob("acme/api", List.of("self-hosted", "linux"), Duration.ofMillis(100));
    InstanceId id = launch("linux");
    parameters.putSecure(configName("linux", id),
        "{\"mode\":\"jit\",\"runnerName\":\"test-" + id + "\",\"jitConfig\":\"jit:self-hosted,linux,x64\"}");

    agents.start();

    eventually("job completed", () -> github.status(job).equals("completed"));
    eventually("instance terminated", () -> fleet.terminated().contains(id));
    assertThat(parameters.deleted()).containsExactly(configName("linux", id));
    assertThat(agents.reports().getFirst().jobsDone()).containsExactly(job);
    assertThat(github.events()).containsSubsequence("queued " + job, "in_progress " + job, "completed " + job);
  }

  @Test
  void aPersistentRunnerRegisteredWithATokenServesJobsUntilItIsDeregistered() {
    InstanceId id = launch("big");
    parameters.putSecure(configName("big", id), """
        {"mode":"registration","runnerName":"test-%s","url":"https://github.com/acme","token":"REGacme1",
         "labels":"self-hosted,big","runnerGroup":"Default","ephemeral":false}""".formatted(id));
    long first = github.queueJob("acme/api", List.of("big"), Duration.ofMillis(50));
    long second = github.queueJob("acme/api", List.of("self-hosted", "big"), Duration.ofMillis(50));

    agents.start();
    eventually("both jobs completed",
        () -> github.status(first).equals("completed") && github.status(second).equals("completed"));
    long runnerId = agents.reports().getFirst().runnerId();
    github.deleteRunner(runnerId);

    eventually("agent stopped", () -> agents.reports().getFirst().state() == RunnerAgent.State.STOPPED);
    assertThat(agents.reports().getFirst().outcome()).isEqualTo("deregistered");
    assertThat(fleet.terminated()).doesNotContain(id);
  }

  @Test
  void aRunnerTakesOnlyJobsWhoseLabelsItServes() {
    long gpu = github.queueJob("acme/api", List.of("gpu"), Duration.ofMillis(50));
    InstanceId id = launch("linux");
    parameters.putSecure(configName("linux", id),
        "{\"mode\":\"jit\",\"runnerName\":\"n\",\"jitConfig\":\"jit:self-hosted,linux\"}");

    agents.start();
    eventually("runner idle", () -> agents.states().getOrDefault(RunnerAgent.State.IDLE, 0L) == 1);

    assertThat(github.status(gpu)).isEqualTo("queued");
  }

  @Test
  void shutsDownAnInstanceWhoseConfigNeverArrives() {
    InstanceId id = launch("linux");

    agents.start();

    eventually("instance terminated", () -> fleet.terminated().contains(id));
    // The agent terminates its instance, then records why.
    eventually("agent stopped", () -> agents.reports().getFirst().state() == RunnerAgent.State.STOPPED);
    assertThat(agents.reports().getFirst().outcome()).isEqualTo("no config");
  }

  @Test
  void reportsAJobInterruptedWhenABusyRunnersInstanceIsTerminated() {
    long job = github.queueJob("acme/api", List.of("linux"), Duration.ofSeconds(30));
    InstanceId id = launch("linux");
    parameters.putSecure(configName("linux", id),
        "{\"mode\":\"jit\",\"runnerName\":\"n\",\"jitConfig\":\"jit:linux\"}");
    agents.start();
    eventually("job running", () -> github.status(job).equals("in_progress"));

    fleet.terminate(List.of(id));

    eventually("agent stopped", () -> agents.reports().getFirst().state() == RunnerAgent.State.STOPPED);
    assertThat(agents.reports().getFirst().interruptedJobs()).containsExactly(job);
  }

  @Test
  void countsPeakInstancesAndInstanceTime() {
    launch("linux");
    launch("linux");

    agents.scan();

    assertThat(agents.peakInstances()).isEqualTo(2);
    assertThat(agents.aliveCount()).isEqualTo(2);
  }

  @Test
  void theFirstMachineOfAJobChosenToFailToBootTerminatesItselfUnregisteredAndTheNextServesTheJob() {
    long job = github.queueJob("acme/api", List.of("self-hosted", "linux"), Duration.ofMillis(50));
    agents.failToBoot(job, 1);
    InstanceId first = launchForJob("linux", job);
    agents.start();

    eventually("first instance terminated", () -> fleet.terminated().contains(first));
    InstanceId second = launchForJob("linux", job);
    eventually("job completed", () -> github.status(job).equals("completed"));

    assertThat(agents.reports()).hasSize(2);
    assertThat(agents.reports().get(0)).satisfies(r -> {
      assertThat(r.instance()).isEqualTo(first);
      assertThat(r.outcome()).isEqualTo("failed to boot");
      assertThat(r.runnerId()).isNull();
      assertThat(r.jobsDone()).isEmpty();
    });
    assertThat(agents.reports().get(1).instance()).isEqualTo(second);
    eventually("second instance terminated after its job", () -> fleet.terminated().contains(second));
    assertThat(agents.reports().get(1).jobsDone()).containsExactly(job);
    // The failed start script never read its config: it is still there, the second one's is not.
    assertThat(parameters.deleted()).containsExactly(configName("linux", second));
  }

  @Test
  void aMachineTaggedWithItsJobAfterTheLaunchStillFailsToBoot() {
    // Scale-up tags the job id after CreateFleet: the agent must see the tag its machine boots with.
    try (RunnerAgents slowBoot = new RunnerAgents(fleet, parameters, github,
        new RunnerAgents.Settings("test", pool -> CONFIG_PATH, Duration.ofMillis(500),
            Duration.ofSeconds(5), Duration.ofMillis(20)), clock)) {
      long job = github.queueJob("acme/api", List.of("self-hosted", "linux"), Duration.ofMillis(50));
      slowBoot.failToBoot(job, 1);
      InstanceId id = launch("linux");
      slowBoot.start();
      eventually("instance seen untagged", () -> slowBoot.reports().size() == 1);

      fleet.tag(id, Map.of(Tags.JOB_ID, Long.toString(job)));

      eventually("instance terminated", () -> fleet.terminated().contains(id));
      eventually("agent stopped", () -> slowBoot.reports().getFirst().state() == RunnerAgent.State.STOPPED);
      assertThat(slowBoot.reports().getFirst().outcome()).isEqualTo("failed to boot");
      assertThat(github.status(job)).isEqualTo("queued");
    }
  }

  @Test
  void aMachineOfAnotherJobBootsNormally() {
    long failing = github.queueJob("acme/api", List.of("gpu"), Duration.ofMillis(50));
    long job = github.queueJob("acme/api", List.of("self-hosted", "linux"), Duration.ofMillis(50));
    agents.failToBoot(failing, 1);
    InstanceId id = launchForJob("linux", job);

    agents.start();

    eventually("job completed", () -> github.status(job).equals("completed"));
    eventually("agent stopped", () -> agents.reports().getFirst().state() == RunnerAgent.State.STOPPED);
    assertThat(agents.reports().getFirst().outcome()).isEqualTo("job done");
    assertThat(agents.reports().getFirst().instance()).isEqualTo(id);
  }

  InstanceId launchJitRunner(String labels) {
    InstanceId id = launch("linux");
    parameters.putSecure(configName("linux", id),
        "{\"mode\":\"jit\",\"runnerName\":\"n\",\"jitConfig\":\"jit:" + labels + "\"}");
    return id;
  }

  @Test
  void aReclaimedMachineIsWarnedThenAfterTheNoticeItsJobFailsItsRunnerStaysOfflineAndItIsTerminated() {
    List<InstanceEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    agents.onInstanceEvent(events::add);
    long job = github.queueJob("acme/api", List.of("linux"), Duration.ofSeconds(30));
    InstanceId id = launchJitRunner("linux");
    agents.start();
    eventually("job running", () -> github.status(job).equals("in_progress"));

    agents.reclaim(1, Duration.ofMillis(400));

    eventually("instance terminated", () -> fleet.terminated().contains(id));
    eventually("termination reported", () -> events.size() == 2);
    assertThat(events).extracting(InstanceEvent::kind, InstanceEvent::instance).containsExactly(
        org.assertj.core.groups.Tuple.tuple(InstanceEvent.Kind.SPOT_INTERRUPTION_WARNING, id),
        org.assertj.core.groups.Tuple.tuple(InstanceEvent.Kind.TERMINATED, id));
    assertThat(github.events()).contains("lost " + job).doesNotContain("completed " + job);
    long runnerId = agents.reports().getFirst().runnerId();
    // the ghost: GitHub still has the runner, offline and no longer busy
    assertThat(github.runners().get(runnerId)).satisfies(r -> {
      assertThat(r.online()).isFalse();
      assertThat(r.busy()).isFalse();
    });
    eventually("agent stopped", () -> agents.reports().getFirst().state() == RunnerAgent.State.STOPPED);
    assertThat(agents.reports().getFirst()).satisfies(r -> {
      assertThat(r.reclaimedJobs()).containsExactly(job);
      assertThat(r.interruptedJobs()).isEmpty();
      assertThat(r.outcome()).isEqualTo("reclaimed by spot");
    });
    assertThat(agents.reclaims()).singleElement().satisfies(r -> {
      assertThat(r.jobId()).isEqualTo(job);
      assertThat(Duration.between(r.warnedAt(), r.terminatedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    });
  }

  @Test
  void aMachineWhoseJobEndsWithinTheNoticeIsNotReclaimed() {
    List<InstanceEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    agents.onInstanceEvent(events::add);
    agents.reclaim(1, Duration.ofSeconds(5));
    long job = github.queueJob("acme/api", List.of("linux"), Duration.ofMillis(300));
    InstanceId id = launchJitRunner("linux");

    agents.start();

    eventually("job completed", () -> github.status(job).equals("completed"));
    eventually("instance terminated", () -> fleet.terminated().contains(id));
    eventually("termination reported", () -> events.size() == 1);
    assertThat(events).extracting(InstanceEvent::kind).containsExactly(InstanceEvent.Kind.TERMINATED);
    assertThat(github.conclusion(job)).isEqualTo("success");
    assertThat(agents.reclaims()).isEmpty();
  }

  @Test
  void aJobChosenToFailFailsOnAHealthyMachine() {
    long job = github.queueJob("acme/api", List.of("linux"), Duration.ofMillis(100));
    agents.failJob(job);
    launchJitRunner("linux");

    agents.start();

    eventually("job completed", () -> github.status(job).equals("completed"));
    assertThat(github.conclusion(job)).isEqualTo("failure");
    assertThat(agents.reclaims()).isEmpty();
  }
}
