package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.scaledown.IdlePolicy.Decision;
import dev.spotrunner.runners.scaledown.IdlePolicy.Plan;
import dev.spotrunner.runners.scaledown.IdlePolicy.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random pools (ages from brand new to days, launch times unknown, each instance with no runner, or
 * one or two registrations that are idle, offline or busy, under one of two owners, one of them
 * possibly unlisted), random minimum running and boot grace times, warm windows asking for 0-4
 * idle runners, either eviction, on a fixed clock.
 */
class IdlePolicyProperties {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
  static final List<RunnerOwner> OWNERS = List.of(RunnerOwner.org("acme"),
      RunnerOwner.repo("globex", "api"));

  enum Registration { ONLINE_IDLE, OFFLINE_IDLE, ONLINE_BUSY, OFFLINE_BUSY }

  record InstanceSpec(int owner, Integer ageMinutes, List<Registration> registrations) {}

  record PoolSpec(List<InstanceSpec> instances, int minimumMinutes, int graceMinutes, int warmIdle,
      boolean evictNewest, boolean secondOwnerUnlisted) {}

  @Provide
  Arbitrary<PoolSpec> pools() {
    Arbitrary<InstanceSpec> instance = Combinators.combine(
        Arbitraries.integers().between(0, OWNERS.size() - 1),
        Arbitraries.integers().between(0, 3 * 24 * 60).injectNull(0.05),
        Arbitraries.of(Registration.class).list().ofMaxSize(2))
        .as(InstanceSpec::new);
    return Combinators.combine(instance.list().ofMaxSize(12),
        Arbitraries.integers().between(0, 30), Arbitraries.integers().between(0, 30),
        Arbitraries.integers().between(0, 4), Arbitraries.of(true, false),
        Arbitraries.of(true, false))
        .as(PoolSpec::new);
  }

  @Property(tries = 2000)
  void aBusyRunnerIsNeverChosenForRemoval(@ForAll("pools") PoolSpec spec) {
    Built pool = build(spec);
    Plan plan = pool.decide(spec);

    for (Decision d : plan.decisions()) {
      if (d.verdict() == Verdict.IDLE || d.verdict() == Verdict.ORPHAN) {
        assertFalse(pool.busy.contains(d.instance().id()),
            d.instance().id() + " has a busy runner but is " + d.verdict());
      }
    }
    assertFalse(plan.ghosts().stream().anyMatch(g -> g.runner().busy()), "a busy ghost");
  }

  @Property(tries = 500)
  void everyInstanceOfThePoolGetsExactlyOneVerdict(@ForAll("pools") PoolSpec spec) {
    Built pool = build(spec);
    Plan plan = pool.decide(spec);

    assertEquals(pool.instances.stream().map(i -> i.id().value()).sorted().toList(),
        plan.decisions().stream().map(d -> d.instance().id().value()).sorted().toList());
  }

  private record Built(List<RunnerInstance> instances, Map<RunnerOwner, List<GitHubRunner>> listed,
      Set<InstanceId> busy) {
    Plan decide(PoolSpec spec) {
      Map<String, String> env = new HashMap<>(Fixture.baseEnv());
      env.put("MINIMUM_RUNNING_TIME_MINUTES", Integer.toString(spec.minimumMinutes()));
      env.put("BOOT_GRACE_MINUTES", Integer.toString(spec.graceMinutes()));
      env.put("WARM_WINDOWS", "[{\"cron\": \"* * * * *\", \"idle\": " + spec.warmIdle() + "}]");
      env.put("WARM_EVICTION", spec.evictNewest() ? "NEWEST" : "OLDEST");
      Map<RunnerOwner, List<GitHubRunner>> shown = new HashMap<>(listed);
      Set<RunnerOwner> unlisted = new HashSet<>();
      if (spec.secondOwnerUnlisted()) {
        shown.remove(OWNERS.get(1));
        unlisted.add(OWNERS.get(1));
      }
      return new IdlePolicy(ScaleDownSettings.fromEnv(env)).decide(CLOCK.instant(), instances,
          instances.stream().map(RunnerInstance::id).collect(Collectors.toSet()), shown, unlisted);
    }
  }

  private static Built build(PoolSpec spec) {
    List<RunnerInstance> instances = new ArrayList<>();
    Map<RunnerOwner, List<GitHubRunner>> listed = new HashMap<>();
    OWNERS.forEach(o -> listed.put(o, new ArrayList<>()));
    Set<InstanceId> busy = new HashSet<>();
    long runnerId = 1;
    for (int i = 0; i < spec.instances().size(); i++) {
      InstanceSpec s = spec.instances().get(i);
      RunnerOwner owner = OWNERS.get(s.owner());
      InstanceId id = new InstanceId(String.format("i-%017x", 0x5000 + i));
      Instant launched = s.ageMinutes() == null ? null
          : CLOCK.instant().minus(Duration.ofMinutes(s.ageMinutes()));
      instances.add(new RunnerInstance(id, "running", launched, CapacityType.SPOT,
          Map.of(Tags.POOL, "linux", Tags.OWNER, owner.toString())));
      for (Registration r : s.registrations()) {
        boolean isBusy = r == Registration.ONLINE_BUSY || r == Registration.OFFLINE_BUSY;
        boolean online = r == Registration.ONLINE_IDLE || r == Registration.ONLINE_BUSY;
        listed.get(owner).add(new GitHubRunner(runnerId++, "prod-" + id.value(),
            online ? "online" : "offline", isBusy, List.of()));
        if (isBusy) {
          busy.add(id);
        }
      }
    }
    return new Built(instances, listed, busy);
  }
}
