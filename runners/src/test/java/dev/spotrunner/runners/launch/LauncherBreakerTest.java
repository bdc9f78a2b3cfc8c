package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.breaker.BreakerKeys;
import dev.spotrunner.runners.breaker.BreakerSettings;
import dev.spotrunner.runners.breaker.BreakerState;
import dev.spotrunner.runners.breaker.BreakerStore;
import dev.spotrunner.runners.breaker.SpotBreaker;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The launcher asks spot only for markets whose breaker is not open (docs/interruptions.md). */
class LauncherBreakerTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final RunnerOwner ACME = RunnerOwner.org("acme");
  private static final BreakerSettings SETTINGS =
      new BreakerSettings(1, Duration.ofMinutes(10), Duration.ofMinutes(30));

  private final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(Clock.fixed(NOW, ZoneOffset.UTC));
  private final FakeGitHub github = new FakeGitHub(Clock.fixed(NOW, ZoneOffset.UTC));
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final Map<String, String> env = new HashMap<>(Map.of(
      "ENVIRONMENT", "dev", "POOL_NAME", "big", "POOL_LABELS", "self-hosted,big",
      "LAUNCH_TEMPLATE_NAME", "dev-big", "INSTANCE_TYPES", "m5.large,c5.large",
      "SUBNET_IDS", "subnet-a,subnet-b", "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));

  private LaunchSpec launchAt(Instant at) {
    PoolSettings pool = PoolSettings.fromEnv(env);
    Clock clock = Clock.fixed(at, ZoneOffset.UTC);
    new RunnerLauncher(pool, fleet, github, parameters, new RunnerConfigs(pool, github, clock),
        Executors.newVirtualThreadPerTaskExecutor(), clock)
        .launch(new LaunchRequest(ACME, "Organization",
            Collections.nCopies(1, RunnerSlot.warm()), "tick-" + at.getEpochSecond()));
    return fleet.launches().getLast();
  }

  private void interrupted(String... keys) {
    SpotBreaker breaker = new SpotBreaker(SETTINGS);
    BreakerState state = BreakerState.EMPTY;
    for (String key : keys) {
      state = breaker.record(state, key, NOW.minusSeconds(60)).state();
      state = breaker.record(state, key, NOW.minusSeconds(30)).state();
    }
    new BreakerStore(parameters).write("dev", "big", state);
  }

  @Test
  void asksSpotForEveryMarketWhileNoBreakerIsOpen() {
    LaunchSpec spec = launchAt(NOW);
    assertEquals(CapacityType.SPOT, spec.capacityType());
    assertEquals(List.of("m5.large", "c5.large"), spec.instanceTypes());
    assertEquals(List.of("subnet-a", "subnet-b"), spec.subnetIds());
  }

  @Test
  void leavesAnOpenInstanceTypeAndSubnetOutOfTheSpotRequest() {
    interrupted(BreakerKeys.instanceType("m5.large"), BreakerKeys.subnet("subnet-b"));
    LaunchSpec spec = launchAt(NOW);
    assertEquals(CapacityType.SPOT, spec.capacityType());
    assertEquals(List.of("c5.large"), spec.instanceTypes());
    assertEquals(List.of("subnet-a"), spec.subnetIds());
  }

  @Test
  void launchesOnDemandWhenEverySpotTypeIsOpen() {
    interrupted(BreakerKeys.instanceType("m5.large"), BreakerKeys.instanceType("c5.large"));
    LaunchSpec spec = launchAt(NOW);
    assertEquals(CapacityType.ON_DEMAND, spec.capacityType());
    assertEquals(List.of("m5.large", "c5.large"), spec.instanceTypes());
  }

  @Test
  void probesSpotAgainAfterTheCoolDown() {
    interrupted(BreakerKeys.instanceType("m5.large"), BreakerKeys.instanceType("c5.large"));
    LaunchSpec spec = launchAt(NOW.plus(Duration.ofMinutes(31)));
    assertEquals(CapacityType.SPOT, spec.capacityType());
    assertEquals(List.of("m5.large", "c5.large"), spec.instanceTypes());
  }

  @Test
  void anOnDemandPoolNeverReadsTheBreakers() {
    env.put("CAPACITY_TYPE", "on-demand");
    interrupted(BreakerKeys.instanceType("m5.large"));
    assertEquals(List.of("m5.large", "c5.large"), launchAt(NOW).instanceTypes());
  }
}
